"""The Fetch Standard's CORS rules a browser applies before it sends a request.

Pure functions over strings, usable on their own: whether a method or a
request header is CORS-safelisted, which header names a browser would list in
``Access-Control-Request-Headers``, and whether a ``fetch()`` is preflighted.

>>> from cors_wsgi.fetch import needs_preflight
>>> needs_preflight("POST", [("Content-Type", "text/plain")])
False
>>> needs_preflight("POST", [("Content-Type", "application/json")])
True
"""

from __future__ import annotations

from ._core.safelist import (
    CORS_SAFELISTED_METHODS,
    CORS_SAFELISTED_REQUEST_HEADER_NAMES,
    cors_unsafe_request_header_names,
    is_cors_safelisted_method,
    is_cors_safelisted_request_header,
    needs_preflight,
    normalize_method,
)

__all__ = [
    "CORS_SAFELISTED_METHODS",
    "CORS_SAFELISTED_REQUEST_HEADER_NAMES",
    "cors_unsafe_request_header_names",
    "is_cors_safelisted_method",
    "is_cors_safelisted_request_header",
    "needs_preflight",
    "normalize_method",
]
