"""``cors-wsgi serve MODULE:CALLABLE``: an app behind the middleware, for development.

The server is the standard library's ``wsgiref``, one thread per request.
It is meant for trying a policy out on a laptop; production runs
``cors_wsgi.wsgi:application`` (or the app wrapped in Python) under gunicorn,
waitress, uWSGI or mod_wsgi.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import socketserver
import sys
from types import FrameType
from typing import Any, Dict, List, Optional
from wsgiref.simple_server import WSGIServer, make_server

from .._core.errors import ConfigurationError
from .._core.options import flag_name
from .._loading import enable_decision_log, import_app, wrap
from ._policy import add_policy_flags, fail, policy_options

__all__ = ["register"]

_APP_LABEL = "MODULE:CALLABLE"


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    # A request still running does not keep the server from stopping.
    daemon_threads = True


def port_number(text: str) -> int:
    """A TCP port, 0 to 65535 (0: any free port)."""
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port number; use 0 to 65535 (0 picks a free one)"
        )
    return int(text)


def register(subparsers: Any) -> None:
    """Add the ``serve`` command to *subparsers*."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="serve a WSGI app wrapped with a CORS policy on a development server",
        description=(
            "Import the WSGI callable MODULE:CALLABLE (e.g. "
            "legacy.wsgi:application, looked up from the current folder too), "
            "wrap it in CORSMiddleware with the policy the flags give, and "
            "serve it on a development server (wsgiref, one thread per "
            "request). For production, run cors_wsgi.wsgi:application under "
            "gunicorn, waitress, uWSGI or mod_wsgi."
        ),
    )
    parser.add_argument(
        "app", metavar=_APP_LABEL, help="the WSGI application to wrap and serve"
    )
    add_policy_flags(parser)
    server = parser.add_argument_group("server")
    server.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s)",
    )
    server.add_argument(
        "--port",
        type=port_number,
        default=8000,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    server.add_argument(
        "--debug",
        action="store_true",
        help="log every CORS decision to standard error",
    )
    parser.set_defaults(run=functools.partial(run, parser))


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; the exit status."""
    errors: List[str] = []
    options: Dict[str, Any] = {}
    try:
        options = policy_options(args)
    except ConfigurationError as exc:
        errors.append(str(exc))
    # As gunicorn does: the app's module is looked up from the current folder.
    sys.path.insert(0, os.getcwd())
    try:
        application = wrap(
            lambda: import_app(args.app, _APP_LABEL), options, flag_name, errors
        )
    except ConfigurationError as exc:
        fail(parser, exc)
    if args.debug:
        enable_decision_log()
    try:
        httpd = make_server(
            args.host, args.port, application, server_class=_ThreadingServer
        )
    except OSError as exc:
        print(
            f"{parser.prog}: error: cannot listen on {args.host}:{args.port}: "
            f"{exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    with httpd:
        port = httpd.server_address[1]
        print(f"Serving {args.app} with CORS on http://{args.host}:{port}/", flush=True)
        print(
            "This is a development server: do not use it in production "
            "(Ctrl-C stops it).",
            flush=True,
        )
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            print("Stopped.", flush=True)
        finally:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _interrupt(signum: int, frame: Optional[FrameType]) -> None:
    # SIGTERM stops the server as Ctrl-C does.
    raise KeyboardInterrupt
