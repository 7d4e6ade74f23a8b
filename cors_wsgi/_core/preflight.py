"""Answers CORS preflights, through a bounded cache of recent answers."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, NamedTuple, Tuple

from .decide import Verdict, check_preflight
from .http import (
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
    HTTP_ACCESS_CONTROL_REQUEST_HEADERS,
    HTTP_ACCESS_CONTROL_REQUEST_METHOD,
    HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
    Header,
)
from .log import DEBUG, Decision, log_decision, logger, request_path
from .memo import TTLCache
from .origins import MAX_ORIGIN_LENGTH
from .policy import VARY_ORIGIN, Policy

__all__ = ["MAX_CACHED_REQUEST_HEADERS", "PreflightAnswer", "PreflightResponder"]

# Access-Control-Request-Headers values longer than this are answered but not
# cached, so that hostile requests cannot fill memory with huge keys: with the
# default 1024 entries the cache holds a few megabytes at the very most.
MAX_CACHED_REQUEST_HEADERS = 2048


class PreflightAnswer(NamedTuple):
    """A preflight's answer, ready to send."""

    #: "" when accepted, else the refusal reason.
    reason: str
    status: str
    headers: Tuple[Header, ...]
    #: The response body, one chunk. Typed as a tuple of any length: the
    #: compiled build keeps a ``Tuple[bytes]`` unboxed and would build a new
    #: tuple each time it is returned to the server.
    body: Tuple[bytes, ...]
    #: The CORS headers to add when the application answers the preflight
    #: itself (``preflight_passthrough``): none but Vary when refused.
    passthrough_headers: List[Header]


class PreflightResponder:
    """Turns a preflight into a ready answer, remembering recent answers.

    Answers are cached for at most the policy's ``max_age``, never when the
    policy's origin rule is a callable, and never under an oversized key, so
    hostile values cannot fill memory.
    """

    __slots__ = ("cache",)

    def __init__(
        self, cache_size: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.cache: TTLCache[Tuple[Any, ...], PreflightAnswer] = TTLCache(
            cache_size, clock
        )

    def answer(
        self, policy: Policy, origin: str, environ: Dict[str, Any]
    ) -> PreflightAnswer:
        method = environ[HTTP_ACCESS_CONTROL_REQUEST_METHOD]
        request_headers = environ.get(HTTP_ACCESS_CONTROL_REQUEST_HEADERS, "")
        private_network = (
            environ.get(HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK) == "true"
        )
        # What the answer depends on; a "*" policy's does not depend on Origin.
        origin_key = origin if policy.origin_dependent else None
        key = (policy.position, origin_key, method, request_headers, private_network)
        answer = self.cache.get(key)
        if answer is None and request_headers.isascii():
            # Header names are case-insensitive and answered lower-cased, so
            # a spelling in other letter cases has the same answer: answers
            # are remembered under the lower-cased list, which is also what
            # browsers send. (Only ASCII is folded: str.lower() turns the
            # Kelvin sign into a "k".)
            folded = request_headers.lower()
            if folded != request_headers:
                key = (policy.position, origin_key, method, folded, private_network)
                answer = self.cache.get(key)
        cached = answer is not None
        if answer is None:
            verdict = check_preflight(
                policy, origin, method, request_headers, private_network, environ
            )
            answer = _render(policy, verdict, origin, method, private_network)
            if (
                policy.cacheable
                and len(request_headers) <= MAX_CACHED_REQUEST_HEADERS
                and len(origin) <= MAX_ORIGIN_LENGTH
                and len(method) <= MAX_ORIGIN_LENGTH
            ):
                self.cache.set(key, answer, policy.max_age or 0)
        if logger.isEnabledFor(DEBUG):
            log_decision(
                Decision(
                    kind="preflight",
                    method="OPTIONS",
                    path=request_path(environ),
                    origin=origin,
                    allowed=not answer.reason,
                    reason=answer.reason,
                    cached=cached,
                    request_method=method,
                    request_headers=request_headers,
                )
            )
        return answer


def _render(
    policy: Policy, verdict: Verdict, origin: str, method: str, private_network: bool
) -> PreflightAnswer:
    if verdict.reason:
        refusal = policy.refusals[verdict.reason]
        vary = [VARY_ORIGIN] if policy.origin_dependent else []
        return PreflightAnswer(
            verdict.reason, refusal.status, refusal.headers, (refusal.body,), vary
        )
    cors: List[Header] = [
        (ACCESS_CONTROL_ALLOW_ORIGIN, "*" if policy.allow_all_origins else origin),
        (ACCESS_CONTROL_ALLOW_METHODS, method),
    ]
    if verdict.names:
        cors.append((ACCESS_CONTROL_ALLOW_HEADERS, ", ".join(verdict.names)))
    cors.extend(policy.preflight_static_headers)
    if private_network:
        cors.append((ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, "true"))
    if policy.origin_dependent:
        cors.append(VARY_ORIGIN)
    return PreflightAnswer(
        "", policy.preflight_status, (*cors, *policy.preflight_framing), (b"",), cors
    )
