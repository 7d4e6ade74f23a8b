"""``cors_wsgi.flask.init_app`` and the hand-wrapped recipe, on a real Flask app.

API.md "Entry points for stacks and servers": ``init_app(app, **options)``
wraps ``app.wsgi_app``, reading ``app.config`` keys ``CORS_`` + the option
name upper-cased, keywords taking precedence, strings parsed as in
``from_config``, other values taken as Python values.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from cors_wsgi import ConfigurationError, CORSMiddleware
from cors_wsgi.flask import init_app
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
from tests.integrations import CheckedClient, load_example


def make_flask(**config: Any) -> Flask:
    """A Flask app with ``config`` in ``app.config`` and a few routes."""
    app = Flask(__name__)
    app.config.update(config)

    @app.route("/api/items", methods=["GET", "DELETE"])
    def items() -> Dict[str, List[str]]:
        return {"items": []}

    @app.get("/api/boom")
    def boom() -> str:
        raise RuntimeError("the view failed")

    return app


def client_for(app: Flask) -> CheckedClient:
    return CheckedClient(app)


def get(app: Flask, path: str = "/api/items", **headers: str) -> TestResponse:
    return client_for(app).get(path, headers={"Origin": ORIGIN, **headers})


def preflight(
    app: Flask, method: str = "DELETE", request_headers: Any = None
) -> TestResponse:
    return client_for(app).options(
        "/api/items", headers=preflight_headers(ORIGIN, method, request_headers)
    )


def configuration_error(app: Flask, **options: Any) -> str:
    with pytest.raises(ConfigurationError) as caught:
        init_app(app, **options)
    return str(caught.value)


def test_init_app_reads_the_policy_from_app_config() -> None:
    """API.md: init_app reads ``CORS_`` + the option name upper-cased."""
    app = make_flask(CORS_ALLOW_ORIGINS=[ORIGIN])
    init_app(app)
    assert_cors_headers(get(app), {ACAO: ORIGIN, "Vary": "Origin"})


def test_init_app_returns_the_middleware_around_wsgi_app() -> None:
    """API.md: init_app wraps ``app.wsgi_app`` and returns the CORSMiddleware."""
    app = make_flask(CORS_ALLOW_ORIGINS=[ORIGIN])
    middleware = init_app(app)
    assert isinstance(middleware, CORSMiddleware)
    assert app.wsgi_app is middleware
    assert app.extensions["cors_wsgi"] is middleware


def test_string_values_in_app_config_parse_as_in_from_config() -> None:
    """API.md: string values are parsed as ``from_config`` parses them."""
    app = make_flask(
        CORS_ALLOW_ORIGINS=f"https://other.example {ORIGIN}",
        CORS_ALLOW_METHODS="GET, DELETE",
        CORS_ALLOW_CREDENTIALS="yes",
        CORS_MAX_AGE="3600",
    )
    init_app(app)
    assert_cors_headers(
        preflight(app),
        {ACAO: ORIGIN, ACAM: "DELETE", ACAC: "true", ACMA: "3600", "Vary": "Origin"},
    )


def test_python_values_in_app_config_are_taken_as_they_are() -> None:
    """API.md: values that are not strings (a callable, a compiled pattern,
    a bool, and ``CORS_RESOURCES`` as a dict) are taken as Python values."""
    app = make_flask(
        CORS_ALLOW_ORIGINS=lambda origin, environ: origin == ORIGIN,
        CORS_ALLOW_ORIGIN_REGEX=re.compile(r"https://[a-z]+\.example\.org"),
        CORS_ALLOW_CREDENTIALS=True,
        CORS_RESOURCES={"/api/*": {}},
    )
    init_app(app)
    assert_cors_headers(get(app), {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})
    other = get(app, Origin="https://shop.example.org")
    assert other.headers[ACAO] == "https://shop.example.org"
    assert_cors_headers(get(app, "/elsewhere"), {})


def test_keyword_options_take_precedence_over_app_config() -> None:
    """API.md: keyword options take precedence over ``app.config``."""
    app = make_flask(CORS_ALLOW_ORIGINS=[EVIL], CORS_MAX_AGE="60")
    init_app(app, allow_origins=[ORIGIN])
    assert_cors_headers(
        preflight(app, "GET"), {ACAO: ORIGIN, ACAM: "GET", ACMA: "60", "Vary": "Origin"}
    )


def test_a_keyword_string_is_one_item_as_in_the_constructor() -> None:
    """API.md "Constructor": a string where an iterable is expected is one item;
    keywords are constructor options, not ``from_config`` strings."""
    app = make_flask()
    init_app(app, allow_origins=ORIGIN)
    assert get(app).headers[ACAO] == ORIGIN


def test_a_value_that_does_not_parse_is_named_by_its_config_key() -> None:
    """API.md "String configuration": a value that does not parse raises
    ConfigurationError naming where it came from, here the config key."""
    message = configuration_error(make_flask(CORS_MAX_AGE="ten"))
    assert re.match(r"CORS_MAX_AGE: 'ten' is not a decimal integer", message)


def test_a_bad_policy_from_app_config_is_named_by_its_config_key() -> None:
    """API.md: an origin with a path is a ConfigurationError; the line names the
    config key the value came from."""
    origins = [f"{ORIGIN}/items"]
    message = configuration_error(make_flask(CORS_ALLOW_ORIGINS=origins))
    assert message.startswith("CORS_ALLOW_ORIGINS: 'https://app.example.com/items' ")


def test_a_bad_keyword_is_named_by_the_keyword() -> None:
    """API.md: a line names the option as the user wrote it: the keyword."""
    app = make_flask(CORS_ALLOW_ORIGINS=[f"{ORIGIN}/"])
    message = configuration_error(app, allow_origins=["app.example.com"])
    assert message.startswith("allow_origins: ")
    assert "CORS_ALLOW_ORIGINS" not in message


def test_every_problem_of_app_config_is_reported_at_once() -> None:
    """API.md: every problem in one call is one line of one ConfigurationError."""
    app = make_flask(CORS_MAX_AGE="ten", CORS_ALLOW_ORIGIN=[ORIGIN])
    lines = configuration_error(app).splitlines()
    assert len(lines) == 2
    assert {line.split(":")[0] for line in lines} == {
        "CORS_MAX_AGE",
        "CORS_ALLOW_ORIGIN",
    }


def test_a_config_key_close_to_an_option_is_refused_with_a_suggestion() -> None:
    """API.md: an unknown option is an error naming the option probably meant
    (flask-cors only logs misspelt keys; a misspelt key is a policy not applied)."""
    message = configuration_error(make_flask(CORS_ALLOW_ORIGIN=[ORIGIN]))
    assert message == (
        "CORS_ALLOW_ORIGIN: not a cors_wsgi setting; did you mean CORS_ALLOW_ORIGINS?"
    )


def test_a_lower_case_config_key_is_refused_with_the_upper_case_name() -> None:
    """API.md: keys are ``CORS_`` + the option name upper-cased."""
    message = configuration_error(make_flask(CORS_allow_origins=[ORIGIN]))
    assert message.endswith("did you mean CORS_ALLOW_ORIGINS?")


@pytest.mark.parametrize(
    ("key", "advice"),
    [
        pytest.param("CORS_ORIGINS", "rename it CORS_ALLOW_ORIGINS", id="origins"),
        pytest.param(
            "CORS_SUPPORTS_CREDENTIALS",
            "rename it CORS_ALLOW_CREDENTIALS",
            id="supports-credentials",
        ),
        pytest.param("CORS_SEND_WILDCARD", "remove it: ", id="send-wildcard"),
    ],
)
def test_a_flask_cors_setting_is_refused_with_what_to_do(key: str, advice: str) -> None:
    """API.md: a misspelt or foreign option is an error that says what was meant;
    flask-cors's own keys would otherwise be silently ignored."""
    message = configuration_error(make_flask(**{key: "x"}))
    assert message.startswith(f"{key}: a flask-cors setting, not read by cors_wsgi; ")
    assert advice in message


