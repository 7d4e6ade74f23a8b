"""``cors-wsgi demo [--no-browser] [--port N]``, in process.

API.md, "Console script": ``demo`` starts the demo and prints the URL of its
page on standard output. The demo serves three origins: the page, an API
wrapped in CORSMiddleware, and a second page origin the policy does not
list. What each case *should* give comes from ``cors-wsgi explain``; what
the browser really does is checked by the Chromium suite
(``tests/browser_suite/test_demo_page.py``).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from werkzeug.test import Client, TestResponse

from cors_wsgi import ConfigurationError, CORSMiddleware
from cors_wsgi.cli import main
from cors_wsgi.demo import CASES, Demo, default_policy
from cors_wsgi.demo.app import MAX_EXCHANGES, MAX_RUNS, DecisionCollector
from cors_wsgi.demo.cases import Case, expected, fetch_code
from tests.servers import free_ports, stray_sigterm_ignored
from tests.support.client import protocol_checked

PAGE = "http://127.0.0.1:8700"
API = "http://127.0.0.1:8701"
OTHER = "http://127.0.0.1:8702"
ORIGINS = {"page": PAGE, "other": OTHER}
CASE_BY_ID = {case.id: case for case in CASES}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo() -> Iterator[Demo]:
    """A demo whose decision log is collected, as ``cors-wsgi demo`` does;
    the ``cors_wsgi`` logger is put back afterwards."""
    logger = logging.getLogger("cors_wsgi")
    handlers, level = list(logger.handlers), logger.level
    instance = Demo(PAGE, API, OTHER)
    logger.setLevel(logging.DEBUG)
    logger.addHandler(DecisionCollector(instance))
    yield instance
    logger.handlers[:] = handlers
    logger.setLevel(level)


def body(response: TestResponse) -> Any:
    """The answer's JSON body."""
    return json.loads(response.get_data())


class BufferedClient(Client):
    """werkzeug's test client, reading and closing each answer at once."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def client(app: Any) -> Client:
    """A client of *app* under both WSGI checkers."""
    return BufferedClient(protocol_checked(app))


def answers(demo: Demo, policy: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """Each case's expected answer under *policy* (the defaults, changed)."""
    if policy:
        demo.set_policy({**default_policy(PAGE), **policy})
    return {case["id"]: case["expected"] for case in demo.state()["cases"]}


def summary(expected_answer: Dict[str, Any]) -> Tuple[str, str, int]:
    return (
        expected_answer["outcome"],
        expected_answer["detail"],
        expected_answer["preflights"],
    )


# What the policy should give: cors-wsgi explain, per case -----------------


def test_the_default_policy_allows_the_listed_page_and_refuses_the_rest(
    demo: Demo,
) -> None:
    """Fetch "CORS check" and "CORS-preflight fetch": the page origin is
    listed with PUT, X-Demo-Token, credentials and X-Request-Id exposed;
    the other page origin, null, X-Not-Allowed and DELETE are not."""
    got = {name: summary(answer) for name, answer in answers(demo).items()}
    assert got == {
        "simple-get": ("allowed", "", 0),
        "json-post": ("allowed", "", 1),
        "put-custom-header": ("allowed", "", 1),
        "credentials": ("allowed", "cookie sent", 0),
        "exposed-header": ("allowed", "X-Request-Id readable", 0),
        "refused-origin": ("blocked", "", 0),
        "refused-header": ("blocked", "", 1),
        "refused-method": ("blocked", "", 1),
        "error-500": ("allowed", "", 0),
        "repeat-preflight": ("allowed", "", 1),
        "null-origin": ("blocked", "", 0),
    }


