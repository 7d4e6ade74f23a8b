"""The import surface, the constructor's signature and the ``cors_wsgi`` logger.

docs/api.rst: ``from cors_wsgi import CORSMiddleware, ConfigurationError``; the
Fetch safelist functions are public in ``cors_wsgi.fetch``; everything else is
private.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, Dict

import pytest

import cors_wsgi
import cors_wsgi.fetch
from cors_wsgi import ConfigurationError, CORSMiddleware
from tests.support.apps import APP_BODY, EchoApp
from tests.support.client import MakeClient
from tests.support.origins import EVIL, ORIGIN

#: The options of the constructor, with their documented defaults
#: (docs/configuration.rst).
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
    """docs/api.rst: ``cors_wsgi.__all__`` is exactly these three names."""
    assert sorted(cors_wsgi.__all__) == [
        "CORSMiddleware",
        "ConfigurationError",
        "__version__",
    ]


def test_every_name_in_all_is_importable() -> None:
    for name in cors_wsgi.__all__:
        assert hasattr(cors_wsgi, name), name


def test_fetch_all_lists_the_safelist_functions() -> None:
    """docs/safelist.rst: the Fetch Standard's safelists, public and pure."""
    assert sorted(cors_wsgi.fetch.__all__) == [
        "CORS_SAFELISTED_METHODS",
        "CORS_SAFELISTED_REQUEST_HEADER_NAMES",
        "cors_unsafe_request_header_names",
        "is_cors_safelisted_method",
        "is_cors_safelisted_request_header",
        "needs_preflight",
        "normalize_method",
    ]
    for name in cors_wsgi.fetch.__all__:
        assert hasattr(cors_wsgi.fetch, name), name


def test_compiled_says_whether_the_modules_are_compiled() -> None:
    """docs/api.rst: ``cors_wsgi.COMPILED`` is a bool, True only when the core's modules
    are extension modules (mypyc), not Python source."""
    from cors_wsgi._core import middleware

    assert isinstance(cors_wsgi.COMPILED, bool)
    assert cors_wsgi.COMPILED is not str(middleware.__file__).endswith(".py")


def test_version_is_a_dotted_string() -> None:
    """One ``__version__`` string, read by setup.cfg (``attr:``)."""
    version = cors_wsgi.__version__
    assert isinstance(version, str)
    assert version.split(".")[0].isdigit()


def test_configuration_error_subclasses_value_error() -> None:
    """docs/api.rst: ConfigurationError subclasses ValueError."""
    assert issubclass(ConfigurationError, ValueError)


def test_configuration_error_is_raised_by_the_constructor() -> None:
    """docs/configuration.rst: raised when a policy is built."""
    with pytest.raises(ConfigurationError):
        CORSMiddleware(EchoApp(), allow_origins=["example.com"])


@pytest.mark.parametrize(
    ("name", "default"),
    [pytest.param(name, value, id=name) for name, value in DOCUMENTED_DEFAULTS.items()],
)
def test_constructor_documents_option_as_keyword_only_with_its_default(
    name: str, default: Any
) -> None:
    """docs/configuration.rst: each option is keyword-only, with its default shown in
    the signature."""
    parameter = inspect.signature(CORSMiddleware).parameters[name]
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert parameter.default == default


def test_the_wrapped_application_is_the_first_positional_parameter() -> None:
    """docs/api.rst: ``CORSMiddleware(application, **options)``."""
    parameters = list(inspect.signature(CORSMiddleware).parameters.values())
    assert parameters[0].kind in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )


def test_default_middleware_is_a_wsgi_callable(make_client: MakeClient) -> None:
    """docs/behaviour.rst, "2. No Origin header": with no options, requests without
    Origin reach the app."""
    response = make_client().actual(None)
    assert response.status_code == 200
    assert response.data == APP_BODY


def test_from_config_is_a_classmethod_returning_a_middleware() -> None:
    """docs/from_config.rst: ``CORSMiddleware.from_config(app, mapping)``."""
    middleware = CORSMiddleware.from_config(EchoApp(), {"allow_origins": ORIGIN})
    assert isinstance(middleware, CORSMiddleware)


def test_library_sets_no_level_on_its_logger(make_client: MakeClient) -> None:
    """docs/troubleshooting.rst: the library never sets logger levels (the flask-cors
    pitfall); the application decides."""
    make_client(allow_origins=[ORIGIN]).actual(ORIGIN)
    assert logging.getLogger("cors_wsgi").level == logging.NOTSET


def test_library_adds_no_output_handler_to_its_logger(
    make_client: MakeClient,
) -> None:
    """docs/troubleshooting.rst: the library never adds handlers (a NullHandler prints
    nothing)."""
    make_client(allow_origins=[ORIGIN]).actual(ORIGIN)
    handlers = logging.getLogger("cors_wsgi").handlers
    assert all(isinstance(handler, logging.NullHandler) for handler in handlers)


def test_nothing_is_logged_above_debug(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    """docs/troubleshooting.rst: one DEBUG line per decision; refusals are not
    warnings."""
    client = make_client(allow_origins=[ORIGIN])
    with caplog.at_level(logging.INFO, logger="cors_wsgi"):
        client.preflight(EVIL, "DELETE")
        client.actual(EVIL)
    assert [r for r in caplog.records if r.name.startswith("cors_wsgi")] == []
