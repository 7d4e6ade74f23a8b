"""Loading an app from ``module:callable`` and its policy from ``CORS_*`` variables.

API.md, "Entry points for stacks and servers": ``cors_wsgi.wsgi`` imports the
app named by ``CORS_WSGI_APP`` (``module:callable``) and reads each option
from ``CORS_`` + its name upper-cased, parsed as in "String configuration";
a missing or bad variable raises ConfigurationError naming the variable.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from pathlib import Path
from typing import Iterator, List

import pytest
from werkzeug.test import Client

from cors_wsgi import ConfigurationError, CORSMiddleware
from cors_wsgi._core.options import OPTIONS, env_name
from cors_wsgi._loading import (
    enable_decision_log,
    environ_options,
    from_environ,
    import_app,
)

APPS = Path(__file__).resolve().parent / "apps"
ORIGIN = "https://app.example.com"
APP = "legacy.wsgi:application"
#: Every variable cors_wsgi reads.
VARIABLES = {"CORS_WSGI_APP", "CORS_WSGI_DEBUG"} | {
    env_name(option.name) for option in OPTIONS
}


@pytest.fixture(autouse=True)
def apps_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """``tests/apps`` importable, as a server's Python path makes it."""
    monkeypatch.syspath_prepend(str(APPS))


@pytest.fixture(autouse=True)
def decision_log() -> Iterator[logging.Logger]:
    """The ``cors_wsgi`` logger, put back as it was after the test."""
    logger = logging.getLogger("cors_wsgi")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


def problems(error: pytest.ExceptionInfo[ConfigurationError]) -> List[str]:
    return str(error.value).splitlines()


# --- import_app -------------------------------------------------------------------


def test_module_and_callable_are_imported() -> None:
    """API.md: the app is named as ``module:callable``."""
    legacy_wsgi = importlib.import_module("legacy.wsgi")
    assert import_app(APP, "CORS_WSGI_APP") is legacy_wsgi.application


def test_callable_may_be_a_dotted_attribute() -> None:
    """As gunicorn does, ``module:name.attr`` follows attributes."""
    found: object = import_app("os:path.join", "CORS_WSGI_APP")
    assert found is os.path.join


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("legacy.wsgi", id="no-colon"),
        pytest.param(":application", id="no-module"),
        pytest.param("legacy.wsgi:", id="no-callable"),
        pytest.param("legacy/wsgi.py:application", id="file-path"),
        pytest.param("legacy.wsgi:create_app()", id="factory-call"),
        pytest.param("legacy.wsgi:app:other", id="two-colons"),
    ],
)
def test_spec_that_is_not_module_colon_callable_is_refused(spec: str) -> None:
    """API.md: ``module:callable``; anything else says the form expected."""
    with pytest.raises(ConfigurationError) as error:
        import_app(spec, "CORS_WSGI_APP")
    assert problems(error) == [
        f"CORS_WSGI_APP: {spec!r} is not of the form module:callable; name "
        "the module and the WSGI callable in it, e.g. 'legacy.wsgi:application'"
    ]


def test_missing_module_says_to_check_the_python_path() -> None:
    with pytest.raises(ConfigurationError, match=r"^CORS_WSGI_APP: ") as error:
        import_app("no_such_module.wsgi:application", "CORS_WSGI_APP")
    (line,) = problems(error)
    assert "cannot import 'no_such_module.wsgi'" in line
    assert "on the Python path" in line


def test_module_whose_own_import_fails_is_told_apart_from_a_missing_one() -> None:
    """An ImportError raised inside the app's module names the module as found."""
    with pytest.raises(ConfigurationError) as error:
        import_app("broken_import:application", "CORS_WSGI_APP")
    (line,) = problems(error)
    assert "a_dependency_that_is_not_installed" in line
    assert "'broken_import' was found, but importing it failed" in line


def test_other_exceptions_of_the_app_module_keep_their_traceback() -> None:
    """A bug in the app's module is the app's to show, with its own traceback."""
    with pytest.raises(RuntimeError, match="a bug in the application's own module"):
        import_app("raises_on_import:application", "CORS_WSGI_APP")


def test_missing_attribute_suggests_the_closest_name() -> None:
    with pytest.raises(ConfigurationError) as error:
        import_app("legacy.wsgi:aplication", "CORS_WSGI_APP")
    assert problems(error) == [
        "CORS_WSGI_APP: 'legacy.wsgi' has no attribute 'aplication'; "
        "did you mean 'application'?"
    ]


