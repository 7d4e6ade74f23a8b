"""The bodies of refused preflights: one fixed text per reason, never echoing
request values (docs/behaviour.rst, "3. Preflight")."""

from __future__ import annotations

REFUSED_ORIGIN = b"CORS preflight refused: origin not allowed"
REFUSED_METHOD = b"CORS preflight refused: method not allowed"
REFUSED_HEADERS = b"CORS preflight refused: headers not allowed"
REFUSED_PRIVATE_NETWORK = b"CORS preflight refused: private network access not allowed"
