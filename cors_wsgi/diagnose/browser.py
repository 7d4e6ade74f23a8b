"""The checks a browser runs on the answers to a CORS request, as pure functions.

Each check returns ``None`` when the browser goes on, or a :class:`Failure`
that carries the reason in the words of Chromium's and Firefox's consoles.
The clauses are those of the Fetch Standard:
https://fetch.spec.whatwg.org/#cors-check and
https://fetch.spec.whatwg.org/#cors-preflight-fetch.
"""

from __future__ import annotations

import re
from typing import FrozenSet, List, NamedTuple, Optional, Sequence, Tuple

from ..fetch import cors_unsafe_request_header_names, needs_preflight

__all__ = [
    "Failure",
    "Headers",
    "InvalidList",
    "cors_check",
    "cors_failure",
    "exposed_header_names",
    "extract_list",
    "forbidden_request_header",
    "get",
    "is_forbidden_method",
    "is_token",
    "normalize_method",
    "parse_origin",
    "preflight_check",
    "preflight_failure",
    "preflight_reasons",
    "varies_on_origin",
]

Headers = Sequence[Tuple[str, str]]

# https://www.rfc-editor.org/rfc/rfc9110#name-tokens
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HTTP_WHITESPACE = " \t"


def is_token(text: str) -> bool:
    """Whether *text* is an HTTP token (a method or a header name)."""
    return _TOKEN.fullmatch(text) is not None


