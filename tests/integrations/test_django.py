"""``cors_wsgi.django``: the wrapped WSGI handler and the system check, on real Django.

API.md "Entry points for stacks and servers": ``get_wsgi_application()``
returns Django's WSGI handler wrapped with the options of the ``CORS_WSGI``
setting. The requests go through the WSGI callable, as a server sends them,
to the small project in ``tests/integrations/djangoproject``.
"""

from __future__ import annotations

import io
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import django
import pytest
from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from cors_wsgi import ConfigurationError, CORSMiddleware
from cors_wsgi.django import get_wsgi_application
from tests.helpers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACMA,
    EVIL,
    ORIGIN,
    assert_cors_headers,
    preflight_headers,
)
from tests.integrations import EXAMPLES, CheckedClient, load_example
from tests.integrations.djangoproject import settings as project_settings

PROJECT = Path(project_settings.__file__).parent
CHECKOUT = PROJECT.parents[2]
API = "https://api.example.com"


@pytest.fixture(scope="module", autouse=True)
def django_project() -> None:
    """Django configured with the project's settings, once per process."""
    if not settings.configured:
        settings.configure(
            **{
                name: getattr(project_settings, name)
                for name in dir(project_settings)
                if name.isupper()
            }
        )
    django.setup()


def client(base_url: str = "http://localhost/") -> CheckedClient:
    return CheckedClient(get_wsgi_application(), base_url)


def startup_error(value: Any) -> List[str]:
    with override_settings(CORS_WSGI=value), pytest.raises(
        ConfigurationError
    ) as caught:
        get_wsgi_application()
    return str(caught.value).splitlines()


def check_errors(value: Any) -> List[checks.CheckMessage]:
    with override_settings(CORS_WSGI=value):
        return checks.run_checks()


def test_get_wsgi_application_wraps_djangos_handler_in_the_middleware() -> None:
    """API.md: Django's WSGI handler wrapped with the ``CORS_WSGI`` options."""
    application = get_wsgi_application()
    assert isinstance(application, CORSMiddleware)
    response = CheckedClient(application).get("/api/items/", headers={"Origin": ORIGIN})
    assert response.json == {"items": ["apple", "pear"]}
    assert_cors_headers(response, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})


def test_string_values_in_cors_wsgi_parse_as_in_from_config() -> None:
    """API.md "String configuration": ``"GET POST DELETE"`` is three methods;
    ``"60"`` is a number."""
    with override_settings(
        CORS_WSGI={
            "allow_origins": ORIGIN,
            "allow_methods": "GET POST DELETE",
            "max_age": "60",
        }
    ):
        response = client().options(
            "/api/items/", headers=preflight_headers(ORIGIN, "DELETE")
        )
    assert_cors_headers(
        response, {ACAO: ORIGIN, ACAM: "DELETE", ACMA: "60", "Vary": "Origin"}
    )


def test_resources_in_cors_wsgi_are_taken_as_python() -> None:
    """API.md "Per-path policies": ``resources`` is a dict, given as Python."""
    policy = {"allow_origins": [ORIGIN], "resources": {"/api/items/": {}}}
    with override_settings(CORS_WSGI=policy):
        covered = client().get("/api/items/", headers={"Origin": ORIGIN})
        uncovered = client().get("/api/csrf/", headers={"Origin": ORIGIN})
    assert_cors_headers(covered, {ACAO: ORIGIN, "Vary": "Origin"})
    assert_cors_headers(uncovered, {})


def test_the_projects_wsgi_py_serves_through_the_middleware(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """API.md: ``wsgi.py`` uses ``cors_wsgi.django.get_wsgi_application()``."""
    monkeypatch.setenv(
        "DJANGO_SETTINGS_MODULE", "tests.integrations.djangoproject.settings"
    )
    for wsgi_py in (PROJECT / "wsgi.py", EXAMPLES / "django_wsgi.py"):
        application = runpy.run_path(str(wsgi_py))["application"]
        response = CheckedClient(application).get(
            "/api/items/", headers={"Origin": ORIGIN}
        )
        assert response.headers[ACAO] == ORIGIN, wsgi_py


def test_a_url_routing_404_carries_the_cors_headers() -> None:
    """API.md "Behaviour on the wire" 6: Django's 404 for an unknown URL comes
    back through the middleware, which wraps the whole handler."""
    response = client().get("/api/missing/", headers={"Origin": ORIGIN})
    assert response.status_code == 404
    assert_cors_headers(response, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})


