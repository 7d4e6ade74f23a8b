"""Answers CORS preflights from the rules, through a bounded cache."""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from .cache import TTLCache
from .config import (
    REASON_HEADERS,
    REASON_METHOD,
    REASON_ORIGIN,
    REASON_PRIVATE_NETWORK,
    Policy,
)
from .httputil import (
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
    HTTP_ACCESS_CONTROL_REQUEST_HEADERS,
    HTTP_ACCESS_CONTROL_REQUEST_METHOD,
    HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
    Header,
)
from .origins import MAX_ORIGIN_LENGTH
from .rules import check_preflight

__all__ = [
    "MAX_CACHED_REQUEST_HEADERS",
    "PreflightAnswer",
    "PreflightKey",
    "PreflightResponder",
    "log_preflight",
    "preflight_key",
]

logger = logging.getLogger("cors_wsgi")
_DEBUG = logging.DEBUG

# Access-Control-Request-Headers values longer than this are answered but not
# cached, so that hostile requests cannot fill memory with huge keys: with the
# default 1024 entries the cache holds a few megabytes at the very most.
MAX_CACHED_REQUEST_HEADERS = 2048

# (refusal reason or "" when accepted, status line, every response header,
#  the CORS headers alone for a passthrough answer, the body as an iterable)
PreflightAnswer = Tuple[str, str, Tuple[Header, ...], Tuple[Header, ...], Tuple[bytes]]

_EMPTY: Tuple[Header, ...] = ()
# An empty body under a status that may carry one still says what it is.
_EMPTY_BODY: Tuple[Header, ...] = (
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Content-Length", "0"),
)


PreflightKey = Tuple[int, Optional[str], str, str, bool]


def preflight_key(
    index: int, policy: Policy, origin: str, environ: Dict[str, Any]
) -> PreflightKey:
    """What a preflight's answer depends on: (policy index, origin, method,
    requested headers as sent, private-network flag).

    The origin is left out under a ``"*"`` policy, whose answer does not
    depend on it. The middleware builds the same tuple inline.
    """
    return (
        index,
        origin if policy.origin_dependent else None,
        environ[HTTP_ACCESS_CONTROL_REQUEST_METHOD],
        environ.get(HTTP_ACCESS_CONTROL_REQUEST_HEADERS, ""),
        environ.get(HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK) == "true",
    )


class PreflightResponder:
    """Turns a preflight into a ready answer, remembering recent answers.

    :attr:`cache` maps a :func:`preflight_key` to its answer. The middleware
    reads it first (a hit is one lookup and one clock reading) and calls
    :meth:`answer` on a miss. Answers are cached for at most the policy's
    ``max_age``, never when the policy's origin rule is a callable, and never
    under an oversized key, so hostile values cannot fill memory.
    """

    __slots__ = ("cache",)

    def __init__(
        self, cache_size: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.cache: TTLCache[PreflightAnswer] = TTLCache(cache_size, clock)

    def cached(self, key: PreflightKey) -> Optional[PreflightAnswer]:
        """The cached answer for *key*, if there is a fresh one."""
        return self.cache.get(key)

    def answer(
        self, key: PreflightKey, policy: Policy, origin: str, environ: Dict[str, Any]
    ) -> PreflightAnswer:
        """Decide the preflight of *key* afresh, and remember the answer."""
        _, _, method, request_headers, private_network = key
        reason, names = check_preflight(
            policy, origin, method, request_headers, private_network, environ
        )
        result = _render(policy, reason, names, origin, method, private_network)
        if (
            policy.cacheable
            and len(request_headers) <= MAX_CACHED_REQUEST_HEADERS
            and len(origin) <= MAX_ORIGIN_LENGTH
            and len(method) <= MAX_ORIGIN_LENGTH
        ):
            self.cache.set(key, result, policy.max_age or 0)
        if logger.isEnabledFor(_DEBUG):
            log_preflight(reason, origin, method, request_headers, "")
        return result


def _render(
    policy: Policy,
    reason: str,
    names: List[str],
    origin: str,
    method: str,
    private_network: bool,
) -> PreflightAnswer:
    if reason:
        status, headers, body = policy.deny_responses[reason]
        return reason, status, headers, _EMPTY, (body,)
    cors: List[Header] = [
        (ACCESS_CONTROL_ALLOW_ORIGIN, "*" if policy.allow_all_origins else origin),
        (ACCESS_CONTROL_ALLOW_METHODS, method),
    ]
    if names:
        cors.append((ACCESS_CONTROL_ALLOW_HEADERS, ", ".join(names)))
    cors.extend(policy.preflight_static_headers)
    if private_network:
        cors.append((ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, "true"))
    if policy.origin_dependent:
        cors.append(("Vary", "Origin"))
    framing = _EMPTY_BODY if policy.preflight_has_body else _EMPTY
    return "", policy.preflight_status, (*cors, *framing), tuple(cors), (b"",)


_WHAT = {
    REASON_ORIGIN: "origin not allowed",
    REASON_METHOD: "method not allowed",
    REASON_HEADERS: "request headers not allowed",
    REASON_PRIVATE_NETWORK: "private network access not allowed",
}
# Request values go into log lines as repr(), cut to this length.
_LOG_VALUE_LENGTH = 200


def log_preflight(
    reason: str, origin: str, method: str, request_headers: str, cached: str
) -> None:
    limit = _LOG_VALUE_LENGTH
    logger.debug(
        "preflight %s: origin=%r method=%r request-headers=%r%s",
        f"refused, {_WHAT[reason]}" if reason else "accepted",
        origin[:limit],
        method[:limit],
        request_headers[:limit],
        cached,
    )
