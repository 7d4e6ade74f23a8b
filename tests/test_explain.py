"""``cors-wsgi explain``: the browser's and the middleware's verdicts, and the fix.

The verdicts follow the Fetch Standard (https://fetch.spec.whatwg.org/#main-fetch
for "is a preflight sent", #cors-preflight-fetch and #cors-check for what the
browser accepts); the exit statuses are the command's documented ones: 0
allowed, 1 refused or a policy that cannot be built, 2 bad arguments.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from cors_wsgi import CORSMiddleware
from cors_wsgi.cli import main
from cors_wsgi.diagnose.explain import Request, env_line, explain
from tests.support.apps import EchoApp
from tests.support.environ import make_environ, run_pep3333

ORIGIN = "https://app.example.com"

# (id, options, request, allowed, preflighted)
CASES: List[Tuple[str, Dict[str, Any], Request, bool, bool]] = [
    ("simple-get", {"allow_origins": [ORIGIN]}, Request(ORIGIN), True, False),
    (
        "text-plain-post",
        {"allow_origins": [ORIGIN]},
        Request(ORIGIN, "POST", (("Content-Type", "text/plain"),)),
        True,
        False,
    ),
    (
        "json-post",
        {"allow_origins": [ORIGIN]},
        Request(ORIGIN, "POST", (("Content-Type", "application/json"),)),
        True,
        True,
    ),
    (
        "refused-origin",
        {"allow_origins": [ORIGIN]},
        Request("https://b.example"),
        False,
        False,
    ),
    (
        "put-not-allowed",
        {"allow_origins": [ORIGIN]},
        Request(ORIGIN, "PUT"),
        False,
        True,
    ),
    (
        "put-allowed",
        {"allow_origins": [ORIGIN], "allow_methods": ["PUT"]},
        Request(ORIGIN, "put"),
        True,
        True,
    ),
    (
        "custom-header-refused",
        {"allow_origins": [ORIGIN]},
        Request(ORIGIN, "GET", (("X-Request-Id", "1"),)),
        False,
        True,
    ),
    (
        "custom-header-allowed",
        {"allow_origins": [ORIGIN], "allow_headers": ["X-Request-Id"]},
        Request(ORIGIN, "GET", (("X-Request-Id", "1"),)),
        True,
        True,
    ),
    (
        "credentials-not-allowed",
        {"allow_origins": [ORIGIN]},
        Request(ORIGIN, credentials=True),
        False,
        False,
    ),
    (
        "credentials-allowed",
        {"allow_origins": [ORIGIN], "allow_credentials": True},
        Request(ORIGIN, "DELETE", credentials=True),
        False,
        True,
    ),
    (
        "star-without-credentials",
        {"allow_origins": "*", "allow_methods": "*", "allow_headers": "*"},
        Request(ORIGIN, "PATCH", (("X-A", "1"),)),
        True,
        True,
    ),
    (
        "star-with-credentials",
        {"allow_origins": "*"},
        Request(ORIGIN, credentials=True),
        False,
        False,
    ),
    (
        "wildcard-subdomain",
        {"allow_origins": ["https://*.example.com"]},
        Request(ORIGIN),
        True,
        False,
    ),
    (
        "uncovered-path",
        {"resources": {"/api/*": {"allow_origins": [ORIGIN]}}},
        Request(ORIGIN, path="/other"),
        False,
        False,
    ),
]


@pytest.mark.parametrize(
    ("options", "request_", "allowed", "preflighted"),
    [pytest.param(o, r, a, p, id=i) for i, o, r, a, p in CASES],
)
def test_explain_agrees_with_the_fetch_standard_and_the_middleware(
    options: Dict[str, Any], request_: Request, allowed: bool, preflighted: bool
) -> None:
    """The verdict is what a browser concludes from the middleware's answers."""
    result = explain(options, request_)
    assert result.allowed is allowed
    kinds = [exchange["kind"] for exchange in result.exchanges]
    assert ("preflight" in kinds) is preflighted


@pytest.mark.parametrize(
    ("options", "request_"),
    [
        pytest.param(o, r, id=i)
        for i, o, r, a, _ in CASES
        if not a and i != "star-with-credentials" and i != "uncovered-path"
    ],
)
def test_the_proposed_fixes_make_the_request_pass(
    options: Dict[str, Any], request_: Request
) -> None:
    """Each refused case gets fixes that, applied to the policy, let it through."""
    result = explain(options, request_)
    assert result.fixes
    fixed = dict(options)
    for fix in result.fixes:
        fixed[fix.option] = fix.value
    assert explain(fixed, request_).allowed