# RFC 9110, section 10.2.2, allows a relative Location, as Django sends it;
# werkzeug's linter still asks for an absolute one.
@pytest.mark.filterwarnings(
    "ignore:Absolute URLs required for location header:"
    "werkzeug.middleware.lint.HTTPWarning"
)
def test_a_common_middleware_redirect_carries_the_cors_headers() -> None:
    """API.md "Behaviour on the wire" 4: every answer of Django's stack, here
    CommonMiddleware's APPEND_SLASH redirect, goes through the middleware."""
    response = client().get("/api/items", headers={"Origin": ORIGIN})
    assert response.status_code == 301
    assert response.headers["Location"] == "/api/items/"
    assert_cors_headers(response, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})


def test_a_disallowed_host_400_carries_the_cors_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """API.md "Behaviour on the wire" 6: Django's 400 for a Host not in
    ALLOWED_HOSTS is made before any view, and still carries the headers."""
    response = client("http://unknown.example/").get(
        "/api/items/", headers={"Origin": ORIGIN}
    )
    assert response.status_code == 400
    assert_cors_headers(response, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})
    assert "Invalid HTTP_HOST header" in caplog.text


def test_a_500_from_a_view_carries_the_cors_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """API.md "Behaviour on the wire" 6: with DEBUG off Django turns a failing
    view into a 500, which still carries the headers."""
    response = client().get("/api/boom/", headers={"Origin": ORIGIN})
    assert response.status_code == 500
    assert_cors_headers(response, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})
    assert "the view failed" in caplog.text


def test_a_csrf_failure_carries_the_cors_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """API.md "Behaviour on the wire" 6: Django's CSRF 403 is an error response
    the page's script must be able to read."""
    response = client().post("/api/items/", headers={"Origin": ORIGIN})
    assert response.status_code == 403
    assert b"CSRF" in response.data
    assert_cors_headers(response, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})


def test_an_origin_not_allowed_gets_no_cors_headers_from_django() -> None:
    """API.md "Behaviour on the wire" 4: no Access-Control-* for other origins."""
    response = client().get("/api/items/", headers={"Origin": EVIL})
    assert_cors_headers(response, {"Vary": "Origin"})


def recipe_settings() -> Dict[str, Any]:
    namespace = runpy.run_path(str(EXAMPLES / "django_settings.py"))
    return {name: value for name, value in namespace.items() if name.isupper()}


def test_the_recipe_settings_let_a_cross_origin_post_pass_csrf() -> None:
    """Django's CSRF protection (Origin checked against CSRF_TRUSTED_ORIGINS,
    the token in X-CSRFToken) together with the Fetch Standard's credentialed
    CORS: the recipe's settings let the page read the token, then POST."""
    with override_settings(**recipe_settings()):
        browser = client(base_url=API)
        token_response = browser.get("/api/csrf/", headers={"Origin": ORIGIN})
        token = token_response.get_json()["csrf_token"]
        cookie = token_response.headers["Set-Cookie"]
        preflight = browser.options(
            "/api/items/",
            headers=preflight_headers(ORIGIN, "POST", "content-type, x-csrftoken"),
        )
        created = browser.post(
            "/api/items/",
            headers={"Origin": ORIGIN, "X-CSRFToken": token},
            json={"name": "plum"},
        )
    assert "SameSite=None" in cookie and "Secure" in cookie
    assert_cors_headers(
        preflight,
        {
            ACAO: ORIGIN,
            ACAM: "POST",
            ACAH: "content-type, x-csrftoken",
            ACAC: "true",
            ACMA: "600",
            "Vary": "Origin",
        },
    )
    assert created.status_code == 201
    assert_cors_headers(created, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})


def test_the_recipe_tests_pass_against_the_project() -> None:
    """The doc page's way of testing CORS in a project runs as written."""
    recipe = load_example("django_test_cors.py")
    tests = [value for name, value in vars(recipe).items() if name.startswith("test_")]
    assert len(tests) == 3
    with override_settings(**recipe_settings()):
        for test in tests:
            test()


def test_a_bad_policy_fails_at_start_up_naming_the_cors_wsgi_keys() -> None:
    """API.md: ConfigurationError when the policy is built, one line per problem;
    each line names the ``CORS_WSGI`` key it comes from."""
    lines = startup_error({"allow_origins": ["app.example.com"], "max_age": -1})
    assert len(lines) == 2
    assert {line.split(":")[0] for line in lines} == {
        "CORS_WSGI['allow_origins']",
        "CORS_WSGI['max_age']",
    }
    assert "'app.example.com'" in "".join(lines)


def test_a_value_that_does_not_parse_fails_at_start_up() -> None:
    """API.md "String configuration": a string that does not parse is named."""
    (line,) = startup_error({"allow_origins": [ORIGIN], "max_age": "ten"})
    assert line.startswith("CORS_WSGI['max_age']: 'ten' is not a decimal integer")


def test_a_bad_combination_fails_at_start_up() -> None:
    """API.md: ``"*"`` origins with credentials is a ConfigurationError."""
    lines = startup_error({"allow_origins": "*", "allow_credentials": True})
    assert len(lines) == 1
    assert lines[0].startswith("CORS_WSGI['allow_")


