"""CORS header names, and assertions that compare list-valued headers as sets."""

from __future__ import annotations

from typing import Iterable, List, Mapping, Tuple, Union

from werkzeug.test import TestResponse

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"
ACRM = "Access-Control-Request-Method"
ACRH = "Access-Control-Request-Headers"
ACRPN = "Access-Control-Request-Private-Network"

#: Headers whose value is a comma-separated list: compared as sets.
LIST_VALUED = frozenset({"vary", ACAM.lower(), ACAH.lower(), ACEH.lower()})
#: List-valued headers whose items are header names: compared case-insensitively.
NAME_LISTS = frozenset({"vary", ACAH.lower(), ACEH.lower()})

HeaderSource = Union[TestResponse, Iterable[Tuple[str, str]]]


def header_pairs(response: HeaderSource) -> List[Tuple[str, str]]:
    """The (name, value) pairs of a werkzeug response or of a raw header list."""
    if isinstance(response, TestResponse):
        return response.headers.to_wsgi_list()
    return [(name, value) for name, value in response]


def header_lines(response: HeaderSource, name: str) -> List[str]:
    """Every value of header *name* (case-insensitive), one per header line."""
    wanted = name.lower()
    return [value for key, value in header_pairs(response) if key.lower() == wanted]


def list_items(response: HeaderSource, name: str) -> List[str]:
    """The items of a list-valued header, over all its lines, trimmed, no empties."""
    items: List[str] = []
    for line in header_lines(response, name):
        items.extend(item.strip() for item in line.split(","))
    return [item for item in items if item]


def _comparable(name: str, items: Iterable[str]) -> List[str]:
    if name.lower() in NAME_LISTS:
        return [item.lower() for item in items]
    return list(items)


def _is_cors(name: str) -> bool:
    return name.lower().startswith("access-control-")


def assert_cors_headers(
    response: HeaderSource,
    expected: Mapping[str, str],
    absent: Iterable[str] = (),
) -> None:
    """Assert the response's CORS headers, the rs/cors ``assertHeaders`` way.

    - every header in *expected* appears on exactly one line; list-valued
      headers (Vary, Allow-Methods, Allow-Headers, Expose-Headers) are split on
      commas, trimmed and compared as sets, without duplicate items (header-name
      lists case-insensitively); single-valued headers are compared exactly;
    - every header in *absent* is missing;
    - the ``Access-Control-*`` headers of the response are exactly those in
      *expected*: any other one is a failure.

    Header names are compared case-insensitively.
    """
    pairs = header_pairs(response)
    for name, value in expected.items():
        lines = header_lines(pairs, name)
        assert len(lines) == 1, f"{name}: expected one header line, got {lines!r}"
        if name.lower() in LIST_VALUED:
            got = _comparable(name, list_items(pairs, name))
            want = _comparable(name, [v.strip() for v in value.split(",") if v.strip()])
            assert len(got) == len(set(got)), f"{name}: duplicate items in {lines!r}"
            assert set(got) == set(want), f"{name}: expected {value!r}, got {lines!r}"
        else:
            assert lines[0] == value, f"{name}: expected {value!r}, got {lines[0]!r}"
    for name in absent:
        lines = header_lines(pairs, name)
        assert not lines, f"{name}: expected no such header, got {lines!r}"
    got_cors = {key.lower() for key, _ in pairs if _is_cors(key)}
    want_cors = {key.lower() for key in expected if _is_cors(key)}
    assert got_cors == want_cors, (
        f"Access-Control-* headers: expected {sorted(want_cors)}, "
        f"got {sorted(got_cors)}"
    )
