"""Options in, an immutable :class:`Policy` out: every check and rendering done once.

:func:`build_policy` validates one set of options, adding a line to *errors*
for every problem (each starting with the option's name), and pre-renders
the response headers the request path hands out. :func:`decide_origin` is
the one decision about an origin, remembered per policy.
"""

from __future__ import annotations

import re
from typing import (
    Any,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Pattern,
    Tuple,
)

from . import probes, public_suffix
from .http import (
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
    CORS_SAFELISTED_REQUEST_HEADER_NAMES,
    VARY,
    Header,
    is_token,
    status_line,
)
from .memo import Memo
from .options import BY_NAME
from .origins import (
    MAX_ORIGIN_LENGTH,
    NULL_ORIGIN,
    ConfiguredOrigin,
    OriginMatcher,
    parse_configured_origin,
)
from .safelist import normalize_method

__all__ = [
    "REFUSAL_BODIES",
    "OriginAnswer",
    "Policy",
    "Refusal",
    "build_policy",
    "decide_origin",
]

# Refusal bodies: fixed short strings per reason, never echoing the request.
REFUSAL_BODIES: Dict[str, bytes] = {
    "origin": b"CORS preflight refused: origin not allowed",
    "method": b"CORS preflight refused: method not allowed",
    "headers": b"CORS preflight refused: headers not allowed",
    "private-network": b"CORS preflight refused: private network access not allowed",
}

VARY_ORIGIN: Header = (VARY, "Origin")

# Origins remembered per policy beyond the configured exact ones. An origin
# is at most MAX_ORIGIN_LENGTH characters, so this stays a few megabytes at
# the very most, and a SaaS policy with thousands of tenants fits.
ORIGIN_MEMO_SIZE = 4096

# Statuses whose responses never carry content (RFC 9110, sections 15.3.5,
# 15.3.6 and 15.4.5).
BODYLESS_STATUSES = frozenset({204, 205, 304})

_TEXT_PLAIN: Header = ("Content-Type", "text/plain; charset=utf-8")


class OriginAnswer:
    """What a policy says to one request Origin.

    A plain class rather than a NamedTuple: one is built for every origin the
    policy has not seen yet, and the compiled build makes a native object of
    it, built without calling into the interpreter.
    """

    __slots__ = ("allowed", "headers")

    def __init__(self, allowed: bool, headers: List[Header]) -> None:
        self.allowed = allowed
        #: The CORS headers of an actual request from that origin.
        self.headers = headers


class Refusal(NamedTuple):
    """A refused preflight's answer, ready to send."""

    status: str
    headers: Tuple[Header, ...]
    body: bytes


class Policy(NamedTuple):
    """One validated CORS policy, its headers pre-rendered.

    Fields keep the option names but hold compiled values: ``allow_methods``
    and ``allow_headers`` are frozensets, or None for ``"*"``;
    ``allow_headers`` is lower-cased and includes the CORS-safelisted
    request-header names, which are always allowed.
    """

    #: The policy's place in the resource table; part of preflight cache keys.
    position: int
    origins: OriginMatcher
    allow_all_origins: bool
    #: Whether answers depend on the request's Origin (every policy but "*").
    origin_dependent: bool
    allow_methods: Optional[FrozenSet[str]]
    allow_headers: Optional[FrozenSet[str]]
    allow_credentials: bool
    allow_private_network: bool
    max_age: Optional[int]
    preflight_passthrough: bool
    #: Whether preflight answers may be cached (max_age > 0, no callable).
    cacheable: bool
    #: The accepted preflight's status line, and the framing of its empty body.
    preflight_status: str
    preflight_framing: Tuple[Header, ...]
    #: Credentials and max-age, after the per-request preflight headers.
    preflight_static_headers: Tuple[Header, ...]
    #: Added after Access-Control-Allow-Origin on an allowed actual request.
    actual_tail: Tuple[Header, ...]
    #: The CORS headers of a request without Origin.
    no_origin_headers: List[Header]
    #: The answer to an origin that is not allowed, and to any under "*".
    refused: OriginAnswer
    any_origin: OriginAnswer
    #: Answers by request Origin: the exact origins pinned, others remembered.
    answers: Memo[str, OriginAnswer]
    #: Refused preflight answers, by reason.
    refusals: Dict[str, Refusal]


