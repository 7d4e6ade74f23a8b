"""The Fetch Standard's safelists: which requests a browser sends without asking.

Pure functions over strings, public through :mod:`cors_wsgi.fetch`.
https://fetch.spec.whatwg.org/#cors-safelisted-method and
https://fetch.spec.whatwg.org/#cors-safelisted-request-header.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple, Union

from .http import CORS_SAFELISTED_REQUEST_HEADER_NAMES

__all__ = [
    "CORS_SAFELISTED_METHODS",
    "CORS_SAFELISTED_REQUEST_HEADER_NAMES",
    "NORMALIZED_METHODS",
    "cors_unsafe_request_header_names",
    "is_cors_safelisted_method",
    "is_cors_safelisted_request_header",
    "needs_preflight",
    "normalize_method",
]

# https://fetch.spec.whatwg.org/#concept-method-normalize: the methods fetch()
# upper-cases; every other method is sent exactly as the script wrote it.
NORMALIZED_METHODS: FrozenSet[str] = frozenset(
    {"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}
)


def normalize_method(method: str) -> str:
    """*method* as ``fetch()`` sends it: six names upper-cased, others as written."""
    upper = method.upper()
    return upper if upper in NORMALIZED_METHODS else method


# https://fetch.spec.whatwg.org/#cors-safelisted-method
CORS_SAFELISTED_METHODS: FrozenSet[str] = frozenset({"GET", "HEAD", "POST"})


def is_cors_safelisted_method(method: str) -> bool:
    """Whether a browser sends *method* without asking first (byte-exact)."""
    return method in CORS_SAFELISTED_METHODS


# https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte
_UNSAFE_BYTE = re.compile(r'[\x00-\x08\x0a-\x1f"():<>?@\[\\\]{}\x7f]')
# Accept-Language and Content-Language: 0-9 A-Z a-z space * , - . ; =
_LANGUAGE_BYTES = re.compile(r"[0-9A-Za-z *,\-.;=]*")
# https://mimesniff.spec.whatwg.org/#http-token-code-point
_MIME_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FORM_ESSENCES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
_HTTP_WHITESPACE = "\t\n\r "
# https://fetch.spec.whatwg.org/#simple-range-header-value, without white space
_SINGLE_RANGE = re.compile(r"([bB][yY][tT][eE][sS])=([0-9]*)-([0-9]*)")

# The client hints DPR, Downlink, Save-Data, Viewport-Width and Width were once
# CORS-safelisted. The current Fetch Standard no longer lists them, so a
# request carrying one needs a preflight, and we say so.


def _mime_essence(value: str) -> Optional[str]:
    # https://mimesniff.spec.whatwg.org/#parse-a-mime-type (type and subtype)
    value = value.strip(_HTTP_WHITESPACE)
    kind, slash, rest = value.partition("/")
    if not slash or _MIME_TOKEN.fullmatch(kind) is None:
        return None
    subtype = rest.partition(";")[0].rstrip(_HTTP_WHITESPACE)
    if _MIME_TOKEN.fullmatch(subtype) is None:
        return None
    return f"{kind}/{subtype}".lower()


def is_cors_safelisted_request_header(name: str, value: str) -> bool:
    """The Fetch Standard's CORS-safelisted request-header check.

    https://fetch.spec.whatwg.org/#cors-safelisted-request-header. *value* is
    the header's value as a latin-1 string (one character per byte), as WSGI
    passes it.
    """
    if len(value) > 128:
        return False
    name = name.lower()
    if name == "accept":
        return _UNSAFE_BYTE.search(value) is None
    if name in ("accept-language", "content-language"):
        return _LANGUAGE_BYTES.fullmatch(value) is not None
    if name == "content-type":
        if _UNSAFE_BYTE.search(value) is not None:
            return False
        return _mime_essence(value) in _FORM_ESSENCES
    if name == "range":
        match = _SINGLE_RANGE.fullmatch(value)
        if match is None or not match.group(2):
            # Malformed, or a suffix range such as bytes=-500.
            return False
        end = match.group(3)
        return not end or int(match.group(2)) <= int(end)
    return False


HeaderItems = Union[Iterable[Tuple[str, str]], Dict[str, str]]


def cors_unsafe_request_header_names(headers: HeaderItems) -> List[str]:
    """The sorted, lower-cased names a browser would list in a preflight.

    https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names
    """
    items = headers.items() if isinstance(headers, dict) else headers
    unsafe = set()
    potentially_unsafe = set()
    safelist_value_size = 0
    for name, value in items:
        if is_cors_safelisted_request_header(name, value):
            potentially_unsafe.add(name.lower())
            safelist_value_size += len(value)
        else:
            unsafe.add(name.lower())
    if safelist_value_size > 1024:
        unsafe |= potentially_unsafe
    return sorted(unsafe)


def needs_preflight(method: str, headers: HeaderItems = ()) -> bool:
    """Whether a browser's ``fetch`` with *method* and *headers* is preflighted.

    https://fetch.spec.whatwg.org/#main-fetch: a CORS request needs a
    preflight when its method is not CORS-safelisted or when it carries a
    header that is not CORS-safelisted (or the safelisted values together pass
    1024 bytes). Method names compare case-sensitively, after the browser's
    own normalisation of DELETE, GET, HEAD, OPTIONS, POST and PUT.
    """
    if not is_cors_safelisted_method(normalize_method(method)):
        return True
    return bool(cors_unsafe_request_header_names(headers))
