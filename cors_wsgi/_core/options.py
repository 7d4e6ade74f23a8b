"""The option table: every option of the middleware, once.

Each :class:`Option` gives the option's name, its default, whether a
per-path resource may set it, how its string form parses (for
``from_config``, Paste Deploy, Flask's ``CORS_*`` keys, environment variables
and ``cors-wsgi`` flags), an example of that string form, and a one-line doc.
Everything that names options (the constructor, the entry points, the CLI
and the docs) is generated from this table or checked against it by a test.
"""

from __future__ import annotations

import difflib
import re
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Tuple,
)

from .errors import ConfigurationError

__all__ = [
    "BY_NAME",
    "OPTIONS",
    "OPTION_NAMES",
    "POLICY_OPTION_NAMES",
    "Option",
    "coerce_options",
    "env_name",
    "flag_name",
    "parse_bool",
    "parse_options",
    "relabel",
    "unknown_option_message",
]


# String parsers. Each takes the text as given and returns the option's value,
# or raises ValueError with a sentence (without the option's name) that says
# what was expected.

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_SPLIT = re.compile(r"[\s,]+")


def parse_list(text: str) -> Any:
    """Items split on commas and white space; ``*`` alone means "any"."""
    items = tuple(item for item in _SPLIT.split(text.strip()) if item)
    if items == ("*",):
        return "*"
    return items


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(
        f"{text!r} is not a boolean; use true/false, yes/no, on/off or 1/0"
    )


def _integer(text: str, example: str) -> int:
    word = text.strip()
    if not (word.isascii() and word.isdigit()):
        raise ValueError(f"{text!r} is not a decimal integer; write e.g. {example}")
    return int(word)


def parse_max_age(text: str) -> Optional[int]:
    if text.strip().lower() in ("", "none"):
        return None
    return _integer(text, "600, or none to omit Access-Control-Max-Age")


def parse_regex(text: str) -> Optional[str]:
    return text.strip() or None


def _status_parser(example: str) -> Callable[[str], int]:
    def parse_status(text: str) -> int:
        return _integer(text, example)

    return parse_status


def parse_cache_size(text: str) -> int:
    return _integer(text, "1024, or 0 to turn the cache off")


_PYTHON_ONLY = (
    "per-path policies cannot be given as a string; pass a dict to "
    "CORSMiddleware(resources=...) in Python"
)


def parse_python_only(text: str) -> Any:
    raise ValueError(_PYTHON_ONLY)


class Option(NamedTuple):
    """One option of :class:`~cors_wsgi.CORSMiddleware`."""

    #: The keyword argument, as API.md names it.
    name: str
    #: The default value, as the constructor's signature shows it.
    default: Any
    #: Whether an entry of ``resources`` may set it (the rest are global).
    per_resource: bool
    #: Turns the option's string form into its value; raises ValueError.
    parse: Callable[[str], Any]
    #: An example of the string form, as an ini file or a variable holds it.
    example: str
    #: What the option does, in one line.
    doc: str
    #: The kind of value: "list", "bool", "int", "text" or "python" (no
    #: string form). Command-line flags of "list" options may repeat, and
    #: those of "bool" options may stand alone for true.
    kind: str