def test_missing_nested_attribute_names_where_it_was_looked_for() -> None:
    with pytest.raises(ConfigurationError) as error:
        import_app("os:path.jion", "MODULE:CALLABLE")
    assert problems(error) == [
        "MODULE:CALLABLE: 'os:path' has no attribute 'jion'; did you mean 'join'?"
    ]


def test_missing_attribute_with_no_close_name_suggests_nothing() -> None:
    with pytest.raises(ConfigurationError) as error:
        import_app("legacy.wsgi:zzzzzz", "CORS_WSGI_APP")
    assert problems(error) == ["CORS_WSGI_APP: 'legacy.wsgi' has no attribute 'zzzzzz'"]


def test_object_that_cannot_be_called_is_refused() -> None:
    with pytest.raises(ConfigurationError) as error:
        import_app("legacy.wsgi:TEXT", "CORS_WSGI_APP")
    assert problems(error) == [
        "CORS_WSGI_APP: 'legacy.wsgi:TEXT' names a 'tuple', not a WSGI "
        "callable; name the application object itself, e.g. "
        "'legacy.wsgi:application'"
    ]


# --- from_environ -----------------------------------------------------------------


def test_variables_build_the_policy_around_the_app() -> None:
    """API.md: each option from ``CORS_`` + its name, parsed as from_config."""
    middleware = from_environ(
        {
            "CORS_WSGI_APP": APP,
            "CORS_ALLOW_ORIGINS": f"{ORIGIN} https://admin.example.com",
            "CORS_ALLOW_CREDENTIALS": "true",
            "CORS_EXPOSE_HEADERS": "X-Request-Id",
        }
    )
    assert isinstance(middleware, CORSMiddleware)
    response = Client(middleware).get("/", headers={"Origin": ORIGIN})
    assert response.headers.getlist("Access-Control-Allow-Origin") == [ORIGIN]
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "X-Request-Id"


def test_missing_app_variable_says_how_to_set_it() -> None:
    with pytest.raises(ConfigurationError) as error:
        from_environ({"CORS_ALLOW_ORIGINS": ORIGIN})
    assert problems(error) == [
        "CORS_WSGI_APP: not set; set it to the application to wrap, as "
        "module:callable, e.g. CORS_WSGI_APP=legacy.wsgi:application"
    ]


@pytest.mark.parametrize(
    ("variable", "meant"),
    [
        pytest.param("CORS_ALLOW_ORIGIN", "CORS_ALLOW_ORIGINS", id="singular"),
        pytest.param("CORS_ORIGINS", "CORS_ALLOW_ORIGINS", id="flask-cors-name"),
        pytest.param("CORS_MAXAGE", "CORS_MAX_AGE", id="no-underscore"),
        pytest.param("cors_allow_origins", "CORS_ALLOW_ORIGINS", id="lower-case"),
        pytest.param("CORS_APP", "CORS_WSGI_APP", id="own-variable"),
    ],
)
def test_variable_close_to_one_of_ours_is_an_error(variable: str, meant: str) -> None:
    """A misspelt variable would silently leave an option at its default."""
    with pytest.raises(ConfigurationError) as error:
        from_environ({"CORS_WSGI_APP": APP, variable: ORIGIN})
    assert problems(error) == [
        f"{variable}: not a variable of cors_wsgi; did you mean {meant}?"
    ]


@pytest.mark.parametrize("variable", ["CORS_PROXY_URL", "CORS_ENABLED", "PATH"])
def test_unrelated_variables_are_left_alone(variable: str) -> None:
    """Other ``CORS_*`` names may belong to another program."""
    assert isinstance(
        from_environ({"CORS_WSGI_APP": APP, variable: "x"}), CORSMiddleware
    )


def test_resources_variable_says_resources_are_python_only() -> None:
    """API.md: ``resources`` is Python-only."""
    with pytest.raises(ConfigurationError) as error:
        from_environ({"CORS_WSGI_APP": APP, "CORS_RESOURCES": "/api/*"})
    (line,) = problems(error)
    assert line.startswith("CORS_RESOURCES: per-path policies cannot be given")