@pytest.mark.parametrize(
    ("max_age", "preflights"),
    [
        pytest.param("600", 1, id="fresh-for-600-s"),
        pytest.param("0", 2, id="max-age-0-asks-every-time"),
        pytest.param("none", 1, id="no-max-age-browser-default"),
    ],
)
def test_a_repeated_preflight_is_sent_again_only_when_max_age_is_0(
    demo: Demo, max_age: str, preflights: int
) -> None:
    """Fetch "CORS-preflight cache": an answer is reused for
    Access-Control-Max-Age seconds; without the header the browser picks its
    own default (5 s in Chromium), and 0 means not at all."""
    got = answers(demo, {"max_age": max_age})["repeat-preflight"]
    assert summary(got) == ("allowed", "", preflights)


def test_a_refused_repeated_preflight_stops_at_the_first_fetch(demo: Demo) -> None:
    """Fetch "CORS-preflight fetch": a failed preflight is not cached, and
    the page's script stops at the first rejected fetch."""
    got = answers(demo, {"allow_headers": ""})["repeat-preflight"]
    assert summary(got) == ("blocked", "", 1)


def test_an_unexposed_header_is_hidden_from_script(demo: Demo) -> None:
    """Fetch "CORS-filtered response": only safelisted and exposed names."""
    got = answers(demo, {"expose_headers": ""})["exposed-header"]
    assert summary(got) == ("allowed", "X-Request-Id hidden", 0)


def test_credentials_are_blocked_unless_allowed(demo: Demo) -> None:
    """Fetch "CORS check": a credentialed answer needs
    Access-Control-Allow-Credentials: true."""
    got = answers(demo, {"allow_credentials": "false"})["credentials"]
    assert summary(got) == ("blocked", "", 0)


def test_listing_the_other_page_origin_allows_it(demo: Demo) -> None:
    got = answers(demo, {"allow_origins": f"{PAGE} {OTHER}"})["refused-origin"]
    assert summary(got) == ("allowed", "", 0)


def test_null_is_allowed_only_by_a_literal_null_entry_without_credentials(
    demo: Demo,
) -> None:
    """API.md, "Origins": a literal "null" entry allows the null origin."""
    got = answers(demo, {"allow_origins": f"{PAGE} null", "allow_credentials": "no"})
    assert summary(got["null-origin"]) == ("allowed", "", 0)


def test_expected_answers_come_with_the_explanation(demo: Demo) -> None:
    steps = answers(demo)["refused-method"]["steps"]
    assert "method DELETE: not CORS-safelisted, so a preflight is sent" in steps


def test_the_request_column_shows_each_case_as_javascript() -> None:
    assert fetch_code(CASE_BY_ID["simple-get"]) == 'await fetch(API + "/simple-get")'
    assert fetch_code(CASE_BY_ID["json-post"]) == (
        'await fetch(API + "/json-post", {method: "POST", headers: '
        '{"Content-Type": "application/json"}, body: '
        'JSON.stringify({"hello": "api"})})'
    )
    assert fetch_code(CASE_BY_ID["credentials"]).splitlines() == [
        'await fetch(API + "/credentials/login", '
        '{method: "POST", credentials: "include"})',
        'await fetch(API + "/credentials", {credentials: "include"})',
    ]
    assert fetch_code(CASE_BY_ID["exposed-header"]).splitlines()[-1] == (
        'response.headers.get("X-Request-Id")'
    )
    assert len(fetch_code(CASE_BY_ID["repeat-preflight"]).splitlines()) == 2


def test_every_case_has_its_own_path_and_a_row_attribute_safe_id() -> None:
    ids = [case.id for case in CASES]
    assert len(set(ids)) == len(ids) == 11
    assert all(case_id.replace("-", "").isalnum() for case_id in ids)


def test_expected_uses_the_page_origins_given() -> None:
    case = Case("x", "x", "x", origin="other")
    allowed = expected(case, {"allow_origins": [OTHER]}, ORIGINS)
    refused = expected(case, {"allow_origins": [PAGE]}, ORIGINS)
    assert (allowed.outcome, refused.outcome) == ("allowed", "blocked")


# The policy the page edits --------------------------------------------------


