"""The origins the suite's policies allow, or refuse."""

from __future__ import annotations

#: The origin most policies in the suite allow.
ORIGIN = "https://app.example.com"
#: An origin no policy in the suite allows unless it says so.
EVIL = "https://evil.example.net"

#: What ``https://*.example.com`` matches: one or more whole host labels in
#: front of ``example.com`` (API.md "Origins"; docs/security.rst, "Wildcard
#: labels"), host compared case-insensitively, the default port dropped.
WILDCARD_MATCHES = (
    "https://a.example.com",
    "https://a.b.example.com",
    "https://A.Example.COM",
    "https://a.example.com:443",
    "https://xn--bcher-kva.example.com",
    "https://a-b_c.example.com",
    "https://1.2.3.example.com",
)
#: What it never matches: the apex, lookalikes, suffix attacks, another scheme
#: or port, malformed labels, ``null``.
WILDCARD_MISSES = (
    "https://example.com",
    "https://.example.com",
    "https://evil-example.com",
    "https://example.com.evil.net",
    "https://a.example.com.evil.net",
    "https://a.example.com:8443",
    "https://a.example.com:0443",
    "http://a.example.com",
    "wss://a.example.com",
    "https://a.exampleXcom",
    "https://a..example.com",
    "https://a~b.example.com",
    "https://a.b%.example.com",
    "https://a!.example.com",
    "https://a!.b.example.com",
    "https://com",
    "https://[::1]",
    "null",
)
