"""Origin normalisation, validation and matching, as API.md "Origins" says.

A request's Origin is a serialized origin
(https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin):
``scheme://host[:port]``, lower case, no default port, or ``null``. Matching
an origin against exact entries and ``*.`` entries costs work in proportion
to the origin's length, whatever the number of entries.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, Iterable, List, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cors_wsgi._core import origins
from cors_wsgi._core.origins import (
    MAX_ORIGIN_LENGTH,
    NULL_ORIGIN,
    ConfiguredOrigin,
    OriginMatcher,
    is_valid_request_origin,
    normalize_request_origin,
    parse_configured_origin,
)
from tests.support.origins import WILDCARD_MATCHES, WILDCARD_MISSES

PROPERTY = settings(max_examples=300, deadline=None, database=None)


def matcher_for(*entries: str, **options: Any) -> OriginMatcher:
    """A matcher built from configured entries, as the policy builds one."""
    parsed = [parse_configured_origin(entry) for entry in entries]
    return OriginMatcher(
        exact=[entry.serialized for entry in parsed if not entry.wildcard],
        wildcards=[entry for entry in parsed if entry.wildcard],
        **options,
    )


# Configured entries.


@pytest.mark.parametrize(
    ("entry", "expected", "serialized"),
    [
        ("https://a.example", ("https", "a.example", "", False), "https://a.example"),
        ("HTTPS://A.Example", ("https", "a.example", "", False), "https://a.example"),
        (
            "https://a.example:443",
            ("https", "a.example", "", False),
            "https://a.example",
        ),
        ("http://a.example:80", ("http", "a.example", "", False), "http://a.example"),
        (
            "http://a.example:443",
            ("http", "a.example", "443", False),
            "http://a.example:443",
        ),
        (
            "https://a.example:08443",
            ("https", "a.example", "8443", False),
            "https://a.example:8443",
        ),
        ("wss://a.example:443", ("wss", "a.example", "", False), "wss://a.example"),
        ("ws://a.example:80", ("ws", "a.example", "", False), "ws://a.example"),
        (
            "http://[::1]:8000",
            ("http", "[::1]", "8000", False),
            "http://[::1]:8000",
        ),
        ("http://[::1]", ("http", "[::1]", "", False), "http://[::1]"),
        ("null", ("", "null", "", False), "null"),
        (
            "https://*.example.com",
            ("https", "example.com", "", True),
            "https://*.example.com",
        ),
        (
            "https://*.Example.com:8443",
            ("https", "example.com", "8443", True),
            "https://*.example.com:8443",
        ),
        (
            "https://*.example.com:443",
            ("https", "example.com", "", True),
            "https://*.example.com",
        ),
        (
            "chrome-extension://abcdef",
            ("chrome-extension", "abcdef", "", False),
            "chrome-extension://abcdef",
        ),
    ],
)
def test_configured_origins_are_normalised(
    entry: str, expected: Tuple[str, str, str, bool], serialized: str
) -> None:
    """API.md "Origins": scheme and host are lower-cased and a default port
    (80 for http and ws, 443 for https and wss) is dropped; the literal
    ``"null"`` is the opaque origin."""
    parsed = parse_configured_origin(entry)
    assert parsed == ConfiguredOrigin(*expected)
    assert parsed.serialized == serialized


def test_the_null_entry_serializes_as_null() -> None:
    """HTML's ASCII serialisation of an opaque origin is the string ``null``."""
    assert parse_configured_origin("null").serialized == NULL_ORIGIN == "null"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("", "empty"),
        ("example.com", "no scheme"),
        ("://a.example", "no scheme"),
        ("https://a.example/", "trailing slash"),
        ("https://a.example/api", "a path"),
        ("https://a.example?x=1", "a query"),
        ("https://a.example#top", "a fragment"),
        ("https://user@a.example", "user info"),
        (" https://a.example", "white space"),
        ("https://a .example", "white space"),
        ("https://bücher.example", "non-ASCII"),
        ("https://a.example\x00", "control"),
        ("https://a.example:http", "invalid port"),
        ("https://a.example:", "invalid port"),
        ("https://a.example:70000", "invalid port"),
        ("https://a*.example.com", "left-most host label"),
        ("https://*.*.example.com", "left-most host label"),
        ("https://*", "left-most host label"),
        ("https://", "invalid host"),
        ("https://a..example", "invalid host"),
        ("https://.a.example", "invalid host"),
        ("https://a_b%.example", "invalid host"),
    ],
)
def test_bad_configured_origins_say_what_is_wrong(entry: str, message: str) -> None:
    """API.md "ConfigurationError is raised for": an origin entry with a path,
    query, fragment, trailing slash, user info or no scheme; the message says
    what is wrong."""
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_configured_origin(entry)


