"""Run CORScanner's probes against one URL, with every byte kept on loopback.

``python -m tests.scanner.corscanner URL`` prints one JSON object:
``findings`` (what CORScanner reports: each probe whose Origin came back in
Access-Control-Allow-Origin), ``refused`` (every attempt to reach another
address, which this wrapper blocked) and ``probes`` (the probes run).

CORScanner (PyPI ``cors``) sends its requests only to the target, but it
resolves registered domains with ``tldextract``, which downloads the Public
Suffix List from the internet on first use: that download is turned off here
(``suffix_list_urls=()``, tldextract's bundled snapshot is used instead). The
target's host name is resolved to 127.0.0.1 by this wrapper, so that the
probes carry a real domain (``http://api.corp.example.com.evil.com`` and the
like) while the connection goes to loopback. An audit hook sees every
``socket.connect`` and ``socket.getaddrinfo`` of the process, whoever makes
it, and refuses any other address.

All probes run, not only up to the first finding (``check_one_by_one`` stops
there).
"""

from __future__ import annotations

import importlib
import ipaddress
import json
import sys
from typing import Any, List, Tuple

LOOPBACK = "127.0.0.1"
#: The host name the probes use; this wrapper resolves it to loopback.
TARGET_HOST = "api.corp.example.com"
ALLOWED_NAMES = {LOOPBACK, "localhost", TARGET_HOST}

refused: List[str] = []


def _is_loopback(host: Any) -> bool:
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False


def audit(event: str, args: Tuple[Any, ...]) -> None:
    """Refuse any connection or name look-up that would leave loopback."""
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            refused.append(f"connect {address!r}")
            raise PermissionError(f"blocked: connect to {address!r}")
    elif event == "socket.getaddrinfo":
        host = args[0]
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if host is not None and host not in ALLOWED_NAMES and not _is_loopback(host):
            refused.append(f"getaddrinfo {host!r}")
            raise PermissionError(f"blocked: look-up of {host!r}")


PROBES = (
    "test_reflect_origin",
    "test_prefix_match",
    "test_suffix_match",
    "test_trust_null",
    "test_include_match",
    "test_not_escape_dot",
    "test_custom_third_parties",
    "test_special_characters_bypass",
    "test_trust_any_subdomain",
    "test_https_trust_http",
)


def main(argv: List[str]) -> int:
    (url,) = argv
    sys.addaudithook(audit)

    # Imported by name: they are installed with CORScanner, in its env only.
    tldextract: Any = importlib.import_module("tldextract")
    connection: Any = importlib.import_module("urllib3.util.connection")

    # The Public Suffix List from tldextract's own snapshot, never downloaded.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    create_connection = connection.create_connection

    def to_loopback(address: Tuple[str, int], *args: Any, **kwargs: Any) -> Any:
        host, port = address
        if host == TARGET_HOST:
            host = LOOPBACK
        return create_connection((host, port), *args, **kwargs)

    connection.create_connection = to_loopback
    # CORScanner's import monkey-patches the standard library for gevent.
    corscheck: Any = importlib.import_module("CORScanner.common.corscheck")
    logger: Any = importlib.import_module("CORScanner.common.logger")

    log = logger.Log(None, print_level=4)
    check = corscheck.CORSCheck(url, {"logger": log, "headers": None, "timeout": 10})
    for probe in PROBES:
        getattr(check, probe)()
    print(
        json.dumps(
            {"findings": check.all_results, "refused": refused, "probes": PROBES}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
