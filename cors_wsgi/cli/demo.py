"""``cors-wsgi demo``: see in a browser what the middleware does.

Three origins on 127.0.0.1, served by the standard library's ``wsgiref``
(one thread per request): the page on ``--port``, the API (wrapped in
CORSMiddleware) on the next port, and a second page origin, which the
policy does not list, on the one after. The page's URL is printed first.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import signal
import sys
import threading
import webbrowser
from typing import Any, List, Tuple
from wsgiref.simple_server import WSGIRequestHandler

from .._loading import enable_decision_log
from ..demo.app import DecisionCollector, Demo
from .serve import _interrupt, _ThreadingServer, port_number

__all__ = ["register"]

DEFAULT_PORT = 8700
_HOST = "127.0.0.1"


class _RequestHandler(WSGIRequestHandler):
    # The decision log says what matters; one access line per request would
    # bury it. Errors are still reported.
    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass


def register(subparsers: Any) -> None:
    """Add the ``demo`` command to *subparsers*."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="see in a browser what the middleware allows and refuses",
        description=(
            "Start a page and an API served through CORSMiddleware on two "
            "loopback origins (and a second page origin the policy does not "
            "list), print the page's URL and open it in a browser. The page "
            "runs cross-origin fetch() calls (simple, preflighted, "
            "credentialed, refused...) and shows for each what the browser "
            "did, what the API received and what the middleware decided; its "
            "policy can be edited there."
        ),
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=(
            "port of the page; the API listens on the next one and the other "
            "page origin on the one after (0 picks three free ports; "
            "default: %(default)s)"
        ),
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="print the page's URL without opening a browser",
    )
    parser.set_defaults(run=functools.partial(run, parser))


def _listen(port: int) -> List[_ThreadingServer]:
    """The page, API and other servers, bound; closed again on failure."""
    if port > 65535 - 2:
        raise OSError(f"port {port} leaves no room for the API's and the other page's")
    servers: List[_ThreadingServer] = []
    try:
        for offset in range(3):
            servers.append(
                _ThreadingServer((_HOST, port + offset if port else 0), _RequestHandler)
            )
    except OSError:
        for server in servers:
            server.server_close()
        raise
    return servers


def _origin(server: _ThreadingServer) -> str:
    return f"http://{_HOST}:{server.server_address[1]}"


def _has_desktop() -> bool:
    """Whether a graphical browser can open here. Elsewhere (a server, a
    container, an SSH session) ``webbrowser`` would fall back to a text
    browser that takes the terminal over and cannot run the page."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open_browser(url: str) -> None:
    if not _has_desktop():
        print(
            "No desktop session here: open the page's URL in a browser that "
            "can reach this machine's 127.0.0.1 (or pass --no-browser).",
            flush=True,
        )
        return
    # From a thread of its own: a browser that is slow to start must not
    # keep the servers from answering.
    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Serve the demo until Ctrl-C or SIGTERM; the exit status."""
    try:
        servers = _listen(args.port)
    except OSError as exc:
        ports = (
            "three free ports"
            if args.port == 0
            else (f"ports {args.port}-{args.port + 2}")
        )
        print(
            f"{parser.prog}: error: cannot listen on {_HOST}, {ports}: "
            f"{getattr(exc, 'strerror', None) or exc}; try another --port",
            file=sys.stderr,
        )
        return 1
    page, api, other = servers
    demo = Demo(_origin(page), _origin(api), _origin(other))
    apps: Tuple[Any, Any, Any] = (demo.page, demo.api, demo.other)
    for server, app in zip(servers, apps):
        server.set_app(app)
    enable_decision_log()
    collector = DecisionCollector(demo)
    logger = logging.getLogger("cors_wsgi")
    logger.addHandler(collector)
    threads = [
        threading.Thread(target=server.serve_forever, daemon=True)
        for server in (api, other)
    ]
    for thread in threads:
        thread.start()
    url = demo.page_origin + "/"
    print(f"cors_wsgi demo: open {url}", flush=True)
    print(f"  page:        {url}", flush=True)
    print(f"  API:         {demo.api_origin}/  (served through CORSMiddleware)")
    print(f"  other page:  {demo.other_origin}/  (an origin the policy does not list)")
    print(
        "Decisions are logged below, one line each. Ctrl-C stops the demo.",
        flush=True,
    )
    if not args.no_browser:
        _open_browser(url)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        page.serve_forever()
    except KeyboardInterrupt:
        print("Stopped.", flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        logger.removeHandler(collector)
        for server in (api, other):
            server.shutdown()
        for server in servers:
            server.server_close()
    return 0