def decide_origin(policy: Policy, origin: str, environ: Dict[str, Any]) -> OriginAnswer:
    """What *policy* says to an *origin* it has no answer for yet.

    Callers look in ``policy.answers`` first: once decided, an origin's answer
    is remembered there (except a callable's answers, which may change on the
    next request, and answers under ``"*"``, which are all the same).
    """
    if policy.allow_all_origins:
        return policy.any_origin
    if policy.origins.matches(origin, environ):
        answer = OriginAnswer(
            True, [(ACCESS_CONTROL_ALLOW_ORIGIN, origin), *policy.actual_tail]
        )
    else:
        answer = policy.refused
    if policy.origins.predicate is None and len(origin) <= MAX_ORIGIN_LENGTH:
        policy.answers.remember(origin, answer)
    return answer


# Validation. Each function checks one option, appends a line per problem to
# *errors* and returns the compiled value (a harmless one after a problem).

_SEVERAL = re.compile(r"[\s,]")


def _strings(
    name: str, value: object, errors: List[str], several: str
) -> Tuple[str, ...]:
    """The items of an option that takes several strings; a str is one item.

    *several* is an example list for the message when a single string holds
    several items (``"GET, POST"``).
    """
    if isinstance(value, str):
        if value != "*" and _SEVERAL.search(value.strip()):
            errors.append(
                f"{name}: {value!r} is one string holding several items; pass "
                f"a list, e.g. {several} (strings like this one are split by "
                f"CORSMiddleware.from_config())"
            )
            return ()
        return (value,)
    if isinstance(value, (bytes, bytearray)) or not isinstance(value, Iterable):
        errors.append(
            f"{name}: expected a string or a list of strings, got {value!r}; "
            f"e.g. {several}"
        )
        return ()
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            errors.append(f"{name}: {item!r} is not a string; e.g. {several}")
            return ()
    return items


def _tokens(name: str, items: Tuple[str, ...], what: str, errors: List[str]) -> bool:
    example = BY_NAME[name].example.split()[0]
    ok = True
    for item in items:
        if not is_token(item):
            errors.append(
                f"{name}: {item!r} is not a valid {what}; use an HTTP token "
                f"such as {example!r} (letters, digits and !#$%&'*+-.^_`|~, "
                f"no spaces or commas)"
            )
            ok = False
    return ok


def _bool(name: str, value: object, errors: List[str]) -> bool:
    if isinstance(value, bool):
        return value
    errors.append(
        f"{name}: expected True or False, got {value!r}; strings such as "
        f"'true' are parsed by CORSMiddleware.from_config()"
    )
    return False