def test_the_policy_starts_from_the_defaults(demo: Demo) -> None:
    state = demo.state()
    assert state["policy"] == state["defaults"] == default_policy(PAGE)
    assert state["origins"] == {"page": PAGE, "api": API, "other": OTHER}
    assert [field["name"] for field in state["fields"]] == list(state["policy"])
    assert all(field["doc"] for field in state["fields"])


def test_the_page_shows_the_policy_as_the_python_that_builds_it(demo: Demo) -> None:
    """The code block is the parsed policy, so it can be pasted as it is."""
    demo.set_policy({**default_policy(PAGE), "allow_headers": "", "max_age": "none"})
    code = demo.state()["python"]
    namespace: Dict[str, Any] = {
        "CORSMiddleware": CORSMiddleware,
        "application": lambda environ, start_response: [],
    }
    exec(code, namespace)  # the demo's own output, nothing from a request
    assert isinstance(namespace["application"], CORSMiddleware)
    assert code.splitlines() == [
        "application = CORSMiddleware(",
        "    application,",
        f"    allow_origins=[{PAGE!r}],",
        "    allow_methods=['GET', 'HEAD', 'POST', 'PUT'],",
        "    allow_headers=[],",
        "    expose_headers=['X-Request-Id'],",
        "    allow_credentials=True,",
        "    max_age=None,",
        ")",
    ]


def test_a_policy_that_cannot_be_trusted_is_refused_with_every_reason(
    demo: Demo,
) -> None:
    """API.md, "ConfigurationError": every problem at once; the old policy
    stays in force."""
    with pytest.raises(ConfigurationError) as caught:
        demo.set_policy(
            {
                **default_policy(PAGE),
                "allow_origins": "*",
                "max_age": "ten",
                "deny_status": "400",
            }
        )
    lines = str(caught.value).splitlines()
    assert any(line.startswith("max_age: 'ten'") for line in lines)
    assert any(
        line.startswith("deny_status: the demo's page edits only") for line in lines
    )
    assert demo.policy == default_policy(PAGE)


def test_post_policy_puts_it_in_force_and_answers_the_new_state(demo: Demo) -> None:
    response = client(demo.page).post(
        "/policy", json={**default_policy(PAGE), "max_age": "0"}
    )
    assert response.status_code == 200
    assert body(response)["policy"]["max_age"] == "0"
    assert demo.policy["max_age"] == "0"


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        pytest.param(
            {"data": "{}", "content_type": "text/plain"},
            415,
            "send the policy as JSON",
            id="not-json",
        ),
        pytest.param(
            {"data": "not json", "content_type": "application/json"},
            400,
            "a JSON object of strings",
            id="bad-json",
        ),
        pytest.param(
            {"json": {"max_age": 600}},
            400,
            "a JSON object of strings",
            id="not-strings",
        ),
        pytest.param(
            {"json": ["allow_origins"]},
            400,
            "a JSON object of strings",
            id="not-object",
        ),
        pytest.param(
            {"data": b"x" * (64 * 1024 + 1), "content_type": "application/json"},
            413,
            "at most 65536 bytes",
            id="too-large",
        ),
        pytest.param(
            {"json": {"allow_origins": "app.example.com"}},
            400,
            "allow_origins: 'app.example.com' has no scheme",
            id="bad-origin",
        ),
    ],
)
def test_a_bad_policy_post_gets_a_clear_answer(
    demo: Demo, kwargs: Dict[str, Any], status: int, message: str
) -> None:
    response = client(demo.page).post("/policy", **kwargs)
    assert response.status_code == status
    assert message in " ".join(body(response)["errors"])
    assert demo.policy == default_policy(PAGE)


def test_a_content_length_that_is_not_a_number_is_refused(demo: Demo) -> None:
    # wsgiref's validator would stop such a request before the demo sees it.
    response = BufferedClient(demo.page).post(
        "/policy",
        data="{}",
        content_type="application/json",
        headers={"Content-Length": "many"},
        environ_overrides={"CONTENT_LENGTH": "many"},
    )
    assert response.status_code == 413


