"""The soak's oracle catches wrong answers (so that "0 wrong answers" means something).

Each answer below is what a broken middleware could send; the oracle of
``tests/soak/soak.py``, written from API.md, must flag it.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import pytest

from tests.soak.app import api_body
from tests.soak.soak import Answer, Request, check, origin_allowed

ALLOWED = "https://u1a.tenant7.example"


def actual(origin: Optional[str]) -> Request:
    headers = {} if origin is None else {"Origin": origin}
    return Request("GET", "/api/items", headers, None, None)


def app_answer(extra: List[Tuple[str, str]]) -> Answer:
    headers = [("X-Soak-App", "1"), ("Vary", "Origin"), *extra]
    return Answer(200, headers, api_body("GET", "/api/items", 0))


GOOD_ALLOWED = [
    ("Access-Control-Allow-Origin", ALLOWED),
    ("Access-Control-Allow-Credentials", "true"),
    ("Access-Control-Expose-Headers", "x-request-id, X-Soak-App"),
]


def test_right_answer_to_an_allowed_origin_passes() -> None:
    """API.md rule 4: the oracle accepts the answer the contract requires."""
    assert check(actual(ALLOWED), app_answer(GOOD_ALLOWED)) == []


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("https://tenant7.example", False),
        ("https://x.tenant7.example.evil.net", False),
        ("https://xtenant7.example", False),
        ("http://x.tenant7.example", False),
        ("https://x.tenant7.example:8443", False),
        ("https://x.tenant07.example", False),
        ("https://x.tenant1000.example", False),
        ("null", False),
        ("https://x.tenant7.example, https://evil.net", False),
        ("HTTPS://X.TENANT7.EXAMPLE", True),
        ("https://x.tenant999.example:443", True),
        ("https://admin.example.com:8443", True),
    ],
)
def test_oracle_tells_lookalike_origins_from_allowed_ones(
    origin: str, allowed: bool
) -> None:
    """API.md, "Origins": ``*.`` labels, ports, schemes and rule 7."""
    assert origin_allowed(origin) is allowed


@pytest.mark.parametrize(
    "origin, headers",
    [
        pytest.param(
            "https://evil.example",
            [("Access-Control-Allow-Origin", "https://evil.example")],
            id="refused-origin-reflected",
        ),
        pytest.param(ALLOWED, [("Access-Control-Allow-Origin", "*")], id="star"),
        pytest.param(ALLOWED, GOOD_ALLOWED[:1], id="no-credentials"),
        pytest.param(ALLOWED, GOOD_ALLOWED + GOOD_ALLOWED[:1], id="duplicate"),
        pytest.param(None, GOOD_ALLOWED, id="no-origin-with-cors"),
    ],
)
def test_oracle_flags_a_wrong_actual_answer(
    origin: Optional[str], headers: List[Tuple[str, str]]
) -> None:
    """API.md rules 2, 4 and 5: each of these answers is wrong."""
    assert check(actual(origin), app_answer(headers))


def test_oracle_flags_a_missing_vary() -> None:
    """API.md rule 4: Vary names Origin on an origin-dependent policy."""
    answer = app_answer(GOOD_ALLOWED)
    headers = [(k, v) for k, v in answer.headers if k != "Vary"]
    assert check(actual(ALLOWED), answer._replace(headers=headers))


def preflight(headers: Dict[str, str]) -> Request:
    return Request(
        "OPTIONS", "/api/items/1", {"Origin": ALLOWED, **headers}, None, True
    )


def test_oracle_flags_an_accepted_preflight_for_an_unlisted_header() -> None:
    """API.md rule 3: a preflight naming a header not allowed is refused."""
    request = preflight(
        {
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "x-evil",
        }
    )
    accepted = Answer(
        204,
        [
            ("Vary", "Origin"),
            ("Access-Control-Allow-Origin", ALLOWED),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "x-evil"),
            ("Access-Control-Max-Age", "600"),
        ],
        b"",
    )
    assert check(request, accepted)
    refused = Answer(403, [("Vary", "Origin")], b"refused: headers")
    assert check(request, refused) == []
