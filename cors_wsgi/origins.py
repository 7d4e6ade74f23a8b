"""Origins: normalising configured ones, validating requested ones, matching.

A browser sends the serialized origin of the page
(https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin):
``scheme://host[:port]`` with scheme and host in lower case and no default
port, or the opaque origin ``null``.
"""

from __future__ import annotations

import logging
import re
from typing import (
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Optional,
    Pattern,
    Tuple,
)

__all__ = [
    "MAX_ORIGIN_LENGTH",
    "NULL_ORIGIN",
    "OriginMatcher",
    "OriginPredicate",
    "is_valid_request_origin",
    "normalize_request_origin",
    "parse_configured_origin",
]

logger = logging.getLogger("cors_wsgi")

OriginPredicate = Callable[[str, Dict[str, Any]], object]

NULL_ORIGIN = "null"

# The longest real origin: a scheme, "://", a 253-byte DNS name and a port.
MAX_ORIGIN_LENGTH = 300

_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}

# What a request's Origin may look like before any of it is echoed: printable
# ASCII without spaces or commas, in the serialized-origin shape.
_request_origin = re.compile(
    r"[a-zA-Z][a-zA-Z0-9+.\-]*://"
    r"(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9\-._~!$&'()*+;=%]+)"
    r"(?::[0-9]{1,5})?",
    re.ASCII,
)

_scheme = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*", re.ASCII)
_host = re.compile(r"\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9\-._~]+", re.ASCII)
_port = re.compile(r"[0-9]{1,5}", re.ASCII)
# Remembered answers per matcher; at most MAX_ORIGIN_LENGTH characters each.
_MEMO_SIZE = 4096
# One host label matched by the "*" of "*.example.com": at least one byte.
_LABEL = r"[a-z0-9_\-]+"


def is_valid_request_origin(value: str) -> bool:
    """Whether a request's ``Origin`` value is safe to compare and to echo."""
    if len(value) > MAX_ORIGIN_LENGTH:
        return False
    if value == NULL_ORIGIN:
        return True
    return _request_origin.fullmatch(value) is not None


def normalize_request_origin(value: str) -> str:
    """Lower-case a valid request origin and drop its scheme's default port."""
    value = value.lower()
    scheme, sep, rest = value.partition("://")
    default = _DEFAULT_PORTS.get(scheme)
    if default is not None and rest.endswith(":" + default):
        value = value[: -len(default) - 1]
    return value


def parse_configured_origin(entry: str) -> Tuple[str, Optional[str]]:
    """Normalise one configured origin.

    Returns ``(origin, None)`` for an exact origin, or ``(prefix, suffix)`` for
    a ``scheme://*.domain[:port]`` pattern, where a match is ``prefix``, one or
    more host labels, then ``suffix``. Raises ValueError with a sentence that
    says what is wrong and how to write it instead.
    """
    if entry == NULL_ORIGIN:
        return entry, None
    example = "an origin is scheme://host[:port], e.g. 'https://a.example'"
    if not entry:
        raise ValueError(f"an empty string is not an origin; {example}")
    if entry != entry.strip() or any(c.isspace() for c in entry):
        raise ValueError(f"{entry!r} contains white space; {example}")
    if not entry.isascii() or not entry.isprintable():
        raise ValueError(
            f"{entry!r} has non-ASCII or control characters; write the host in "
            f"its ASCII (punycode) form, e.g. 'https://xn--bcher-kva.example'"
        )
    scheme, sep, rest = entry.partition("://")
    if not sep or _scheme.fullmatch(scheme) is None:
        raise ValueError(f"{entry!r} has no scheme; {example}")
    for char, what in (("/", "a path"), ("?", "a query"), ("#", "a fragment")):
        if char in rest:
            if rest.endswith("/") and rest.count("/") == 1 and char == "/":
                what = "a trailing slash"
            raise ValueError(f"{entry!r} has {what}; {example}")
    if "@" in rest:
        raise ValueError(f"{entry!r} has user info; {example}")
    scheme = scheme.lower()
    host, port = rest, ""
    if not rest.endswith("]") and ":" in rest:
        host, _, port = rest.rpartition(":")
        if _port.fullmatch(port) is None or int(port) > 65535:
            raise ValueError(f"{entry!r} has an invalid port {port!r}; {example}")
        port = str(int(port))
    if port == _DEFAULT_PORTS.get(scheme):
        port = ""
    suffix_port = f":{port}" if port else ""
    host = host.lower()
    wildcard = host.startswith("*.")
    if wildcard:
        host = host[2:]
    if "*" in host:
        raise ValueError(
            f"{entry!r}: '*' may only stand as the whole left-most host label, "
            f"e.g. 'https://*.example.com'"
        )
    if _host.fullmatch(host) is None or host.startswith(".") or ".." in host:
        raise ValueError(f"{entry!r} has an invalid host {host!r}; {example}")
    if wildcard:
        return f"{scheme}://", f".{host}{suffix_port}"
    return f"{scheme}://{host}{suffix_port}", None


class OriginMatcher:
    """Decides whether a request's ``Origin`` is allowed, all rules compiled.

    ``allow_all`` short-cuts everything. Otherwise an origin is allowed when
    its normalised form is one of the exact origins, when it matches a
    ``*.`` label pattern (never for ``null``), when the regex matches the whole
    value, or when the callable says so. A value that fails
    :func:`is_valid_request_origin` is never allowed.
    """

    __slots__ = ("_memo", "allow_all", "exact", "predicate", "regex", "wildcard")

    def __init__(
        self,
        *,
        allow_all: bool = False,
        exact: Iterable[str] = (),
        wildcards: Iterable[Tuple[str, str]] = (),
        regex: Optional[Pattern[str]] = None,
        predicate: Optional[OriginPredicate] = None,
    ) -> None:
        self.allow_all = allow_all
        self.exact: FrozenSet[str] = frozenset(exact)
        parts: List[str] = [
            re.escape(prefix) + f"(?:{_LABEL}\\.)*{_LABEL}" + re.escape(suffix)
            for prefix, suffix in wildcards
        ]
        self.wildcard: Optional[Pattern[str]] = (
            re.compile("|".join(parts), re.ASCII) if parts else None
        )
        self.regex = regex
        self.predicate = predicate
        # Answers for origins outside the exact set, so that refused origins
        # and pattern matches cost one lookup after the first time. Bounded:
        # emptied when full, and never used for a callable's answers.
        self._memo: Dict[str, bool] = {}

    def matches(self, origin: str, environ: Dict[str, Any]) -> bool:
        if self.allow_all or origin in self.exact:
            return True
        memo = self._memo
        known = memo.get(origin)
        if known is not None:
            return known
        if not is_valid_request_origin(origin):
            return False
        answer = self._matches_valid(origin)
        if answer or self.predicate is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[origin] = answer
            return answer
        try:
            return bool(self.predicate(origin, environ))
        except Exception:
            # A broken predicate refuses the origin instead of turning the
            # request into a 500; the traceback still reaches the logs.
            logger.exception(
                "allow_origins callable raised for origin %r; origin refused",
                origin,
            )
            return False

    def _matches_valid(self, origin: str) -> bool:
        normalized = normalize_request_origin(origin)
        if normalized in self.exact:
            return True
        wildcard = self.wildcard
        if (
            wildcard is not None
            and normalized != NULL_ORIGIN
            and wildcard.fullmatch(normalized) is not None
        ):
            return True
        return self.regex is not None and self.regex.fullmatch(origin) is not None