OPTIONS: Tuple[Option, ...] = (
    Option(
        "allow_origins",
        (),
        True,
        parse_list,
        "https://app.example.com https://*.example.com",
        "Origins whose pages may read responses: exact origins, *. subdomain "
        "patterns, null, or * for any.",
        "list",
    ),
    Option(
        "allow_origin_regex",
        None,
        True,
        parse_regex,
        r"https://[a-z0-9-]+\.example\.com",
        "A regular expression that must match the whole Origin value.",
        "text",
    ),
    Option(
        "allow_methods",
        ("GET", "HEAD", "POST"),
        True,
        parse_list,
        "GET POST PUT DELETE",
        "Methods a preflight may ask for, or * for any; GET, HEAD and POST "
        "are always allowed.",
        "list",
    ),
    Option(
        "allow_headers",
        (),
        True,
        parse_list,
        "Authorization X-Request-Id",
        "Request headers a preflight may ask for, or * for any; the "
        "CORS-safelisted names are always allowed.",
        "list",
    ),
    Option(
        "expose_headers",
        (),
        True,
        parse_list,
        "X-Request-Id ETag",
        "Response headers scripts may read, or * for any (not with credentials).",
        "list",
    ),
    Option(
        "allow_credentials",
        False,
        True,
        parse_bool,
        "true",
        "Allow cookies and HTTP authentication on cross-origin requests.",
        "bool",
    ),
    Option(
        "max_age",
        600,
        True,
        parse_max_age,
        "3600",
        "Seconds a preflight answer may be cached; none omits Access-Control-Max-Age.",
        "int",
    ),
    Option(
        "allow_private_network",
        False,
        True,
        parse_bool,
        "true",
        "Answer Private Network Access preflights.",
        "bool",
    ),
    Option(
        "resources",
        None,
        False,
        parse_python_only,
        "",
        "Per-path policies: path pattern -> options; the first match wins.",
        "python",
    ),
    Option(
        "preflight_status",
        204,
        True,
        _status_parser("204"),
        "200",
        "Status of an accepted preflight (200-299).",
        "int",
    ),
    Option(
        "deny_status",
        403,
        True,
        _status_parser("403"),
        "403",
        "Status of a refused preflight (200-599).",
        "int",
    ),
    Option(
        "preflight_passthrough",
        False,
        True,
        parse_bool,
        "true",
        "Let OPTIONS preflights reach the application, with the CORS headers "
        "added to its answer.",
        "bool",
    ),
    Option(
        "preflight_cache_size",
        1024,
        False,
        parse_cache_size,
        "1024",
        "How many preflight answers to keep in memory; 0 turns the cache off.",
        "int",
    ),
)

BY_NAME: Dict[str, Option] = {option.name: option for option in OPTIONS}
#: Every option of the constructor, in the order of API.md.
OPTION_NAMES: Tuple[str, ...] = tuple(BY_NAME)
#: The options a per-path resource may set.
POLICY_OPTION_NAMES: Tuple[str, ...] = tuple(
    option.name for option in OPTIONS if option.per_resource
)


def env_name(name: str) -> str:
    """The environment variable (and Flask config key) of option *name*."""
    return "CORS_" + name.upper()


def flag_name(name: str) -> str:
    """The ``cors-wsgi`` command-line flag of option *name*."""
    return "--" + name.replace("_", "-")


def unknown_option_message(name: str, known: Iterable[str], where: str = "") -> str:
    """``unknown option 'x'``, with the closest known name when there is one."""
    known = list(known)
    message = f"unknown option {name!r}{where}"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    return f"{message}; the options are: {', '.join(known)}"


def _normalize_key(key: object) -> str:
    return str(key).strip().lower().replace("-", "_")


def coerce_options(
    config: Mapping[str, Any], label: Callable[[str], str] = str
) -> Dict[str, Any]:
    """Parse the string values of *config* into option values.

    Keys may use dashes and any case (``Allow-Origins``); values that are not
    strings are taken as they are, except for ``resources``, which has no
    string form and is refused here whatever its value. Every unknown key and
    every value that does not parse is reported in one ConfigurationError,
    one line each, starting with ``label(name)`` (the option's name by
    default; an environment variable's or a flag's name for those sources).
    """
    options, errors = parse_options(config, label)
    if errors:
        raise ConfigurationError("\n".join(errors))
    return options


def parse_options(
    config: Mapping[str, Any], label: Callable[[str], str] = str
) -> Tuple[Dict[str, Any], List[str]]:
    """:func:`coerce_options` that returns the problems instead of raising:
    the options that parsed, and a line for each that did not."""
    options: Dict[str, Any] = {}
    errors: List[str] = []
    for key, value in config.items():
        name = _normalize_key(key)
        option = BY_NAME.get(name)
        if option is None:
            errors.append(unknown_option_message(str(key), OPTION_NAMES))
            continue
        if option.kind == "python":
            errors.append(f"{label(name)}: {_PYTHON_ONLY}")
            continue
        if isinstance(value, str):
            try:
                value = option.parse(value)
            except ValueError as exc:
                errors.append(f"{label(name)}: {exc}")
                continue
        options[name] = value
    return options, errors


def relabel(error: ConfigurationError, label: Callable[[str], str]) -> str:
    """The lines of *error*, each ``option: ...`` line renamed by *label*.

    An entry point whose options came from environment variables or flags
    uses this so that every line names what the user actually wrote
    (``CORS_ALLOW_ORIGINS: 'example.com' has no scheme; ...``).
    """
    lines = []
    for line in str(error).splitlines():
        name, sep, rest = line.partition(":")
        if sep and name in BY_NAME:
            line = f"{label(name)}:{rest}"
        lines.append(line)
    return "\n".join(lines)
