"""Requests a browser preflights: what reaches the app, what JavaScript sees,
and how long Chromium trusts an answer."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Optional

import pytest

from tests.browser_suite.api_app import request_count

if TYPE_CHECKING:
    from tests.browser_suite.conftest import JSFetch, Serve

pytestmark = pytest.mark.browser

PUT_WITH_HEADER = {"method": "PUT", "headers": {"X-Custom": "1"}, "body": "sent"}


def test_preflighted_put_with_an_allowed_header_succeeds_after_one_preflight(
    serve: Serve, page_origin: str, path_prefix: str, js_fetch: JSFetch
) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch: a PUT with a header
    that is not CORS-safelisted is preceded by one OPTIONS request; the
    middleware's answer names the method and the header, so the PUT follows
    and the page reads its answer."""
    api = serve(
        {
            "allow_origins": [page_origin],
            "allow_methods": ["GET", "PUT"],
            "allow_headers": ["X-Custom"],
        }
    )
    url = f"{api}{path_prefix}/echo"

    result = js_fetch(url, PUT_WITH_HEADER)

    assert result["error"] is None
    assert json.loads(result["body"])["method"] == "PUT"
    assert json.loads(result["body"])["body"] == "sent"
    assert request_count(api, "OPTIONS", f"{path_prefix}/echo") == 1
    assert request_count(api, "PUT", f"{path_prefix}/echo") == 1


def test_preflight_with_an_unlisted_header_keeps_the_request_from_the_app(
    serve: Serve, page_origin: str, path_prefix: str, js_fetch: JSFetch
) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch, step 7: a header
    name the answer's ``Access-Control-Allow-Headers`` does not hold makes the
    preflight a network error: ``fetch`` rejects and the PUT is never sent."""
    api = serve(
        {
            "allow_origins": [page_origin],
            "allow_methods": ["GET", "PUT"],
            "allow_headers": ["X-Other"],
        }
    )

    result = js_fetch(f"{api}{path_prefix}/echo", PUT_WITH_HEADER)

    assert result["error"] == "TypeError: Failed to fetch"
    assert request_count(api, "OPTIONS", f"{path_prefix}/echo") == 1
    assert request_count(api, "PUT", f"{path_prefix}/echo") == 0


def test_preflight_for_an_unlisted_method_keeps_the_request_from_the_app(
    serve: Serve, page_origin: str, path_prefix: str, js_fetch: JSFetch
) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch, step 7: a method
    that is not CORS-safelisted and not in ``Access-Control-Allow-Methods``
    makes the preflight a network error: the DELETE is never sent."""
    api = serve({"allow_origins": [page_origin], "allow_methods": ["GET", "PUT"]})

    result = js_fetch(f"{api}{path_prefix}/echo", {"method": "DELETE"})

    assert result["error"] == "TypeError: Failed to fetch"
    assert request_count(api, "OPTIONS", f"{path_prefix}/echo") == 1
    assert request_count(api, "DELETE", f"{path_prefix}/echo") == 0


def test_json_post_is_preflighted_and_allowed_under_the_default_headers(
    serve: Serve, page_origin: str, path_prefix: str, js_fetch: JSFetch
) -> None:
    """https://fetch.spec.whatwg.org/#cors-safelisted-request-header:
    ``Content-Type: application/json`` is not a safelisted value, so the POST
    is preflighted with ``Access-Control-Request-Headers: content-type``;
    API.md, "Headers": the safelisted names are always allowed, so the default
    ``allow_headers`` lets it through."""
    api = serve({"allow_origins": [page_origin]})
    init = {
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": '{"answer": 42}',
    }

    result = js_fetch(f"{api}{path_prefix}/echo", init)

    assert result["error"] is None
    assert json.loads(json.loads(result["body"])["body"]) == {"answer": 42}
    assert request_count(api, "OPTIONS", f"{path_prefix}/echo") == 1
    assert request_count(api, "POST", f"{path_prefix}/echo") == 1


@pytest.mark.parametrize(
    ("max_age", "preflights"),
    [
        pytest.param(600, 1, id="600-cached"),
        pytest.param(0, 2, id="0-not-cached"),
        pytest.param(None, 1, id="absent-5-seconds"),
    ],
)
def test_max_age_decides_whether_the_second_request_is_preflighted_again(
    max_age: Optional[int],
    preflights: int,
    serve: Serve,
    page_origin: str,
    path_prefix: str,
    js_fetch: JSFetch,
) -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-max-age and
    https://fetch.spec.whatwg.org/#cors-preflight-cache: an answer is cached
    for ``Access-Control-Max-Age`` seconds (5 when the header is absent), so
    the second of two identical requests in a row reuses it, unless the max
    age is 0."""
    api = serve(
        {
            "allow_origins": [page_origin],
            "allow_methods": ["PUT"],
            "allow_headers": ["X-Custom"],
            "max_age": max_age,
        }
    )
    url = f"{api}{path_prefix}/echo"

    first = js_fetch(url, PUT_WITH_HEADER)
    second = js_fetch(url, PUT_WITH_HEADER)

    assert (first["status"], second["status"]) == (200, 200)
    assert request_count(api, "PUT", f"{path_prefix}/echo") == 2
    assert request_count(api, "OPTIONS", f"{path_prefix}/echo") == preflights
