"""The import surface, the constructor's signature and the ``cors_wsgi`` logger.

Everything here is fixed by shared/API.md ("Import surface", "Constructor").
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, Dict

import pytest

import cors_wsgi
from cors_wsgi import ConfigurationError, CORSMiddleware
from tests.helpers import ORIGIN, EchoApp, MakeApp

#: The options of API.md's constructor, with their documented defaults.
DOCUMENTED_DEFAULTS: Dict[str, Any] = {
    "allow_origins": (),
    "allow_origin_regex": None,
    "allow_methods": ("GET", "HEAD", "POST"),
    "allow_headers": (),
    "expose_headers": (),
    "allow_credentials": False,
    "max_age": 600,
    "allow_private_network": False,
    "resources": None,
    "preflight_status": 204,
    "deny_status": 403,
    "preflight_passthrough": False,
    "preflight_cache_size": 1024,
}


def test_all_is_exactly_the_public_names() -> None:
    """API.md "Import surface": ``__all__`` is exactly these three names."""
    assert set(cors_wsgi.__all__) == {
        "CORSMiddleware",
        "ConfigurationError",
        "__version__",
    }


def test_version_is_a_dotted_string() -> None:
    """STYLE.md "Versioning": one ``__version__`` string, read by setup.cfg."""
    version = cors_wsgi.__version__
    assert isinstance(version, str)
    assert version.split(".")[0].isdigit()


def test_configuration_error_subclasses_value_error() -> None:
    """API.md "Import surface": ConfigurationError subclasses ValueError."""
    assert issubclass(ConfigurationError, ValueError)


def test_configuration_error_is_raised_by_the_constructor() -> None:
    """ConfigurationError is raised when a policy is built (API.md)."""
    with pytest.raises(ConfigurationError):
        CORSMiddleware(EchoApp(), allow_origins=["example.com"])


@pytest.mark.parametrize(
    ("name", "default"),
    [pytest.param(name, value, id=name) for name, value in DOCUMENTED_DEFAULTS.items()],
)
def test_constructor_documents_option_as_keyword_only_with_its_default(
    name: str, default: Any
) -> None:
    """The signature shows each option of API.md, keyword-only, with its default."""
    parameter = inspect.signature(CORSMiddleware).parameters[name]
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert parameter.default == default


def test_the_wrapped_application_is_the_first_positional_parameter() -> None:
    """API.md "Constructor": ``CORSMiddleware(application, **options)``."""
    parameters = list(inspect.signature(CORSMiddleware).parameters.values())
    assert parameters[0].kind in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )


def test_default_middleware_is_a_wsgi_callable(make_app: MakeApp) -> None:
    """With no options, requests without Origin reach the app (API.md rule 2)."""
    response = make_app().actual(None)
    assert response.status_code == 200
    assert response.data == b"hello from the app"


def test_from_config_is_a_classmethod_returning_a_middleware() -> None:
    """API.md "String configuration": ``CORSMiddleware.from_config(app, mapping)``."""
    middleware = CORSMiddleware.from_config(EchoApp(), {"allow_origins": ORIGIN})
    assert isinstance(middleware, CORSMiddleware)


def test_library_sets_no_level_on_its_logger(make_app: MakeApp) -> None:
    """The library never sets logger levels (flask-cors pitfall; issue 2)."""
    make_app(allow_origins=[ORIGIN]).actual(ORIGIN)
    assert logging.getLogger("cors_wsgi").level == logging.NOTSET


def test_library_adds_no_output_handler_to_its_logger(make_app: MakeApp) -> None:
    """Issue 2: the library never adds handlers (a NullHandler prints nothing)."""
    make_app(allow_origins=[ORIGIN]).actual(ORIGIN)
    handlers = logging.getLogger("cors_wsgi").handlers
    assert all(isinstance(handler, logging.NullHandler) for handler in handlers)


def test_decisions_are_logged_at_debug_on_the_cors_wsgi_logger(
    make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    """One DEBUG line per decision, on the ``cors_wsgi`` logger (issue 2)."""
    app = make_app(allow_origins=[ORIGIN])
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        app.preflight(ORIGIN, "DELETE")
    records = [r for r in caplog.records if r.name.startswith("cors_wsgi")]
    assert records
    assert all(record.levelno == logging.DEBUG for record in records)


def test_nothing_is_logged_above_debug(
    make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 2: one DEBUG line per decision; refusals are not warnings."""
    app = make_app(allow_origins=[ORIGIN])
    with caplog.at_level(logging.INFO, logger="cors_wsgi"):
        app.preflight("https://evil.example.net", "DELETE")
        app.actual("https://evil.example.net")
    assert [r for r in caplog.records if r.name.startswith("cors_wsgi")] == []
