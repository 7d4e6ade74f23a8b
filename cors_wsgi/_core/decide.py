"""The preflight decision, over strings and a policy: no WSGI, no I/O.

https://fetch.spec.whatwg.org/#cors-preflight-fetch: a browser accepts a
preflight's answer when it allows the origin, the method (CORS-safelisted
methods need no permission) and each requested header name. Each step is a
function of its own, so that ``cors-wsgi explain`` reports the very verdicts
the middleware acts on.
"""

from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Optional

from .http import is_token, parse_allowed_header_list, parse_header_list
from .policy import Policy, decide_origin
from .safelist import CORS_SAFELISTED_METHODS

__all__ = ["Verdict", "allowed_header_names", "check_preflight", "method_allowed"]


class Verdict(NamedTuple):
    """A preflight decision: ``reason`` is "" when accepted."""

    reason: str
    #: The requested header names, lower-cased, to echo when accepted.
    names: List[str]


def method_allowed(policy: Policy, method: str) -> bool:
    """Whether a preflight may ask for *method* (compared byte for byte)."""
    if not is_token(method):
        return False
    allowed = policy.allow_methods
    return allowed is None or method in allowed or method in CORS_SAFELISTED_METHODS


def allowed_header_names(policy: Policy, value: str) -> Optional[List[str]]:
    """The names of an Access-Control-Request-Headers *value*, or None when
    the value is malformed, out of bounds, or names a header not allowed."""
    allowed = policy.allow_headers
    if allowed is not None:
        # Browsers send lower-case names joined by commas: for such a value
        # the look-ups in the allowed set also prove the syntax.
        names = parse_allowed_header_list(value, allowed)
        if names is not None:
            return names
    names = parse_header_list(value)
    if names is None or (allowed is not None and not allowed.issuperset(names)):
        return None
    return names


def check_preflight(
    policy: Policy,
    origin: str,
    method: str,
    request_headers: str,
    private_network: bool,
    environ: Dict[str, Any],
) -> Verdict:
    """Decide a preflight under *policy*."""
    answer = policy.answers.get(origin) or decide_origin(policy, origin, environ)
    if not answer.allowed:
        return Verdict("origin", [])
    if not method_allowed(policy, method):
        return Verdict("method", [])
    names = allowed_header_names(policy, request_headers)
    if names is None:
        return Verdict("headers", [])
    if private_network and not policy.allow_private_network:
        return Verdict("private-network", [])
    return Verdict("", names)
