"""The Paste Deploy filter ``egg:cors_wsgi#cors``, in front of a real Pyramid app.

API.md "Entry points for stacks and servers": the ``paste.filter_app_factory``
entry point named ``cors``, with string options as in ``from_config``. The
ini files are loaded with ``paste.deploy.loadapp``; the Pyramid app is the
doc page's recipe, ``docs/recipes/examples/paste_pyramid_app.py``.
"""

from __future__ import annotations

import importlib
import warnings
from importlib.metadata import distribution
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, List, cast

import pytest

from cors_wsgi import ConfigurationError, CORSMiddleware
from cors_wsgi.paste import filter_app_factory
from tests.helpers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACMA,
    EVIL,
    ORIGIN,
    EchoApp,
    assert_cors_headers,
    preflight_headers,
)
from tests.integrations import EXAMPLES, CheckedClient

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

with warnings.catch_warnings():
    # Pyramid imports pkg_resources and WebOb 1.8 the cgi module; both warn on
    # current Pythons and setuptools, before any code of ours runs.
    warnings.filterwarnings("ignore", "pkg_resources is deprecated")
    warnings.filterwarnings("ignore", "Deprecated call to `pkg_resources")
    warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
    importlib.import_module("pyramid.config")
    _loadapp: Callable[..., Any] = importlib.import_module("paste.deploy").loadapp

INI_FILES = Path(__file__).parent / "pasteapp"


@pytest.fixture(autouse=True)
def recipe_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """``use = call:paste_pyramid_app:main`` finds the doc page's Pyramid app."""
    monkeypatch.syspath_prepend(str(EXAMPLES))


def loadapp(path: Path) -> WSGIApplication:
    return cast("WSGIApplication", _loadapp(f"config:{path}"))


def configuration_error(path: Path) -> List[str]:
    with pytest.raises(ConfigurationError) as caught:
        loadapp(path)
    return str(caught.value).splitlines()


def test_the_cors_entry_point_is_the_filter_app_factory() -> None:
    """API.md: the ``paste.filter_app_factory`` entry point named ``cors``."""
    (entry_point,) = [
        ep
        for ep in distribution("cors_wsgi").entry_points
        if ep.group == "paste.filter_app_factory" and ep.name == "cors"
    ]
    assert entry_point.load() is filter_app_factory


def test_the_recipe_pipeline_answers_preflights_before_pyramid() -> None:
    """API.md "Behaviour on the wire" 3: the middleware answers the preflight;
    Pyramid, which has no OPTIONS view, would answer 404."""
    client = CheckedClient(loadapp(EXAMPLES / "paste_pyramid.ini"))
    response = client.options(
        "/api/items/pear", headers=preflight_headers(ORIGIN, "DELETE", "authorization")
    )
    assert response.status_code == 204
    assert_cors_headers(
        response,
        {
            ACAO: ORIGIN,
            ACAM: "DELETE",
            ACAH: "authorization",
            ACAC: "true",
            ACMA: "3600",
            "Vary": "Origin",
        },
    )


def test_the_recipe_pipeline_adds_the_headers_to_pyramids_answers() -> None:
    """API.md "Behaviour on the wire" 4: the app runs; an allowed origin's
    answer gains Access-Control-Allow-Origin and -Credentials."""
    client = CheckedClient(loadapp(EXAMPLES / "paste_pyramid.ini"))
    created = client.post(
        "/api/items", headers={"Origin": ORIGIN}, json={"name": "plum"}
    )
    assert created.status_code == 201
    assert created.json == {"created": "plum"}
    assert_cors_headers(created, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})
    refused = client.get("/api/items", headers={"Origin": EVIL})
    assert refused.json == {"items": ["apple", "pear"]}
    assert_cors_headers(refused, {"Vary": "Origin"})


def test_a_pyramid_404_carries_the_cors_headers() -> None:
    """API.md "Behaviour on the wire" 6: error responses get the same headers."""
    client = CheckedClient(loadapp(EXAMPLES / "paste_pyramid.ini"))
    response = client.get("/api/missing", headers={"Origin": ORIGIN})
    assert response.status_code == 404
    assert_cors_headers(response, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})


