"""``cors-wsgi check``: a live server's answers judged as a browser judges them.

The browser's checks are unit-tested against the Fetch Standard's clauses;
the command runs against servers started here on 127.0.0.1: cors_wsgi itself
(which must pass, audit included) and hand-written apps that get CORS wrong
in the ways API.md's ``check`` paragraph lists (each must be found).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Tuple

import pytest

from cors_wsgi import CORSMiddleware
from cors_wsgi.cli import main
from cors_wsgi.diagnose import browser
from cors_wsgi.diagnose.audit import MAX_REQUESTS, parse_url
from tests import broken_servers
from tests.broken_servers import (
    ALLOWED,
    Garbage,
    Reset,
    Silent,
    closed_port,
    serve,
    serve_tcp,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

DOC = Path(__file__).resolve().parent.parent / "docs" / "check.rst"

# ---------------------------------------------------------------------------
# The browser's checks, pure functions
# ---------------------------------------------------------------------------

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"


def code(failure: Any) -> str:
    return "passes" if failure is None else str(failure.code)


@pytest.mark.parametrize(
    ("headers", "credentials", "expected"),
    [
        pytest.param([], False, "allow-origin-missing", id="no-allow-origin"),
        pytest.param([(ACAO, "*")], False, "passes", id="star-without-credentials"),
        pytest.param([(ACAO, "*")], True, "allow-origin-wildcard", id="star-creds"),
        pytest.param([(ACAO, ALLOWED)], False, "passes", id="same-origin-value"),
        pytest.param(
            [(ACAO, "https://APP.example.com")],
            False,
            "allow-origin-mismatch",
            id="byte-equal-not-case-insensitive",
        ),
        pytest.param(
            [(ACAO, ALLOWED), (ACAO, ALLOWED)],
            False,
            "allow-origin-multiple",
            id="two-headers-combine-into-a-list",
        ),
        pytest.param(
            [(ACAO, "app.example.com")], False, "allow-origin-invalid", id="no-scheme"
        ),
        pytest.param([(ACAO, "null")], False, "allow-origin-mismatch", id="null"),
        pytest.param([(ACAO, ALLOWED)], True, "allow-credentials", id="no-acac"),
        pytest.param(
            [(ACAO, ALLOWED), (ACAC, "True")],
            True,
            "allow-credentials",
            id="acac-is-byte-exact",
        ),
        pytest.param(
            [(ACAO, ALLOWED), (ACAC, "true")], True, "passes", id="credentialed"
        ),
    ],
)
def test_cors_check_follows_the_fetch_standard(
    headers: List[Tuple[str, str]], credentials: bool, expected: str
) -> None:
    """https://fetch.spec.whatwg.org/#cors-check, steps 1 to 8."""
    assert code(browser.cors_failure(headers, ALLOWED, credentials)) == expected


def test_the_null_origin_passes_with_allow_origin_null() -> None:
    """https://fetch.spec.whatwg.org/#cors-check: the serialized origin of an
    opaque origin is ``null``, byte-equal to ``null``."""
    assert browser.cors_failure([(ACAO, "null")], "null", False) is None