# Request origins.


@pytest.mark.parametrize(
    "value",
    [
        "https://a.example",
        "http://localhost:8000",
        "null",
        "http://[::1]:80",
        "chrome-extension://abc",
        "https://xn--bcher-kva.example",
        "A://b",
    ],
)
def test_valid_request_origins(value: str) -> None:
    """A serialized origin (HTML's ASCII serialisation) or ``null`` may be
    compared and echoed."""
    assert is_valid_request_origin(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "https://a.example/",
        "https://a.example\r\nX: y",
        "https://a b",
        "https://a.example,https://b.example",
        "https://bücher.example",
        "https://" + "a" * MAX_ORIGIN_LENGTH,
        "Null",
        "https://a.example:123456",
        "a.example",
        "https://u@a.example",
        "https://a.example\t",
        "https://a.example\n",
    ],
)
def test_invalid_request_origins(value: str) -> None:
    """Anything but a serialized origin or ``null`` is never echoed (a path,
    white space, a list, control characters, over MAX_ORIGIN_LENGTH)."""
    assert not is_valid_request_origin(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("HTTPS://A.EXAMPLE", "https://a.example"),
        ("https://a.example:443", "https://a.example"),
        ("http://a.example:80", "http://a.example"),
        ("http://a.example:8080", "http://a.example:8080"),
        ("wss://a.example:443", "wss://a.example"),
        ("null", "null"),
    ],
)
def test_request_origins_are_normalised_for_matching(value: str, expected: str) -> None:
    """API.md "Origins": exact entries are compared after lower-casing scheme
    and host and dropping a default port."""
    assert normalize_request_origin(value) == expected


# Exact entries.


@pytest.mark.parametrize(
    "origin",
    [
        "https://a.example",
        "HTTPS://A.EXAMPLE",
        "https://a.example:443",
        "http://b.example:8080",
        "http://[::1]:8000",
    ],
)
def test_exact_entries_match_their_origin_in_any_case(origin: str) -> None:
    """API.md "Origins": exact entries compare after lower-casing scheme and
    host and dropping a default port."""
    matcher = matcher_for(
        "https://a.example", "http://b.example:8080", "http://[::1]:8000"
    )
    assert matcher.matches(origin, {})


@pytest.mark.parametrize(
    "origin",
    [
        "http://a.example",
        "https://a.example:8443",
        "https://a.example:0443",
        "https://a.example.evil.net",
        "https://sub.a.example",
        "http://b.example",
        "http://[::1]",
    ],
)
def test_exact_entries_match_nothing_else(origin: str) -> None:
    """API.md "Origins": an exact entry is one origin; scheme and port are part
    of it."""
    matcher = matcher_for(
        "https://a.example", "http://b.example:8080", "http://[::1]:8000"
    )
    assert not matcher.matches(origin, {})


def test_null_matches_only_a_literal_entry() -> None:
    """API.md "Origins": ``null`` is allowed by a literal ``"null"`` entry."""
    assert matcher_for("null").matches("null", {})
    assert not matcher_for("https://a.example").matches("null", {})


def test_an_exact_entry_longer_than_any_origin_matches_nothing() -> None:
    """A value over MAX_ORIGIN_LENGTH is never a valid request origin, so it is
    refused even when an entry spells it."""
    long_origin = "https://" + "a" * MAX_ORIGIN_LENGTH
    assert not OriginMatcher(exact=[long_origin]).matches(long_origin, {})


# "*." entries.

WILDCARD = matcher_for("https://*.example.com")


@pytest.mark.parametrize("origin", WILDCARD_MATCHES)
def test_label_wildcard_matches_subdomains(origin: str) -> None:
    """API.md "Origins": ``https://*.example.com`` matches
    ``https://a.example.com`` and ``https://a.b.example.com``."""
    assert WILDCARD.matches(origin, {})


