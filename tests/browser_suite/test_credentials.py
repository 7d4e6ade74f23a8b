"""Credentialed requests: cookies across origins of one site."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.browser_suite.api_app import COOKIE

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

    from tests.browser_suite.conftest import JSFetch, Serve

pytestmark = pytest.mark.browser

INCLUDE = {"credentials": "include"}


def test_cookie_set_by_the_api_comes_back_when_credentials_are_allowed(
    serve: Serve, page_origin: str, path_prefix: str, js_fetch: JSFetch
) -> None:
    """https://fetch.spec.whatwg.org/#cors-protocol-and-credentials: with
    ``Access-Control-Allow-Credentials: true`` and the origin itself (not
    ``*``) in ``Access-Control-Allow-Origin``, a ``credentials: "include"``
    fetch stores the cookie it is sent and sends it on the next one."""
    api = serve({"allow_origins": [page_origin], "allow_credentials": True})

    stored = js_fetch(f"{api}{path_prefix}/set-cookie", INCLUDE)
    sent = js_fetch(f"{api}{path_prefix}/cookie", INCLUDE)

    assert stored["error"] is None
    assert sent["error"] is None
    assert json.loads(sent["body"]) == {"cookie": COOKIE}


def test_credentialed_fetch_rejects_without_allow_credentials(
    serve: Serve,
    page_origin: str,
    path_prefix: str,
    js_fetch: JSFetch,
    context: BrowserContext,
) -> None:
    """https://fetch.spec.whatwg.org/#cors-check, step 7: a request that
    includes credentials needs ``Access-Control-Allow-Credentials: true``, or
    ``fetch`` rejects. https://fetch.spec.whatwg.org/#concept-http-network-fetch
    stores the response's cookies before that check, so the cookie is set all
    the same: a refusal hides the answer, it does not undo it."""
    api = serve({"allow_origins": [page_origin]})

    result = js_fetch(f"{api}{path_prefix}/set-cookie", INCLUDE)

    assert result["error"] == "TypeError: Failed to fetch"
    assert [c["name"] + "=" + c["value"] for c in context.cookies(api)] == [COOKIE]


def test_credentialed_fetch_rejects_a_wildcard_origin(
    serve: Serve, path_prefix: str, js_fetch: JSFetch
) -> None:
    """https://fetch.spec.whatwg.org/#cors-check, step 3: when credentials are
    included, ``Access-Control-Allow-Origin: *`` does not match, so a public
    (``"*"``) policy is readable only without credentials."""
    api = serve({"allow_origins": "*"})

    without = js_fetch(f"{api}{path_prefix}/echo")
    including = js_fetch(f"{api}{path_prefix}/echo", INCLUDE)

    assert without["status"] == 200
    assert including["error"] == "TypeError: Failed to fetch"
