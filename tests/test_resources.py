"""Per-path policies (docs/resources.rst).

Keys are matched against ``SCRIPT_NAME + PATH_INFO`` exactly as the server gave
them: a trailing ``*`` is a prefix, anything else an exact path, a compiled
pattern a full match; the first matching key in the given order wins; matching
is case-sensitive and never unquotes. The flask-cors path-matching advisories
(CVE-2024-6866 case, CVE-2024-6844 ``+``, CVE-2024-6839 ordering) are the
counter-examples.
"""

from __future__ import annotations

import re
from typing import Any, Dict

import pytest

from cors_wsgi import CORSMiddleware
from tests.support.apps import EchoApp
from tests.support.client import MakeClient
from tests.support.environ import make_environ, run_pep3333
from tests.support.headers import (
    ACAC,
    ACAM,
    ACAO,
    ACMA,
    assert_cors_headers,
    header_lines,
)
from tests.support.origins import ORIGIN

API_ONLY: Dict[str, Any] = {"allow_origins": [ORIGIN]}


def covered(make_client: MakeClient, resources: Dict[Any, Any], **environ: str) -> bool:
    """Whether a request with these environ values is covered (ACAO echoed)."""
    client = make_client(resources=resources)
    response = client.request("GET", "/", {"Origin": ORIGIN}, **environ)
    return header_lines(response, ACAO) == [ORIGIN]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("/api/users", True, id="same-path"),
        pytest.param("/api/users/", False, id="trailing-slash"),
        pytest.param("/api/users/1", False, id="longer"),
        pytest.param("/api/user", False, id="shorter"),
        pytest.param("/api/usersx", False, id="suffix"),
    ],
)
def test_exact_key_matches_only_that_path(
    make_client: MakeClient, path: str, expected: bool
) -> None:
    """docs/resources.rst: a key without a trailing ``*`` must match exactly."""
    resources = {"/api/users": API_ONLY}
    assert covered(make_client, resources, PATH_INFO=path) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("/api/", True, id="the-prefix"),
        pytest.param("/api/users", True, id="one-level"),
        pytest.param("/api/users/1/roles", True, id="deeper"),
        pytest.param("/api", False, id="without-the-slash"),
        pytest.param("/apix/users", False, id="other-segment"),
        pytest.param("/v1/api/users", False, id="not-at-the-start"),
    ],
)
def test_trailing_star_key_is_a_prefix(
    make_client: MakeClient, path: str, expected: bool
) -> None:
    """docs/resources.rst: a trailing ``*`` means "this prefix"."""
    resources = {"/api/*": API_ONLY}
    assert covered(make_client, resources, PATH_INFO=path) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("/v2/items", True, id="full-match"),
        pytest.param("/v10/items", True, id="two-digits"),
        pytest.param("/v2/items/extra", False, id="suffix"),
        pytest.param("/prefix/v2/items", False, id="prefix"),
        pytest.param("/vx/items", False, id="no-digit"),
    ],
)
def test_compiled_pattern_key_must_match_the_whole_path(
    make_client: MakeClient, path: str, expected: bool
) -> None:
    """docs/resources.rst: a compiled re.Pattern must match the whole path (fullmatch,
    the Starlette 2020 regex fix applied to paths)."""
    resources = {re.compile(r"/v[0-9]+/items"): API_ONLY}
    assert covered(make_client, resources, PATH_INFO=path) is expected


def test_string_key_is_not_a_regex(make_client: MakeClient) -> None:
    """flask-cors guessed that strings were regexes; here ``.`` is a dot."""
    resources = {"/api/v1.0/items": API_ONLY}
    assert not covered(make_client, resources, PATH_INFO="/api/v1x0/items")
    assert covered(make_client, resources, PATH_INFO="/api/v1.0/items")


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/API/users", id="upper-case-segment"),
        pytest.param("/Api/users", id="mixed-case-segment"),
    ],
)
def test_paths_are_matched_case_sensitively(make_client: MakeClient, path: str) -> None:
    """CVE-2024-6866 (flask-cors matched paths case-insensitively)."""
    assert not covered(make_client, {"/api/*": API_ONLY}, PATH_INFO=path)


def test_plus_in_a_path_is_a_plus(make_client: MakeClient) -> None:
    """CVE-2024-6844 (flask-cors treated ``+`` in paths inconsistently)."""
    resources = {"/api/a+b": API_ONLY}
    assert covered(make_client, resources, PATH_INFO="/api/a+b")


def test_space_does_not_match_a_plus_key(make_client: MakeClient) -> None:
    """CVE-2024-6844: ``+`` is not a space in a path."""
    assert not covered(make_client, {"/api/a+b": API_ONLY}, PATH_INFO="/api/a b")