def test_json_content_type_needs_a_preflight_and_text_plain_does_not() -> None:
    """Fetch: Content-Type is safelisted only for the three form essences."""
    json_steps = explain(
        {"allow_origins": [ORIGIN]},
        Request(ORIGIN, "POST", (("Content-Type", "application/json"),)),
    ).steps
    assert any("application/json" in s and "preflight is sent" in s for s in json_steps)
    text_steps = explain(
        {"allow_origins": [ORIGIN]},
        Request(ORIGIN, "POST", (("Content-Type", "text/plain"),)),
    ).steps
    assert any("text/plain: CORS-safelisted" in s for s in text_steps)


def test_a_lower_case_method_is_a_near_miss() -> None:
    """Fetch "normalize a method": only six names are upper-cased; patch stays patch."""
    result = explain(
        {"allow_origins": [ORIGIN], "allow_methods": ["PATCH"]},
        Request(ORIGIN, "patch"),
    )
    assert not result.allowed
    assert any("'patch' exactly as the script" in note for note in result.notes)


@pytest.mark.parametrize(
    ("configured", "origin", "words"),
    [
        pytest.param(ORIGIN, "https://app.example.com:8443", "port", id="port"),
        pytest.param(ORIGIN, "http://app.example.com", "scheme", id="scheme"),
        pytest.param(
            "https://*.example.com", "https://example.com", "itself", id="bare-domain"
        ),
    ],
)
def test_origin_near_misses_are_pointed_out(
    configured: str, origin: str, words: str
) -> None:
    """An origin is scheme, host and port (HTML "origin"): each differs visibly."""
    result = explain({"allow_origins": [configured]}, Request(origin))
    assert not result.allowed
    assert any(words in note for note in result.notes)


def test_a_misspelt_header_is_a_near_miss() -> None:
    """Header names compare case-insensitively, but spelling still counts."""
    result = explain(
        {"allow_origins": [ORIGIN], "allow_headers": ["X-Request-Id"]},
        Request(ORIGIN, "GET", (("X-Requests-Id", "1"),)),
    )
    assert any("'x-request-id'" in note for note in result.notes)


def test_null_with_credentials_is_never_proposed() -> None:
    """Any page can send Origin: null from a sandboxed iframe: no fix allows it."""
    result = explain(
        {"allow_origins": [ORIGIN], "allow_credentials": True},
        Request("null", credentials=True),
    )
    assert not result.allowed
    assert not result.fixes
    assert any("sandboxed iframe" in note for note in result.notes)


def test_star_with_credentials_says_why_it_must_not_be_allowed() -> None:
    """Fetch CORS check: with credentials, ``*`` never matches."""
    result = explain({"allow_origins": "*"}, Request(ORIGIN, credentials=True))
    assert not result.fixes
    assert any("cannot be allowed for allow_origins='*'" in n for n in result.notes)


def test_a_callable_origin_rule_gets_no_fix() -> None:
    """A callable decides per request; explain cannot rewrite it."""
    result = explain({"allow_origins": lambda origin, environ: False}, Request(ORIGIN))
    assert not result.fixes
    assert any("callable" in note for note in result.notes)


def test_a_policy_that_cannot_be_built_is_reported() -> None:
    """ConfigurationError lines come back as they are."""
    result = explain({"allow_origins": ["example.com"]}, Request(ORIGIN))
    assert not result.allowed
    assert result.policy_errors[0].startswith("allow_origins:")