def test_a_missing_allow_origin_is_worded_as_chromium_and_firefox_say_it() -> None:
    """The console texts of Chromium (cors_error_string.cc) and Firefox (MDN's
    CORSMissingAllowOrigin)."""
    failure = browser.cors_failure([], ALLOWED, False)
    assert failure is not None
    assert failure.chromium == (
        "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    )
    assert failure.firefox == "CORS header 'Access-Control-Allow-Origin' missing"


def test_the_string_checks_give_chromiums_reason_or_none() -> None:
    """cors_check and preflight_check: the same checks, one string each."""
    assert browser.cors_check([(ACAO, "*")], ALLOWED, False) is None
    assert "No 'Access-Control-Allow-Origin'" in str(
        browser.cors_check([], ALLOWED, False)
    )
    assert (
        browser.preflight_check(204, [(ACAO, "*")], ALLOWED, "GET", [], False) is None
    )
    reason = browser.preflight_check(204, [], ALLOWED, "GET", [], False)
    assert str(reason).startswith(
        "Response to preflight request doesn't pass access control check: "
    )


OK = [(ACAO, ALLOWED), (ACAC, "true")]


@pytest.mark.parametrize(
    ("status", "headers", "method", "unsafe", "credentials", "expected"),
    [
        pytest.param(204, OK, "GET", [], True, "passes", id="safelisted-method"),
        pytest.param(302, OK, "PUT", [], True, "preflight-redirect", id="redirect"),
        pytest.param(403, [], "PUT", [], True, "allow-origin-missing", id="refused"),
        pytest.param(403, OK, "PUT", [], True, "preflight-status", id="not-ok"),
        pytest.param(
            204, OK, "PUT", [], True, "method-not-allowed", id="method-unlisted"
        ),
        pytest.param(204, OK + [(ACAM, "PUT")], "PUT", [], True, "passes", id="put"),
        pytest.param(
            204,
            OK + [(ACAM, "put")],
            "PUT",
            [],
            True,
            "method-not-allowed",
            id="methods-are-case-sensitive",
        ),
        pytest.param(
            204, [(ACAO, "*"), (ACAM, "*")], "PATCH", [], False, "passes", id="star"
        ),
        pytest.param(
            204,
            OK + [(ACAM, "*")],
            "PATCH",
            [],
            True,
            "method-not-allowed",
            id="star-is-literal-with-credentials",
        ),
        pytest.param(
            204,
            OK + [(ACAM, "PUT DELETE")],
            "PUT",
            [],
            True,
            "allow-methods-invalid",
            id="methods-not-a-list",
        ),
        pytest.param(
            204,
            OK + [(ACAH, "x-token;")],
            "GET",
            ["x-token"],
            True,
            "allow-headers-invalid",
            id="headers-not-a-list",
        ),
        pytest.param(
            204,
            OK + [(ACAH, "X-Other")],
            "GET",
            ["x-token"],
            True,
            "header-not-allowed",
            id="header-unlisted",
        ),
        pytest.param(
            204,
            OK + [(ACAH, " , X-Token ,")],
            "GET",
            ["x-token"],
            True,
            "passes",
            id="names-case-insensitive-empty-items-skipped",
        ),
        pytest.param(
            204,
            [(ACAO, "*"), (ACAH, "*")],
            "GET",
            ["x-token"],
            False,
            "passes",
            id="star-covers-headers",
        ),
        pytest.param(
            204,
            OK + [(ACAH, "*")],
            "GET",
            ["x-token"],
            True,
            "header-not-allowed",
            id="star-is-literal-with-credentials-headers",
        ),
        pytest.param(
            204,
            [(ACAO, "*"), (ACAH, "*")],
            "GET",
            ["authorization"],
            False,
            "header-not-allowed",
            id="star-never-covers-authorization",
        ),
    ],
)
def test_preflight_checks_follow_the_fetch_standard(
    status: int,
    headers: List[Tuple[str, str]],
    method: str,
    unsafe: List[str],
    credentials: bool,
    expected: str,
) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch, step 7: CORS check
    and ok status; the lists parse; the method and every unsafe header name
    are allowed (``*`` only without credentials, never for Authorization)."""
    failure = browser.preflight_failure(
        status, headers, ALLOWED, method, unsafe, credentials
    )
    assert code(failure) == expected


@pytest.mark.parametrize(
    ("headers", "credentials", "expected"),
    [
        pytest.param(
            [("Content-Type", "text/plain"), ("X-Total", "1")],
            False,
            ["content-type"],
            id="safelisted-only",
        ),
        pytest.param(
            [("Content-Type", "text/plain"), ("X-Total", "1"), (ACEH, "x-total")],
            False,
            ["content-type", "x-total"],
            id="listed",
        ),
        pytest.param(
            [("X-Total", "1"), (ACEH, "*"), ("Set-Cookie", "a=b")],
            False,
            ["access-control-expose-headers", "x-total"],
            id="star-all-but-set-cookie",
        ),
        pytest.param(
            [("X-Total", "1"), (ACEH, "*")], True, [], id="star-literal-with-creds"
        ),
        pytest.param(
            [("X-Total", "1"), (ACEH, "x-total;"), ("Expires", "0")],
            False,
            ["expires"],
            id="unparsable-list-exposes-nothing-more",
        ),
    ],
)
def test_exposed_headers_follow_the_fetch_standard(
    headers: List[Tuple[str, str]], credentials: bool, expected: List[str]
) -> None:
    """https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name and
    the CORS-exposed header-name list of https://fetch.spec.whatwg.org/#main-fetch."""
    assert browser.exposed_header_names(headers, credentials) == expected


@pytest.mark.parametrize(
    "origin", ["https://app.example.com", "http://localhost:3000", "null", "x://[::1]"]
)
def test_serialized_origins_are_accepted(origin: str) -> None:
    """https://html.spec.whatwg.org/#ascii-serialisation-of-an-origin"""
    assert browser.parse_origin(origin) == origin


@pytest.mark.parametrize(
    ("origin", "message"),
    [
        ("https://App.example.com", "did you mean 'https://app.example.com'"),
        ("https://app.example.com:443", "did you mean 'https://app.example.com'"),
        ("https://app.example.com/", "did you mean 'https://app.example.com'"),
        ("http://localhost:03000", "did you mean 'http://localhost:3000'"),
        ("https://app.example.com/path", "is not an origin: use scheme://host"),
        ("app.example.com", "is not an origin: use scheme://host"),
        ("https://bücher.example", "is not an origin: use scheme://host"),
        ("https://a.example:99999", "99999 is not a port number"),
    ],
)
def test_origins_a_browser_never_sends_are_refused_with_a_hint(
    origin: str, message: str
) -> None:
    """A browser sends the ASCII serialization of an origin: lower case, no
    default port, no path (HTML's origin serialization; RFC 6454 section 7)."""
    with pytest.raises(ValueError, match=re.escape(message)):
        browser.parse_origin(origin)


@pytest.mark.parametrize(
    ("name", "value", "forbidden"),
    [
        ("Host", "a", True),
        ("Sec-Fetch-Mode", "cors", True),
        ("Proxy-Authorization", "x", True),
        ("X-HTTP-Method-Override", "PATCH, trace", True),
        ("X-HTTP-Method-Override", "PATCH", False),
        ("X-Token", "1", False),
    ],
)
def test_forbidden_request_headers(name: str, value: str, forbidden: bool) -> None:
    """https://fetch.spec.whatwg.org/#forbidden-request-header"""
    assert browser.forbidden_request_header(name, value) is forbidden


def test_fetch_normalizes_six_methods_only() -> None:
    """https://fetch.spec.whatwg.org/#concept-method-normalize"""
    assert browser.normalize_method("delete") == "DELETE"
    assert browser.normalize_method("patch") == "patch"


def test_preflight_reasons_name_the_method_and_the_unsafe_headers() -> None:
    """https://fetch.spec.whatwg.org/#main-fetch (the CORS-preflight flag)."""
    assert browser.preflight_reasons("GET", [("Accept", "*/*")]) == []
    assert browser.preflight_reasons("PATCH", [("X-B", "1"), ("X-A", "2")]) == [
        "PATCH is not a CORS-safelisted method",
        "these request headers are not CORS-safelisted: x-a, x-b",
    ]


@pytest.mark.parametrize(
    ("vary", "expected"),
    [
        (["Accept, origin"], True),
        (["Accept", "*"], True),
        (["Accept"], False),
        ([], False),
    ],
)
def test_vary_names_origin(vary: List[str], expected: bool) -> None:
    """RFC 9110 section 12.5.5: a case-insensitive list; ``*`` varies on all."""
    assert browser.varies_on_origin([("Vary", value) for value in vary]) is expected


def test_a_url_gives_its_origin_host_port_and_target() -> None:
    """https://url.spec.whatwg.org/#origin, and RFC 9112 section 3.2 (Host)."""
    target = parse_url("HTTP://[::1]:8080/a?b=1#frag")
    assert (target.host, target.port, target.path) == ("::1", 8080, "/a?b=1")
    assert target.origin == "http://[::1]:8080"
    assert target.authority == "[::1]:8080"
    plain = parse_url("https://example.com:443")
    assert (plain.port, plain.path, plain.origin) == (443, "/", "https://example.com")


# ---------------------------------------------------------------------------
# The command against live servers
# ---------------------------------------------------------------------------


def run_check(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str, str]:
    status = main(["check", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, Any]:
    status, out, _ = run_check(capsys, *argv, "--json")
    return status, json.loads(out)


def finding_ids(report: Dict[str, Any]) -> List[str]:
    return [finding["id"] for finding in report["findings"]]


def hello(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    body = b'{"hello": "world"}'
    start_response(
        "200 OK",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("X-Total", "1"),
        ],
    )
    return [body]


STRICT: Dict[str, Any] = {
    "allow_origins": [ALLOWED],
    "allow_credentials": True,
    "allow_methods": ["GET", "PUT"],
    "allow_headers": ["X-Token"],
    "expose_headers": ["X-Total"],
}
PUT_WITH_TOKEN = ["--method", "put", "--header", "X-Token: 1", "--credentials"]


def cors_wsgi(**options: Any) -> WSGIApplication:
    return CORSMiddleware(hello, **options)


def test_the_request_a_strict_policy_allows_passes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """API.md, check: exit 0 when the browser would allow the request; a PUT
    with X-Token is preflighted (https://fetch.spec.whatwg.org/#main-fetch)."""
    with serve(cors_wsgi(**STRICT)) as url:
        status, out, _ = run_check(
            capsys, url + "/api", "--origin", ALLOWED, *PUT_WITH_TOKEN
        )
    assert status == 0
    assert "A browser sends a preflight first: PUT is not a CORS-safelisted" in out
    assert "  > Access-Control-Request-Headers: x-token" in out
    assert "Passed the CORS check and the preflight checks." in out
    assert f"Allowed: JavaScript on {ALLOWED} can read the response." in out
    assert "can read: content-length, content-type, x-total." in out


def test_a_method_the_strict_policy_does_not_allow_is_refused_in_chromiums_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """API.md, check: exit 1 when refused; cors_wsgi's refused preflight has no
    Access-Control-Allow-Origin (https://fetch.spec.whatwg.org/#cors-check)."""
    with serve(cors_wsgi(**STRICT)) as url:
        status, out, _ = run_check(
            capsys, url, "--origin", ALLOWED, "--method", "DELETE"
        )
    assert status == 1
    assert (
        f"Access to fetch at '{url}' from origin '{ALLOWED}' has been blocked by "
        "CORS policy: Response to preflight request doesn't pass access control "
        "check: No 'Access-Control-Allow-Origin' header is present on the "
        "requested resource."
    ) in out
    assert "(Reason: CORS header 'Access-Control-Allow-Origin' missing). " in out
    assert "Refused: the browser does not send the DELETE request" in out
    assert "Actual request" not in out


def test_an_origin_the_policy_does_not_allow_is_refused_on_the_actual_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """https://fetch.spec.whatwg.org/#cors-check: a simple GET is sent, and
    its answer is not readable without Access-Control-Allow-Origin."""
    with serve(cors_wsgi(**STRICT)) as url:
        status, out, _ = run_check(capsys, url, "--origin", "https://other.example")
    assert status == 1
    assert "No preflight: GET and every request header are CORS-safelisted." in out
    assert "Refused: the server received the request, but" in out


def test_credentials_need_allow_credentials_true(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """https://fetch.spec.whatwg.org/#cors-check, step 7."""
    with serve(cors_wsgi(allow_origins=[ALLOWED])) as url:
        status, out, _ = run_check(capsys, url, "--origin", ALLOWED, "--credentials")
    assert status == 1
    assert "The value of the 'Access-Control-Allow-Credentials' header" in out


@pytest.mark.parametrize(
    ("options", "origin"),
    [
        pytest.param(STRICT, ALLOWED, id="strict-credentialed"),
        pytest.param(
            {
                "allow_origins": ["https://example.com", "https://*.example.com"],
                "allow_credentials": True,
            },
            "https://example.com",
            id="site-and-subdomains",
        ),
        pytest.param(
            {
                "allow_origin_regex": r"https://(app|admin)\.example\.com",
                "allow_credentials": True,
            },
            ALLOWED,
            id="regex",
        ),
        pytest.param(
            {"allow_origins": ["http://localhost:3000"]},
            "http://localhost:3000",
            id="development-origin-with-port",
        ),
        pytest.param({"allow_origins": "*"}, ALLOWED, id="public"),
    ],
)
def test_the_audit_of_cors_wsgi_finds_nothing(
    capsys: pytest.CaptureFixture[str], options: Dict[str, Any], origin: str
) -> None:
    """API.md, check: exit 0 when allowed and --audit found nothing; cors_wsgi
    allows exactly the configured origins (API.md, "Origins"), with Vary."""
    with serve(cors_wsgi(**options)) as url:
        status, report = run_json(capsys, url, "--origin", origin, "--audit")
    assert status == 0, report["findings"]
    assert report["verdict"] == "allowed"
    assert [f for f in report["findings"] if f["severity"] != "info"] == []


def test_the_audit_of_a_preflighted_request_stays_within_its_bound(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """API.md, check: the audit is bounded; probes that fail their preflight
    send no actual request, as a browser would not."""
    with serve(cors_wsgi(**STRICT)) as url:
        status, out, _ = run_check(
            capsys, url, "--origin", ALLOWED, *PUT_WITH_TOKEN, "--audit"
        )
    assert status == 0
    assert "No findings." in out
    assert "  refused                   null" in out
    requests = int(re.findall(r"(\d+) requests sent to", out)[0])
    assert requests == 2 + 7  # the request and its preflight, 7 preflights


def test_a_trusted_parent_domain_is_information_not_a_lookalike_finding(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """API.md, Origins: ``https://*.example.com`` lets every subdomain in, so
    ``evilapp.example.com`` is a sibling, not a lookalike: info only."""
    options = {"allow_origins": ["https://*.example.com"], "allow_credentials": True}
    with serve(cors_wsgi(**options)) as url:
        status, report = run_json(capsys, url, "--origin", ALLOWED, "--audit")
    assert status == 0
    assert finding_ids(report) == ["subdomains-allowed"]
    assert report["findings"][0]["severity"] == "info"
    assert [p["name"] for p in report["probes"] if p["access"] != "none"] == [
        "prefix",
        "sibling",
        "subdomain",
    ]


@pytest.mark.parametrize(
    ("app", "argv", "expected"),
    [
        pytest.param(
            broken_servers.reflect_any_origin(),
            [],
            {
                "any-origin-allowed": "high",
                "null-origin-allowed": "high",
                "insecure-origin-allowed": "high",
            },
            id="reflects-any-origin",
        ),
        pytest.param(
            broken_servers.unanchored_regex(),
            [],
            {"suffix-lookalike-allowed": "high"},
            id="re-match-not-fullmatch",
        ),
        pytest.param(
            broken_servers.unescaped_dot_regex(),
            [],
            {"unescaped-dot-allowed": "high"},
            id="unescaped-dot",
        ),
        pytest.param(
            broken_servers.endswith_check(),
            [],
            {
                "insecure-origin-allowed": "high",
                "prefix-lookalike-allowed": "high",
                "subdomains-allowed": "info",
            },
            id="endswith",
        ),
        pytest.param(
            broken_servers.wildcard_with_credentials(),
            [],
            {"wildcard-with-credentials": "low"},
            id="star-with-credentials",
        ),
        pytest.param(
            broken_servers.null_with_credentials(),
            [],
            {"null-origin-allowed": "high"},
            id="null-with-credentials",
        ),
        pytest.param(
            broken_servers.no_vary(),
            [],
            {"vary-origin-missing": "medium"},
            id="no-vary",
        ),
        pytest.param(
            broken_servers.cors_app(lambda origin: True, credentials=False),
            ["--method", "PUT"],
            {
                "any-origin-allowed": "medium",
                "null-origin-allowed": "medium",
                "insecure-origin-allowed": "medium",
            },
            id="reflects-any-origin-without-credentials-preflighted",
        ),
        pytest.param(
            broken_servers.preflight_reflects_any(),
            ["--method", "PUT"],
            {},
            id="preflight-says-yes-actual-says-no",
        ),
    ],
)
def test_the_audit_finds_each_broken_configuration(
    capsys: pytest.CaptureFixture[str],
    app: WSGIApplication,
    argv: List[str],
    expected: Dict[str, str],
) -> None:
    """API.md, check: exit 1 on a finding. The origins are those the Fetch
    Standard's CORS check would let read the answer
    (https://fetch.spec.whatwg.org/#cors-check); a response that echoes the
    origin needs Vary: Origin (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches)."""
    with serve(app) as url:
        status, report = run_json(capsys, url, "--origin", ALLOWED, "--audit", *argv)
    found = {f["id"]: f["severity"] for f in report["findings"]}
    assert found == expected
    assert status == (1 if expected else 0)
    assert all(f["fix"] and f["message"] for f in report["findings"])
    assert report["requests"] <= MAX_REQUESTS


def test_a_prefix_lookalike_of_a_registrable_domain_is_a_finding(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``endswith("example.com")`` lets ``evilexample.com`` in: no parent
    domain to trust there."""
    app = broken_servers.cors_app(lambda origin: origin.endswith("example.com"))
    with serve(app) as url:
        status, report = run_json(
            capsys, url, "--origin", "https://example.com", "--audit"
        )
    assert status == 1
    assert "prefix-lookalike-allowed" in finding_ids(report)
    assert "sibling" not in [probe["name"] for probe in report["probes"]]


def test_the_audit_from_the_null_origin_tries_an_arbitrary_origin(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """https://fetch.spec.whatwg.org/#cors-check: ``null`` is one more origin."""
    with serve(broken_servers.reflect_any_origin()) as url:
        status, report = run_json(capsys, url, "--origin", "null", "--audit")
    assert status == 1
    assert [p["origin"] for p in report["probes"]] == [
        "https://cors-wsgi-audit.invalid"
    ]
    assert finding_ids(report) == ["any-origin-allowed"]


def test_the_largest_audit_stays_within_its_bound(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """API.md, check: bounded. The endswith app lets the prefix lookalike in,
    so all eight probes run, each preflighted."""
    with serve(broken_servers.endswith_check()) as url:
        status, report = run_json(
            capsys, url, "--origin", ALLOWED, "--audit", "--method", "PUT"
        )
    assert status == 1
    probes = report["probes"]
    assert len(probes) == 8
    assert report["requests"] == 2 + sum(len(probe["steps"]) for probe in probes)
    assert 2 + 2 * len(probes) <= MAX_REQUESTS


def test_the_human_audit_lists_probes_and_fixes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """API.md, check: each finding with a severity and a one-line fix."""
    with serve(broken_servers.null_with_credentials()) as url:
        status, out, _ = run_check(capsys, url, "--origin", ALLOWED, "--audit")
    assert status == 1
    assert "  allowed with credentials  null" in out
    assert "  high: null-origin-allowed: null (the null origin) is allowed with" in out
    assert "    Fix: Do not allow 'null'" in out


def test_cookies_go_with_the_actual_request_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch: a preflight never
    carries credentials; the actual request with credentials does."""
    seen: List[WSGIEnvironment] = []
    app = broken_servers.cors_app(lambda origin: origin == ALLOWED, seen=seen)
    with serve(app) as url:
        status, report = run_json(
            capsys,
            url,
            "--origin",
            ALLOWED,
            "--method",
            "PUT",
            "--header",
            "Cookie: session=1",
            "--credentials",
        )
    assert status == 0
    assert [environ.get("HTTP_COOKIE") for environ in seen] == [None, "session=1"]
    preflight, actual = report["steps"]
    assert ["Cookie", "session=1"] in actual["request"]["headers"]
    assert ["Content-Length", "0"] in actual["request"]["headers"]
    assert not any(name == "Cookie" for name, _ in preflight["request"]["headers"])


def test_an_accept_header_of_the_script_replaces_fetchs_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """https://fetch.spec.whatwg.org/#fetching: ``Accept: */*`` is added only
    when the request has no ``Accept`` of its own."""
    with serve(cors_wsgi(**STRICT)) as url:
        status, report = run_json(
            capsys, url, "--origin", ALLOWED, "--header", "Accept: text/csv"
        )
    assert status == 0
    sent = report["steps"][0]["request"]["headers"]
    assert [value for name, value in sent if name == "Accept"] == ["text/csv"]


def test_the_json_report_has_the_documented_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """docs/check.rst, "The --json report": every field, with its type."""
    with serve(cors_wsgi(**STRICT)) as url:
        status, report = run_json(
            capsys, url, "--origin", ALLOWED, *PUT_WITH_TOKEN, "--audit"
        )
    assert status == 0
    assert set(report) == {
        "url",
        "origin",
        "method",
        "headers",
        "credentials",
        "preflight",
        "preflight_reasons",
        "verdict",
        "readable",
        "exposed_headers",
        "steps",
        "audit",
        "probes",
        "findings",
        "requests",
    }
    assert (report["method"], report["headers"]) == ("PUT", [["X-Token", "1"]])
    assert report["readable"] is True
    assert report["exposed_headers"] == ["content-length", "content-type", "x-total"]
    step = report["steps"][0]
    assert set(step) == {"kind", "request", "response", "passed", "failure"}
    assert set(step["request"]) == {"method", "path", "headers"}
    assert set(step["response"]) == {"status", "reason", "headers"}
    probe = report["probes"][0]
    assert set(probe) == {"name", "label", "origin", "access", "steps"}
    failure = probe["steps"][0]["failure"]
    assert set(failure) == {"code", "chromium", "firefox"}
    assert f"from origin '{probe['origin']}'" in failure["chromium"]


def test_a_redirected_preflight_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch: a 3xx is not an
    ok status; Chromium: "Redirect is not allowed for a preflight request"."""
    with serve(broken_servers.redirect("*")) as url:
        status, out, _ = run_check(capsys, url, "--origin", ALLOWED, "--method", "PUT")
    assert status == 1
    assert "Redirect is not allowed for a preflight request." in out


def test_a_redirect_without_cors_headers_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """https://fetch.spec.whatwg.org/#http-fetch: the CORS check runs on a
    redirect too, before the browser follows it."""
    with serve(broken_servers.redirect(None)) as url:
        status, out, _ = run_check(capsys, url, "--origin", ALLOWED)
    assert status == 1
    assert "No 'Access-Control-Allow-Origin' header is present" in out


def test_a_redirect_the_browser_would_follow_is_reported_not_followed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """API.md, check: exit 2, no usable answer; the redirect's target is not
    requested (https://fetch.spec.whatwg.org/#http-redirect-fetch)."""
    with serve(broken_servers.redirect("*")) as url:
        status, out, _ = run_check(capsys, url, "--origin", ALLOWED)
    assert status == 2
    assert "Not decided: the server redirects to /elsewhere." in out
    assert "1 request sent" in out


# ---------------------------------------------------------------------------
# No usable answer, bad arguments: one line, exit 2, never a traceback
# ---------------------------------------------------------------------------


def test_connection_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """API.md, check: exit 2 on connection refused."""
    with closed_port() as port:
        status, out, err = run_check(
            capsys, f"http://127.0.0.1:{port}/", "--origin", ALLOWED
        )
    assert status == 2
    assert err == (
        f"cors-wsgi check: error: cannot connect to 127.0.0.1:{port}: connection "
        "refused (is the server running?)\n"
    )
    assert out == ""


def test_no_answer_within_the_timeout(capsys: pytest.CaptureFixture[str]) -> None:
    """API.md, check: exit 2 on a timeout; --timeout bounds each request."""
    with serve_tcp(Silent) as port:
        status, out, err = run_check(
            capsys,
            f"http://127.0.0.1:{port}/",
            "--origin",
            ALLOWED,
            "--timeout",
            "0.3",
            "--json",
        )
    assert status == 2
    assert f"no answer from 127.0.0.1:{port} within 0.3 s" in err
    assert json.loads(out) == {
        "verdict": "error",
        "error": f"no answer from 127.0.0.1:{port} within 0.3 s",
    }


def test_tls_to_a_server_that_does_not_speak_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """API.md, check: exit 2 on a TLS error."""
    with serve_tcp(Garbage) as port:
        status, _, err = run_check(
            capsys, f"https://127.0.0.1:{port}/", "--origin", ALLOWED
        )
    assert status == 2
    assert err.startswith(f"cors-wsgi check: error: TLS error with 127.0.0.1:{port}: ")
    assert err.count("\n") == 1


def test_an_answer_that_is_not_http(capsys: pytest.CaptureFixture[str]) -> None:
    """API.md, check: exit 2 when the server does not speak HTTP."""
    with serve_tcp(Garbage) as port:
        status, _, err = run_check(
            capsys, f"http://127.0.0.1:{port}/", "--origin", ALLOWED
        )
    assert status == 2
    assert err.startswith(
        f"cors-wsgi check: error: 127.0.0.1:{port} did not answer in HTTP"
    )


def test_a_connection_reset(capsys: pytest.CaptureFixture[str]) -> None:
    """API.md, check: exit 2 when the connection fails midway."""
    with serve_tcp(Reset) as port:
        status, _, err = run_check(
            capsys, f"http://127.0.0.1:{port}/", "--origin", ALLOWED
        )
    assert status == 2
    assert err.startswith(f"cors-wsgi check: error: connection to 127.0.0.1:{port} ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["ftp://a.example/", "--origin", ALLOWED],
            "is not an http:// or https:// URL",
        ),
        (["http:///path", "--origin", ALLOWED], "has no host"),
        (["http://a.example:x/", "--origin", ALLOWED], "has an invalid port"),
        (["http://u:p@a.example/", "--origin", ALLOWED], "which fetch() refuses"),
        (["http://a.example/a b", "--origin", ALLOWED], "percent-encode spaces"),
        (["http://a.example/", "--origin", "https://a.example/x"], "is not an origin"),
        (["http://a.example/", "--origin", "HTTPS://a.example"], "did you mean"),
        (["http://a.example/", "--origin", ALLOWED, "--method", "GE T"], "method"),
        (["http://a.example/", "--origin", ALLOWED, "--method", "trace"], "forbidden"),
        (
            ["http://a.example/", "--origin", ALLOWED, "--header", "X Y: 1"],
            "NAME: VALUE",
        ),
        (
            ["http://a.example/", "--origin", ALLOWED, "--header", "X-A: \x01"],
            "control characters",
        ),
        (
            ["http://a.example/", "--origin", ALLOWED, "--header", "Origin: x"],
            "Origin is a forbidden request header: a script cannot set it, the "
            "browser does (use --origin)",
        ),
        (
            ["http://a.example/", "--origin", ALLOWED, "--header", "Host: x"],
            "Host is a forbidden request header",
        ),
        (
            ["http://a.example/", "--origin", ALLOWED, "--header", "Cookie: a=1"],
            "add --credentials",
        ),
        (
            ["http://a.example/", "--origin", "http://a.example"],
            "is the URL's own origin",
        ),
        (["http://a.example/", "--origin", ALLOWED, "--timeout", "0"], "seconds > 0"),
        (["http://a.example/", "--origin", ALLOWED, "--timeout", "x"], "seconds > 0"),
        (["http://a.example/"], "--origin"),
    ],
)
def test_bad_arguments_exit_2_with_an_argparse_message(
    capsys: pytest.CaptureFixture[str], argv: List[str], message: str
) -> None:
    """API.md, check: exit 2 on bad arguments, nothing sent."""
    with pytest.raises(SystemExit) as info:
        main(["check", *argv])
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("usage: cors-wsgi check")
    assert "cors-wsgi check: error: " in err
    assert message in err
    assert "Traceback" not in err


# ---------------------------------------------------------------------------
# The examples of docs/check.rst are real output
# ---------------------------------------------------------------------------

# Each example in docs/check.rst follows a comment ".. check-example: NAME"
# naming one of these servers.
DOC_SERVERS = {
    "strict": lambda: cors_wsgi(**STRICT),
    "reflect": broken_servers.reflect_any_origin,
}


def doc_examples() -> List[Tuple[str, str, int, str]]:
    """(server, command line, exit status, expected output) of each example."""
    text = DOC.read_text(encoding="utf-8")
    pattern = re.compile(
        r"^\.\. check-example: (\w+), exit (\d)\n\n"
        r"\.\. code-block:: (?:console|json)\n\n"
        r"((?:    .*\n|\n)+)",
        re.MULTILINE,
    )
    examples = []
    for match in pattern.finditer(text):
        block = [line[4:] for line in match.group(3).rstrip("\n").split("\n")]
        command, output = block[0], "\n".join(block[1:]) + "\n"
        examples.append((match.group(1), command, int(match.group(2)), output))
    return examples


def normalise(text: str, url: str) -> str:
    # What changes from run to run: the port, Date, Server's Python version.
    text = text.replace(url.partition("://")[2], "127.0.0.1:8000")
    text = re.sub(r"(Date\W+)[^\n\"]+", r"\1Thu, 01 Jan 2026 12:00:00 GMT", text)
    return re.sub(r"CPython/[0-9.]+", "CPython/3.12.0", text)


def test_the_docs_have_examples_of_each_kind() -> None:
    """docs/check.rst: an allowed, a refused, an audit and a --json example."""
    commands = [command for _, command, _, _ in doc_examples()]
    assert len(commands) == 4
    assert any("--audit" in command for command in commands)
    assert any("--json" in command for command in commands)


@pytest.mark.parametrize("index", range(4))
def test_the_docs_examples_are_real_output(
    capsys: pytest.CaptureFixture[str], index: int
) -> None:
    """docs/check.rst shows what the command prints, byte for byte (after the
    port, the date and the server's version)."""
    server, command, expected_status, expected = doc_examples()[index]
    argv = [arg.strip('"') for arg in re.findall(r'"[^"]*"|\S+', command)]
    assert argv[:3] == ["$", "cors-wsgi", "check"]
    with serve(DOC_SERVERS[server]()) as url:
        argv = [arg.replace("http://127.0.0.1:8000", url) for arg in argv[3:]]
        status, out, _ = run_check(capsys, *argv)
    assert normalise(out, url) == expected
    assert status == expected_status
