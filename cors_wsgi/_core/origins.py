"""Origins: normalising configured ones, validating requested ones, matching.

A browser sends the serialized origin of the page
(https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin):
``scheme://host[:port]`` with scheme and host in lower case and no default
port, or the opaque origin ``null``.

Matching costs time in proportion to the origin's length, however many
origins are configured: exact entries are one set look-up, and ``*.`` entries
are a set of origin ends per scheme (``.example.com:8443``), looked up once
for each dot of the host from the right (``.com``, then ``.example.com``),
never further left than the longest entry reaches.
"""

from __future__ import annotations

import logging
import re
from typing import (
    Any,
    Callable,
    Dict,
    Final,
    FrozenSet,
    Iterable,
    NamedTuple,
    Optional,
    Pattern,
    Set,
    Tuple,
)

__all__ = [
    "MAX_ORIGIN_LENGTH",
    "NULL_ORIGIN",
    "ConfiguredOrigin",
    "OriginMatcher",
    "OriginPredicate",
    "is_valid_request_origin",
    "normalize_request_origin",
    "parse_configured_origin",
]

logger = logging.getLogger("cors_wsgi")

OriginPredicate = Callable[[str, Dict[str, Any]], object]

NULL_ORIGIN: Final = "null"

# The longest real origin: a scheme, "://", a 253-byte DNS name and a port.
MAX_ORIGIN_LENGTH: Final = 300

_DEFAULT_PORTS: Final = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
# How an origin with one of them ends: those without need no closer look.
_DEFAULT_PORT_ENDINGS: Final = (":80", ":443")

# What a request's Origin may look like before any of it is echoed: printable
# ASCII without spaces or commas, in the serialized-origin shape.
_request_origin: Final = re.compile(
    r"[a-zA-Z][a-zA-Z0-9+.\-]*://"
    r"(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9\-._~!$&'()*+;=%]+)"
    r"(?::[0-9]{1,5})?",
    re.ASCII,
)

_scheme = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*", re.ASCII)
_host = re.compile(r"\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9\-._~]+", re.ASCII)
_port = re.compile(r"[0-9]{1,5}", re.ASCII)
# Host labels the "*" of "*.example.com" may stand for, each at least one
# byte, each followed by a dot.
_labels: Final = re.compile(r"(?:[a-z0-9_\-]+\.)+", re.ASCII)


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
    if value.endswith(_DEFAULT_PORT_ENDINGS):
        scheme, _, rest = value.partition("://")
        default = _DEFAULT_PORTS.get(scheme)
        if default is not None and rest.endswith(":" + default):
            value = value[: -len(default) - 1]
    return value


def _split_host_port(authority: str) -> Tuple[str, str]:
    """``("a.example", "8443")`` for ``"a.example:8443"``; port ``""`` if none."""
    if authority.endswith("]") or ":" not in authority:
        return authority, ""
    host, _, port = authority.rpartition(":")
    return host, port


class ConfiguredOrigin(NamedTuple):
    """One configured origin entry, normalised.

    Scheme and host are lower case and a default port is dropped (``port`` is
    then ``""``). For ``scheme://*.host[:port]``, ``wildcard`` is True and
    ``host`` is the base domain the ``*`` stands in front of. The entry
    ``"null"`` (the opaque origin) is ``ConfiguredOrigin("", "null", "", False)``.
    """

    scheme: str
    host: str
    port: str
    wildcard: bool

    @property
    def serialized(self) -> str:
        """The entry as written after normalising: ``"https://*.example.com"``."""
        if not self.scheme:
            return self.host
        star = "*." if self.wildcard else ""
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme}://{star}{self.host}{port}"


def parse_configured_origin(entry: str) -> ConfiguredOrigin:
    """Normalise one configured origin entry.

    Raises ValueError with a sentence that says what is wrong and how to
    write it instead.
    """
    if entry == NULL_ORIGIN:
        return ConfiguredOrigin("", NULL_ORIGIN, "", False)
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
    host, port = _split_host_port(rest)
    if host != rest:
        if _port.fullmatch(port) is None or int(port) > 65535:
            raise ValueError(f"{entry!r} has an invalid port {port!r}; {example}")
        port = str(int(port))
    if port == _DEFAULT_PORTS.get(scheme):
        port = ""
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
    return ConfiguredOrigin(scheme, host, port, wildcard)


class OriginMatcher:
    """Decides whether a request's ``Origin`` is allowed.

    ``allow_all`` allows every origin. Otherwise an origin is allowed when
    its normalised form is one of the *exact* origins, when it is one or more
    host labels in front of the base domain of a ``*.`` entry of *wildcards*
    with the same scheme and port (never for ``null`` nor an IPv6 host), when
    *regex* matches the whole value, or when *predicate* says so. A value
    that fails :func:`is_valid_request_origin` is never allowed. Nothing is
    remembered here: every call decides afresh.
    """

    __slots__ = ("_wildcards", "allow_all", "exact", "predicate", "regex")

    def __init__(
        self,
        *,
        allow_all: bool = False,
        exact: Iterable[str] = (),
        wildcards: Iterable[ConfiguredOrigin] = (),
        regex: Optional[Pattern[str]] = None,
        predicate: Optional[OriginPredicate] = None,
    ) -> None:
        self.allow_all = allow_all
        self.exact: FrozenSet[str] = frozenset(exact)
        self.regex = regex
        self.predicate = predicate
        # The "*." entries by scheme, each as the end of an origin that has
        # one or more labels in front of it (".example.com:8443"), with the
        # length of the longest, which bounds the search below.
        ends: Dict[str, Set[str]] = {}
        for entry in wildcards:
            port = f":{entry.port}" if entry.port else ""
            ends.setdefault(entry.scheme, set()).add(f".{entry.host}{port}")
        self._wildcards: Dict[str, Tuple[FrozenSet[str], int]] = {
            scheme: (frozenset(items), max(map(len, items)))
            for scheme, items in ends.items()
        }

    def matches(self, origin: str, environ: Dict[str, Any]) -> bool:
        if self.allow_all:
            return True
        if not is_valid_request_origin(origin):
            return False
        normalized = normalize_request_origin(origin)
        if normalized in self.exact or self._under_wildcard(normalized):
            return True
        if self.regex is not None and self.regex.fullmatch(origin) is not None:
            return True
        if self.predicate is None:
            return False
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

    def _under_wildcard(self, normalized: str) -> bool:
        scheme, _, authority = normalized.partition("://")
        wildcards = self._wildcards.get(scheme)
        if wildcards is None or authority.startswith("["):
            return False
        ends, longest = wildcards
        # Each dot of the host, from the right, while what follows it could
        # still be an entry's end: one set look-up per label, none for labels
        # in front of the longest entry. The labels in front of an end, which
        # the "*" stands for, must be host labels.
        dot = authority.rfind(".")
        while dot > 0 and len(authority) - dot <= longest:
            if (
                authority[dot:] in ends
                and _labels.fullmatch(authority, 0, dot + 1) is not None
            ):
                return True
            dot = authority.rfind(".", 0, dot)
        return False
