"""``cors-wsgi demo`` in real Chromium: every row of its table as the policy says.

API.md, "Console script": ``demo`` starts the demo and prints its page's URL.
The command runs as a user runs it (its own process, the standard library's
server); Chromium opens the page, which runs every case and compares what
the browser did with what ``cors-wsgi explain`` predicts. A screenshot of
the table is saved in ``.artefacts/demo.png``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterator, List

import pytest

from tests.browser_suite.conftest import ROOT, _stop

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

ARTEFACTS = ROOT / ".artefacts"
#: What each row shows under the demo's starting policy: the browser's
#: outcome, what script saw beyond it, and the OPTIONS the API received.
DEFAULT_ROWS = {
    "simple-get": ("allowed", "", "0"),
    "json-post": ("allowed", "", "1"),
    "put-custom-header": ("allowed", "", "1"),
    "credentials": ("allowed", "cookie sent", "0"),
    "exposed-header": ("allowed", "X-Request-Id readable", "0"),
    "refused-origin": ("blocked", "", "0"),
    "refused-header": ("blocked", "", "1"),
    "refused-method": ("blocked", "", "1"),
    "error-500": ("allowed", "", "0"),
    "repeat-preflight": ("allowed", "", "1"),
    "null-origin": ("blocked", "", "0"),
}


@pytest.fixture(scope="module")
def demo_url(chromium_path: str) -> Iterator[str]:
    """``python -m cors_wsgi demo --no-browser --port 0``; its page's URL,
    read from the first line it prints. Stopped by its PID."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cors_wsgi", "demo", "--no-browser", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode()
        match = re.fullmatch(
            r"cors_wsgi demo: open (http://127\.0\.0\.1:\d+/)\n", first
        )
        assert match, f"unexpected first line from cors-wsgi demo: {first!r}"
        yield match.group(1)
    finally:
        _stop(process)
        if process.stdout is not None:
            process.stdout.close()


def run_page(page: Page) -> Dict[str, Dict[str, str]]:
    """Wait until the page has run every case; each row's data attributes."""
    page.wait_for_function("document.body.dataset.state === 'done'", timeout=60_000)
    rows: List[Dict[str, str]] = page.eval_on_selector_all(
        "tr.case", "rows => rows.map(row => ({...row.dataset}))"
    )
    return {row["case"]: row for row in rows}


def test_the_demo_table_renders_every_row_as_the_policy_says(
    context: BrowserContext, demo_url: str
) -> None:
    """Fetch "CORS protocol": simple, preflighted, credentialed and refused
    requests, as Chromium enforces them; each row matches the prediction."""
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(demo_url)
    rows = run_page(page)
    assert {
        case: (row["outcome"], row["detail"], row["preflights"])
        for case, row in rows.items()
    } == DEFAULT_ROWS
    assert all(row["match"] == "yes" for row in rows.values()), rows
    assert all(row["expected"] == row["outcome"] for row in rows.values())
    assert page.inner_text("#summary") == "all 11 as expected"
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "demo.png"), full_page=True)
    # Each row opens on the headers of its exchanges.
    page.click('tr.case[data-case="refused-method"]')
    details = page.inner_text('tr.case[data-case="refused-method"] + tr.details')
    assert "OPTIONS /api/" in details
    assert "Access-Control-Request-Method: DELETE" in details


def test_an_edited_policy_is_applied_and_run_again(
    context: BrowserContext, demo_url: str
) -> None:
    """Fetch "CORS-preflight cache": with Max-Age 0 the repeated fetch sends
    a second preflight; listing DELETE and the other page origin allows
    them. The page's rows still match what explain predicts."""
    page = context.new_page()
    page.goto(demo_url)
    run_page(page)
    other = page.inner_text("#other-origin")
    page.fill("#field-max_age", "0")
    page.fill("#field-allow_methods", "GET POST PUT DELETE")
    page.fill("#field-allow_origins", f"{page.inner_text('#page-origin')} {other}")
    page.click("#apply")
    page.wait_for_function("document.body.dataset.state === 'running'")
    rows = run_page(page)
    assert rows["repeat-preflight"]["preflights"] == "2"
    assert rows["refused-method"]["outcome"] == "allowed"
    assert rows["refused-origin"]["outcome"] == "allowed"
    assert all(row["match"] == "yes" for row in rows.values()), rows
    page.click("#reset")
    page.wait_for_function("document.body.dataset.state === 'running'")
    assert run_page(page)["repeat-preflight"]["preflights"] == "1"


def test_a_policy_the_middleware_refuses_is_shown_with_its_reasons(
    context: BrowserContext, demo_url: str
) -> None:
    """API.md: ``"*"`` origins with credentials raise ConfigurationError;
    the page shows every reason and keeps the policy in force."""
    page = context.new_page()
    page.goto(demo_url)
    run_page(page)
    page.fill("#field-allow_origins", "*")
    page.fill("#field-max_age", "ten")
    page.click("#apply")
    page.wait_for_function("document.body.dataset.state === 'policy-refused'")
    errors = page.inner_text("#policy-errors")
    assert "max_age: 'ten'" in errors
    assert "allow_credentials" in errors
    page.click("#rerun")
    rows = run_page(page)
    assert rows["refused-origin"]["outcome"] == "blocked"


def test_the_screenshot_in_the_docs_exists() -> None:
    """The docs show the table (docs/demo.rst)."""
    assert (ROOT / "docs" / "_static" / "demo.png").stat().st_size > 10_000
    assert Path(ROOT / "docs" / "demo.rst").is_file()