# The page and the other origin ------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [
        ("/", 200, "text/html; charset=utf-8"),
        ("/static/demo.js", 200, "text/javascript; charset=utf-8"),
        ("/static/demo.css", 200, "text/css; charset=utf-8"),
        ("/static/runner.js", 200, "text/javascript; charset=utf-8"),
        ("/static/../app.py", 404, "text/plain; charset=utf-8"),
        ("/state", 200, "application/json"),
        ("/nowhere", 404, "text/plain; charset=utf-8"),
    ],
)
def test_the_page_origin_serves_the_page_and_its_files(
    demo: Demo, path: str, status: int, content_type: str
) -> None:
    response = client(demo.page).get(path)
    assert response.status_code == status
    assert response.headers["Content-Type"] == content_type


def test_the_page_needs_no_cdn() -> None:
    """Everything the page loads comes from its own origin."""
    page = client(Demo(PAGE, API, OTHER).page).get("/").get_data(as_text=True)
    assert "https://" not in page
    assert "http://" not in page


def test_the_favicon_request_gets_an_empty_answer(demo: Demo) -> None:
    assert client(demo.page).get("/favicon.ico").status_code == 204


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 200), ("/static/frame.js", 200), ("/static/missing.js", 404), ("/x", 404)],
)
def test_the_other_origin_serves_the_frame(demo: Demo, path: str, status: int) -> None:
    assert client(demo.other).get(path).status_code == status


# The API, and what it remembers -----------------------------------------------


def api_get(demo: Demo, path: str, method: str = "GET", **headers: str) -> TestResponse:
    return client(demo.api).open(
        path,
        method=method,
        headers={
            "Origin": PAGE,
            **{k.replace("_", "-"): v for k, v in headers.items()},
        },
    )


def test_the_api_counts_preflights_and_keeps_the_decisions(demo: Demo) -> None:
    """The middleware answers preflights itself, so the recorder around it
    counts them; the decisions come from the decision log."""
    path = "/api/run-1/put-custom-header"
    preflight = api_get(
        demo,
        path,
        "OPTIONS",
        Access_Control_Request_Method="PUT",
        Access_Control_Request_Headers="x-demo-token",
    )
    assert preflight.status_code == 204
    assert api_get(demo, path, "PUT", X_Demo_Token="42").status_code == 200
    result = demo.results("run-1")["put-custom-header"]
    assert result["preflights"] == 1
    assert [(d["kind"], d["allowed"]) for d in result["decisions"]] == [
        ("preflight", True),
        ("actual", True),
    ]
    first = result["exchanges"][0]
    assert first["method"] == "OPTIONS"
    assert ("Origin", PAGE) in first["request"]
    assert not any(name == "User-Agent" for name, _ in first["request"])
    assert ("Access-Control-Allow-Origin", PAGE) in first["response"]


def test_a_refused_preflight_is_recorded_with_its_reason(demo: Demo) -> None:
    api_get(
        demo, "/api/r/refused-method", "OPTIONS", Access_Control_Request_Method="DELETE"
    )
    (decision,) = demo.results("r")["refused-method"]["decisions"]
    assert (decision["allowed"], decision["reason"]) == (False, "method not allowed")


def test_the_results_page_serves_a_run(demo: Demo) -> None:
    api_get(demo, "/api/run-2/simple-get")
    response = client(demo.page).get("/results?run=run-2")
    assert body(response)["simple-get"]["preflights"] == 0
    assert body(client(demo.page).get("/results?run=unknown")) == {}


def test_the_api_answers_each_case(demo: Demo) -> None:
    error = api_get(demo, "/api/r/error-500")
    assert error.status_code == 500
    assert "failed on purpose" in error.get_data(as_text=True)
    assert error.headers["Access-Control-Allow-Origin"] == PAGE
    exposed = api_get(demo, "/api/r/exposed-header")
    assert exposed.headers["X-Request-Id"] == "demo-1"
    assert exposed.headers["Access-Control-Expose-Headers"] == "X-Request-Id"
    assert body(api_get(demo, "/api/r/simple-get")) == {
        "case": "simple-get",
        "method": "GET",
    }


