"""Options in, a frozen :class:`Policy` out: every check and rendering done once.

:func:`build_policy` validates one set of options, collecting every problem
into a single :class:`~cors_wsgi.ConfigurationError` (one line per problem,
each starting with the option's name), and pre-renders the response headers
the request path will hand out. :func:`coerce_options` turns the strings of
an ini file or the environment into the Python values the options take.
"""

from __future__ import annotations

import difflib
import re
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Pattern,
    Tuple,
)

from .errors import ConfigurationError
from .httputil import (
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
    CORS_SAFELISTED_REQUEST_HEADER_NAMES,
    Header,
    is_token,
    status_line,
)
from .origins import MAX_ORIGIN_LENGTH, OriginMatcher, parse_configured_origin

__all__ = [
    "DEFAULTS",
    "OPTION_NAMES",
    "POLICY_OPTION_NAMES",
    "Policy",
    "ResponseParts",
    "build_policy",
    "coerce_options",
    "unknown_option_message",
    "REFUSAL_BODIES",
    "REASON_HEADERS",
    "REASON_METHOD",
    "REASON_ORIGIN",
    "REASON_PRIVATE_NETWORK",
    "VARY_ORIGIN",
]

# Refusal reasons: a small fixed vocabulary shared by logs, bodies and docs.
REASON_ORIGIN = "origin"
REASON_METHOD = "method"
REASON_HEADERS = "headers"
REASON_PRIVATE_NETWORK = "private-network"

REFUSAL_BODIES: Dict[str, bytes] = {
    REASON_ORIGIN: b"CORS preflight refused: origin not allowed",
    REASON_METHOD: b"CORS preflight refused: method not allowed",
    REASON_HEADERS: b"CORS preflight refused: headers not allowed",
    REASON_PRIVATE_NETWORK: (
        b"CORS preflight refused: private network access not allowed"
    ),
}

VARY_ORIGIN: Header = ("Vary", "Origin")

# Origins remembered per policy beyond the configured exact ones: with at most
# MAX_ORIGIN_LENGTH characters each, well under 2 MB.
ORIGIN_ANSWERS_LIMIT = 4096

DEFAULTS: Dict[str, Any] = {
    "allow_origins": (),
    "allow_origin_regex": None,
    "allow_methods": ("GET", "HEAD", "POST"),
    "allow_headers": (),
    "expose_headers": (),
    "allow_credentials": False,
    "max_age": 600,
    "allow_private_network": False,
    "preflight_status": 204,
    "deny_status": 403,
    "preflight_passthrough": False,
}

#: Options a resource may set: every option but the two that are global.
POLICY_OPTION_NAMES: Tuple[str, ...] = tuple(DEFAULTS)
#: Every option of the constructor.
OPTION_NAMES: Tuple[str, ...] = (
    *POLICY_OPTION_NAMES,
    "resources",
    "preflight_cache_size",
)

# https://fetch.spec.whatwg.org/#concept-method-normalize
_NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})

# Statuses whose responses never carry a body (RFC 9110, 6.4.1).
_BODYLESS = frozenset({204, 304})

ResponseParts = Tuple[str, Tuple[Header, ...], bytes]


