"""Fixtures: ``make_client(**options)`` (Starlette's test_client_factory idea).

``make_client(**options)`` wraps an echo app (``tests.support.apps.EchoApp``;
pass ``app=EchoApp(...)`` to choose its status, headers, body, ``write`` or
``exc_info`` path) in ``CORSMiddleware(**options)``, puts the whole stack under
``wsgiref.validate.validator`` and werkzeug's ``LintMiddleware``, and returns a
``CORSClient`` whose ``preflight()`` and ``actual()`` send requests through
``werkzeug.test.Client``.
"""

from __future__ import annotations

from typing import Any, Optional

import pytest

from tests.support.apps import EchoApp
from tests.support.client import CORSClient, MakeClient, build_client


def pytest_configure(config: pytest.Config) -> None:
    # werkzeug's linter wants "Content-Length: 0" on a 204, but RFC 9110 section
    # 8.6 says a server MUST NOT send Content-Length in a 204 response, and the
    # middleware follows the RFC. Every other lint warning stays an error.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:204 responses must have an empty content length"
        ":werkzeug.middleware.lint.HTTPWarning",
    )
    # Where mypy is installed next to hypothesis, hypothesis's report of a
    # failing example touches mypy_extensions.TypedDict, whose deprecation
    # would turn a plain test failure into an INTERNALERROR.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning",
    )


@pytest.fixture
def make_client() -> MakeClient:
    """A factory of protocol-checked ``CORSMiddleware`` stacks around an echo app."""

    def factory(*, app: Optional[EchoApp] = None, **options: Any) -> CORSClient:
        return build_client(app=app, **options)

    return factory
