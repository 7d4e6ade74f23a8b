"""The origins the suite's policies allow, or refuse."""

from __future__ import annotations

#: The origin most policies in the suite allow.
ORIGIN = "https://app.example.com"
#: An origin no policy in the suite allows unless it says so.
EVIL = "https://evil.example.net"
