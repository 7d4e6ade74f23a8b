"""Putting the CORS headers on the application's own response."""

from __future__ import annotations

from typing import Iterable, List, Set

from .http import VARY, Header, merge_vary

__all__ = ["MAX_LEARNT_NAMES", "PLAIN_HEADER_NAMES", "merge_headers"]

#: Response header names known to be neither Access-Control-* nor Vary. Most
#: responses carry only such names, and one set look-up per header is the
#: cheapest way to see that nothing needs a closer look. The middleware
#: starts its own bounded set of learnt names from these.
PLAIN_HEADER_NAMES = frozenset(
    name
    for base in (
        "Cache-Control",
        "Content-Disposition",
        "Content-Encoding",
        "Content-Language",
        "Content-Length",
        "Content-Security-Policy",
        "Content-Type",
        "Cross-Origin-Opener-Policy",
        "Cross-Origin-Resource-Policy",
        "Date",
        "ETag",
        "Expires",
        "Last-Modified",
        "Link",
        "Location",
        "Pragma",
        "Referrer-Policy",
        "Retry-After",
        "Server",
        "Set-Cookie",
        "Strict-Transport-Security",
        "Transfer-Encoding",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "X-Request-Id",
    )
    for name in (base, base.lower())
)
#: The most names a middleware learns, whatever names applications send.
MAX_LEARNT_NAMES = 1024


def merge_headers(
    headers: Iterable[Header], cors_headers: List[Header], learnt: Set[str]
) -> List[Header]:
    """The application's headers without its Access-Control-* ones, its Vary
    merged with ours, then our CORS headers; the app's list is not changed.

    The names kept are added to *learnt*, up to :data:`MAX_LEARNT_NAMES`:
    a response whose names are all learnt needs no merging, only
    ``headers + cors_headers``.
    """
    out: List[Header] = []
    app_vary: List[str] = []
    for name, value in headers:
        lower = name.lower()
        if lower.startswith("access-control-"):
            continue
        if lower == "vary":
            app_vary.append(value)
            continue
        out.append((name, value))
        if len(learnt) < MAX_LEARNT_NAMES:
            learnt.add(name)
    our_vary = [value for name, value in cors_headers if name == VARY]
    out.extend(item for item in cors_headers if item[0] != VARY)
    merged = merge_vary(app_vary, our_vary) if our_vary else None
    if merged is None:
        # Nothing to add, or the app said "Vary: *": its Vary stays as it was.
        out.extend((VARY, value) for value in app_vary)
    else:
        out.append((VARY, merged))
    return out
