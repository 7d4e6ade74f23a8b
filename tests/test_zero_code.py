"""``cors_wsgi.wsgi:application``: zero-code wrapping, built when imported.

API.md, "Entry points for stacks and servers": importing ``cors_wsgi.wsgi``
imports the app of ``CORS_WSGI_APP`` and reads the options from ``CORS_*``
variables; a missing or bad variable raises ConfigurationError at import,
naming the variable, so the server refuses to start. The recipe files of
``docs/recipes/examples`` are the ones the docs pages include.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, Iterator

import pytest
from werkzeug.test import Client

from cors_wsgi import ConfigurationError, CORSMiddleware
from cors_wsgi._core.options import OPTIONS, env_name

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "tests" / "apps"
RECIPES = ROOT / "docs" / "recipes" / "examples"
ORIGIN = "https://app.example.com"


def env_file(path: Path) -> Dict[str, str]:
    """The ``NAME=value`` lines of an env file (``#`` lines are comments)."""
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


RECIPE_ENV = env_file(RECIPES / "cors.env")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No ``CORS_*`` variable of the real environment; ``tests/apps`` on the
    path; ``cors_wsgi.wsgi`` forgotten afterwards."""
    for name in list(os.environ):
        if name.upper().startswith("CORS_"):
            monkeypatch.delenv(name)
    monkeypatch.syspath_prepend(str(APPS))
    yield
    sys.modules.pop("cors_wsgi.wsgi", None)


def load(monkeypatch: pytest.MonkeyPatch, **environ: str) -> ModuleType:
    """Import (or re-import) ``cors_wsgi.wsgi`` under *environ*."""
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    module = sys.modules.get("cors_wsgi.wsgi")
    if module is not None:
        return importlib.reload(module)
    return importlib.import_module("cors_wsgi.wsgi")


def test_application_is_the_named_app_behind_the_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """API.md: ``CORS_WSGI_APP=legacy.wsgi:application`` plus option variables."""
    wsgi = load(
        monkeypatch, CORS_WSGI_APP="legacy.wsgi:application", CORS_ALLOW_ORIGINS=ORIGIN
    )
    assert isinstance(wsgi.application, CORSMiddleware)
    response = Client(wsgi.application).get("/", headers={"Origin": ORIGIN})
    assert response.get_data() == b"hello from the legacy app\n"
    assert response.headers.getlist("Access-Control-Allow-Origin") == [ORIGIN]


def test_import_fails_naming_the_missing_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """API.md: a missing variable raises ConfigurationError when imported."""
    with pytest.raises(ConfigurationError, match=r"^CORS_WSGI_APP: not set"):
        load(monkeypatch, CORS_ALLOW_ORIGINS=ORIGIN)


def test_reload_reads_the_environment_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The policy is read once, at import; a reload sees new values."""
    load(monkeypatch, CORS_WSGI_APP="legacy.wsgi:application")
    wsgi = load(monkeypatch, CORS_ALLOW_ORIGINS="*")
    response = Client(wsgi.application).get("/", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_recipe_env_file_gives_the_documented_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """docs/recipes/zero_code.rst: cors.env allows app.example.com with
    credentials, PUT and DELETE, Authorization, and exposes X-Request-Id
    (rule 3 for the preflight, rule 4 for the request)."""
    wsgi = load(monkeypatch, **RECIPE_ENV)
    client = Client(wsgi.application)
    preflight = client.options(
        "/",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "DELETE",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    assert preflight.headers["Access-Control-Max-Age"] == "600"
    actual = client.get("/", headers={"Origin": ORIGIN})
    assert actual.headers["Access-Control-Expose-Headers"] == "X-Request-Id"


def test_recipes_spell_out_one_policy() -> None:
    """gunicorn.conf.py, uwsgi.ini and legacy-env.wsgi set the variables of
    cors.env, so every server recipe serves the same policy."""
    for name in ("gunicorn.conf.py", "uwsgi.ini", "legacy-env.wsgi"):
        text = (RECIPES / name).read_text(encoding="utf-8")
        for key, value in RECIPE_ENV.items():
            assert f"{key}={value}" in text or f'"{key}": "{value}"' in text, (
                name,
                key,
            )


def test_python_wrapping_recipe_matches_the_env_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """legacy-cors.wsgi (wrapping in Python) answers a preflight as cors.env does."""
    namespace: Dict[str, Any] = {}
    source = (RECIPES / "legacy-cors.wsgi").read_text(encoding="utf-8")
    exec(compile(source, "legacy-cors.wsgi", "exec"), namespace)
    wsgi = load(monkeypatch, **RECIPE_ENV)
    headers = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "x-request-id",
    }
    by_python = Client(namespace["application"]).options("/", headers=headers)
    by_env = Client(wsgi.application).options("/", headers=headers)
    assert by_python.status_code == by_env.status_code == 204
    assert sorted(by_python.headers.items()) == sorted(by_env.headers.items())


def test_env_recipe_for_mod_wsgi_sets_the_variables_before_importing() -> None:
    """docs/recipes/mod_wsgi.rst: run as mod_wsgi runs a .wsgi file, in a fresh
    interpreter whose environment has no CORS_* variable."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CORS_")}
    environ["PYTHONPATH"] = os.pathsep.join([str(APPS), str(ROOT)])
    code = (
        "import runpy, sys; "
        f"ns = runpy.run_path({str(RECIPES / 'legacy-env.wsgi')!r}); "
        "print(type(ns['application']).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "CORSMiddleware"), (
        result.stderr
    )


def test_failed_import_stops_a_fresh_interpreter_with_the_message() -> None:
    """As a server's start-up would: a non-zero exit, the lines on stderr."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CORS_")}
    environ.update(
        PYTHONPATH=os.pathsep.join([str(APPS), str(ROOT)]),
        CORS_WSGI_APP="legacy.wsgi:application",
        CORS_ALLOW_ORIGIN=ORIGIN,
    )
    result = subprocess.run(
        [sys.executable, "-c", "import cors_wsgi.wsgi"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert (
        "CORS_ALLOW_ORIGIN: not a variable of cors_wsgi; "
        "did you mean CORS_ALLOW_ORIGINS?"
    ) in result.stderr


def test_zero_code_page_lists_every_variable() -> None:
    """Every option but ``resources`` has its variable on the page, and
    ``CORS_RESOURCES`` is named as Python-only."""
    page = (ROOT / "docs" / "recipes" / "zero_code.rst").read_text(encoding="utf-8")
    for option in OPTIONS:
        assert f"``{env_name(option.name)}``" in page, option.name