def test_the_credentials_case_sets_a_cookie_then_reports_it(demo: Demo) -> None:
    """RFC 6265: the cookie set by the login answer comes back."""
    api = client(demo.api)
    login = api.post("/api/r1/credentials/login", headers={"Origin": PAGE})
    assert login.headers["Set-Cookie"] == "cors_demo=r1; Path=/; SameSite=Lax"
    back = api.get("/api/r1/credentials", headers={"Origin": PAGE})
    assert body(back)["cookie"] is True
    other_run = api_get(demo, "/api/r2/credentials", Cookie="cors_demo=r1")
    assert body(other_run)["cookie"] is False
    broken = api_get(demo, "/api/r2/credentials", Cookie='cors_demo="unterminated')
    assert body(broken)["cookie"] is False


@pytest.mark.parametrize(
    "path",
    ["/", "/api/run/unknown-case", "/api/bad run!/simple-get", "/other/r/simple-get"],
)
def test_paths_outside_the_cases_are_not_recorded(demo: Demo, path: str) -> None:
    response = api_get(demo, path)
    assert response.status_code == 404
    assert "the demo's API" in response.get_data(as_text=True)
    assert demo.results("run") == {}


def test_the_demo_remembers_a_bounded_number_of_runs_and_exchanges(
    demo: Demo,
) -> None:
    for number in range(MAX_RUNS + 2):
        api_get(demo, f"/api/run{number}/simple-get")
    assert demo.results("run0") == {}
    assert demo.results(f"run{MAX_RUNS + 1}") != {}
    for _ in range(MAX_EXCHANGES + 3):
        api_get(demo, "/api/busy/simple-get")
    busy = demo.results("busy")["simple-get"]
    assert len(busy["exchanges"]) == len(busy["decisions"]) == MAX_EXCHANGES


def test_the_decision_collector_ignores_other_records(demo: Demo) -> None:
    logging.getLogger("cors_wsgi").debug("not a decision")
    assert demo.results("run") == {}


def test_request_bodies_and_their_type_are_shown(demo: Demo) -> None:
    client(demo.api).post(
        "/api/r/json-post",
        json={"hello": "api"},
        headers={"Origin": PAGE, "Sec-Fetch-Mode": "cors"},
    )
    (exchange,) = demo.results("r")["json-post"]["exchanges"]
    names = [name for name, _ in exchange["request"]]
    assert "Content-Type" in names
    assert "Sec-Fetch-Mode" not in names


# The command ------------------------------------------------------------------


@pytest.fixture
def logger_restored() -> Iterator[logging.Logger]:
    logger = logging.getLogger("cors_wsgi")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:  # loopback only
        return json.loads(response.read())


def run_demo(argv: List[str], port: int, wait_for: Optional[List[str]] = None) -> int:
    """Run ``main(["demo", *argv, "--port", PORT])`` here. From a thread, once
    the page answers (and *wait_for*, when given, is no longer empty), SIGTERM
    this process, which only the demo's handler sees; the thread gives up as
    soon as the command returns."""
    returned = threading.Event()

    def stop_when_up() -> None:
        deadline = time.monotonic() + 30
        while not returned.is_set() and time.monotonic() < deadline:
            try:
                get(f"http://127.0.0.1:{port}/state")
            except OSError:
                time.sleep(0.02)
                continue
            break
        while (
            wait_for is not None
            and not wait_for
            and not returned.is_set()
            and time.monotonic() < deadline
        ):
            time.sleep(0.02)
        if not returned.is_set():
            os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=stop_when_up)
    with stray_sigterm_ignored():
        thread.start()
        try:
            return main(["demo", *argv, "--port", str(port)])
        finally:
            returned.set()
            thread.join(60)