# https://fetch.spec.whatwg.org/#concept-method-normalize
_NORMALIZED_METHODS: FrozenSet[str] = frozenset(
    {"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}
)
# https://fetch.spec.whatwg.org/#forbidden-method
_FORBIDDEN_METHODS: FrozenSet[str] = frozenset({"CONNECT", "TRACE", "TRACK"})


def normalize_method(method: str) -> str:
    """*method* as ``fetch()`` sends it: six names upper-cased, others as written."""
    upper = method.upper()
    return upper if upper in _NORMALIZED_METHODS else method


def is_forbidden_method(method: str) -> bool:
    """Whether ``fetch()`` refuses to send *method* at all."""
    return method.upper() in _FORBIDDEN_METHODS


# https://fetch.spec.whatwg.org/#forbidden-request-header
_FORBIDDEN_REQUEST_HEADERS: FrozenSet[str] = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
_METHOD_OVERRIDES = ("x-http-method", "x-http-method-override", "x-method-override")


def forbidden_request_header(name: str, value: str) -> bool:
    """Whether a script's ``fetch()`` may not set this header (the browser does)."""
    name = name.lower()
    if name in _FORBIDDEN_REQUEST_HEADERS or name.startswith(("proxy-", "sec-")):
        return True
    if name in _METHOD_OVERRIDES:
        methods = (item.strip(_HTTP_WHITESPACE) for item in value.split(","))
        return any(is_forbidden_method(method) for method in methods)
    return False


# https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin
_ORIGIN = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s/?#@:\[\]\\]+)"
    r"(?::(?P<port>[0-9]{1,5}))?/?"
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def parse_origin(text: str) -> str:
    """*text* if it is an origin as a browser serializes it in ``Origin``.

    Raises ValueError saying what is wrong, with the form a browser would send
    when *text* only differs from it by case, a default port or a trailing
    slash.
    """
    if text == "null":
        return text
    match = _ORIGIN.fullmatch(text) if text.isascii() else None
    if match is None:
        raise ValueError(
            f"{text!r} is not an origin: use scheme://host[:port] "
            "(no path, query or user name), or null"
        )
    scheme, host = match["scheme"].lower(), match["host"].lower()
    port = match["port"]
    if port is not None and int(port) > 65535:
        raise ValueError(f"{text!r} is not an origin: {port} is not a port number")
    serialized = f"{scheme}://{host}"
    if port is not None and port.lstrip("0") != _DEFAULT_PORTS.get(scheme):
        serialized += f":{int(port)}"
    if serialized != text:
        raise ValueError(
            f"{text!r} is not an origin as a browser sends it; "
            f"did you mean {serialized!r}?"
        )
    return text


def preflight_reasons(method: str, headers: Headers) -> List[str]:
    """Why a browser preflights this request; empty when it does not.

    https://fetch.spec.whatwg.org/#main-fetch: a CORS request is preflighted
    when its method is not CORS-safelisted or when it carries CORS-unsafe
    request headers.
    """
    reasons = []
    if needs_preflight(method):
        reasons.append(f"{method} is not a CORS-safelisted method")
    unsafe = cors_unsafe_request_header_names(headers)
    if unsafe:
        reasons.append(
            "these request headers are not CORS-safelisted: " + ", ".join(unsafe)
        )
    return reasons


def get(headers: Headers, name: str) -> Optional[str]:
    """The value of header *name* (lower case), several combined with ", ".

    https://fetch.spec.whatwg.org/#concept-header-list-get
    """
    values = [value for key, value in headers if key.lower() == name]
    return ", ".join(values) if values else None


class InvalidList(ValueError):
    """A header's value is not a comma-separated list of tokens."""


def extract_list(headers: Headers, name: str) -> Optional[List[str]]:
    """The items of the ``#token`` list header *name*; None when it is absent.

    https://fetch.spec.whatwg.org/#extract-header-list-values: a value that
    does not parse is a failure (InvalidList, naming the bad item). Empty
    items are skipped, as the ``#`` rule of RFC 9110 section 5.6.1 asks.
    """
    value = get(headers, name)
    if value is None:
        return None
    items = []
    for item in value.split(","):
        item = item.strip(_HTTP_WHITESPACE)
        if not item:
            continue
        if not is_token(item):
            raise InvalidList(item)
        items.append(item)
    return items


def varies_on_origin(headers: Headers) -> bool:
    """Whether the ``Vary`` header names ``Origin`` (or is ``*``)."""
    value = get(headers, "vary") or ""
    names = {item.strip(_HTTP_WHITESPACE).lower() for item in value.split(",")}
    return "origin" in names or "*" in names


class Failure(NamedTuple):
    """Why a browser refuses an answer."""

    #: A short name for the check that failed, e.g. ``"allow-origin-missing"``.
    code: str
    #: Chromium's console text (after "has been blocked by CORS policy: ").
    chromium: str
    #: Firefox's console reason (inside "(Reason: ...)").
    firefox: str


_PREFLIGHT = "Response to preflight request doesn't pass access control check: "


def cors_failure(
    headers: Headers, origin: str, credentials: bool, preflight: bool = False
) -> Optional[Failure]:
    """The Fetch Standard's CORS check of a response to a request from *origin*.

    https://fetch.spec.whatwg.org/#cors-check: ``Access-Control-Allow-Origin``
    must be ``*`` (only when credentials are not included) or the request's
    origin byte for byte; with credentials ``Access-Control-Allow-Credentials``
    must be ``true``. *preflight* only words the messages as Chromium does
    for a preflight.
    """
    prefix = _PREFLIGHT if preflight else ""
    allow_origin = get(headers, "access-control-allow-origin")
    if allow_origin is None:
        return Failure(
            "allow-origin-missing",
            prefix + "No 'Access-Control-Allow-Origin' header is present on the "
            "requested resource.",
            "CORS header 'Access-Control-Allow-Origin' missing",
        )
    if allow_origin == "*" and not credentials:
        return None
    if allow_origin == "*":
        return Failure(
            "allow-origin-wildcard",
            prefix + "The value of the 'Access-Control-Allow-Origin' header in the "
            "response must not be the wildcard '*' when the request's credentials "
            "mode is 'include'.",
            "Credential is not supported if the CORS header "
            "'Access-Control-Allow-Origin' is '*'",
        )
    if allow_origin != origin:
        return _origin_mismatch(prefix, allow_origin)
    if not credentials:
        return None
    allow_credentials = get(headers, "access-control-allow-credentials")
    if allow_credentials == "true":
        return None
    return Failure(
        "allow-credentials",
        prefix + "The value of the 'Access-Control-Allow-Credentials' header in the "
        f"response is '{allow_credentials or ''}' which must be 'true' when the "
        "request's credentials mode is 'include'.",
        "expected 'true' in CORS header 'Access-Control-Allow-Credentials'",
    )


def _origin_mismatch(prefix: str, allow_origin: str) -> Failure:
    # Chromium tells several values, a value that is no origin and another
    # origin apart; Firefox has one reason for the last two.
    if "," in allow_origin or " " in allow_origin:
        return Failure(
            "allow-origin-multiple",
            prefix + "The 'Access-Control-Allow-Origin' header contains multiple "
            f"values '{allow_origin}', but only one is allowed.",
            "Multiple CORS header 'Access-Control-Allow-Origin' not allowed",
        )
    firefox = (
        f"CORS header 'Access-Control-Allow-Origin' does not match '{allow_origin}'"
    )
    if allow_origin != "null" and _ORIGIN.fullmatch(allow_origin) is None:
        return Failure(
            "allow-origin-invalid",
            prefix + "The 'Access-Control-Allow-Origin' header contains the invalid "
            f"value '{allow_origin}'.",
            firefox,
        )
    return Failure(
        "allow-origin-mismatch",
        prefix + f"The 'Access-Control-Allow-Origin' header has a value "
        f"'{allow_origin}' that is not equal to the supplied origin.",
        firefox,
    )


def preflight_failure(
    status: int,
    headers: Headers,
    origin: str,
    method: str,
    unsafe_headers: Sequence[str],
    credentials: bool,
) -> Optional[Failure]:
    """The checks of a preflight's response, in the order Chromium runs them.

    https://fetch.spec.whatwg.org/#cors-preflight-fetch, step 7: a CORS check
    that passes and an ok status (200-299); then ``Access-Control-Allow-Methods``
    and ``Access-Control-Allow-Headers`` must parse as lists; the method must
    be CORS-safelisted, listed, or covered by ``*`` without credentials; each
    CORS-unsafe header name (*unsafe_headers*, lower case) must be listed or
    covered by ``*`` without credentials, and ``*`` never covers
    ``Authorization``. A redirect fails first (Chromium says so; for the
    standard a 3xx is not an ok status).
    """
    firefox_status = "CORS preflight response did not succeed"
    if 300 <= status < 400:
        return Failure(
            "preflight-redirect",
            _PREFLIGHT + "Redirect is not allowed for a preflight request.",
            firefox_status,
        )
    failure = cors_failure(headers, origin, credentials, preflight=True)
    if failure is not None:
        return failure
    if not 200 <= status < 300:
        return Failure(
            "preflight-status",
            _PREFLIGHT + "It does not have HTTP ok status.",
            firefox_status,
        )
    try:
        methods = extract_list(headers, "access-control-allow-methods") or []
    except InvalidList as bad:
        return Failure(
            "allow-methods-invalid",
            "Cannot parse Access-Control-Allow-Methods response header field in "
            "preflight response.",
            f"invalid token '{bad}' in CORS header 'Access-Control-Allow-Methods'",
        )
    try:
        names = extract_list(headers, "access-control-allow-headers") or []
    except InvalidList as bad:
        return Failure(
            "allow-headers-invalid",
            "Cannot parse Access-Control-Allow-Headers response header field in "
            "preflight response.",
            f"invalid token '{bad}' in CORS header 'Access-Control-Allow-Headers'",
        )
    wildcard = not credentials
    if (
        method not in methods
        and needs_preflight(method)
        and not (wildcard and "*" in methods)
    ):
        return Failure(
            "method-not-allowed",
            f"Method {method} is not allowed by Access-Control-Allow-Methods in "
            "preflight response.",
            "Did not find method in CORS header 'Access-Control-Allow-Methods'",
        )
    listed = {name.lower() for name in names}
    for name in unsafe_headers:
        covered = wildcard and "*" in listed and name != "authorization"
        if name not in listed and not covered:
            return Failure(
                "header-not-allowed",
                f"Request header field {name} is not allowed by "
                "Access-Control-Allow-Headers in preflight response.",
                f"missing token '{name}' in CORS header "
                "'Access-Control-Allow-Headers' from CORS preflight channel",
            )
    return None


# https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name
_SAFELISTED_RESPONSE_HEADERS: FrozenSet[str] = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)
# https://fetch.spec.whatwg.org/#forbidden-response-header-name
_FORBIDDEN_RESPONSE_HEADERS: FrozenSet[str] = frozenset({"set-cookie", "set-cookie2"})


