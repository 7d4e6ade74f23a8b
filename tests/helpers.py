"""A thin re-export of ``tests.support`` for tests written against the old layout.

New tests import from the ``tests.support`` module that holds the name:
``apps`` (EchoApp, ClosingBody), ``environ`` (make_environ, preflight_headers,
run_pep3333), ``client`` (CORSClient, build_client, protocol_checked),
``headers`` (header names, assert_cors_headers), ``origins`` and ``refusals``.
"""

from __future__ import annotations

from tests.support.apps import APP_BODY, ClosingBody, EchoApp
from tests.support.client import CORSClient, build_client, protocol_checked
from tests.support.environ import (
    ServerResult,
    environ_key,
    make_environ,
    preflight_headers,
    run_pep3333,
)
from tests.support.headers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    ACMA,
    ACRH,
    ACRM,
    ACRPN,
    assert_cors_headers,
    header_lines,
    header_pairs,
    list_items,
)
from tests.support.origins import EVIL, ORIGIN
from tests.support.refusals import (
    REFUSED_HEADERS,
    REFUSED_METHOD,
    REFUSED_ORIGIN,
    REFUSED_PRIVATE_NETWORK,
)

__all__ = [
    "ACAC",
    "ACAH",
    "ACAM",
    "ACAO",
    "ACAPN",
    "ACEH",
    "ACMA",
    "ACRH",
    "ACRM",
    "ACRPN",
    "APP_BODY",
    "EVIL",
    "ORIGIN",
    "REFUSED_HEADERS",
    "REFUSED_METHOD",
    "REFUSED_ORIGIN",
    "REFUSED_PRIVATE_NETWORK",
    "CORSClient",
    "ClosingBody",
    "EchoApp",
    "ServerResult",
    "assert_cors_headers",
    "build_client",
    "environ_key",
    "header_lines",
    "header_pairs",
    "list_items",
    "make_environ",
    "preflight_headers",
    "protocol_checked",
    "run_pep3333",
]
