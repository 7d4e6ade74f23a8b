"""The decision log: one DEBUG record per request on the ``cors_wsgi`` logger.

docs/troubleshooting.rst: with DEBUG on, each decision is one line, and the
record carries the decision itself as ``record.cors_decision`` (kind,
allowed, reason, cached, ...). Request values appear as ``repr()`` cut to 200
characters, so a hostile value cannot forge log lines (CVE-2024-1681, where
flask-cors logged the raw request path). The middleware asks
``logger.isEnabledFor(DEBUG)`` on every request: level changes made at any
time, by any means, are followed at once, and nothing in :mod:`logging` is
patched.
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any, Dict, Iterator, List, Optional

import pytest

from cors_wsgi import CORSMiddleware
from tests.support.apps import EchoApp
from tests.support.client import CORSClient, MakeClient
from tests.support.environ import make_environ, preflight_headers, run_pep3333
from tests.support.origins import EVIL, ORIGIN

LOGGER = "cors_wsgi"


@pytest.fixture
def debug(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog, with DEBUG on for the ``cors_wsgi`` logger (restored afterwards)."""
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        yield caplog


def records(caplog: pytest.LogCaptureFixture) -> List[logging.LogRecord]:
    return [record for record in caplog.records if record.name == LOGGER]


def decision_of(record: logging.LogRecord) -> Any:
    return record.__dict__["cors_decision"]


def one_decision(caplog: pytest.LogCaptureFixture) -> Any:
    [record] = records(caplog)
    assert record.levelno == logging.DEBUG
    return decision_of(record)


# --- one record per request, with the decision --------------------------------------


@pytest.mark.parametrize(
    ("options", "origin", "kind", "allowed", "reason"),
    [
        pytest.param({"allow_origins": [ORIGIN]}, ORIGIN, "actual", True, "", id="ok"),
        pytest.param(
            {"allow_origins": [ORIGIN]}, EVIL, "actual", False, "origin", id="refused"
        ),
        pytest.param(
            {"allow_origins": [ORIGIN]}, None, "no-origin", False, "", id="no-origin"
        ),
        pytest.param({"allow_origins": "*"}, EVIL, "actual", True, "", id="star"),
    ],
)
def test_each_actual_request_logs_one_decision(
    make_client: MakeClient,
    debug: pytest.LogCaptureFixture,
    options: Dict[str, Any],
    origin: Optional[str],
    kind: str,
    allowed: bool,
    reason: str,
) -> None:
    """docs/troubleshooting.rst: one record per request, its decision attached."""
    make_client(**options).actual(origin, "POST", path="/p")
    decision = one_decision(debug)
    assert (decision.kind, decision.allowed, decision.reason) == (kind, allowed, reason)
    assert (decision.method, decision.path, decision.origin) == ("POST", "/p", origin)
    assert decision.cached is False


@pytest.mark.parametrize(
    ("origin", "method", "request_headers", "private_network", "allowed", "reason"),
    [
        pytest.param(ORIGIN, "PUT", "x-a", False, True, "", id="accepted"),
        pytest.param(EVIL, "PUT", None, False, False, "origin", id="origin"),
        pytest.param(ORIGIN, "DELETE", None, False, False, "method", id="method"),
        pytest.param(ORIGIN, "PUT", "x-b", False, False, "headers", id="headers"),
        pytest.param(
            ORIGIN, "PUT", None, True, False, "private-network", id="private-network"
        ),
    ],
)
def test_each_preflight_logs_one_decision_with_its_reason(
    make_client: MakeClient,
    debug: pytest.LogCaptureFixture,
    origin: str,
    method: str,
    request_headers: Optional[str],
    private_network: bool,
    allowed: bool,
    reason: str,
) -> None:
    """docs/troubleshooting.rst: a refused preflight says which part was refused:
    origin, method, headers or private network."""
    client = make_client(
        allow_origins=[ORIGIN], allow_methods=["PUT"], allow_headers=["X-A"]
    )
    client.preflight(origin, method, request_headers, private_network=private_network)
    decision = one_decision(debug)
    assert (decision.kind, decision.method) == ("preflight", "OPTIONS")
    assert (decision.allowed, decision.reason) == (allowed, reason)
    assert decision.request_method == method
    assert decision.request_headers == (request_headers or "")


