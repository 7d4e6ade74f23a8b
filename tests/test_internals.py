"""Edges of the internal modules that the wire tests do not reach.

Each test still goes through the public constructor where it can; the rest
exercise one internal function directly.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List

import pytest

from cors_wsgi import ConfigurationError, CORSMiddleware
from cors_wsgi import middleware as middleware_module
from cors_wsgi.config import build_policy, coerce_options
from cors_wsgi.httputil import (
    MAX_REQUEST_HEADERS_ITEMS,
    merge_vary,
    parse_allowed_header_list,
    parse_header_list,
    status_line,
)
from tests.helpers import EchoApp, make_environ, run_pep3333

ORIGIN = "https://a.example"


def option_line(name: str) -> str:
    return rf"(?m)^{re.escape(name)}: "


@pytest.mark.parametrize(
    ("options", "option"),
    [
        pytest.param({"allow_origins": 42}, "allow_origins", id="origins-not-iterable"),
        pytest.param(
            {"allow_origins": b"https://a.example"}, "allow_origins", id="origins-bytes"
        ),
        pytest.param(
            {"allow_origins": [ORIGIN, 1]}, "allow_origins", id="origin-not-str"
        ),
        pytest.param({"allow_methods": 7}, "allow_methods", id="methods-not-iterable"),
        pytest.param({"allow_headers": [b"X-A"]}, "allow_headers", id="header-bytes"),
        pytest.param({"expose_headers": None}, "expose_headers", id="expose-none"),
        pytest.param(
            {"allow_origin_regex": re.compile(b"x")},
            "allow_origin_regex",
            id="bytes-regex",
        ),
        pytest.param({"allow_origin_regex": 3}, "allow_origin_regex", id="regex-int"),
        pytest.param(
            {"allow_credentials": "false"}, "allow_credentials", id="credentials-str"
        ),
        pytest.param(
            {"allow_private_network": 1}, "allow_private_network", id="pna-int"
        ),
        pytest.param(
            {"preflight_passthrough": None},
            "preflight_passthrough",
            id="passthrough-none",
        ),
        pytest.param({"max_age": True}, "max_age", id="max-age-bool"),
        pytest.param({"deny_status": "403"}, "deny_status", id="deny-status-str"),
        pytest.param(
            {"preflight_cache_size": -1},
            "preflight_cache_size",
            id="cache-size-negative",
        ),
        pytest.param(
            {"preflight_cache_size": True}, "preflight_cache_size", id="cache-size-bool"
        ),
        pytest.param(
            {"preflight_cache_size": "9"}, "preflight_cache_size", id="cache-size-str"
        ),
    ],
)
def test_wrong_types_name_the_option(options: Dict[str, Any], option: str) -> None:
    with pytest.raises(ConfigurationError, match=option_line(option)):
        CORSMiddleware(EchoApp(), **{"allow_origins": [ORIGIN], **options})


def test_a_string_for_a_boolean_points_to_from_config() -> None:
    with pytest.raises(ConfigurationError, match="from_config"):
        CORSMiddleware(EchoApp(), allow_credentials="true")  # type: ignore[arg-type]


def test_an_application_that_is_not_callable_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"^application: "):
        CORSMiddleware("myapp:app")  # type: ignore[arg-type]


def test_several_problems_are_reported_together() -> None:
    with pytest.raises(ConfigurationError) as excinfo:
        CORSMiddleware(EchoApp(), allow_origins=["https://a.example/"], max_age=-1)
    lines = str(excinfo.value).splitlines()
    assert [line.split(":")[0] for line in lines] == ["allow_origins", "max_age"]


def test_policy_repr_names_its_main_settings() -> None:
    policy = build_policy({"allow_origins": "*"})
    assert repr(policy) == "<Policy origins=* credentials=False max_age=600>"
    policy = build_policy({"allow_origins": [ORIGIN], "max_age": None})
    assert repr(policy) == "<Policy origins=listed credentials=False max_age=None>"


@pytest.mark.parametrize("status", [204, 304])
def test_a_bodyless_deny_status_sends_no_body(status: int) -> None:
    app = CORSMiddleware(EchoApp(), allow_origins=[ORIGIN], deny_status=status)
    environ = make_environ(
        "OPTIONS",
        headers={"Origin": "https://b.example", "Access-Control-Request-Method": "PUT"},
    )
    result = run_pep3333(app, environ)
    assert result.status.startswith(str(status))
    assert result.body == b""
    assert [name for name, _ in result.headers] == ["Vary"]


def test_an_unusual_status_still_gets_a_reason_phrase() -> None:
    assert status_line(299) == "299 Status"
    assert status_line(204) == "204 No Content"


def test_coerce_options_refuses_resources_given_as_python() -> None:
    with pytest.raises(ConfigurationError, match=r"^resources: "):
        coerce_options({"resources": {"/api/*": {}}})


def test_coerce_options_accepts_dashes_and_any_case() -> None:
    assert coerce_options({"Allow-Origins": "https://a.example"}) == {
        "allow_origins": ("https://a.example",)
    }


# Bounded parsing of Access-Control-Request-Headers.
def test_too_many_request_header_items_are_refused_before_parsing() -> None:
    value = ",".join(["x"] * (MAX_REQUEST_HEADERS_ITEMS + 1))
    assert parse_header_list(value) is None


def test_empty_items_of_a_request_header_list_are_skipped() -> None:
    assert parse_header_list(" , x-a ,\t,X-A") == ["x-a"]


def test_vary_merge_skips_empty_items_and_keeps_first_spelling() -> None:
    assert merge_vary(["accept, , ORIGIN", ""], ["Origin"]) == "accept, ORIGIN"


def test_vary_star_anywhere_wins() -> None:
    assert merge_vary(["Accept", "*"], ["Origin"]) is None


def test_headers_given_as_a_tuple_still_get_cors_headers() -> None:
    """PEP 3333 asks for a list; a tuple from a sloppy app must not crash."""

    def app(environ: Any, start_response: Any) -> List[bytes]:
        start_response("200 OK", (("Content-Type", "text/plain"),))
        return [b"ok"]

    wrapped = CORSMiddleware(app, allow_origins=[ORIGIN])
    result = run_pep3333(wrapped, make_environ(headers={"Origin": ORIGIN}))
    assert ("Access-Control-Allow-Origin", ORIGIN) in result.headers
    assert ("Vary", "Origin") in result.headers


def test_passthrough_preflight_with_tuple_headers_is_handled() -> None:
    def app(environ: Any, start_response: Any) -> List[bytes]:
        start_response("200 OK", (("Content-Type", "text/plain"),))
        return [b"ok"]

    wrapped = CORSMiddleware(
        app, allow_origins=[ORIGIN], allow_methods=["PUT"], preflight_passthrough=True
    )
    environ = make_environ(
        "OPTIONS", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"}
    )
    result = run_pep3333(wrapped, environ)
    assert ("Access-Control-Allow-Methods", "PUT") in result.headers


def test_learnt_header_names_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(middleware_module, "_PLAIN_NAMES", set())
    monkeypatch.setattr(middleware_module, "_PLAIN_NAMES_LIMIT", 3)
    names = [f"X-Custom-{number}" for number in range(10)]

    def app(environ: Any, start_response: Any) -> List[bytes]:
        start_response("200 OK", [(name, "1") for name in names])
        return [b""]

    wrapped = CORSMiddleware(app, allow_origins=[ORIGIN])
    result = run_pep3333(wrapped, make_environ(headers={"Origin": ORIGIN}))
    assert [name for name, _ in result.headers][:10] == names
    assert len(middleware_module._PLAIN_NAMES) == 3


def test_a_cached_preflight_is_logged_as_cached(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrapped = CORSMiddleware(EchoApp(), allow_origins=[ORIGIN], allow_methods=["PUT"])
    environ = make_environ(
        "OPTIONS", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"}
    )
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        run_pep3333(wrapped, dict(environ))
        run_pep3333(wrapped, dict(environ))
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0].startswith("preflight accepted: origin='https://a.example'")
    assert not messages[0].endswith("(cached)")
    assert messages[1].endswith("(cached)")


# Per-path resources: configuration mistakes.
@pytest.mark.parametrize(
    ("resources", "fragment"),
    [
        pytest.param([("/api/*", {})], "expected a dict", id="not-a-dict"),
        pytest.param(
            {"/api/*": ["allow_origins"]}, "must be a dict", id="value-not-a-dict"
        ),
        pytest.param({"api/*": {}}, "not a path pattern", id="no-leading-slash"),
        pytest.param({"/a/*/b": {}}, "not a path pattern", id="star-in-the-middle"),
        pytest.param({42: {}}, "not a path pattern", id="int-key"),
        pytest.param({re.compile(b"/x"): {}}, "not a path pattern", id="bytes-pattern"),
        pytest.param(
            {"/api/*": {"resources": {}}}, "give it beside", id="nested-resources"
        ),
        pytest.param(
            {"/api/*": {"preflight_cache_size": 1}},
            "give it beside",
            id="cache-size-inside",
        ),
        pytest.param(
            {"/api/*": {"allow_origin": ORIGIN}},
            "did you mean 'allow_origins'",
            id="misspelt",
        ),
        pytest.param(
            {"/api/*": {"max_age": -5}}, "in resources['/api/*']", id="bad-value"
        ),
    ],
)
def test_resource_mistakes_are_configuration_errors(
    resources: Any, fragment: str
) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(fragment)):
        CORSMiddleware(EchoApp(), resources=resources)


def test_a_star_key_covers_every_path() -> None:
    wrapped = CORSMiddleware(EchoApp(), resources={"*": {"allow_origins": "*"}})
    result = run_pep3333(wrapped, make_environ(path="/anything"))
    assert ("Access-Control-Allow-Origin", "*") in result.headers


def test_very_long_paths_are_matched_but_not_remembered() -> None:
    wrapped = CORSMiddleware(EchoApp(), resources={"/api/*": {"allow_origins": "*"}})
    path = "/api/" + "x" * 1000
    for _ in range(2):
        result = run_pep3333(wrapped, make_environ(path=path))
        assert ("Access-Control-Allow-Origin", "*") in result.headers
    table = wrapped._table
    assert table is not None and path not in table.memo


def test_remembered_paths_stay_bounded() -> None:
    wrapped = CORSMiddleware(EchoApp(), resources={"/api/*": {"allow_origins": "*"}})
    table = wrapped._table
    assert table is not None
    for number in range(5000):
        table.match(f"/other/{number}")
    assert len(table.memo) <= 2048
    assert table.match("/api/x") == 0


def test_coerce_options_takes_python_values_as_they_are() -> None:
    assert coerce_options({"max_age": 5, "allow_credentials": True}) == {
        "max_age": 5,
        "allow_credentials": True,
    }


@pytest.mark.parametrize(
    ("options", "origin", "expected"),
    [
        pytest.param({"allow_origins": [ORIGIN]}, None, "no Origin header", id="none"),
        pytest.param({"allow_origins": "*"}, ORIGIN, "allowed (any origin)", id="star"),
        pytest.param({"allow_origins": [ORIGIN]}, ORIGIN, "allowed", id="allowed"),
        pytest.param(
            {"allow_origins": [ORIGIN]},
            "https://b.example",
            "refused, origin not allowed",
            id="refused",
        ),
    ],
)
def test_each_actual_request_decision_is_logged_once(
    options: Dict[str, Any],
    origin: Any,
    expected: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrapped = CORSMiddleware(EchoApp(), **options)
    headers = {} if origin is None else {"Origin": origin}
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        run_pep3333(wrapped, make_environ(path="/p", headers=headers))
    [record] = caplog.records
    assert record.getMessage().startswith(f"GET '/p': {expected}")


def test_a_passthrough_preflight_reuses_the_cached_decision() -> None:
    calls: List[str] = []

    def predicate_free_app(environ: Any, start_response: Any) -> List[bytes]:
        calls.append(environ["REQUEST_METHOD"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    wrapped = CORSMiddleware(
        predicate_free_app,
        allow_origins=[ORIGIN],
        allow_methods=["PUT"],
        preflight_passthrough=True,
    )
    environ = make_environ(
        "OPTIONS", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"}
    )
    first = run_pep3333(wrapped, dict(environ))
    assert len(wrapped._responder.cache) == 1
    second = run_pep3333(wrapped, dict(environ))
    assert first.headers == second.headers
    assert ("Access-Control-Allow-Methods", "PUT") in second.headers
    assert calls == ["OPTIONS", "OPTIONS"]


def test_remembered_origin_answers_stay_bounded_and_keep_the_exact_ones() -> None:
    from cors_wsgi.config import ORIGIN_ANSWERS_LIMIT

    wrapped = CORSMiddleware(EchoApp(), allow_origins=[ORIGIN, "https://c.example"])
    policy = wrapped._policy
    for number in range(ORIGIN_ANSWERS_LIMIT * 2 + 10):
        environ = make_environ(headers={"Origin": f"https://h{number}.example"})
        result = run_pep3333(wrapped, environ)
        assert "Access-Control-Allow-Origin" not in dict(result.headers)
    assert len(policy.origin_answers) <= ORIGIN_ANSWERS_LIMIT + 2
    assert ORIGIN in policy.origin_answers
    assert "https://c.example" in policy.origin_answers


# The DEBUG flag the request path reads instead of logger.isEnabledFor().
def debug_flag() -> bool:
    return middleware_module._debug_maybe


def _served_log_lines(wrapped: Any, caplog: pytest.LogCaptureFixture) -> int:
    before = len(caplog.records)
    run_pep3333(wrapped, make_environ(headers={"Origin": ORIGIN}))
    return len(caplog.records) - before


def test_debug_turned_on_after_requests_were_served_is_logged_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrapped = CORSMiddleware(EchoApp(), allow_origins=[ORIGIN])
    logger = logging.getLogger("cors_wsgi")
    caplog.set_level(logging.DEBUG, logger="cors_wsgi")  # restored afterwards
    logger.setLevel(logging.WARNING)
    assert _served_log_lines(wrapped, caplog) == 0
    assert debug_flag() is False  # the memo said "off"
    logger.setLevel(logging.DEBUG)  # logging clears every logger's memo
    assert debug_flag() is True
    assert _served_log_lines(wrapped, caplog) == 1
    logger.setLevel(logging.INFO)
    assert _served_log_lines(wrapped, caplog) == 0
    assert debug_flag() is False


def test_debug_through_a_parent_level_and_logging_disable_is_followed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrapped = CORSMiddleware(EchoApp(), allow_origins=[ORIGIN])
    caplog.set_level(logging.DEBUG, logger="cors_wsgi")  # restored afterwards
    logging.getLogger("cors_wsgi").setLevel(logging.NOTSET)
    root = logging.getLogger()
    saved = root.level
    try:
        root.setLevel(logging.DEBUG)  # inherited: cors_wsgi's level is NOTSET
        assert _served_log_lines(wrapped, caplog) == 1
        logging.disable(logging.DEBUG)
        assert _served_log_lines(wrapped, caplog) == 0
        logging.disable(logging.NOTSET)
        assert _served_log_lines(wrapped, caplog) == 1
    finally:
        logging.disable(logging.NOTSET)
        root.setLevel(saved)


def test_a_disabled_logger_logs_nothing_and_requests_still_pass(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrapped = CORSMiddleware(EchoApp(), allow_origins=[ORIGIN])
    logger = logging.getLogger("cors_wsgi")
    caplog.set_level(logging.DEBUG, logger="cors_wsgi")
    logger.disabled = True
    try:
        assert _served_log_lines(wrapped, caplog) == 0
    finally:
        logger.disabled = False
    assert _served_log_lines(wrapped, caplog) == 1


def test_without_a_level_memo_every_request_asks_the_logger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    other = logging.Logger("cors_wsgi.test-no-memo")
    del other._cache  # type: ignore[attr-defined]  # a logging without the memo
    saved = middleware_module._debug_maybe
    try:
        assert middleware_module._watch_level_memo(other) is False
        assert debug_flag() is True
    finally:
        middleware_module._debug_maybe = saved
    logger = logging.getLogger("cors_wsgi")
    assert type(logger._cache) is middleware_module._WatchedLevelMemo  # type: ignore[attr-defined]
    memo = {logging.DEBUG: False}
    probe = logging.Logger("cors_wsgi.test-memo")
    probe._cache = memo  # type: ignore[attr-defined]
    try:
        assert middleware_module._watch_level_memo(probe) is True
        assert debug_flag() is False
        assert dict(probe._cache) == memo  # type: ignore[attr-defined]
    finally:
        middleware_module._watch_level_memo(logger)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("x-a, x-b", id="white-space"),
        pytest.param("x-a,,x-b", id="empty-item"),
        pytest.param("x-\u212a", id="kelvin-sign-lowers-to-k"),
        pytest.param("x-a,x-c", id="name-not-allowed"),
        pytest.param(",".join(["x-a"] * (MAX_REQUEST_HEADERS_ITEMS + 1)), id="items"),
        pytest.param("", id="empty"),
    ],
)
def test_header_list_shortcut_leaves_everything_unusual_to_the_parser(
    value: str,
) -> None:
    assert parse_allowed_header_list(value, frozenset({"x-a", "x-b", "x-k"})) is None


def test_header_list_shortcut_lowers_and_deduplicates() -> None:
    names = parse_allowed_header_list("X-B,x-a,X-b", frozenset({"x-a", "x-b"}))
    assert names == ["x-b", "x-a"]


def test_dict_config_turning_debug_on_is_followed() -> None:
    import logging.config

    logger = logging.getLogger("cors_wsgi")
    saved_level, saved_handlers = logger.level, list(logger.handlers)
    wrapped = CORSMiddleware(EchoApp(), allow_origins=[ORIGIN])
    records: List[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    try:
        logger.setLevel(logging.INFO)
        run_pep3333(wrapped, make_environ(headers={"Origin": ORIGIN}))
        assert debug_flag() is False
        logging.config.dictConfig(
            {
                "version": 1,
                "incremental": True,
                "loggers": {"cors_wsgi": {"level": "DEBUG"}},
            }
        )
        logger.addHandler(Keep())
        run_pep3333(wrapped, make_environ(headers={"Origin": ORIGIN}))
        assert [r.getMessage() for r in records] == [
            "GET '/': allowed (origin='https://a.example')"
        ]
    finally:
        logger.setLevel(saved_level)
        logger.handlers[:] = saved_handlers