def test_demo_serves_three_origins_and_opens_the_page(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    logger_restored: logging.Logger,
) -> None:
    """API.md: ``demo`` prints the URL of its page and opens it in a browser
    unless --no-browser; SIGTERM (like Ctrl-C) stops it cleanly."""
    opened: List[str] = []
    seen: Dict[str, Any] = {}

    def client_thread() -> None:
        # Stop the demo even when a request fails: the asserts below say what.
        try:
            deadline = time.monotonic() + 30
            while not opened and time.monotonic() < deadline:
                time.sleep(0.02)
            seen["state"] = get(opened[0] + "state")
            api = seen["state"]["origins"]["api"]
            request = urllib.request.Request(
                api + "/api/cli/simple-get", headers={"Origin": opened[0].rstrip("/")}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                seen["allow"] = response.headers["Access-Control-Allow-Origin"]
            seen["results"] = get(opened[0] + "results?run=cli")
            with urllib.request.urlopen(
                seen["state"]["origins"]["other"] + "/", timeout=10
            ) as response:
                seen["frame"] = response.status
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr("webbrowser.open", opened.append)
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    thread = threading.Thread(target=client_thread)
    with stray_sigterm_ignored():
        thread.start()
        try:
            status = main(["demo", "--port", "0"])
        finally:
            thread.join(60)
    assert status == 0
    out = capsys.readouterr()
    page = opened[0]
    assert out.out.splitlines()[0] == f"cors_wsgi demo: open {page}"
    assert out.out.rstrip().endswith("Stopped.")
    assert seen["allow"] == page.rstrip("/")
    assert seen["results"]["simple-get"]["decisions"][0]["allowed"] is True
    assert seen["frame"] == 200
    assert "cors_wsgi: actual GET '/api/cli/simple-get': allowed" in out.err
    assert not any(
        isinstance(handler, DecisionCollector) for handler in logger_restored.handlers
    )


def test_no_browser_prints_the_url_and_opens_nothing(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    logger_restored: logging.Logger,
) -> None:
    opened: List[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    port = free_ports(3)
    status = run_demo(["--no-browser"], port)
    assert status == 0
    assert opened == []
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["page:", f"http://127.0.0.1:{port}/"]
    assert lines[2].split()[1] == f"http://127.0.0.1:{port + 1}/"
    # The demo page of the docs shows this output, with the default ports.
    docs = (ROOT / "docs" / "demo.rst").read_text()
    shown = docs.split("    $ cors-wsgi demo\n", 1)[1].split("\n\n", 1)[0]
    printed = "\n".join(lines[:5])
    for n in range(3):
        printed = printed.replace(f":{port + n}/", f":{8700 + n}/")
    assert [line[4:] for line in shown.splitlines()] == printed.splitlines()


def test_a_busy_port_is_reported_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # The page's port is free, the API's is taken: both are closed again.
        status = main(["demo", "--no-browser", "--port", str(port - 1)])
    assert status == 1
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1, ports {port - 1}-{port + 1}" in err
    assert "try another --port" in err


def test_a_port_without_room_for_three_origins_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--no-browser", "--port", "65535"]) == 1
    assert "leaves no room" in capsys.readouterr().err


def test_demo_is_listed_by_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "demo" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("platform", "environ", "opens"),
    [
        pytest.param("linux", {}, False, id="linux-without-a-display"),
        pytest.param("linux", {"WAYLAND_DISPLAY": "wayland-0"}, True, id="wayland"),
        pytest.param("darwin", {}, True, id="macos"),
        pytest.param("win32", {}, True, id="windows"),
    ],
)
def test_a_browser_is_opened_only_where_a_desktop_can_show_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    logger_restored: logging.Logger,
    platform: str,
    environ: Dict[str, str],
    opens: bool,
) -> None:
    """Without a desktop, ``webbrowser`` would start a text browser in the
    terminal, which cannot run the page: the demo says what to do instead."""
    opened: List[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    monkeypatch.setattr("sys.platform", platform)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    port = free_ports(3)
    assert run_demo([], port, opened if opens else None) == 0
    assert opened == ([f"http://127.0.0.1:{port}/"] if opens else [])
    assert ("No desktop session here" in capsys.readouterr().out) is not opens