def test_a_second_identical_preflight_is_logged_as_cached(
    make_client: MakeClient, debug: pytest.LogCaptureFixture
) -> None:
    """docs/behaviour.rst, "The preflight cache": the log says when an answer came from
    the server-side cache."""
    client = make_client(allow_origins=[ORIGIN], allow_methods=["PUT"])
    client.preflight(ORIGIN, "PUT")
    client.preflight(ORIGIN, "PUT")
    first, second = (decision_of(record) for record in records(debug))
    assert (first.cached, second.cached) == (False, True)
    assert first._replace(cached=True) == second
    messages = [record.getMessage() for record in records(debug)]
    assert not messages[0].endswith("(cached)")
    assert messages[1].endswith("(cached)")


@pytest.mark.parametrize(
    ("allowed", "status"),
    [
        pytest.param(True, "204", id="accepted"),
        pytest.param(False, "403", id="refused"),
    ],
)
def test_a_header_list_differing_only_in_letter_case_is_answered_from_the_cache(
    make_client: MakeClient,
    debug: pytest.LogCaptureFixture,
    allowed: bool,
    status: str,
) -> None:
    """RFC 9110, section 5.1: field names are case-insensitive, so two
    Access-Control-Request-Headers values that differ only in letter case get the
    same answer (the names are echoed lower-cased), and the second one comes from the
    server-side cache: a client cannot force a fresh check of a long list by
    changing its case."""
    client = make_client(
        allow_origins=[ORIGIN], allow_headers=["X-A", "X-B"] if allowed else ["X-A"]
    )
    first = client.preflight(ORIGIN, "GET", "x-a,x-b")
    second = client.preflight(ORIGIN, "GET", "X-A,x-B")
    third = client.preflight(ORIGIN, "GET", "X-a,X-b")
    assert [r.status.split()[0] for r in (first, second, third)] == [status] * 3
    assert first.headers.to_wsgi_list() == second.headers.to_wsgi_list()
    assert second.headers.to_wsgi_list() == third.headers.to_wsgi_list()
    decisions = [decision_of(record) for record in records(debug)]
    assert [d.cached for d in decisions] == [False, True, True]
    # The log still shows each request's own value.
    assert [d.request_headers for d in decisions] == ["x-a,x-b", "X-A,x-B", "X-a,X-b"]


def test_a_header_list_first_seen_in_capitals_is_cached_for_the_lower_case_one(
    make_client: MakeClient, debug: pytest.LogCaptureFixture
) -> None:
    """RFC 9110, section 5.1: the cache remembers the case-folded list, so the
    lower-case spelling browsers send finds the answer another spelling left."""
    client = make_client(allow_origins=[ORIGIN], allow_headers=["X-A"])
    client.preflight(ORIGIN, "GET", "X-A")
    client.preflight(ORIGIN, "GET", "x-a")
    assert [decision_of(r).cached for r in records(debug)] == [False, True]


def test_a_passthrough_preflight_is_answered_from_the_cache_too(
    make_client: MakeClient, debug: pytest.LogCaptureFixture
) -> None:
    """docs/configuration.rst, "preflight_passthrough": the app answers every time, the
    CORS decision comes from the cache the second time, with the same headers."""
    client = make_client(
        allow_origins=[ORIGIN], allow_methods=["PUT"], preflight_passthrough=True
    )
    first = client.preflight(ORIGIN, "PUT")
    second = client.preflight(ORIGIN, "PUT")
    assert first.headers.to_wsgi_list() == second.headers.to_wsgi_list()
    assert len(client.app.calls) == 2
    assert [decision_of(r).cached for r in records(debug)] == [False, True]