def _integer(
    name: str,
    value: object,
    low: int,
    high: Optional[int],
    errors: List[str],
    expected: str,
) -> Optional[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= low and (high is None or value <= high):
            return value
    elif isinstance(value, str):
        errors.append(
            f"{name}: {value!r} is a str; give an int, e.g. "
            f"{name}={BY_NAME[name].example} (strings are parsed by "
            f"CORSMiddleware.from_config())"
        )
        return None
    errors.append(f"{name}: {value!r} is not {expected}")
    return None


def _regex(value: object, errors: List[str]) -> Optional[Pattern[str]]:
    name = "allow_origin_regex"
    example = r"r'https://[a-z0-9-]+\.example\.com'"
    regex: Optional[Pattern[str]] = None
    if value is None:
        return None
    if isinstance(value, str):
        try:
            regex = re.compile(value)
        except re.error as exc:
            errors.append(
                f"{name}: {value!r} is not a valid regular expression ({exc}); "
                f"it must match a whole origin, e.g. {example}"
            )
            return None
    elif isinstance(value, re.Pattern):
        if not isinstance(value.pattern, str):
            errors.append(
                f"{name}: {value!r} is a bytes pattern; compile a str pattern, "
                f"e.g. {example}"
            )
            return None
        regex = value
    else:
        errors.append(
            f"{name}: expected a string, a compiled pattern or None, got "
            f"{value!r}; e.g. {example}"
        )
        return None
    tail = regex.pattern
    while tail.endswith(("$", "\\Z")):
        tail = tail[:-2] if tail.endswith("\\Z") else tail[:-1]
    if tail.endswith("/"):
        errors.append(
            f"{name}: {regex.pattern!r} ends in '/', so it could never match: "
            f"an Origin header has no path (it is scheme://host[:port]); drop "
            f"the trailing slash, e.g. {example}"
        )
        return None
    return regex


def _origins(
    value: object, regex: Optional[Pattern[str]], errors: List[str]
) -> Tuple[Optional[OriginMatcher], List[ConfiguredOrigin]]:
    """The matcher, and the configured entries (for the credential checks)."""
    if callable(value):
        return OriginMatcher(regex=regex, predicate=value), []
    items = _strings(
        "allow_origins", value, errors, "['https://a.example', 'https://b.example']"
    )
    if "*" in items:
        return OriginMatcher(allow_all=True), []
    entries: List[ConfiguredOrigin] = []
    for item in items:
        try:
            entries.append(parse_configured_origin(item))
        except ValueError as exc:
            errors.append(f"allow_origins: {exc}")
    matcher = OriginMatcher(
        exact=[entry.serialized for entry in entries if not entry.wildcard],
        wildcards=[entry for entry in entries if entry.wildcard],
        regex=regex,
    )
    return matcher, entries


def _credentials_to_anyone(
    entries: List[ConfiguredOrigin],
    regex: Optional[Pattern[str]],
    errors: List[str],
) -> None:
    """Refuse origins anyone controls when credentials are allowed.

    With credentials, a response readable by such an origin hands a logged-in
    user's data to any site (the class of misconfiguration PortSwigger's
    research on CORS made famous).
    """
    for entry in entries:
        if entry.serialized == NULL_ORIGIN:
            errors.append(
                "allow_origins: 'null' with allow_credentials=True lets any site "
                "read credentialed responses (any page can send Origin: null "
                "from a sandboxed iframe); list the real origins of your pages "
                "instead"
            )
        elif entry.wildcard and public_suffix.is_public_suffix(entry.host):
            where = (
                f"the public suffix {entry.host!r} (anyone can register a name there)"
                if "." in entry.host
                else f"the top-level domain {entry.host!r}"
            )
            errors.append(
                f"allow_origins: {entry.serialized!r} with allow_credentials=True "
                f"lets every site under {where} read credentialed responses; "
                f"list your own origins, e.g. "
                f"'{entry.scheme}://yourapp.{entry.host}'"
            )
    if regex is None:
        return
    if probes.matches_null(regex):
        errors.append(
            f"allow_origin_regex: {regex.pattern!r} matches 'null', and with "
            f"allow_credentials=True any site could read credentialed responses "
            f"(any page can send Origin: null from a sandboxed iframe); make the "
            f"pattern match only your origins, e.g. "
            r"r'https://[a-z0-9-]+\.example\.com'"
        )
    anyone = probes.anyone_example(regex)
    if anyone is not None:
        errors.append(
            f"allow_origin_regex: {regex.pattern!r} matches {anyone!r}, an origin "
            f"anyone could own, and with allow_credentials=True any site could "
            f"read credentialed responses; anchor it to your own domain, e.g. "
            r"r'https://[a-z0-9-]+\.example\.com'"
        )


def _header_names(
    name: str, value: object, errors: List[str]
) -> Tuple[Tuple[str, ...], bool]:
    """(names, star): the listed names, and whether "*" was among them."""
    items = _strings(name, value, errors, "['Authorization', 'X-Request-Id']")
    star = "*" in items
    names = tuple(item for item in items if item != "*")
    if not _tokens(name, names, "header name", errors):
        return (), star
    return names, star


def build_policy(
    options: Mapping[str, Any], errors: List[str], position: int = 0
) -> Optional[Policy]:
    """Validate *options* (every policy option present) into a Policy.

    Each problem adds one line to *errors*; the result is None when there was
    any, so that the caller can report the problems of every policy at once.
    """
    count = len(errors)
    regex = _regex(options["allow_origin_regex"], errors)
    matcher, entries = _origins(options["allow_origins"], regex, errors)
    credentials = _bool("allow_credentials", options["allow_credentials"], errors)
    private_network = _bool(
        "allow_private_network", options["allow_private_network"], errors
    )
    passthrough = _bool(
        "preflight_passthrough", options["preflight_passthrough"], errors
    )

    methods_given = _strings(
        "allow_methods", options["allow_methods"], errors, "['GET', 'POST', 'PATCH']"
    )
    methods: Optional[FrozenSet[str]] = None
    if "*" not in methods_given:
        _tokens("allow_methods", methods_given, "method name", errors)
        methods = frozenset(normalize_method(method) for method in methods_given)
    allow_headers, headers_star = _header_names(
        "allow_headers", options["allow_headers"], errors
    )
    expose_headers, expose_star = _header_names(
        "expose_headers", options["expose_headers"], errors
    )

    max_age: Optional[int] = None
    if options["max_age"] is not None:
        max_age = _integer(
            "max_age",
            options["max_age"],
            0,
            None,
            errors,
            "a whole number of seconds >= 0; use e.g. 600, or None to omit "
            "Access-Control-Max-Age",
        )
    preflight_status = _integer(
        "preflight_status",
        options["preflight_status"],
        200,
        299,
        errors,
        "a status from 200 to 299; the Fetch Standard accepts a preflight only "
        "with an ok status (2xx), e.g. 204",
    )
    deny_status = _integer(
        "deny_status",
        options["deny_status"],
        200,
        599,
        errors,
        "a status from 200 to 599; use e.g. 403",
    )

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
    if credentials:
        _credentials_to_anyone(entries, regex, errors)

    if (
        len(errors) > count
        or matcher is None
        or preflight_status is None
        or deny_status is None
    ):
        return None
    return _render(
        position=position,
        matcher=matcher,
        methods=methods,
        allow_headers=None
        if headers_star
        else CORS_SAFELISTED_REQUEST_HEADER_NAMES.union(
            name.lower() for name in allow_headers
        ),
        expose="*" if expose_star else ", ".join(expose_headers),
        credentials=credentials,
        private_network=private_network,
        max_age=max_age,
        passthrough=passthrough,
        preflight_status=preflight_status,
        deny_status=deny_status,
    )


def _render(
    *,
    position: int,
    matcher: OriginMatcher,
    methods: Optional[FrozenSet[str]],
    allow_headers: Optional[FrozenSet[str]],
    expose: str,
    credentials: bool,
    private_network: bool,
    max_age: Optional[int],
    passthrough: bool,
    preflight_status: int,
    deny_status: int,
) -> Policy:
    origin_dependent = not matcher.allow_all
    vary = [VARY_ORIGIN] if origin_dependent else []

    tail: List[Header] = []
    if credentials:
        tail.append((ACCESS_CONTROL_ALLOW_CREDENTIALS, "true"))
    if expose:
        tail.append((ACCESS_CONTROL_EXPOSE_HEADERS, expose))
    tail.extend(vary)
    if origin_dependent:
        no_origin = vary
    else:
        # One header set for every response: a "*" policy's answers do not
        # depend on the request, so shared caches need no Vary.
        no_origin = [(ACCESS_CONTROL_ALLOW_ORIGIN, "*"), *tail]

    static: List[Header] = []
    if credentials:
        static.append((ACCESS_CONTROL_ALLOW_CREDENTIALS, "true"))
    if max_age is not None:
        static.append((ACCESS_CONTROL_MAX_AGE, str(max_age)))

    deny_line = status_line(deny_status)
    refusals: Dict[str, Refusal] = {}
    for reason, body in REFUSAL_BODIES.items():
        if deny_status in BODYLESS_STATUSES:
            refusals[reason] = Refusal(deny_line, tuple(vary), b"")
        else:
            framing = (_TEXT_PLAIN, ("Content-Length", str(len(body))))
            refusals[reason] = Refusal(deny_line, (*vary, *framing), body)

    pinned = {
        origin: OriginAnswer(True, [(ACCESS_CONTROL_ALLOW_ORIGIN, origin), *tail])
        for origin in matcher.exact
    }
    return Policy(
        position=position,
        origins=matcher,
        allow_all_origins=matcher.allow_all,
        origin_dependent=origin_dependent,
        allow_methods=methods,
        allow_headers=allow_headers,
        allow_credentials=credentials,
        allow_private_network=private_network,
        max_age=max_age,
        preflight_passthrough=passthrough,
        cacheable=bool(max_age) and matcher.predicate is None,
        preflight_status=status_line(preflight_status),
        preflight_framing=()
        if preflight_status in BODYLESS_STATUSES
        else (_TEXT_PLAIN, ("Content-Length", "0")),
        preflight_static_headers=tuple(static),
        actual_tail=tuple(tail),
        no_origin_headers=no_origin,
        refused=OriginAnswer(False, vary),
        any_origin=OriginAnswer(True, no_origin),
        answers=Memo(ORIGIN_MEMO_SIZE, pinned),
        refusals=refusals,
    )
