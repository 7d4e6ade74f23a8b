"""HTTP and Fetch vocabulary: header names, tokens, header lists, Vary, status lines."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Final, FrozenSet, List, Optional, Sequence, Tuple

__all__ = [
    "ACCESS_CONTROL_ALLOW_CREDENTIALS",
    "ACCESS_CONTROL_ALLOW_HEADERS",
    "ACCESS_CONTROL_ALLOW_METHODS",
    "ACCESS_CONTROL_ALLOW_ORIGIN",
    "ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK",
    "ACCESS_CONTROL_EXPOSE_HEADERS",
    "ACCESS_CONTROL_MAX_AGE",
    "CORS_SAFELISTED_REQUEST_HEADER_NAMES",
    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS",
    "HTTP_ACCESS_CONTROL_REQUEST_METHOD",
    "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK",
    "HTTP_ORIGIN",
    "MAX_REQUEST_HEADERS_ITEMS",
    "MAX_REQUEST_HEADERS_LENGTH",
    "Header",
    "VARY",
    "is_token",
    "merge_vary",
    "parse_allowed_header_list",
    "parse_header_list",
    "status_line",
]

Header = Tuple[str, str]

# WSGI environ keys, named after themselves.
HTTP_ORIGIN: Final = "HTTP_ORIGIN"
HTTP_ACCESS_CONTROL_REQUEST_METHOD: Final = "HTTP_ACCESS_CONTROL_REQUEST_METHOD"
HTTP_ACCESS_CONTROL_REQUEST_HEADERS: Final = "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"
HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: Final = (
    "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"
)

# Response header names, in canonical case.
VARY: Final = "Vary"
ACCESS_CONTROL_ALLOW_ORIGIN: Final = "Access-Control-Allow-Origin"
ACCESS_CONTROL_ALLOW_CREDENTIALS: Final = "Access-Control-Allow-Credentials"
ACCESS_CONTROL_ALLOW_METHODS: Final = "Access-Control-Allow-Methods"
ACCESS_CONTROL_ALLOW_HEADERS: Final = "Access-Control-Allow-Headers"
ACCESS_CONTROL_EXPOSE_HEADERS: Final = "Access-Control-Expose-Headers"
ACCESS_CONTROL_MAX_AGE: Final = "Access-Control-Max-Age"
ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: Final = "Access-Control-Allow-Private-Network"

# https://fetch.spec.whatwg.org/#cors-safelisted-request-header: the names a
# server always allows in a preflight. A browser still lists them when their
# value is not safelisted (a JSON fetch lists content-type). The Standard also
# safelists Range, but only for single ranges, which browsers never preflight.
CORS_SAFELISTED_REQUEST_HEADER_NAMES: Final = frozenset(
    {"accept", "accept-language", "content-language", "content-type"}
)

# Bounds on Access-Control-Request-Headers. A browser lists each non-safelisted
# header name once; real requests stay far below both numbers, and anything
# larger is refused before a single item is examined.
MAX_REQUEST_HEADERS_LENGTH: Final = 8192
MAX_REQUEST_HEADERS_ITEMS: Final = 256

# https://www.rfc-editor.org/rfc/rfc9110#name-tokens
_token: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def is_token(value: str) -> bool:
    """Whether *value* is an HTTP token (RFC 9110, section 5.6.2)."""
    return _token.fullmatch(value) is not None


# The bytes an Access-Control-Request-Headers value may hold: token bytes,
# commas and the white space around items, checked in one pass.
_header_list_bytes: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z, \t]*")


def parse_header_list(value: str) -> Optional[List[str]]:
    """Split an ``Access-Control-Request-Headers`` value into lower-case names.

    Returns the names in order, without duplicates, or None when the value is
    malformed: longer than :data:`MAX_REQUEST_HEADERS_LENGTH`, with more than
    :data:`MAX_REQUEST_HEADERS_ITEMS` items, or with an item that is not a
    token. Empty items are skipped. The work is linear in the value's length,
    and for the values browsers send (``a,b,c``, no white space) it is done
    by C code, not item by item in Python.
    """
    if (
        len(value) > MAX_REQUEST_HEADERS_LENGTH
        or value.count(",") >= MAX_REQUEST_HEADERS_ITEMS
        or _header_list_bytes.fullmatch(value) is None
    ):
        return None
    items = value.lower().split(",")
    if " " in value or "\t" in value:
        items = [item.strip(" \t") for item in items]
        for item in items:
            if " " in item or "\t" in item:
                return None
    names = dict.fromkeys(items)
    names.pop("", None)
    return list(names)


def parse_allowed_header_list(
    value: str, allowed: FrozenSet[str]
) -> Optional[List[str]]:
    """:func:`parse_header_list` for a value whose every item is in *allowed*.

    Browsers send the names lower-cased, comma-separated and without white
    space, so for a value a policy accepts, splitting it and looking each item
    up in *allowed* (lower-case tokens, validated when the policy was built)
    also proves the syntax: the separate pass over the bytes is skipped, and
    each name is hashed once. Returns None whenever this shortcut does not
    apply (white space, an empty item, a name not allowed, a value out of
    bounds); the caller then runs :func:`parse_header_list`.
    """
    if len(value) > MAX_REQUEST_HEADERS_LENGTH or not value.isascii():
        return None
    items = value.lower().split(",")
    if len(items) > MAX_REQUEST_HEADERS_ITEMS or not allowed.issuperset(items):
        return None
    return list(dict.fromkeys(items))


def merge_vary(values: Sequence[str], add: Sequence[str]) -> Optional[str]:
    """Merge the field names in *add* into the ``Vary`` header values *values*.

    Returns one header value with each name once (compared case-insensitively,
    first spelling kept), or None when *values* already holds ``*``: a response
    that varies on everything must keep saying so, unchanged.
    """
    names: List[str] = []
    seen = set()
    for value in (*values, *add):
        for item in value.split(","):
            name = item.strip(" \t")
            if not name:
                continue
            key = name.lower()
            if key == "*":
                return None
            if key not in seen:
                seen.add(key)
                names.append(name)
    return ", ".join(names)


def status_line(code: int) -> str:
    """A WSGI status line for *code*, with its standard reason phrase."""
    try:
        phrase = HTTPStatus(code).phrase
    except ValueError:
        phrase = "Status"
    return f"{code} {phrase}"
