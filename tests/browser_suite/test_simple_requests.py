"""Requests a browser sends without a preflight: what JavaScript may read."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, Optional

import pytest

from tests.browser_suite.api_app import FAILURE, REQUEST_ID, request_count

if TYPE_CHECKING:
    from tests.browser_suite.conftest import JSFetch, Serve

pytestmark = pytest.mark.browser

#: An origin the page is not on.
OTHER_ORIGIN = "https://app.example.com"


def test_allowed_simple_get_is_readable(
    serve: Serve, page_origin: str, path_prefix: str, js_fetch: JSFetch
) -> None:
    """https://fetch.spec.whatwg.org/#cors-check: a response whose
    ``Access-Control-Allow-Origin`` is the request's origin passes, and the
    page reads its body."""
    api = serve({"allow_origins": [page_origin]})

    result = js_fetch(f"{api}{path_prefix}/echo")

    assert result["error"] is None
    assert result["status"] == 200
    assert json.loads(result["body"])["origin"] == page_origin


def test_simple_get_from_an_unlisted_origin_rejects_with_type_error(
    serve: Serve, page_origin: str, path_prefix: str, js_fetch: JSFetch
) -> None:
    """https://fetch.spec.whatwg.org/#cors-check: without an
    ``Access-Control-Allow-Origin`` that matches, the response is a network
    error, and ``fetch`` rejects with a TypeError. The app did answer: CORS
    keeps the answer from the page, it does not stop the request."""
    api = serve({"allow_origins": [OTHER_ORIGIN]})

    result = js_fetch(f"{api}{path_prefix}/echo")

    assert result["error"] == "TypeError: Failed to fetch"
    assert request_count(api, "GET", f"{path_prefix}/echo") == 1


def test_error_response_is_readable_by_an_allowed_origin(
    serve: Serve, page_origin: str, path_prefix: str, js_fetch: JSFetch
) -> None:
    """API.md, behaviour on the wire, rule 6: a 500 gets the same headers as
    any other response, so https://fetch.spec.whatwg.org/#cors-check passes
    and the page reads the status and the body of the error."""
    api = serve({"allow_origins": [page_origin]})

    result = js_fetch(f"{api}{path_prefix}/fail")

    assert result["error"] is None
    assert result["ok"] is False
    assert result["status"] == 500
    assert result["body"] == FAILURE


@pytest.mark.parametrize(
    ("expose", "seen"),
    [
        pytest.param({}, None, id="not-exposed"),
        pytest.param({"expose_headers": ["X-Request-Id"]}, REQUEST_ID, id="named"),
        pytest.param({"expose_headers": "*"}, REQUEST_ID, id="wildcard"),
    ],
)
def test_custom_response_header_is_readable_only_when_exposed(
    expose: Dict[str, Any],
    seen: Optional[str],
    serve: Serve,
    page_origin: str,
    path_prefix: str,
    js_fetch: JSFetch,
) -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-expose-headers: a
    CORS response shows JavaScript only the CORS-safelisted response headers
    and those ``Access-Control-Expose-Headers`` names (``*`` names every one
    on a request without credentials); ``headers.get`` of any other is null."""
    api = serve({"allow_origins": [page_origin], **expose})

    result = js_fetch(f"{api}{path_prefix}/request-id", header="X-Request-Id")

    assert result["status"] == 200
    assert result["header"] == seen