def test_every_fix_has_each_string_form() -> None:
    """Flag, Python keyword, ini line and environment variable agree."""
    result = explain({"allow_origins": [ORIGIN]}, Request("https://b.example"))
    (fix,) = result.fixes
    assert fix.flag == f"--allow-origins {ORIGIN} --allow-origins https://b.example"
    assert fix.python == f"allow_origins=[{ORIGIN!r}, 'https://b.example']"
    assert fix.ini == f"allow_origins = {ORIGIN} https://b.example"
    assert env_line(fix) == f"CORS_ALLOW_ORIGINS='{ORIGIN} https://b.example'"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str, str]:
    try:
        code = main(["explain", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exits_0_for_an_allowed_request(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--allow-origins", ORIGIN, "--origin", ORIGIN)
    assert code == 0
    assert out.rstrip().endswith("verdict: allowed")


def test_cli_exits_1_with_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "--allow-origins", ORIGIN, "--origin", ORIGIN, "--method", "PUT"
    )
    assert code == 1
    assert "--allow-methods" in out and "allow_methods = GET HEAD POST PUT" in out


def test_cli_exits_1_when_the_policy_cannot_be_built(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "--allow-origins", "example.com", "--origin", ORIGIN)
    assert code == 1
    assert "allow_origins: 'example.com' has no scheme" in out


def test_cli_exits_1_when_a_flag_does_not_parse(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_cli(capsys, "--max-age", "ten", "--origin", ORIGIN)
    assert code == 1
    assert "--max-age: 'ten' is not a decimal integer" in err


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["--origin", "https://a.example/path"], id="origin-with-path"),
        pytest.param(["--origin", ORIGIN, "--method", "GE T"], id="bad-method"),
        pytest.param(["--origin", ORIGIN, "--header", "X Y: 1"], id="bad-header"),
        pytest.param(["--origin", ORIGIN, "--path", "api"], id="bad-path"),
        pytest.param([], id="no-origin"),
        pytest.param(
            ["--origin", ORIGIN, "--config", "missing.ini"], id="missing-config"
        ),
    ],
)
def test_cli_exits_2_on_bad_arguments(
    capsys: pytest.CaptureFixture[str], argv: List[str]
) -> None:
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert "Traceback" not in err


def test_cli_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys,
        "--allow-origins",
        ORIGIN,
        "--origin",
        ORIGIN,
        "--method",
        "PUT",
        "--json",
    )
    report = json.loads(out)
    assert code == 1
    assert report["allowed"] is False
    assert report["fixes"][0]["option"] == "allow_methods"
    assert report["exchanges"][0]["kind"] == "preflight"
    assert report["exchanges"][0]["decision"]["reason"] == "method"


def write_ini(tmp_path: Path, text: str) -> str:
    path = tmp_path / "app.ini"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_reads_the_filter_section_of_a_paste_deploy_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """[DEFAULT] keys (debug = true) belong to the whole file and are ignored."""
    ini = write_ini(
        tmp_path,
        "[DEFAULT]\ndebug = true\n\n[filter:corsfilter]\nuse = egg:cors_wsgi#cors\n"
        f"allow_origins = {ORIGIN}\nallow_methods = PUT\n",
    )
    code, out, _ = run_cli(
        capsys, "--config", ini, "--origin", ORIGIN, "--method", "PUT"
    )
    assert code == 0, out