class Policy:
    """One validated, normalised CORS policy with its headers pre-rendered.

    Attributes keep the option names but hold compiled values:
    ``allow_methods`` and ``allow_headers`` are frozensets, or None for
    ``"*"``; ``allow_headers`` is lower-cased and includes the CORS-safelisted
    request-header names, which are always allowed. The ``*_headers``
    attributes hold ``(name, value)`` pairs ready to be added to a response.
    """

    __slots__ = (
        "actual_allowed_tail",
        "allow_all_origins",
        "allow_credentials",
        "allow_headers",
        "allow_methods",
        "allow_private_network",
        "cacheable",
        "deny_responses",
        "exact_allowed_headers",
        "origin_answers",
        "max_age",
        "no_origin_headers",
        "origin_dependent",
        "origins",
        "preflight_passthrough",
        "preflight_static_headers",
        "preflight_status",
        "preflight_has_body",
        "refused_headers",
        "wildcard_headers",
    )

    origins: OriginMatcher
    #: The complete header list for an actual request from each exact allowed
    #: origin (normalised, as browsers send them): one lookup both allows the
    #: origin and hands out its answer.
    exact_allowed_headers: Dict[str, List[Header]]
    #: The headers for an actual request, by request Origin: the exact allowed
    #: origins, plus every other origin answered so far (refused ones get
    #: ``refused_headers``), up to a bound. Origins a callable decides are
    #: never remembered.
    origin_answers: Dict[str, List[Header]]
    allow_all_origins: bool
    origin_dependent: bool
    allow_methods: Optional[FrozenSet[str]]
    allow_headers: Optional[FrozenSet[str]]
    allow_credentials: bool
    allow_private_network: bool
    max_age: Optional[int]
    preflight_passthrough: bool
    preflight_status: str
    preflight_has_body: bool
    cacheable: bool
    #: Added after Access-Control-Allow-Origin on an allowed actual request.
    actual_allowed_tail: Tuple[Header, ...]
    #: The whole header set of an actual request under a "*" policy.
    wildcard_headers: List[Header]
    #: Added to a response when the request had no Origin.
    no_origin_headers: List[Header]
    #: Added to a refused actual request.
    refused_headers: List[Header]
    #: Credentials and max-age, after the per-request preflight headers.
    preflight_static_headers: Tuple[Header, ...]
    #: Refused preflight answers, by reason: (status, headers, body).
    deny_responses: Dict[str, ResponseParts]

    def answer_for(self, origin: str, environ: Dict[str, Any]) -> List[Header]:
        """The headers for an actual request from *origin*, remembered."""
        origins = self.origins
        if origins.matches(origin, environ):
            answer = [(ACCESS_CONTROL_ALLOW_ORIGIN, origin), *self.actual_allowed_tail]
        else:
            answer = self.refused_headers
        if origins.predicate is None and len(origin) <= MAX_ORIGIN_LENGTH:
            answers = self.origin_answers
            if len(answers) >= ORIGIN_ANSWERS_LIMIT + len(self.exact_allowed_headers):
                answers.clear()
                answers.update(self.exact_allowed_headers)
            answers[origin] = answer
        return answer

    def __repr__(self) -> str:
        return (
            f"<Policy origins={'*' if self.allow_all_origins else 'listed'} "
            f"credentials={self.allow_credentials} max_age={self.max_age}>"
        )