@pytest.mark.parametrize("origin", WILDCARD_MISSES)
def test_label_wildcard_never_matches_lookalikes(origin: str) -> None:
    """API.md "Origins": never ``https://example.com``,
    ``https://evil-example.com`` or ``https://example.com.evil.net``; the port
    and scheme must match; the ``*`` stands for whole host labels only."""
    assert not WILDCARD.matches(origin, {})


def test_wildcard_with_port_needs_that_port() -> None:
    """API.md "Origins": the port of a ``*.`` entry must match as written."""
    matcher = matcher_for("https://*.example.com:8443")
    assert matcher.matches("https://a.example.com:8443", {})
    assert not matcher.matches("https://a.example.com", {})
    assert not matcher.matches("https://a.example.com:443", {})


def test_nested_wildcards_each_match_their_own_subdomains() -> None:
    """API.md "Origins": each ``*.`` entry matches one or more labels in front
    of its own base domain, never the base itself."""
    matcher = matcher_for("https://*.api.example.com", "https://*.b.c.example.org")
    assert matcher.matches("https://v1.api.example.com", {})
    assert matcher.matches("https://a.b.c.example.org", {})
    assert not matcher.matches("https://api.example.com", {})
    assert not matcher.matches("https://www.example.com", {})
    assert not matcher.matches("https://b.c.example.org", {})
    assert not matcher.matches("https://a.c.example.org", {})


def test_a_wildcard_under_another_base_still_needs_a_label_in_front() -> None:
    """API.md "Origins": ``*.example.com`` with ``*.a.example.com`` still
    refuses ``example.com``; ``a.example.com`` matches the first."""
    matcher = matcher_for("https://*.example.com", "https://*.a.example.com")
    assert matcher.matches("https://a.example.com", {})
    assert matcher.matches("https://b.a.example.com", {})
    assert not matcher.matches("https://example.com", {})


def test_wildcard_of_a_name_with_a_trailing_dot_needs_that_dot() -> None:
    """A host's trailing dot is part of its serialisation: the base
    ``example.com.`` is another string than ``example.com``."""
    matcher = matcher_for("https://*.example.com.")
    assert matcher.matches("https://a.example.com.", {})
    assert not matcher.matches("https://a.example.com", {})


def test_null_never_matches_a_wildcard_even_of_a_null_scheme() -> None:
    """API.md "Origins": ``null`` is never allowed by a ``*.`` pattern."""
    assert not matcher_for("null://*.example", "https://*.example").matches("null", {})


def test_an_ipv6_host_never_matches_a_wildcard() -> None:
    """A ``*.`` entry stands for DNS labels; an IPv6 literal has none."""
    matcher = matcher_for("http://*.[::1]", "http://*.1", "http://*.4")
    assert not matcher.matches("http://[::1]", {})
    assert not matcher.matches("http://[::1]:80", {})
    assert not matcher.matches("http://[::1.1]", {})
    assert not matcher.matches("http://[::ffff:1.2.3.4]", {})


# Regex and callable.


def test_regex_is_fullmatched_against_the_raw_origin() -> None:
    """API.md "Origins": ``allow_origin_regex`` must match the whole origin."""
    matcher = OriginMatcher(regex=re.compile(r"https://.*\.example\.com"))
    assert matcher.matches("https://a.example.com", {})
    assert not matcher.matches("https://a.example.com.evil.net", {})


def test_regex_may_match_null() -> None:
    """API.md "Origins": ``null`` is allowed by a regex that matches it."""
    assert OriginMatcher(regex=re.compile("null")).matches("null", {})


def test_regex_does_not_see_invalid_origins() -> None:
    """An invalid Origin is never allowed, whatever the regex says."""
    matcher = OriginMatcher(regex=re.compile(r".*"))
    assert not matcher.matches("https://a.example\r\n", {})


def test_allow_all_allows_every_origin_null_included() -> None:
    """API.md "Origins": ``"*"`` allows every origin, ``null`` included."""
    matcher = OriginMatcher(allow_all=True)
    assert matcher.allow_all
    assert matcher.matches("null", {})
    assert matcher.matches("https://anything.example", {})