def test_cli_takes_a_plain_filter_cors_section(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ini = write_ini(tmp_path, f"[filter:cors]\nallow_origins = {ORIGIN}\n")
    code, _, _ = run_cli(capsys, "--config", ini, "--origin", ORIGIN)
    assert code == 0


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[app:main]\nuse = egg:myapp\n", id="no-filter"),
        pytest.param("not an ini file", id="not-ini"),
    ],
)
def test_cli_refuses_a_file_without_one_filter_section(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> None:
    code, _, err = run_cli(
        capsys, "--config", write_ini(tmp_path, text), "--origin", ORIGIN
    )
    assert code == 2
    assert "--config" in err


def test_cli_refuses_flags_and_config_together(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ini = write_ini(tmp_path, f"[filter:cors]\nallow_origins = {ORIGIN}\n")
    code, _, _ = run_cli(
        capsys, "--config", ini, "--allow-origins", ORIGIN, "--origin", ORIGIN
    )
    assert code == 2


def test_cli_reads_the_cors_environment_without_flags(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CORS_* variables of the zero-code entry describe the same policy."""
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", ORIGIN)
    monkeypatch.setenv("CORS_ALLOW_HEADERS", "X-Request-Id")
    code, _, _ = run_cli(capsys, "--origin", ORIGIN, "--header", "X-Request-Id: 7")
    assert code == 0


def test_a_header_without_a_value_is_judged_by_its_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Content-Type with no value: fetch()'s default text/plain is assumed."""
    code, out, _ = run_cli(
        capsys,
        "--allow-origins",
        ORIGIN,
        "--origin",
        ORIGIN,
        "--header",
        "Content-Type",
    )
    assert code == 0
    assert "text/plain" in out


def test_credentials_refusal_names_allow_credentials() -> None:
    """Fetch CORS check: with credentials, ACAC must be exactly ``true``."""
    result = explain({"allow_origins": [ORIGIN]}, Request(ORIGIN, credentials=True))
    assert [fix.option for fix in result.fixes] == ["allow_credentials"]


def test_refusals_that_stay_after_the_fixes_are_said() -> None:
    """A fix that cannot be completed (null with credentials) is reported."""
    result = explain(
        {"allow_origins": [ORIGIN]}, Request("null", "PUT", credentials=True)
    )
    assert not result.allowed
    note: Optional[str] = next(
        (n for n in result.notes if n.startswith("even with the changes")), None
    )
    assert note is not None or not result.fixes


def test_a_callable_that_raises_refuses_the_origin() -> None:
    """A broken callable refuses (and logs); explain reports the refusal."""

    def broken(origin: str, environ: Dict[str, Any]) -> bool:
        raise RuntimeError("database down")

    result = explain({"allow_origins": broken}, Request(ORIGIN))
    assert not result.allowed
    assert result.exchanges[0]["decision"]["reason"] == "origin"


def test_near_misses_look_only_at_entries_for_the_same_host() -> None:
    """Entries for other hosts, and null, are not near misses."""
    options = {
        "allow_origins": [
            "null",
            "https://*.other.example",
            "https://b.example",
            ORIGIN,
        ]
    }
    result = explain(options, Request("http://app.example.com"))
    assert [n for n in result.notes if "scheme" in n] and len(result.notes) == 1


def test_cli_prints_the_notes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys,
        "--allow-origins",
        ORIGIN,
        "--allow-methods",
        "PATCH",
        "--origin",
        ORIGIN,
        "--method",
        "patch",
    )
    assert code == 1
    assert "note: the browser sends the method 'patch'" in out


def test_a_safelisted_header_name_is_never_in_a_fix() -> None:
    """Content-Type is always allowed in a preflight (the documented contract),
    so only the custom header needs allowing."""
    result = explain(
        {"allow_origins": [ORIGIN], "allow_methods": ["PUT"]},
        Request(ORIGIN, "PUT", (("Content-Type", "application/json"), ("X-A", "1"))),
    )
    (fix,) = result.fixes
    assert fix.value == ["x-a"]


def test_explain_in_threads_beside_a_serving_middleware_reads_its_own_decisions() -> (
    None
):
    """docs/troubleshooting.rst, "cors-wsgi explain": explain reads the decision of the
    exchange it plays from the decision log. Run from several threads of a process
    that is serving other CORS requests meanwhile (as the demo does), each
    explanation still reports its own decisions, and the ``cors_wsgi`` logger's level
    is what it was once they are done."""
    logger = logging.getLogger("cors_wsgi")
    before = logger.level
    serving = CORSMiddleware(EchoApp(), allow_origins=["https://other.example"])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            run_pep3333(serving, make_environ("GET", "/", {"Origin": ORIGIN}))

    def explain_many(allowed: bool) -> List[Tuple[bool, List[Any]]]:
        options = {"allow_origins": [ORIGIN if allowed else "https://x.example"]}
        request = Request(ORIGIN, "PUT", (("X-Token", "1"),))
        if allowed:
            options.update(allow_methods=["PUT"], allow_headers=["X-Token"])
        out = []
        for _ in range(40):
            result = explain(options, request)
            reasons = [
                exchange["decision"]["reason"]
                for exchange in result.exchanges
                if exchange["decision"] is not None
            ]
            out.append((result.allowed, reasons))
        return out

    server = threading.Thread(target=serve)
    server.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            runs = list(pool.map(explain_many, [True, False, True, False]))
    finally:
        stop.set()
        server.join()
    assert logger.level == before
    for allowed, results in zip([True, False, True, False], runs):
        for result_allowed, reasons in results:
            assert result_allowed is allowed
            # Accepted: the preflight and the actual request, both allowed.
            # Refused: the preflight alone, refused for its origin.
            assert reasons == (["", ""] if allowed else ["origin"])
