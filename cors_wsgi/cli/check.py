"""``cors-wsgi check URL --origin O``: what a browser makes of a live server's CORS.

It sends the preflight (when a browser would) and the actual request as a
browser does, runs the browser's checks on the answers and says, in the
words of the browsers' consoles, whether a script could read the response.
With ``--audit`` it also tries origins a server must not trust.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from typing import Any, Dict, List, Optional, Tuple

from ..diagnose.audit import (
    PROBE_LABELS,
    CheckError,
    Report,
    Request,
    Step,
    Target,
    check,
    parse_url,
)
from ..diagnose.browser import (
    Failure,
    forbidden_request_header,
    get,
    is_forbidden_method,
    is_token,
    normalize_method,
    parse_origin,
)

__all__ = ["register"]


def _url(text: str) -> Target:
    try:
        return parse_url(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _origin(text: str) -> str:
    try:
        return parse_origin(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _method(text: str) -> str:
    if not is_token(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an HTTP method name")
    if is_forbidden_method(text):
        raise argparse.ArgumentTypeError(
            f"fetch() refuses to send {text} (a forbidden method)"
        )
    return normalize_method(text)


def _header(text: str) -> Tuple[str, str]:
    name, _, value = text.partition(":")
    name = name.strip()
    value = value.strip(" \t")
    if not is_token(name):
        raise argparse.ArgumentTypeError(
            f'{text!r} is not a header: write it as "NAME: VALUE"'
        )
    if re.search(r"[^\t\x20-\x7e\x80-\xff]", value):
        raise argparse.ArgumentTypeError(
            f"{text!r}: a header value may not hold control characters or "
            "characters beyond latin-1"
        )
    lower = name.lower()
    if lower != "cookie" and forbidden_request_header(name, value):
        hint = " (use --origin)" if lower == "origin" else ""
        raise argparse.ArgumentTypeError(
            f"{name} is a forbidden request header: a script cannot set it, the "
            f"browser does{hint}"
        )
    return name, value


def _timeout(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds > 0")
    return seconds


def register(subparsers: Any) -> None:
    """Add the ``check`` command to *subparsers*."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check",
        help="check a live server's CORS answers as a browser would, and audit them",
        description=(
            "Send the request a page on ORIGIN would make to URL, with its "
            "preflight when a browser sends one, run the browser's checks on "
            "the answers (the Fetch Standard's) and say whether JavaScript "
            "could read the response. Works with any server. Exit status: 0 "
            "allowed (and, with --audit, no finding), 1 refused or a finding, "
            "2 bad arguments or no usable answer."
        ),
    )
    parser.add_argument(
        "url", metavar="URL", type=_url, help="the http:// or https:// URL to check"
    )
    parser.add_argument(
        "--origin",
        required=True,
        type=_origin,
        help="the origin of the calling page, e.g. https://app.example.com, or null",
    )
    parser.add_argument(
        "--method",
        type=_method,
        default="GET",
        help="the method the script uses (default: %(default)s)",
    )
    parser.add_argument(
        "--header",
        type=_header,
        action="append",
        default=[],
        metavar='"NAME: VALUE"',
        help="a header the script sets (repeatable); a Cookie header stands "
        "for the browser's cookies and is sent with --credentials only",
    )
    parser.add_argument(
        "--credentials",
        action="store_true",
        help="the script asks for credentials (fetch's credentials: 'include')",
    )
    parser.add_argument(
        "--audit",
        action="store_true",
        help="also try origins the server must not trust, and check Vary",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of text"
    )
    parser.add_argument(
        "--timeout",
        type=_timeout,
        default=10.0,
        metavar="SECONDS",
        help="time allowed for each request (default: %(default)g)",
    )
    parser.set_defaults(run=functools.partial(run, parser))


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Check, print the report; the exit status."""
    target: Target = args.url
    headers: List[Tuple[str, str]] = args.header
    cookies = [value for name, value in headers if name.lower() == "cookie"]
    if cookies and not args.credentials:
        parser.error(
            "a Cookie header is sent by a browser only with credentials: "
            "add --credentials"
        )
    if args.origin == target.origin:
        parser.error(
            f"{args.origin} is the URL's own origin: CORS does not apply to "
            "same-origin requests"
        )
    request = Request(
        args.origin,
        args.method,
        tuple((name, value) for name, value in headers if name.lower() != "cookie"),
        "; ".join(cookies) or None,
        args.credentials,
    )
    try:
        report = check(target, request, args.audit, args.timeout)
    except CheckError as error:
        if args.json:
            print(json.dumps({"verdict": "error", "error": str(error)}, indent=2))
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(as_json(report), indent=2))
    else:
        print(render(report))
    return exit_status(report)


def exit_status(report: Report) -> int:
    """0 allowed and no finding, 1 refused or a finding, 2 a redirect not followed."""
    if report.verdict == "redirect":
        return 2
    if report.verdict == "refused":
        return 1
    return 1 if any(f.severity != "info" for f in report.findings) else 0


def _console(url: str, origin: str, step: Step, failure: Failure) -> List[str]:
    # The lines Chromium's and Firefox's consoles print for a failed step.
    return [
        f"Access to fetch at '{url}' from origin '{origin}' has been blocked by "
        f"CORS policy: {failure.chromium}",
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading "
        f"the remote resource at {url}. (Reason: {failure.firefox}). "
        f"Status code: {step.exchange.status}.",
    ]


def render(report: Report) -> str:
    """The report as text, step by step."""
    request = report.request
    credentials = "with credentials" if request.credentials else "without credentials"
    lines = [
        f"{request.method} {report.target.url} from origin {request.origin}, "
        f"{credentials}",
        "",
    ]
    if report.preflight_reasons:
        lines.append(
            "A browser sends a preflight first: "
            + "; ".join(report.preflight_reasons)
            + "."
        )
    else:
        lines.append(
            f"No preflight: {request.method} and every request header are "
            "CORS-safelisted."
        )
    for step in report.steps:
        lines += ["", "Preflight" if step.kind == "preflight" else "Actual request"]
        exchange = step.exchange
        lines.append(f"  > {exchange.method} {exchange.path} HTTP/1.1")
        lines += [f"  > {name}: {value}" for name, value in exchange.request_headers]
        lines.append(f"  < {exchange.status} {exchange.reason}")
        lines += [f"  < {name}: {value}" for name, value in exchange.headers]
        if step.failure is None:
            checks = "the CORS check"
            if step.kind == "preflight":
                checks += " and the preflight checks"
            lines.append(f"  Passed {checks}.")
        else:
            chromium, firefox = _console(
                report.target.url, request.origin, step, step.failure
            )
            lines += [
                "  Blocked. Chromium's console says:",
                f"    {chromium}",
                "  Firefox's:",
                f"    {firefox}",
            ]
    lines += ["", _verdict(report)]
    if report.verdict == "allowed":
        exposed = ", ".join(report.exposed) or "none"
        lines.append(f"Response headers JavaScript can read: {exposed}.")
    if report.audit:
        lines += [
            "",
            f"Audit: the same request from {len(report.probes)} other origins",
        ]
        width = max(len(probe.origin) for probe in report.probes)
        lines += [
            f"  {_ACCESS[probe.access]:<26}{probe.origin:<{width}}  "
            f"({PROBE_LABELS[probe.name]})"
            for probe in report.probes
        ]
        lines += ["", "Findings:" if report.findings else "No findings."]
        for finding in report.findings:
            lines.append(f"  {finding.severity}: {finding.id}: {finding.message}")
            lines.append(f"    Fix: {finding.fix}")
    plural = "" if report.requests == 1 else "s"
    lines += [
        "",
        f"{report.requests} request{plural} sent to {report.target.authority}.",
    ]
    return "\n".join(lines)


_ACCESS = {
    "credentials": "allowed with credentials",
    "read": "allowed",
    "public": "public (*)",
    "none": "refused",
}


def _verdict(report: Report) -> str:
    origin = report.request.origin
    last = report.steps[-1]
    if report.verdict == "allowed":
        return f"Allowed: JavaScript on {origin} can read the response."
    if report.verdict == "redirect":
        location = get(last.exchange.headers, "location") or "(no Location header)"
        return (
            f"Not decided: the server redirects to {location}. A browser follows "
            "the redirect of an actual request (this one passed the CORS check) "
            "and checks the next answer; check does not follow redirects, so run "
            "it again on that URL."
        )
    if last.kind == "preflight":
        return (
            f"Refused: the browser does not send the {report.request.method} "
            "request; the script's fetch() rejects with a TypeError."
        )
    return (
        "Refused: the server received the request, but the script's fetch() "
        "rejects with a TypeError and cannot read the response."
    )


def _step_json(url: str, origin: str, step: Step) -> Dict[str, Any]:
    exchange = step.exchange
    failure: Optional[Dict[str, str]] = None
    if step.failure is not None:
        chromium, firefox = _console(url, origin, step, step.failure)
        failure = {"code": step.failure.code, "chromium": chromium, "firefox": firefox}
    return {
        "kind": step.kind,
        "request": {
            "method": exchange.method,
            "path": exchange.path,
            "headers": [list(item) for item in exchange.request_headers],
        },
        "response": {
            "status": exchange.status,
            "reason": exchange.reason,
            "headers": [list(item) for item in exchange.headers],
        },
        "passed": step.failure is None,
        "failure": failure,
    }


def as_json(report: Report) -> Dict[str, Any]:
    """The report as the JSON object ``--json`` prints (see docs/check.rst)."""
    request = report.request
    url = report.target.url
    return {
        "url": url,
        "origin": request.origin,
        "method": request.method,
        "headers": [list(item) for item in request.headers],
        "credentials": request.credentials,
        "preflight": bool(report.preflight_reasons),
        "preflight_reasons": report.preflight_reasons,
        "verdict": report.verdict,
        "readable": report.verdict == "allowed",
        "exposed_headers": report.exposed,
        "steps": [_step_json(url, request.origin, step) for step in report.steps],
        "audit": report.audit,
        "probes": [
            {
                "name": probe.name,
                "label": PROBE_LABELS[probe.name],
                "origin": probe.origin,
                "access": probe.access,
                "steps": [_step_json(url, probe.origin, step) for step in probe.steps],
            }
            for probe in report.probes
        ],
        "findings": [finding._asdict() for finding in report.findings],
        "requests": report.requests,
    }
