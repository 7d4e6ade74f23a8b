"""The protocol-checked stack under test, and a client to send it requests.

The stack is always
``validator(LintMiddleware(CORSMiddleware(LintMiddleware(app))))`` so that any
PEP 3333 slip, by the middleware or by the app it wraps, fails a test (with
``filterwarnings = error``, werkzeug's lint warnings are errors too). wsgiref's
validator cannot sit inside werkzeug's linter: the linter's input wrapper has no
``readlines``, which the validator insists on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional, Protocol
from wsgiref.validate import validator

from werkzeug.middleware.lint import LintMiddleware
from werkzeug.test import Client, TestResponse
from werkzeug.wrappers import Request

from cors_wsgi import CORSMiddleware
from tests.support.apps import EchoApp
from tests.support.environ import (
    ServerResult,
    make_environ,
    preflight_headers,
    run_pep3333,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment


def protocol_checked(app: WSGIApplication) -> WSGIApplication:
    """Wrap *app* in werkzeug's LintMiddleware, then wsgiref's validator."""
    return validator(LintMiddleware(app))


class CORSClient:
    """A CORSMiddleware around an EchoApp, under both WSGI checkers, with a client.

    ``validator(LintMiddleware(CORSMiddleware(LintMiddleware(echo), **options)))``:
    the outer pair checks what the middleware sends, the inner linter checks how
    the middleware calls the app.
    """

    def __init__(self, app: EchoApp, middleware: CORSMiddleware) -> None:
        self.app = app
        self.middleware = middleware
        self.wsgi = protocol_checked(middleware)
        self.client = Client(self.wsgi)

    def open_environ(self, environ: WSGIEnvironment) -> TestResponse:
        """Send a prepared environ through werkzeug's Client, buffered and closed."""
        app_iter, status, headers = self.client.run_wsgi_app(environ, buffered=True)
        return TestResponse(app_iter, status, headers, request=Request(environ))

    def request(
        self,
        method: str = "GET",
        path: str = "/",
        headers: Optional[Mapping[str, str]] = None,
        **overrides: Any,
    ) -> TestResponse:
        return self.open_environ(make_environ(method, path, headers, **overrides))

    def preflight(
        self,
        origin: Optional[str],
        request_method: str,
        request_headers: Optional[str] = None,
        *,
        private_network: bool = False,
        path: str = "/",
        **overrides: Any,
    ) -> TestResponse:
        """An ``OPTIONS`` preflight, https://fetch.spec.whatwg.org/#cors-preflight-fetch."""
        headers = preflight_headers(
            origin, request_method, request_headers, private_network=private_network
        )
        return self.request("OPTIONS", path, headers, **overrides)

    def actual(
        self,
        origin: Optional[str],
        method: str = "GET",
        *,
        path: str = "/",
        headers: Optional[Mapping[str, str]] = None,
        **overrides: Any,
    ) -> TestResponse:
        """An actual (non-preflight) request, with ``Origin`` when given."""
        all_headers = dict(headers or {})
        if origin is not None:
            all_headers["Origin"] = origin
        return self.request(method, path, all_headers, **overrides)

    def serve(self, environ: WSGIEnvironment) -> ServerResult:
        """Run the checked stack under the strict PEP 3333 runner (exc_info paths)."""
        return run_pep3333(self.wsgi, environ)


def build_client(*, app: Optional[EchoApp] = None, **options: Any) -> CORSClient:
    """Wrap *app* (a fresh EchoApp by default) in ``CORSMiddleware(**options)``."""
    echo = app if app is not None else EchoApp()
    middleware = CORSMiddleware(LintMiddleware(echo), **options)
    return CORSClient(echo, middleware)


def config_client(config: Mapping[str, Any]) -> CORSClient:
    """A checked stack around ``CORSMiddleware.from_config(echo, config)``."""
    echo = EchoApp()
    return CORSClient(echo, CORSMiddleware.from_config(LintMiddleware(echo), config))


class MakeClient(Protocol):
    """The type of the ``make_client`` fixture."""

    def __call__(
        self, *, app: Optional[EchoApp] = None, **options: Any
    ) -> CORSClient: ...