def test_plus_does_not_match_a_space_key(make_client: MakeClient) -> None:
    """CVE-2024-6844: a space key is not matched by ``+``."""
    assert not covered(make_client, {"/api/a b": API_ONLY}, PATH_INFO="/api/a+b")


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/%61pi/users", id="percent-encoded-letter"),
        pytest.param("/api%2Fusers", id="percent-encoded-slash"),
    ],
)
def test_percent_escapes_are_not_decoded(make_client: MakeClient, path: str) -> None:
    """docs/resources.rst: paths are compared as the server decoded them, never unquoted
    again (PEP 3333 servers already decode PATH_INFO)."""
    assert not covered(make_client, {"/api/*": API_ONLY}, PATH_INFO=path)


def test_percent_escape_in_a_key_matches_only_the_literal_text(
    make_client: MakeClient,
) -> None:
    """docs/resources.rst: no unquoting; a key's ``%20`` is three characters."""
    resources = {"/files/a%20b": API_ONLY}
    assert covered(make_client, resources, PATH_INFO="/files/a%20b")
    assert not covered(make_client, resources, PATH_INFO="/files/a b")


@pytest.mark.parametrize(
    ("order", "path", "expected_origin"),
    [
        pytest.param("specific-first", "/api/public/x", "*", id="specific-first"),
        pytest.param("general-first", "/api/public/x", ORIGIN, id="general-first"),
    ],
)
def test_first_matching_key_in_the_given_order_wins(
    make_client: MakeClient, order: str, path: str, expected_origin: str
) -> None:
    """CVE-2024-6839 (flask-cors sorted patterns by length): order is the user's."""
    specific = ("/api/public/*", {"allow_origins": "*"})
    general = ("/api/*", {"allow_origins": [ORIGIN]})
    pairs = [specific, general] if order == "specific-first" else [general, specific]
    client = make_client(resources=dict(pairs))
    response = client.actual(ORIGIN, path=path)
    assert header_lines(response, ACAO) == [expected_origin]


def test_regex_key_listed_first_wins_over_a_longer_exact_key(
    make_client: MakeClient,
) -> None:
    """CVE-2024-6839: no reordering by length or kind of pattern."""
    client = make_client(
        resources={
            re.compile(r"/.*"): {"allow_origins": "*"},
            "/api/users/settings": {"allow_origins": [ORIGIN]},
        }
    )
    response = client.actual(ORIGIN, path="/api/users/settings")
    assert header_lines(response, ACAO) == ["*"]


@pytest.mark.parametrize(
    ("first", "path", "expected_origin"),
    [
        pytest.param("/api/users", "/api/users", ORIGIN, id="exact-before-pattern"),
        pytest.param("/api/*", "/api/users", ORIGIN, id="prefix-before-pattern"),
        pytest.param("/api/*", "/other", "*", id="pattern-when-nothing-else"),
    ],
)
def test_a_key_listed_before_a_pattern_wins_over_it(
    make_client: MakeClient, first: str, path: str, expected_origin: str
) -> None:
    """CVE-2024-6839: order is the user's, whatever the kinds of keys; a pattern listed
    later only covers what no earlier key does."""
    client = make_client(
        resources={
            first: {"allow_origins": [ORIGIN]},
            re.compile(r"/.*"): {"allow_origins": "*"},
        }
    )
    response = client.actual(ORIGIN, path=path)
    assert header_lines(response, ACAO) == [expected_origin]


def test_a_star_key_covers_every_path(make_client: MakeClient) -> None:
    """docs/resources.rst: the prefix ``*`` alone is every path."""
    client = make_client(resources={"*": {"allow_origins": "*"}})
    for path in ("/", "/anything", "/a/b/c"):
        assert header_lines(client.actual(None, path=path), ACAO) == ["*"]


def test_a_very_long_path_is_matched_like_any_other(make_client: MakeClient) -> None:
    """docs/resources.rst: a prefix covers every path that starts with it, however long,
    every time."""
    client = make_client(resources={"/api/*": {"allow_origins": "*"}})
    path = "/api/" + "x" * 10_000
    for _ in range(2):
        assert header_lines(client.actual(ORIGIN, path=path), ACAO) == ["*"]
    assert header_lines(client.actual(ORIGIN, path="/" + "x" * 10_000), ACAO) == []


def test_many_prefixes_of_different_lengths_find_the_first_listed(
    make_client: MakeClient,
) -> None:
    """CVE-2024-6839: with many prefixes, the first key in the given order that covers
    the path wins, not the longest."""
    resources: Dict[Any, Any] = {
        f"/svc{number:02d}/*": {"allow_origins": [f"https://s{number}.example"]}
        for number in range(20)
    }
    resources["/svc05/deep/*"] = {"allow_origins": "*"}
    resources = {"/svc05/deep/*": resources.pop("/svc05/deep/*"), **resources}
    client = make_client(resources=resources)
    assert header_lines(client.actual(None, path="/svc05/deep/x"), ACAO) == ["*"]
    origin = "https://s7.example"
    assert header_lines(client.actual(origin, path="/svc07/x"), ACAO) == [origin]
    assert header_lines(client.actual(origin, path="/svc70/x"), ACAO) == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param("/mount/api/*", True, id="key-includes-script-name"),
        pytest.param("/api/*", False, id="key-without-script-name"),
    ],
)
def test_keys_match_script_name_plus_path_info(
    make_client: MakeClient, key: str, expected: bool
) -> None:
    """docs/resources.rst: paths are SCRIPT_NAME + PATH_INFO (an app mounted under
    /mount)."""
    resources = {key: API_ONLY}
    result = covered(make_client, resources, SCRIPT_NAME="/mount", PATH_INFO="/api/x")
    assert result is expected