def exposed_header_names(headers: Headers, credentials: bool) -> List[str]:
    """The names of the response headers a script can read, sorted, lower case.

    https://fetch.spec.whatwg.org/#main-fetch (the CORS-exposed header-name
    list) and https://fetch.spec.whatwg.org/#concept-filtered-response-cors:
    the CORS-safelisted response-header names and those that
    ``Access-Control-Expose-Headers`` lists (``*``: all of them, only without
    credentials); never ``Set-Cookie``. A list that does not parse exposes
    nothing more.
    """
    try:
        listed = extract_list(headers, "access-control-expose-headers") or []
    except InvalidList:
        listed = []
    exposed = _SAFELISTED_RESPONSE_HEADERS | {name.lower() for name in listed}
    everything = "*" in listed and not credentials
    present = sorted({name.lower() for name, _ in headers})
    return [
        name
        for name in present
        if name not in _FORBIDDEN_RESPONSE_HEADERS and (everything or name in exposed)
    ]


def cors_check(headers: Headers, origin: str, credentials: bool) -> Optional[str]:
    """:func:`cors_failure` in one string: None, or Chromium's reason."""
    failure = cors_failure(headers, origin, credentials)
    return None if failure is None else failure.chromium


def preflight_check(
    status: int,
    headers: Headers,
    origin: str,
    method: str,
    unsafe_headers: Sequence[str],
    credentials: bool,
) -> Optional[str]:
    """:func:`preflight_failure` in one string: None, or Chromium's reason."""
    failure = preflight_failure(
        status, headers, origin, method, unsafe_headers, credentials
    )
    return None if failure is None else failure.chromium