def test_a_callable_policy_is_never_answered_from_the_cache(
    make_client: MakeClient, debug: pytest.LogCaptureFixture
) -> None:
    """docs/configuration.rst, "allow_origins": a callable's answers are never
    cached."""
    client = make_client(allow_origins=lambda origin, environ: True)
    client.preflight(ORIGIN, "GET")
    client.preflight(ORIGIN, "GET")
    assert [decision_of(r).cached for r in records(debug)] == [False, False]


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        pytest.param(None, "no-origin GET '/p': no Origin header", id="no-origin"),
        pytest.param(
            ORIGIN, f"actual GET '/p': allowed (origin={ORIGIN!r})", id="allowed"
        ),
        pytest.param(
            EVIL,
            f"actual GET '/p': refused, origin not allowed (origin={EVIL!r})",
            id="refused",
        ),
    ],
)
def test_the_log_line_says_what_was_decided(
    make_client: MakeClient,
    debug: pytest.LogCaptureFixture,
    origin: Optional[str],
    expected: str,
) -> None:
    """docs/troubleshooting.rst: kind, method, path, verdict, request values."""
    make_client(allow_origins=[ORIGIN]).actual(origin, path="/p")
    [record] = records(debug)
    assert record.getMessage() == expected


def test_a_preflight_log_line_names_what_was_asked(
    make_client: MakeClient, debug: pytest.LogCaptureFixture
) -> None:
    """docs/troubleshooting.rst: a preflight's line names the requested method and
    headers."""
    make_client(allow_origins=[ORIGIN]).preflight(ORIGIN, "PUT", "x-a")
    [record] = records(debug)
    assert record.getMessage() == (
        f"preflight OPTIONS '/': refused, method not allowed "
        f"(origin={ORIGIN!r} method='PUT' request-headers='x-a')"
    )


def test_uncovered_requests_log_nothing(
    make_client: MakeClient, debug: pytest.LogCaptureFixture
) -> None:
    """docs/behaviour.rst, "1. Not covered": the middleware takes no decision."""
    client = make_client(resources={"/api/*": {"allow_origins": [ORIGIN]}})
    client.actual(ORIGIN, path="/other")
    client.preflight(ORIGIN, "PUT", path="/other")
    assert records(debug) == []


# --- request values in repr form, cut -------------------------------------------

FORGED = "\r\n2024-01-01 00:00:00 INFO cors_wsgi forged entry"


def test_request_values_are_logged_in_repr_form(
    make_client: MakeClient, debug: pytest.LogCaptureFixture
) -> None:
    """CVE-2024-1681: the value is quoted with repr, its CR LF escaped."""
    make_client(allow_origins=[ORIGIN]).preflight("https://a.example" + FORGED, "GET")
    [record] = records(debug)
    message = record.getMessage()
    assert "origin='https://a.example\\r\\n2024-01-01" in message
    assert "\n" not in message and "\r" not in message


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        pytest.param("actual", "origin", id="actual-origin"),
        pytest.param("actual", "path", id="actual-path"),
        pytest.param("preflight", "origin", id="preflight-origin"),
        pytest.param("preflight", "method", id="preflight-method"),
        pytest.param("preflight", "request-headers", id="preflight-headers"),
    ],
)
def test_long_request_values_are_cut_to_200_characters(
    make_client: MakeClient, debug: pytest.LogCaptureFixture, kind: str, field: str
) -> None:
    """CVE-2024-1681: a hostile value cannot flood the log either; each value is cut to
    200 characters before it is quoted."""
    long = "x" * 5000
    values = {"origin": ORIGIN, "path": "/", "method": "GET", "request-headers": ""}
    values[field] = "/" + long if field == "path" else long
    client = make_client(allow_origins=[ORIGIN])
    if kind == "actual":
        client.actual(values["origin"], path=values["path"])
    else:
        client.preflight(values["origin"], values["method"], values["request-headers"])
    [record] = records(debug)
    message = record.getMessage()
    cut = repr(values[field][:200])
    assert cut in message
    assert "x" * 201 not in message
    assert len(message) < 700


def test_an_unusual_request_method_cannot_forge_a_log_line(
    debug: pytest.LogCaptureFixture,
) -> None:
    """CVE-2024-1681: the request's method is a request value too; a server that passes
    odd bytes through must not let it break the line."""
    middleware = CORSMiddleware(EchoApp(), allow_origins=[ORIGIN])
    environ = make_environ("GET", "/", {"Origin": ORIGIN})
    environ["REQUEST_METHOD"] = "GET" + FORGED
    run_pep3333(middleware, environ)
    [record] = records(debug)
    message = record.getMessage()
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"actual {'GET' + FORGED!r} '/': allowed")


# --- the level, as logging has it at the moment of the request ----------------------