def test_script_name_alone_is_the_path(make_client: MakeClient) -> None:
    """PEP 3333: PATH_INFO may be empty when the request is for the mount point."""
    resources = {"/mount": API_ONLY}
    assert covered(make_client, resources, SCRIPT_NAME="/mount", PATH_INFO="")


def test_outer_options_are_the_defaults_of_every_resource(
    make_client: MakeClient,
) -> None:
    """docs/resources.rst: options passed beside resources are every resource's
    defaults."""
    client = make_client(
        resources={"/api/*": {"allow_origins": [ORIGIN]}},
        max_age=3600,
        allow_credentials=True,
        allow_methods=["GET", "PUT"],
    )
    response = client.preflight(ORIGIN, "PUT", path="/api/x")
    assert response.status_code == 204
    assert_cors_headers(
        response,
        {ACAO: ORIGIN, ACAM: "PUT", ACAC: "true", ACMA: "3600", "Vary": "Origin"},
    )


def test_resource_option_overrides_the_outer_default(make_client: MakeClient) -> None:
    """docs/resources.rst: a resource's own options win over the defaults beside
    resources."""
    client = make_client(
        resources={"/api/*": {"allow_origins": [ORIGIN], "max_age": 60}},
        max_age=3600,
    )
    response = client.preflight(ORIGIN, "GET", path="/api/x")
    assert header_lines(response, ACMA) == ["60"]


def test_outer_origins_are_inherited_by_an_empty_resource(
    make_client: MakeClient,
) -> None:
    """docs/resources.rst: an empty resource is the outer policy, limited to its
    paths."""
    client = make_client(resources={"/api/*": {}}, allow_origins=[ORIGIN])
    assert header_lines(client.actual(ORIGIN, path="/api/x"), ACAO) == [ORIGIN]
    assert header_lines(client.actual(ORIGIN, path="/other"), ACAO) == []


def test_without_resources_every_path_is_covered(make_client: MakeClient) -> None:
    """docs/resources.rst: without resources, one policy covers every path."""
    client = make_client(allow_origins=[ORIGIN])
    for path in ("/", "/api/x", "/static/app.js", "/%2e%2e/etc"):
        assert header_lines(client.actual(ORIGIN, path=path), ACAO) == [ORIGIN]


def test_each_resource_answers_with_its_own_policy(make_client: MakeClient) -> None:
    """docs/resources.rst example: /api/* with credentials, /public/* for everyone."""
    client = make_client(
        resources={
            "/api/*": {"allow_origins": [ORIGIN], "allow_credentials": True},
            "/public/*": {"allow_origins": "*"},
        }
    )
    assert_cors_headers(
        client.actual(ORIGIN, path="/api/me"),
        {ACAO: ORIGIN, ACAC: "true", "Vary": "Origin"},
    )
    assert_cors_headers(
        client.actual(ORIGIN, path="/public/logo.png"), {ACAO: "*"}, absent=["Vary"]
    )


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        pytest.param("GET", {"Origin": ORIGIN}, id="actual"),
        pytest.param(
            "OPTIONS",
            {"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"},
            id="preflight",
        ),
        pytest.param("GET", {}, id="no-origin"),
    ],
)
def test_uncovered_path_is_untouched_byte_for_byte(
    method: str, headers: Dict[str, str]
) -> None:
    """docs/behaviour.rst, "1. Not covered": status, header list (order and spelling)
    and body are the app's own, compared with the bare app's answer."""
    echo_headers = [("Vary", "Accept-Encoding"), ("access-control-allow-origin", "x")]

    def answer(app: Any) -> Any:
        return run_pep3333(app, make_environ(method, "/other", headers))

    bare = answer(EchoApp(headers=echo_headers))
    wrapped = answer(
        CORSMiddleware(
            EchoApp(headers=echo_headers),
            resources={"/api/*": {"allow_origins": [ORIGIN]}},
        )
    )
    assert (wrapped.status, wrapped.headers, wrapped.body) == (
        bare.status,
        bare.headers,
        bare.body,
    )


def test_uncovered_request_reaches_the_app_with_the_same_environ_and_callable() -> None:
    """docs/behaviour.rst, "1. Not covered": the request passes through untouched (same
    objects)."""
    seen = []

    def app(environ: Dict[str, Any], start_response: Any) -> Any:
        seen.append((environ, start_response))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b""]

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        return None

    environ = make_environ("GET", "/other", {"Origin": ORIGIN})
    snapshot = dict(environ)
    middleware = CORSMiddleware(app, resources={"/api/*": API_ONLY})
    middleware(environ, start_response)
    assert seen[0][0] is environ
    assert seen[0][1] is start_response
    assert environ == snapshot