def test_every_problem_is_reported_at_once_each_naming_its_variable() -> None:
    """API.md: every problem in one ConfigurationError, one line each."""
    with pytest.raises(ConfigurationError) as error:
        from_environ(
            {
                "CORS_WSGI_APP": "legacy.wsgi:aplication",
                "CORS_ALLOW_ORIGIN": ORIGIN,
                "CORS_MAX_AGE": "ten",
                "CORS_ALLOW_ORIGINS": "app.example.com",
                "CORS_WSGI_DEBUG": "maybe",
            }
        )
    lines = problems(error)
    named = sorted(line.split(":")[0] for line in lines)
    assert named == sorted(
        [
            "CORS_ALLOW_ORIGIN",
            "CORS_WSGI_DEBUG",
            "CORS_WSGI_APP",
            "CORS_MAX_AGE",
            "CORS_ALLOW_ORIGINS",
        ]
    )
    assert "CORS_WSGI_DEBUG: 'maybe' is not a boolean" in str(error.value)


def test_policy_errors_name_the_variables() -> None:
    """API.md: credentials with ``*`` origins are refused; the message names
    the variables the user set, not the keyword arguments."""
    with pytest.raises(ConfigurationError) as error:
        from_environ(
            {
                "CORS_WSGI_APP": APP,
                "CORS_ALLOW_ORIGINS": "*",
                "CORS_ALLOW_CREDENTIALS": "yes",
            }
        )
    for line in problems(error):
        assert re.match(r"^CORS_[A-Z_]+: ", line), line
        assert line.split(":")[0] in VARIABLES


def test_debug_variable_turns_the_decision_log_on(
    decision_log: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    """``CORS_WSGI_DEBUG=1``: the decisions go to standard error."""
    middleware = from_environ(
        {"CORS_WSGI_APP": APP, "CORS_ALLOW_ORIGINS": ORIGIN, "CORS_WSGI_DEBUG": "1"}
    )
    assert decision_log.isEnabledFor(logging.DEBUG)
    Client(middleware).get("/", headers={"Origin": ORIGIN})
    assert re.search(
        r"^cors_wsgi: .*https://app\.example\.com", capsys.readouterr().err, re.M
    )


@pytest.mark.parametrize("value", ["0", "off", "false"])
def test_debug_variable_off_adds_no_handler(
    decision_log: logging.Logger, value: str
) -> None:
    before = list(decision_log.handlers)
    from_environ({"CORS_WSGI_APP": APP, "CORS_WSGI_DEBUG": value})
    assert decision_log.handlers == before


def test_debug_is_not_turned_on_by_a_configuration_that_fails(
    decision_log: logging.Logger,
) -> None:
    before = list(decision_log.handlers)
    with pytest.raises(ConfigurationError):
        from_environ({"CORS_WSGI_DEBUG": "1"})
    assert decision_log.handlers == before


# --- environ_options --------------------------------------------------------------


def test_environ_options_are_the_parsed_option_variables() -> None:
    """API.md, "String configuration": lists split on commas and white space,
    booleans and numbers parsed; variables that are not options are left out."""
    options = environ_options(
        {
            "CORS_WSGI_APP": APP,
            "CORS_ALLOW_ORIGINS": f"{ORIGIN},https://admin.example.com",
            "CORS_ALLOW_CREDENTIALS": "on",
            "CORS_MAX_AGE": "none",
            "HOME": "/root",
        }
    )
    assert options == {
        "allow_origins": (ORIGIN, "https://admin.example.com"),
        "allow_credentials": True,
        "max_age": None,
    }


def test_environ_options_report_each_bad_variable() -> None:
    with pytest.raises(ConfigurationError) as error:
        environ_options({"CORS_MAX_AGE": "ten", "CORS_DENY_STATUSES": "403"})
    assert sorted(line.split(":")[0] for line in problems(error)) == [
        "CORS_DENY_STATUSES",
        "CORS_MAX_AGE",
    ]


# --- enable_decision_log ----------------------------------------------------------


def test_decision_log_touches_only_the_cors_wsgi_logger(
    decision_log: logging.Logger,
) -> None:
    """The library never configures the root logger."""
    root = logging.getLogger()
    root_handlers, root_level = list(root.handlers), root.level
    enable_decision_log()
    assert decision_log.level == logging.DEBUG
    assert [type(h) for h in decision_log.handlers[-1:]] == [logging.StreamHandler]
    assert (root.handlers, root.level) == (root_handlers, root_level)


def test_decision_log_handler_is_added_once(decision_log: logging.Logger) -> None:
    """Turning it on twice (a reloaded module, a second app) adds one handler."""
    before = len(decision_log.handlers)
    enable_decision_log()
    enable_decision_log()
    assert len(decision_log.handlers) == before + 1