def test_filter_with_puts_the_filter_in_front_of_the_app() -> None:
    """API.md: the same filter, placed with ``filter-with`` instead of a pipeline."""
    client = CheckedClient(loadapp(INI_FILES / "filter_with.ini"))
    response = client.options(
        "/api/items/pear", headers=preflight_headers(ORIGIN, "DELETE")
    )
    assert_cors_headers(
        response, {ACAO: ORIGIN, ACAM: "DELETE", ACMA: "600", "Vary": "Origin"}
    )


def test_a_default_section_key_is_neither_an_option_nor_an_error() -> None:
    """Paste Deploy passes ``[DEFAULT]`` keys (``debug = true``) in global_conf,
    not in the section's options: they are not the filter's, and are ignored."""
    client = CheckedClient(loadapp(INI_FILES / "default_debug.ini"))
    response = client.get("/api/items", headers={"Origin": ORIGIN})
    assert_cors_headers(response, {ACAO: ORIGIN, "Vary": "Origin"})


def test_an_option_in_the_default_section_is_refused() -> None:
    """Paste Deploy leaves a ``[DEFAULT]`` key out of every section, even one
    that sets it: ``allow_origins`` there would hide the filter's own line, so
    the policy would silently differ from the file; it is refused instead."""
    (line,) = configuration_error(INI_FILES / "default_option.ini")
    assert line.startswith("allow_origins: set in [DEFAULT], which Paste Deploy")
    assert "'get allow_origins = allow_origins'" in line


def test_a_default_value_taken_with_get_is_used() -> None:
    """Paste Deploy's ``get NAME = GLOBAL`` copies a ``[DEFAULT]`` value into the
    section's options: the filter then uses it."""
    client = CheckedClient(loadapp(INI_FILES / "get_from_default.ini"))
    response = client.get("/api/items", headers={"Origin": ORIGIN})
    assert_cors_headers(response, {ACAO: ORIGIN, "Vary": "Origin"})


def test_every_problem_of_the_filter_section_is_named_by_its_key() -> None:
    """API.md: an unknown key is named with the option probably meant; a value
    that does not parse names its option; ``resources`` has no string form;
    all in one ConfigurationError, one line each."""
    lines = configuration_error(INI_FILES / "bad_section.ini")
    assert len(lines) == 3
    joined = "\n".join(lines)
    assert "unknown option 'allow_origin'; did you mean 'allow_origins'?" in joined
    assert "max_age: 'ten' is not a decimal integer" in joined
    assert "resources: per-path policies cannot be given as a string" in joined


def test_the_factory_ignores_the_global_conf_paste_deploy_always_passes() -> None:
    """Paste Deploy's global_conf always holds ``here`` and ``__file__``, and
    whatever ``[DEFAULT]`` sets: none of them is an option of the filter."""
    middleware = filter_app_factory(
        EchoApp(),
        {"here": "/srv/app", "__file__": "/srv/app/production.ini", "debug": "true"},
        allow_origins=ORIGIN,
        max_age="none",
    )
    assert isinstance(middleware, CORSMiddleware)
    response = CheckedClient(middleware).options(
        "/", headers=preflight_headers(ORIGIN, "GET")
    )
    assert_cors_headers(response, {ACAO: ORIGIN, ACAM: "GET", "Vary": "Origin"})


def test_the_factory_refuses_an_option_in_global_conf_with_dashes_or_case() -> None:
    """Paste Deploy passes keys as written; the filter reads ``Max-Age`` as
    ``max_age`` (as ``from_config`` does), so a global one hides it too."""
    with pytest.raises(ConfigurationError, match=r"^max_age: set in \[DEFAULT\]"):
        filter_app_factory(EchoApp(), {"Max-Age": "60"}, allow_origins=ORIGIN)


def test_the_factory_accepts_a_global_option_the_section_also_gives() -> None:
    """Paste Deploy's ``get`` puts the global value into the section's options:
    present in both, it is the filter's own."""
    middleware = filter_app_factory(
        EchoApp(), {"allow_origins": ORIGIN}, **{"allow-origins": ORIGIN}
    )
    response = CheckedClient(middleware).get("/", headers={"Origin": ORIGIN})
    assert_cors_headers(response, {ACAO: ORIGIN, "Vary": "Origin"})
