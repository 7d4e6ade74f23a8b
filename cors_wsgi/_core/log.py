"""The decision log: one DEBUG line per CORS decision, on the ``cors_wsgi`` logger.

The middleware asks ``logger.isEnabledFor(DEBUG)`` before it builds a
record, so a request costs one such call when DEBUG is off. The library never sets
levels or handlers; an application (or ``cors-wsgi serve --debug``, or the
``CORS_WSGI_DEBUG`` variable of the zero-code entry) turns it on. Each record
also carries the decision itself as ``record.cors_decision``, a
:class:`Decision`, for handlers that want more than the text (the demo's page
shows them). Request values appear as ``repr()`` cut to 200 characters, so a
hostile value cannot forge log lines.
"""

from __future__ import annotations

import logging
from typing import Any, Final, Mapping, NamedTuple, Optional

from .http import is_token

__all__ = [
    "DEBUG",
    "REASONS",
    "Decision",
    "log_actual",
    "log_decision",
    "logger",
]

# Final: compiled, the request path reads both without a dictionary look-up.
logger: Final = logging.getLogger("cors_wsgi")
DEBUG: Final = logging.DEBUG

#: What each refusal reason means, in the words of the log and the docs.
REASONS = {
    "origin": "origin not allowed",
    "method": "method not allowed",
    "headers": "request headers not allowed",
    "private-network": "private network access not allowed",
}

# Request values go into log lines as repr(), cut to this length.
_LIMIT = 200


class Decision(NamedTuple):
    """One decision of the middleware, as the log reports it."""

    #: "preflight", "actual" (a request with Origin) or "no-origin".
    kind: str
    #: The request's method and path (SCRIPT_NAME + PATH_INFO).
    method: str
    path: str
    #: The request's Origin value, or None.
    origin: Optional[str]
    #: Whether the origin (and, for a preflight, everything it asked) is allowed.
    allowed: bool
    #: "" when allowed, else one of the keys of :data:`REASONS`.
    reason: str = ""
    #: Whether a preflight's answer came from the server-side cache.
    cached: bool = False
    #: A preflight's Access-Control-Request-Method and -Headers values.
    request_method: Optional[str] = None
    request_headers: Optional[str] = None


def _cut(value: Optional[str]) -> str:
    return repr(value if value is None else value[:_LIMIT])


def _method(value: str) -> str:
    # A real method is a token (RFC 9110) and is shown as it is; anything
    # else a lax server let through is quoted like any other request value.
    value = value[:_LIMIT]
    return value if is_token(value) else repr(value)


def log_decision(decision: Decision) -> None:
    """Log *decision* at DEBUG level, as one line."""
    if decision.kind == "no-origin":
        verdict = "no Origin header"
    elif decision.allowed:
        verdict = "allowed"
    else:
        verdict = f"refused, {REASONS[decision.reason]}"
    details = [f"origin={_cut(decision.origin)}"] if decision.origin else []
    if decision.kind == "preflight":
        details.append(f"method={_cut(decision.request_method)}")
        details.append(f"request-headers={_cut(decision.request_headers)}")
    suffix = f" ({' '.join(details)})" if details else ""
    logger.debug(
        "%s %s %s: %s%s%s",
        decision.kind,
        _method(decision.method),
        _cut(decision.path),
        verdict,
        suffix,
        " (cached)" if decision.cached else "",
        extra={"cors_decision": decision},
    )


def log_actual(
    environ: Mapping[str, Any], origin: Optional[str], allowed: bool
) -> None:
    """Log the decision on an actual request (or one without Origin)."""
    log_decision(
        Decision(
            kind="no-origin" if origin is None else "actual",
            method=environ.get("REQUEST_METHOD", ""),
            path=request_path(environ),
            origin=origin,
            allowed=allowed,
            reason="" if allowed or origin is None else "origin",
        )
    )


def request_path(environ: Mapping[str, Any]) -> str:
    path: str = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return path