@pytest.fixture
def client_and_logger(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> Iterator[CORSClient]:
    """A client, with caplog's handler on the cors_wsgi logger and its level and
    ``disabled`` flag restored afterwards."""
    logger = logging.getLogger(LOGGER)
    saved_level, saved_disabled = logger.level, logger.disabled
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    try:
        yield make_client(allow_origins=[ORIGIN])
    finally:
        logger.setLevel(saved_level)
        logger.disabled = saved_disabled


def logged_lines(client: CORSClient, caplog: pytest.LogCaptureFixture) -> int:
    """How many records one actual request logs."""
    before = len(records(caplog))
    client.actual(ORIGIN)
    return len(records(caplog)) - before


def test_debug_turned_on_after_requests_were_served_is_followed_at_once(
    client_and_logger: CORSClient, caplog: pytest.LogCaptureFixture
) -> None:
    """docs/troubleshooting.rst: turning DEBUG on (or off) in a running server takes
    effect on the next request."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.WARNING)
    assert logged_lines(client_and_logger, caplog) == 0
    logger.setLevel(logging.DEBUG)
    assert logged_lines(client_and_logger, caplog) == 1
    logger.setLevel(logging.INFO)
    assert logged_lines(client_and_logger, caplog) == 0


def test_a_level_inherited_from_the_root_logger_and_logging_disable_are_followed(
    client_and_logger: CORSClient, caplog: pytest.LogCaptureFixture
) -> None:
    """docs/troubleshooting.rst: the effective level counts, wherever it is set, and
    ``logging.disable`` silences the log."""
    logging.getLogger(LOGGER).setLevel(logging.NOTSET)
    root = logging.getLogger()
    saved = root.level
    try:
        root.setLevel(logging.DEBUG)
        assert logged_lines(client_and_logger, caplog) == 1
        logging.disable(logging.DEBUG)
        assert logged_lines(client_and_logger, caplog) == 0
        logging.disable(logging.NOTSET)
        assert logged_lines(client_and_logger, caplog) == 1
    finally:
        logging.disable(logging.NOTSET)
        root.setLevel(saved)


def test_a_disabled_logger_logs_nothing_and_requests_still_pass(
    client_and_logger: CORSClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A logger disabled by ``logging.config`` (``disable_existing_loggers``) logs
    nothing; the answers do not change."""
    logger = logging.getLogger(LOGGER)
    logger.disabled = True
    assert logged_lines(client_and_logger, caplog) == 0
    assert client_and_logger.actual(ORIGIN).headers["Access-Control-Allow-Origin"] == (
        ORIGIN
    )
    logger.disabled = False
    assert logged_lines(client_and_logger, caplog) == 1


def test_dict_config_turning_debug_on_is_followed() -> None:
    """docs/troubleshooting.rst: ``logging.config.dictConfig`` is one way to turn the
    log on, after the middleware was built and has served requests."""
    logger = logging.getLogger(LOGGER)
    saved_level, saved_handlers = logger.level, list(logger.handlers)
    middleware = CORSMiddleware(EchoApp(), allow_origins=[ORIGIN])
    kept: List[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append(record)

    try:
        logger.setLevel(logging.INFO)
        logger.addHandler(Keep())
        run_pep3333(middleware, make_environ(headers={"Origin": ORIGIN}))
        assert kept == []
        logging.config.dictConfig(
            {
                "version": 1,
                "incremental": True,
                "loggers": {LOGGER: {"level": "DEBUG"}},
            }
        )
        run_pep3333(middleware, make_environ(headers={"Origin": ORIGIN}))
        assert [record.getMessage() for record in kept] == [
            f"actual GET '/': allowed (origin={ORIGIN!r})"
        ]
    finally:
        logger.setLevel(saved_level)
        logger.handlers[:] = saved_handlers


def test_preflights_follow_the_level_too(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A preflight answered from the cache is logged only while DEBUG is on."""
    client = make_client(allow_origins=[ORIGIN])
    environ = make_environ("OPTIONS", "/", preflight_headers(ORIGIN, "GET"))
    with caplog.at_level(logging.INFO, logger=LOGGER):
        client.open_environ(dict(environ))
    assert records(caplog) == []
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        client.open_environ(dict(environ))
    assert [decision_of(r).cached for r in records(caplog)] == [True]
