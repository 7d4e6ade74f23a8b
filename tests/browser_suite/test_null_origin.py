"""The ``null`` origin, as a sandboxed iframe sends it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List

import pytest

from tests.browser_suite.api_app import request_count

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser_suite.conftest import Serve

pytestmark = pytest.mark.browser

#: Runs ``fetch(url)`` in a ``sandbox="allow-scripts"`` iframe of the page and
#: resolves to what the iframe saw, posted back to the page: its own origin
#: and ``{status, body, error}``. The iframe's document comes from
#: ``srcdoc``, so it belongs to the page's server, yet has an opaque origin.
SANDBOXED_FETCH_JS = """
async (url) => {
  const frame = document.createElement("iframe");
  frame.sandbox = "allow-scripts";
  const answer = new Promise((resolve) => {
    window.addEventListener("message", (event) => {
      if (event.source === frame.contentWindow) resolve(event.data);
    });
    setTimeout(() => resolve({error: "no answer from the iframe in 10 s"}), 10000);
  });
  frame.srcdoc = `<script>
    const post = (seen) => parent.postMessage({origin: self.origin, ...seen}, "*");
    fetch(${JSON.stringify(url)}).then(
      async (r) => post({status: r.status, body: await r.text(), error: null}),
      (e) => post({status: null, body: null, error: String(e)}),
    );
  </script>`;
  document.body.append(frame);
  return await answer;
}
"""


@pytest.mark.parametrize(
    "allow_origins",
    [
        pytest.param([], id="page-origin-only"),
        pytest.param(["https://*.example.com"], id="label-wildcard"),
    ],
)
def test_sandboxed_iframe_is_refused_unless_null_is_listed(
    allow_origins: List[str],
    serve: Serve,
    page_origin: str,
    path_prefix: str,
    cross_origin_page: Page,
) -> None:
    """https://html.spec.whatwg.org/multipage/browsers.html#sandboxed-origin-browsing-context-flag
    gives a sandboxed iframe an opaque origin, which
    https://fetch.spec.whatwg.org/#origin-header sends as ``Origin: null``;
    API.md, "Origins": ``null`` is allowed only by name (or ``*``, a regex or
    a callable), never by the page's own origin or a ``*.`` pattern, so
    https://fetch.spec.whatwg.org/#cors-check fails (the app did answer)."""
    api = serve({"allow_origins": [page_origin, *allow_origins]})

    seen: Dict[str, Any] = cross_origin_page.evaluate(
        SANDBOXED_FETCH_JS, f"{api}{path_prefix}/echo"
    )

    assert seen["origin"] == "null"
    assert seen["error"] == "TypeError: Failed to fetch"
    assert request_count(api, "GET", f"{path_prefix}/echo") == 1


def test_sandboxed_iframe_is_allowed_when_null_is_listed(
    serve: Serve, page_origin: str, path_prefix: str, cross_origin_page: Page
) -> None:
    """API.md, "Origins": the literal entry ``"null"`` allows the ``null``
    origin; https://fetch.spec.whatwg.org/#cors-check then passes with
    ``Access-Control-Allow-Origin: null``, and the iframe reads the answer."""
    api = serve({"allow_origins": [page_origin, "null"]})

    seen: Dict[str, Any] = cross_origin_page.evaluate(
        SANDBOXED_FETCH_JS, f"{api}{path_prefix}/echo"
    )

    assert seen["error"] is None
    assert json.loads(seen["body"])["origin"] == "null"