def test_callable_is_asked_every_time_with_the_environ() -> None:
    """API.md "Origins": a callable decides per request; its answers are never
    cached."""
    seen: List[str] = []

    def predicate(origin: str, environ: Dict[str, Any]) -> bool:
        seen.append(environ["tag"])
        return origin == "https://a.example"

    matcher = OriginMatcher(predicate=predicate)
    assert matcher.matches("https://a.example", {"tag": "1"})
    assert matcher.matches("https://a.example", {"tag": "2"})
    assert not matcher.matches("https://b.example", {"tag": "3"})
    assert seen == ["1", "2", "3"]


def test_callable_answers_are_taken_as_truth_values() -> None:
    """API.md "Origins": the callable returns whether the origin is allowed."""
    assert OriginMatcher(predicate=lambda origin, environ: 1).matches("null", {})
    assert not OriginMatcher(predicate=lambda origin, environ: "").matches("null", {})


def test_callable_is_not_asked_when_an_entry_matches() -> None:
    """API.md "Origins": entries, regex and callable each allow on their own."""

    def predicate(origin: str, environ: Dict[str, Any]) -> bool:
        raise AssertionError("must not be called")

    matcher = matcher_for(
        "https://a.example",
        "https://*.b.example",
        regex=re.compile("https://c.example"),
        predicate=predicate,
    )
    for origin in ("https://a.example", "https://x.b.example", "https://c.example"):
        assert matcher.matches(origin, {})


