"""Probes of an ``allow_origin_regex``: does it let in origins anyone controls?

The middleware matches a request's ``Origin`` with ``pattern.fullmatch``;
these functions ask the same question of a few origins no real site can
have, while a policy is built. With credentials, a pattern that matches
``null`` or a host under the reserved ``.invalid`` top-level domain
(RFC 2606 section 2: it never resolves, so nobody's own origins are there)
also matches origins that an attacker's page can send.
"""

from __future__ import annotations

import itertools
from typing import Optional, Pattern, Tuple

__all__ = ["PROBE_ORIGINS", "anyone_example", "matches_null"]

_SCHEMES = ("https", "http")
# One label, two labels, a www label, hyphens, digits: the shapes of hosts
# that character classes such as [^.]+ or [a-z0-9-]+ are written for.
_HOSTS = (
    "x.invalid",
    "a.b.invalid",
    "www.x.invalid",
    "cors-wsgi-probe.invalid",
    "a-1.invalid",
    "123.invalid",
)
# A browser never sends the default port (":443" on https), but a pattern may
# still require one; ":1" and ":8080" stand for \d+ and for any port.
_PORTS = ("", ":443", ":8080", ":1")

#: Every origin :func:`anyone_example` tries, in order (48 of them).
PROBE_ORIGINS: Tuple[str, ...] = tuple(
    f"{scheme}://{host}{port}"
    for port, host, scheme in itertools.product(_PORTS, _HOSTS, _SCHEMES)
)


def matches_null(pattern: Pattern[str]) -> bool:
    """Whether ``pattern`` fully matches the origin ``null``.

    A sandboxed iframe, a ``data:`` URL or a redirect across origins makes a
    browser send ``Origin: null``, from any page
    (https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin).
    """
    return pattern.fullmatch("null") is not None


def anyone_example(pattern: Pattern[str]) -> Optional[str]:
    """An origin under ``.invalid`` that ``pattern`` fully matches, or None.

    ``.*``, ``https?://.*``, ``https://[^/]+`` or ``https://.*\\.(com|invalid)``
    give an example (``"https://x.invalid"``); ``https://.*\\.example\\.com``
    and ``https://(app|admin)\\.example\\.com`` give None. At most
    ``len(PROBE_ORIGINS)`` full matches of short strings, tried in a fixed
    order, so the answer is the same on every run.
    """
    for origin in PROBE_ORIGINS:
        if pattern.fullmatch(origin) is not None:
            return origin
    return None