def test_other_cors_keys_and_other_settings_are_left_alone() -> None:
    """API.md: only keys named after options are read; a ``CORS_*`` key unlike
    any option may belong to other code of the app."""
    app = make_flask(CORS_ALLOW_ORIGINS=[ORIGIN], CORS_ENABLED=True, DEBUG=False)
    init_app(app)
    assert get(app).headers[ACAO] == ORIGIN


def test_resources_as_a_string_in_app_config_is_refused() -> None:
    """API.md "String configuration": ``resources`` is Python-only."""
    message = configuration_error(make_flask(CORS_RESOURCES="/api/*"))
    assert message.startswith("CORS_RESOURCES: per-path policies cannot be given")


def test_init_app_twice_is_refused() -> None:
    """API.md: init_app wraps ``app.wsgi_app``; a second call would wrap the
    middleware in another and answer with two policies, so it is refused."""
    app = make_flask(CORS_ALLOW_ORIGINS=[ORIGIN])
    middleware = init_app(app)
    message = configuration_error(app)
    assert message.startswith("init_app: this Flask app already has")
    assert app.wsgi_app is middleware


def test_init_app_after_wrapping_by_hand_is_refused() -> None:
    """API.md: one middleware per app, however the first was installed."""
    app = make_flask()
    app.wsgi_app = CORSMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, allow_origins=[ORIGIN]
    )
    assert configuration_error(app).startswith("init_app: this Flask app already")


def test_a_flask_404_carries_the_cors_headers() -> None:
    """API.md "Behaviour on the wire" 6: error responses get the same headers;
    the middleware wraps ``app.wsgi_app``, outside Flask's routing."""
    app = make_flask(CORS_ALLOW_ORIGINS=[ORIGIN])
    init_app(app)
    response = get(app, "/api/missing")
    assert response.status_code == 404
    assert_cors_headers(response, {ACAO: ORIGIN, "Vary": "Origin"})