def test_callable_that_raises_refuses_and_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A broken callable refuses the origin instead of answering 500; the
    traceback reaches the "cors_wsgi" logger, the origin quoted."""

    def predicate(origin: str, environ: Dict[str, Any]) -> bool:
        raise RuntimeError("boom")

    matcher = OriginMatcher(predicate=predicate)
    with caplog.at_level(logging.ERROR, logger="cors_wsgi"):
        assert not matcher.matches("https://a.example", {})
    (record,) = caplog.records
    assert record.name == "cors_wsgi"
    assert record.getMessage() == (
        "allow_origins callable raised for origin 'https://a.example'; origin refused"
    )
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


def test_callable_is_not_asked_about_invalid_origins() -> None:
    """An invalid Origin is never handed to user code."""

    def predicate(origin: str, environ: Dict[str, Any]) -> bool:
        raise AssertionError("must not be called")

    assert not OriginMatcher(predicate=predicate).matches("https://a b", {})


def test_the_matcher_keeps_its_configuration_readable() -> None:
    """The policy reads the matcher's configuration (``exact``, ``regex``,
    ``predicate``) to decide which answers it may remember."""
    regex = re.compile("x")

    def predicate(origin: str, environ: Dict[str, Any]) -> bool:
        return False

    matcher = OriginMatcher(
        exact=["https://a.example"], regex=regex, predicate=predicate
    )
    assert matcher.exact == frozenset({"https://a.example"})
    assert matcher.regex is regex
    assert matcher.predicate is predicate
    assert not matcher.allow_all


# Many entries.

TENANTS = 1000
MANY = matcher_for(
    *(f"https://*.tenant{number}.example.com" for number in range(TENANTS)),
    *(f"https://app{number}.example.org" for number in range(TENANTS)),
)


@pytest.mark.parametrize("number", [0, 1, 499, 998, 999])
def test_many_entries_each_match_their_own_origins(number: int) -> None:
    """API.md "Origins": every entry of a long list matches, wherever it is."""
    assert MANY.matches(f"https://a.tenant{number}.example.com", {})
    assert MANY.matches(f"https://a.b.tenant{number}.example.com", {})
    assert MANY.matches(f"https://app{number}.example.org", {})


@pytest.mark.parametrize(
    "origin",
    [
        "https://tenant5.example.com",
        "https://a.tenant1000.example.com",
        "https://a.tenant05.example.com",
        "https://a.example.com",
        "https://a.tenant5.example.com.evil.net",
        "http://a.tenant5.example.com",
        "https://a.tenant5.example.com:8443",
        "https://app1000.example.org",
        "https://a.app5.example.org",
        "https://app5.example.org:8443",
        "null",
    ],
)
def test_many_entries_match_nothing_else(origin: str) -> None:
    """API.md "Origins": a long list still refuses every other origin."""
    assert not MANY.matches(origin, {})


def test_wildcard_entries_are_one_set_of_origin_ends_per_scheme() -> None:
    """Matching costs work in proportion to the origin's length, not to the
    number of ``*.`` entries: the entries are one set per scheme of what
    follows the ``*`` (``.example.com:8443``), with the length of the
    longest, so that a look-up reads one set per label of the origin's host,
    for 1,000 entries as for one."""
    matcher = matcher_for(
        *(f"https://*.tenant{number}.example.com" for number in range(TENANTS)),
        "https://*.example.com:8443",
        "https://*.example.com:443",
        "http://*.example.net",
    )
    ends = {f".tenant{number}.example.com" for number in range(TENANTS)}
    ends |= {".example.com:8443", ".example.com"}
    assert matcher._wildcards == {
        "https": (frozenset(ends), max(map(len, ends))),
        "http": (frozenset({".example.net"}), len(".example.net")),
    }


def test_labels_in_front_of_the_longest_base_domain_are_never_looked_up() -> None:
    """API.md "Origins": a host with many labels in front of a base domain
    is matched, and one whose labels reach no base is refused, reading only
    as many labels from the right as the longest base domain has."""
    matcher = matcher_for("https://*.example.com", "https://*.api.example.org")
    many = "x." * 120
    assert matcher.matches(f"https://{many}example.com", {})
    assert matcher.matches(f"https://{many}api.example.org", {})
    assert not matcher.matches(f"https://{many}example.net", {})
    assert not matcher.matches(f"https://{many}example.org", {})
    assert not matcher.matches("https://x.~.example.com", {})
    assert not matcher.matches("https://.example.com", {})


# Equivalence with a plain reference: the alternation of one regular
# expression per "*." entry, which is how the patterns read.

LABEL = st.text("abz09-_", min_size=1, max_size=3)
ODD_LABEL = st.sampled_from(["", "~", "A", "%", "!"])
DOMAIN = st.lists(LABEL, min_size=1, max_size=3).map(".".join)
SCHEME = st.sampled_from(["http", "https", "wss"])
PORT = st.sampled_from(["", ":443", ":80", ":8443"])
ENTRY = st.builds(
    lambda scheme, star, domain, port: f"{scheme}://{star}{domain}{port}",
    SCHEME,
    st.sampled_from(["*.", "*.", ""]),
    DOMAIN,
    PORT,
)
REQUEST = st.just(NULL_ORIGIN) | st.builds(
    lambda scheme, labels, port: f"{scheme}://{'.'.join(labels)}{port}",
    SCHEME,
    st.lists(st.one_of(LABEL, ODD_LABEL), min_size=1, max_size=6),
    PORT,
)


def reference_matches(entries: Iterable[str], origin: str) -> bool:
    """API.md "Origins" read literally: an exact entry equals the normalised
    origin, or a ``*.`` entry is its scheme, one or more labels, then its
    base domain and port as written."""
    if not is_valid_request_origin(origin):
        return False
    normalized = normalize_request_origin(origin)
    for entry in map(parse_configured_origin, entries):
        if not entry.wildcard:
            if normalized == entry.serialized:
                return True
            continue
        port = f":{entry.port}" if entry.port else ""
        pattern = (
            re.escape(f"{entry.scheme}://")
            + r"(?:[a-z0-9_\-]+\.)+"
            + re.escape(entry.host + port)
        )
        if normalized != NULL_ORIGIN and re.fullmatch(pattern, normalized, re.ASCII):
            return True
    return False


@PROPERTY
@given(
    entries=st.lists(ENTRY, max_size=8),
    request_origins=st.lists(REQUEST, max_size=10),
)
def test_matching_agrees_with_the_plain_reading_of_the_patterns(
    entries: List[str], request_origins: List[str]
) -> None:
    """API.md "Origins": the label tree decides exactly as the patterns read."""
    matcher = matcher_for(*entries)
    for entry in entries:
        for origin in (entry.replace("*", "a"), entry.replace("*.", "")):
            assert matcher.matches(origin, {}) == reference_matches(entries, origin)
    for origin in request_origins:
        assert matcher.matches(origin, {}) == reference_matches(entries, origin)


def test_module_exports_its_interface() -> None:
    """The policy imports these names."""
    assert set(origins.__all__) >= {
        "MAX_ORIGIN_LENGTH",
        "NULL_ORIGIN",
        "ConfiguredOrigin",
        "OriginMatcher",
        "is_valid_request_origin",
        "normalize_request_origin",
        "parse_configured_origin",
    }
    assert MAX_ORIGIN_LENGTH == 300
    assert all(hasattr(origins, name) for name in origins.__all__)