def test_an_unknown_key_fails_at_start_up_with_a_suggestion() -> None:
    """API.md: an unknown option is named, with the option probably meant."""
    assert startup_error({"allow_origin": [ORIGIN]}) == [
        "CORS_WSGI['allow_origin']: not an option of cors_wsgi; "
        "did you mean 'allow_origins'?"
    ]


def test_an_unknown_key_unlike_any_option_lists_the_options() -> None:
    """API.md: an unknown option is named; with no close one, the options are listed."""
    (line,) = startup_error({"allow_origins": [ORIGIN], "domains": ["x"]})
    assert line.startswith("CORS_WSGI['domains']: not an option of cors_wsgi; ")
    assert "the options are: allow_origins, " in line


def test_resources_as_a_string_fails_at_start_up() -> None:
    """API.md "String configuration": ``resources`` is Python-only."""
    (line,) = startup_error({"resources": "/api/*"})
    assert line.startswith("CORS_WSGI['resources']: per-path policies cannot be")


def test_a_missing_cors_wsgi_setting_fails_at_start_up() -> None:
    """API.md: the policy is the ``CORS_WSGI`` dict; without it there is none."""
    with override_settings():
        del settings.CORS_WSGI
        with pytest.raises(ConfigurationError, match=r"^CORS_WSGI: expected a dict"):
            get_wsgi_application()


def test_a_cors_wsgi_setting_that_is_not_a_dict_fails_at_start_up() -> None:
    """API.md: the policy is a dict of option -> value."""
    (line,) = startup_error([ORIGIN])
    assert line.startswith(
        "CORS_WSGI: expected a dict of option -> value; got ['https://app.example.com']"
    )


def test_the_system_check_passes_a_good_policy() -> None:
    """Django's system checks: a buildable policy gives no message."""
    stdout = io.StringIO()
    call_command("check", stdout=stdout)
    assert "no issues" in stdout.getvalue()


def test_the_system_check_reports_each_problem_as_an_error_with_an_id() -> None:
    """Django's system checks: one Error per problem, ``cors_wsgi.E00N``, with a
    hint, so ``manage.py check`` finds what start-up would refuse."""
    errors = check_errors({"allow_origin": [ORIGIN], "max_age": "ten"})
    assert [(error.id, error.level) for error in errors] == [
        ("cors_wsgi.E002", checks.ERROR),
        ("cors_wsgi.E003", checks.ERROR),
    ]
    unknown, invalid = errors
    assert unknown.msg == "CORS_WSGI['allow_origin']: not an option of cors_wsgi"
    assert unknown.hint == "did you mean 'allow_origins'?"
    assert invalid.msg.startswith("CORS_WSGI['max_age']: 'ten' is not a decimal")
    assert str(invalid.hint).startswith("max_age: Seconds a preflight answer may be")
    assert {error.obj for error in errors} == {"CORS_WSGI"}


def test_the_system_check_reports_a_missing_setting() -> None:
    """Django's system checks: E001 when ``CORS_WSGI`` is not a dict."""
    with override_settings():
        del settings.CORS_WSGI
        (error,) = checks.run_checks()
    assert error.id == "cors_wsgi.E001"
    assert error.msg == "CORS_WSGI: expected a dict of option -> value; it is not set"
    assert str(error.hint).startswith("e.g. CORS_WSGI = {'allow_origins': ")


def test_a_check_message_naming_no_option_has_no_hint() -> None:
    """Django's system checks: a hint comes from the option a message names."""
    (error,) = check_errors({"resources": {"/api/*": {"allow_origin": [ORIGIN]}}})
    assert error.id == "cors_wsgi.E003"
    assert "allow_origin" in error.msg
    assert error.hint is None


def test_call_command_check_fails_on_a_bad_policy() -> None:
    """Django's system checks: ``check`` refuses a policy start-up would refuse."""
    with override_settings(CORS_WSGI={"max_age": -1}), pytest.raises(
        SystemCheckError, match=r"cors_wsgi\.E003"
    ):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())


def test_manage_py_check_reports_the_problems() -> None:
    """Django's system checks, as a user runs them: ``python manage.py check``
    exits non-zero and names the ``CORS_WSGI`` key and the check id."""
    env = dict(os.environ, PYTHONPATH=str(CHECKOUT))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [
            sys.executable,
            str(PROJECT / "manage.py"),
            "check",
            "--settings=tests.integrations.djangoproject.bad_settings",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(CHECKOUT),
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "CORS_WSGI: (cors_wsgi.E003) CORS_WSGI['max_age']: 'ten'" in result.stderr
    assert "HINT: max_age: " in result.stderr