def unknown_option_message(name: str, known: Iterable[str], where: str = "") -> str:
    known = list(known)
    message = f"unknown option {name!r}{where}"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    return f"{message}; the options are: {', '.join(known)}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _items(name: str, value: object, errors: List[str]) -> Optional[Tuple[str, ...]]:
    """An option that takes several strings: a string is one item."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (bytes, bytearray)) or not isinstance(value, Iterable):
        errors.append(
            f"{name}: expected a string or an iterable of strings, got {value!r}"
        )
        return None
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            errors.append(f"{name}: {item!r} is not a string; give names as str")
            return None
    return items


def _tokens(name: str, items: Tuple[str, ...], errors: List[str], what: str) -> bool:
    ok = True
    for item in items:
        if not is_token(item):
            errors.append(
                f"{name}: {item!r} is not a valid {what}; use an HTTP token "
                f"such as 'X-Request-Id' (letters, digits and !#$%&'*+-.^_`|~, "
                f"no spaces or commas)"
            )
            ok = False
    return ok


def _origins(options: Mapping[str, Any], errors: List[str]) -> Optional[OriginMatcher]:
    value = options["allow_origins"]
    regex_value = options["allow_origin_regex"]
    regex: Optional[Pattern[str]] = None
    if isinstance(regex_value, str):
        try:
            regex = re.compile(regex_value)
        except re.error as exc:
            errors.append(
                f"allow_origin_regex: {regex_value!r} is not a valid regular "
                f"expression ({exc}); it must match a whole origin, e.g. "
                f"r'https://[a-z0-9-]+\\.example\\.com'"
            )
    elif isinstance(regex_value, re.Pattern):
        if not isinstance(regex_value.pattern, str):
            errors.append(
                f"allow_origin_regex: {regex_value!r} is a bytes pattern; "
                f"compile a str pattern instead"
            )
        else:
            regex = regex_value
    elif regex_value is not None:
        errors.append(
            f"allow_origin_regex: expected a string, a compiled pattern or None, "
            f"got {regex_value!r}"
        )
    if callable(value):
        return OriginMatcher(regex=regex, predicate=value)
    items = _items("allow_origins", value, errors)
    if items is None:
        return None
    if "*" in items:
        return OriginMatcher(allow_all=True)
    exact: List[str] = []
    wildcards: List[Tuple[str, str]] = []
    for item in items:
        try:
            origin, suffix = parse_configured_origin(item)
        except ValueError as exc:
            errors.append(f"allow_origins: {exc}")
            continue
        if suffix is None:
            exact.append(origin)
        else:
            wildcards.append((origin, suffix))
    return OriginMatcher(exact=exact, wildcards=wildcards, regex=regex)


def _bool(name: str, options: Mapping[str, Any], errors: List[str]) -> bool:
    value = options[name]
    if isinstance(value, bool):
        return value
    errors.append(
        f"{name}: expected True or False, got {value!r}; strings such as "
        f"'true' are parsed by CORSMiddleware.from_config()"
    )
    return False


def _methods(options: Mapping[str, Any], errors: List[str]) -> Optional[FrozenSet[str]]:
    items = _items("allow_methods", options["allow_methods"], errors)
    if items is None:
        return frozenset()
    if "*" in items:
        return None
    if not _tokens("allow_methods", items, errors, "method name"):
        return frozenset()
    return frozenset(
        item.upper() if item.upper() in _NORMALIZED_METHODS else item for item in items
    )


def _header_names(
    name: str, options: Mapping[str, Any], errors: List[str]
) -> Tuple[Tuple[str, ...], bool]:
    """(names, star): the listed names, and whether "*" was among them."""
    items = _items(name, options[name], errors)
    if items is None:
        return (), False
    star = "*" in items
    names = tuple(item for item in items if item != "*")
    if not _tokens(name, names, errors, "header name"):
        return (), star
    return names, star


def _status(
    name: str,
    options: Mapping[str, Any],
    low: int,
    high: int,
    why: str,
    errors: List[str],
) -> int:
    value = options[name]
    if _is_int(value) and low <= value <= high:
        return int(value)
    errors.append(f"{name}: {value!r} is not a status from {low} to {high}; {why}")
    return low


def build_policy(options: Mapping[str, Any], where: str = "") -> Policy:
    """Validate *options* (policy options only, defaults filled in) into a Policy.

    *where* is added to every message, to say which resource was at fault.
    """
    errors: List[str] = []
    merged = {**DEFAULTS, **options}

    matcher = _origins(merged, errors)
    credentials = _bool("allow_credentials", merged, errors)
    private_network = _bool("allow_private_network", merged, errors)
    passthrough = _bool("preflight_passthrough", merged, errors)
    methods = _methods(merged, errors)
    allow_headers, headers_star = _header_names("allow_headers", merged, errors)
    expose_headers, expose_star = _header_names("expose_headers", merged, errors)

    max_age = merged["max_age"]
    if max_age is not None and not (_is_int(max_age) and max_age >= 0):
        errors.append(
            f"max_age: {max_age!r} is not a whole number of seconds >= 0; "
            f"use e.g. 600, or None to omit Access-Control-Max-Age"
        )
        max_age = None
    preflight_status = _status(
        "preflight_status",
        merged,
        200,
        299,
        "the Fetch Standard accepts a preflight only with an ok status (2xx)",
        errors,
    )
    deny_status = _status("deny_status", merged, 200, 599, "use e.g. 403", errors)

    if credentials and matcher is not None and matcher.allow_all:
        errors.append(
            "allow_credentials: True cannot be combined with allow_origins='*' "
            "(browsers refuse credentialed responses with "
            "Access-Control-Allow-Origin: *); list the allowed origins instead"
        )
    if credentials and expose_star:
        errors.append(
            "expose_headers: '*' cannot be combined with allow_credentials=True "
            "(browsers read it as a header literally named '*'); list the "
            "header names to expose instead"
        )

    if errors:
        raise ConfigurationError("\n".join(errors))
    assert matcher is not None  # every path that leaves it None added an error

    policy = Policy()
    policy.origins = matcher
    policy.allow_all_origins = matcher.allow_all
    policy.origin_dependent = not matcher.allow_all
    policy.allow_methods = methods
    policy.allow_headers = (
        None
        if headers_star
        else CORS_SAFELISTED_REQUEST_HEADER_NAMES.union(
            name.lower() for name in allow_headers
        )
    )
    policy.allow_credentials = credentials
    policy.allow_private_network = private_network
    policy.max_age = max_age
    policy.preflight_passthrough = passthrough
    policy.preflight_status = status_line(preflight_status)
    policy.preflight_has_body = preflight_status not in _BODYLESS
    policy.cacheable = bool(max_age) and matcher.predicate is None

    tail: List[Header] = []
    if credentials:
        tail.append((ACCESS_CONTROL_ALLOW_CREDENTIALS, "true"))
    exposed = "*" if expose_star else ", ".join(expose_headers)
    if exposed:
        tail.append((ACCESS_CONTROL_EXPOSE_HEADERS, exposed))
    if policy.origin_dependent:
        tail.append(VARY_ORIGIN)
        policy.no_origin_headers = [VARY_ORIGIN]
        policy.refused_headers = [VARY_ORIGIN]
        policy.wildcard_headers = []
    else:
        # One header set for every response: a "*" policy's answers do not
        # depend on the request, so shared caches need no Vary.
        wildcard = [(ACCESS_CONTROL_ALLOW_ORIGIN, "*"), *tail]
        policy.no_origin_headers = wildcard
        policy.refused_headers = wildcard
        policy.wildcard_headers = wildcard
    policy.actual_allowed_tail = tuple(tail)
    policy.exact_allowed_headers = {
        origin: [(ACCESS_CONTROL_ALLOW_ORIGIN, origin), *tail]
        for origin in matcher.exact
    }
    policy.origin_answers = dict(policy.exact_allowed_headers)

    static: List[Header] = []
    if credentials:
        static.append((ACCESS_CONTROL_ALLOW_CREDENTIALS, "true"))
    if max_age is not None:
        static.append((ACCESS_CONTROL_MAX_AGE, str(max_age)))
    policy.preflight_static_headers = tuple(static)

    deny_line = status_line(deny_status)
    vary: Tuple[Header, ...] = (VARY_ORIGIN,) if policy.origin_dependent else ()
    deny: Dict[str, ResponseParts] = {}
    for reason, body in REFUSAL_BODIES.items():
        if deny_status in _BODYLESS:
            deny[reason] = (deny_line, vary, b"")
        else:
            deny[reason] = (
                deny_line,
                (
                    *vary,
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                ),
                body,
            )
    policy.deny_responses = deny
    return policy


# String coercion, for from_config(), Paste Deploy and environment variables.

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_split = re.compile(r"[\s,]+")


def _as_list(name: str, text: str) -> Any:
    items = [item for item in _split.split(text.strip()) if item]
    if items == ["*"]:
        return "*"
    return tuple(items)


def _as_bool(name: str, text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ConfigurationError(
        f"{name}: {text!r} is not a boolean; use true/false, yes/no, on/off or 1/0"
    )


def _as_int(name: str, text: str) -> int:
    word = text.strip()
    if not (word.isascii() and word.isdigit()):
        raise ConfigurationError(
            f"{name}: {text!r} is not a decimal integer; "
            f"write e.g. {DEFAULTS.get(name, 1024)!r}"
        )
    return int(word)


def _as_max_age(name: str, text: str) -> Optional[int]:
    if text.strip().lower() in ("", "none"):
        return None
    return _as_int(name, text)


def _as_regex(name: str, text: str) -> Optional[str]:
    return text.strip() or None


def _refuse_resources(name: str, text: str) -> Any:
    raise ConfigurationError(
        "resources: per-path policies cannot be given as a string; pass a dict "
        "to CORSMiddleware(resources=...) in Python"
    )


_PARSERS: Dict[str, Callable[[str, str], Any]] = {
    "allow_origins": _as_list,
    "allow_origin_regex": _as_regex,
    "allow_methods": _as_list,
    "allow_headers": _as_list,
    "expose_headers": _as_list,
    "allow_credentials": _as_bool,
    "max_age": _as_max_age,
    "allow_private_network": _as_bool,
    "resources": _refuse_resources,
    "preflight_status": _as_int,
    "deny_status": _as_int,
    "preflight_passthrough": _as_bool,
    "preflight_cache_size": _as_int,
}


def coerce_options(config: Mapping[str, Any], source: str = "") -> Dict[str, Any]:
    """Parse the string values of *config* into option values.

    Keys may use dashes and any case (``Allow-Origins``); values that are not
    strings are taken as they are. Unknown keys and unparsable values raise
    ConfigurationError naming the option (and *source*, e.g. a variable name).
    """
    options: Dict[str, Any] = {}
    errors: List[str] = []
    for key, value in config.items():
        name = str(key).strip().lower().replace("-", "_")
        parse = _PARSERS.get(name)
        if parse is None:
            errors.append(unknown_option_message(str(key), OPTION_NAMES, source))
            continue
        if isinstance(value, str):
            try:
                value = parse(name, value)
            except ConfigurationError as exc:
                errors.append(str(exc))
                continue
        elif name == "resources":
            _refuse_resources(name, "")
        options[name] = value
    if errors:
        raise ConfigurationError("\n".join(errors))
    return options