def test_a_flask_405_carries_the_cors_headers() -> None:
    """API.md "Behaviour on the wire" 6: Flask's 405 for a method the route
    does not take is an error response like any other."""
    app = make_flask(CORS_ALLOW_ORIGINS=[ORIGIN])
    init_app(app)
    response = client_for(app).post("/api/items", headers={"Origin": ORIGIN})
    assert response.status_code == 405
    assert_cors_headers(response, {ACAO: ORIGIN, "Vary": "Origin"})


def test_flasks_test_client_goes_through_the_middleware() -> None:
    """API.md: init_app wraps ``app.wsgi_app``, which Flask's test client calls."""
    app = make_flask(CORS_ALLOW_ORIGINS=[ORIGIN])
    init_app(app)
    response = app.test_client().get("/api/items", headers={"Origin": ORIGIN})
    assert_cors_headers(response, {ACAO: ORIGIN, "Vary": "Origin"})


def test_the_policy_may_come_from_flasks_prefixed_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """API.md "String configuration": a string from an environment variable
    (here through Flask's ``from_prefixed_env``) is split into a list."""
    monkeypatch.setenv("FLASK_CORS_ALLOW_ORIGINS", f"https://other.example {ORIGIN}")
    monkeypatch.setenv("FLASK_CORS_MAX_AGE", "60")
    app = make_flask()
    app.config.from_prefixed_env()
    init_app(app)
    assert_cors_headers(
        preflight(app, "GET"), {ACAO: ORIGIN, ACAM: "GET", ACMA: "60", "Vary": "Origin"}
    )


def test_a_flask_500_from_a_view_carries_the_cors_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """API.md "Behaviour on the wire" 6: a 500 from a failing view carries the
    headers, so the page's script can read the error."""
    app = make_flask(CORS_ALLOW_ORIGINS=[ORIGIN])
    init_app(app)
    response = get(app, "/api/boom")
    assert response.status_code == 500
    assert_cors_headers(response, {ACAO: ORIGIN, "Vary": "Origin"})
    assert "the view failed" in caplog.text


def test_a_before_request_hook_answering_401_cannot_break_preflights() -> None:
    """Fetch Standard, CORS-preflight fetch: a preflight never carries
    credentials, so an auth hook would refuse every one; the middleware
    answers preflights before Flask (and its hooks) see them."""
    recipe = load_example("flask_init_app.py")
    client = client_for(recipe.app)
    response = client.options(
        "/api/items/pear", headers=preflight_headers(ORIGIN, "DELETE", "authorization")
    )
    assert response.status_code == 204, "the preflight reached Flask's hook"
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


def test_the_recipe_hook_still_guards_actual_requests() -> None:
    """API.md "Behaviour on the wire" 4 and 6: the app runs for actual requests;
    its 401 carries the headers, and with the token the answer is read."""
    client = client_for(load_example("flask_init_app.py").app)
    refused = client.delete("/api/items/pear", headers={"Origin": ORIGIN})
    assert refused.status_code == 401
    assert_cors_headers(refused, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})
    allowed = client.delete(
        "/api/items/pear",
        headers={"Origin": ORIGIN, "Authorization": "Bearer let-me-in"},
    )
    assert allowed.json == {"deleted": "pear"}
    assert_cors_headers(allowed, {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"})


def test_preflight_passthrough_lets_flask_answer_options_itself() -> None:
    """API.md "Behaviour on the wire" 3: with ``preflight_passthrough=True`` the
    app answers the OPTIONS request (Flask's automatic OPTIONS, with its
    ``Allow`` header) and the middleware adds the accepted preflight's headers."""
    app = make_flask(CORS_ALLOW_ORIGINS=[ORIGIN], CORS_PREFLIGHT_PASSTHROUGH="true")
    init_app(app, allow_methods=["DELETE"])
    response = preflight(app)
    assert response.status_code == 200
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {
        "DELETE",
        "OPTIONS",
    }
    assert_cors_headers(
        response, {ACAO: ORIGIN, ACAM: "DELETE", ACMA: "600", "Vary": "Origin"}
    )


def test_the_hand_wrapped_recipe_answers_preflights_and_actual_requests() -> None:
    """API.md "Constructor": ``app.wsgi_app = CORSMiddleware(app.wsgi_app, ...)``
    is a plain WSGI wrap of the Flask app."""
    client = client_for(load_example("flask_wsgi_app.py").app)
    assert_cors_headers(
        client.options("/api/items", headers=preflight_headers(ORIGIN, "DELETE")),
        {ACAO: ORIGIN, ACAM: "DELETE", ACMA: "600", "Vary": "Origin"},
    )
    response = client.get("/api/items", headers={"Origin": ORIGIN})
    assert response.json == {"items": ["apple", "pear"]}
    assert_cors_headers(response, {ACAO: ORIGIN, "Vary": "Origin"})
    assert_cors_headers(client.get("/api/items", headers={"Origin": EVIL}), {})
