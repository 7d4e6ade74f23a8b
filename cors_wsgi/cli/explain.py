"""``cors-wsgi explain``: why a browser allows or blocks one request."""

from __future__ import annotations

import argparse
import configparser
import json
import os
import sys
from typing import Any, Dict, List, Optional, Tuple

from .._core.errors import ConfigurationError
from .._core.http import is_token
from .._core.options import coerce_options
from .._core.origins import is_valid_request_origin
from ._policy import add_policy_flags, policy_options

__all__ = ["register"]

_PASTE_USE = ("egg:cors_wsgi#cors", "egg:cors-wsgi#cors")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "explain",
        help="say what a browser and the middleware do with one request",
        description=(
            "Say, step by step, whether a browser sends a preflight, what "
            "cors_wsgi answers, whether JavaScript can read the response, and "
            "the smallest policy change that allows a refused request. The "
            "policy comes from the flags, from --config, or else from the "
            "CORS_* environment variables of cors_wsgi.wsgi. Exit status: 0 "
            "allowed, 1 refused (or a policy that cannot be built), 2 bad "
            "arguments."
        ),
    )
    parser.add_argument("--origin", required=True, help="the page's origin")
    parser.add_argument("--method", default="GET", help="as the script writes it")
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="NAME[: VALUE]",
        help="a request header the script sets (may repeat)",
    )
    parser.add_argument("--path", default="/", help="the request's path")
    parser.add_argument(
        "--credentials",
        action="store_true",
        help='the script sends credentials (fetch(..., {credentials: "include"}))',
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="an ini file whose [filter:cors] section holds the policy",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_policy_flags(parser)
    parser.set_defaults(run=run, parser=parser)


def _headers(
    parser: argparse.ArgumentParser, given: List[str]
) -> Tuple[Tuple[str, Optional[str]], ...]:
    headers = []
    for item in given:
        name, sep, value = item.partition(":")
        name = name.strip()
        if not is_token(name):
            parser.error(f"--header {item!r}: write NAME or 'NAME: VALUE'")
        headers.append((name, value.strip() if sep else None))
    return tuple(headers)


def _ini_options(parser: argparse.ArgumentParser, path: str) -> Dict[str, Any]:
    # Keys of [DEFAULT] belong to the whole Paste Deploy file (debug = true),
    # not to the filter: read it as an ordinary section, and ignore it.
    ini = configparser.ConfigParser(
        default_section="cors_wsgi: no defaults", interpolation=None
    )
    try:
        with open(path, encoding="utf-8") as file:
            ini.read_file(file)
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        parser.error(f"--config {path}: cannot be read ({exc})")
    sections = [
        name
        for name in ini.sections()
        if ini.get(name, "use", fallback="").strip() in _PASTE_USE
    ]
    if not sections and ini.has_section("filter:cors"):
        sections = ["filter:cors"]
    if len(sections) != 1:
        parser.error(
            f"--config {path}: expected one [filter:cors] section "
            f"(use = egg:cors_wsgi#cors), found {len(sections)}"
        )
    items = dict(ini.items(sections[0]))
    items.pop("use", None)
    return coerce_options(items)


def _environ_options() -> Dict[str, Any]:
    from .._loading import environ_options

    return environ_options(os.environ)


def run(args: argparse.Namespace) -> int:
    from ..diagnose.explain import Request, explain

    parser: argparse.ArgumentParser = args.parser
    if not is_valid_request_origin(args.origin):
        parser.error(
            f"--origin {args.origin!r}: write the page's origin as a browser "
            f"sends it, scheme://host[:port] with no path and no trailing "
            f"slash, or null"
        )
    if not is_token(args.method):
        parser.error(f"--method {args.method!r}: not an HTTP method name")
    if not args.path.startswith("/"):
        parser.error(f"--path {args.path!r}: a path starts with '/'")
    headers = _headers(parser, args.header)
    try:
        flags = policy_options(args)
        if args.config and flags:
            parser.error("give the policy as flags or as --config, not both")
        if args.config:
            options = _ini_options(parser, args.config)
        elif flags:
            options = flags
        else:
            options = _environ_options()
    except ConfigurationError as exc:
        print(f"the policy cannot be built:\n{exc}", file=sys.stderr)
        return 1
    request = Request(args.origin, args.method, headers, args.path, args.credentials)
    result = explain(options, request)
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
    else:
        for step in result.steps:
            print(step)
        for note in result.notes:
            print(f"note: {note}")
        for fix in result.fixes:
            print(f"to {fix.why}:")
            print(f"  flag:   {fix.flag}")
            print(f"  Python: {fix.python}")
            print(f"  ini:    {fix.ini}")
        print("verdict: " + ("allowed" if result.allowed else "refused"))
    return 0 if result.allowed else 1
