"""Probes of ``allow_origin_regex`` for origins that anyone controls.

API.md ("ConfigurationError is raised for"): with credentials, an
``allow_origin_regex`` that matches ``null`` (any page can send
``Origin: null`` from a sandboxed iframe) or an origin under the reserved
``.invalid`` top-level domain (RFC 2606 section 2) is refused; this is how
``.*`` or ``https?://.*`` are recognised. Patterns are used with
``fullmatch``, as the middleware does.
"""

from __future__ import annotations

import re
import warnings

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cors_wsgi._core.probes import PROBE_ORIGINS, anyone_example, matches_null

PROPERTY = settings(max_examples=300, deadline=None, database=None)
INVALID_ORIGIN = re.compile(r"https?://([a-z0-9-]+\.)+invalid(:[0-9]+)?")


@pytest.mark.parametrize(
    "regex",
    [
        pytest.param(r".*", id="anything"),
        pytest.param(r".+", id="anything-non-empty"),
        pytest.param(r"https?://.*", id="any-http-origin"),
        pytest.param(r"(https|http)://.*", id="scheme-alternation"),
        pytest.param(r"https://.+", id="any-https-origin"),
        pytest.param(r"https://[^/]+", id="any-host-no-slash"),
        pytest.param(r"https://[a-z0-9.-]+", id="host-character-class"),
        pytest.param(r"https?://[^.]+\.[^.]+", id="any-two-label-host"),
        pytest.param(r"https://[^.]+\.[^.]+\.[^.]+", id="any-three-label-host"),
        pytest.param(r"https://.*\.(com|invalid)", id="tld-alternation"),
        pytest.param(r"https://.*\.[a-z]+", id="any-tld"),
        pytest.param(r"http://.*", id="any-plain-http-origin"),
        pytest.param(r"https://.*:8080", id="any-host-on-a-port"),
        pytest.param(r"https://[^/]+:\d+", id="any-host-with-a-port"),
        pytest.param(r"https://.*(:443)?", id="optional-default-port"),
        pytest.param(r"https://www\..+", id="any-www-host"),
        pytest.param(r"https://[a-z]+-[a-z]+-[a-z]+\.[a-z]+", id="hyphenated"),
        pytest.param(r"https://\w+-\d\.\w+", id="word-hyphen-digit"),
        pytest.param(r"https://\d+\.[a-z]+", id="digit-label"),
        pytest.param(r"(?i)HTTPS://.*", id="case-insensitive"),
        pytest.param(r"https://app\.example\.com|https://.*", id="one-branch-open"),
        pytest.param(r"null|.*", id="null-or-anything"),
    ],
)
def test_patterns_matching_anyones_origin_are_recognised(regex: str) -> None:
    """Each fully matches some origin under .invalid, a name nobody owns."""
    example = anyone_example(re.compile(regex))
    assert example is not None
    assert re.fullmatch(regex, example)
    assert INVALID_ORIGIN.fullmatch(example)


@pytest.mark.parametrize(
    "regex",
    [
        pytest.param(r"https://[a-z0-9-]+\.example\.com", id="one-label-under-own"),
        pytest.param(r"https://(app|admin)\.example\.com", id="listed-subdomains"),
        pytest.param(r"https://.*\.example\.com", id="any-depth-under-own"),
        pytest.param(r"https://.*\.example\.com(:\d+)?", id="own-with-any-port"),
        pytest.param(r"https://app\.example\.com", id="one-origin"),
        pytest.param(r"https?://localhost(:\d+)?", id="localhost-any-port"),
        pytest.param(r"http://127\.0\.0\.1:\d+", id="loopback-any-port"),
        pytest.param(r"null", id="null-only"),
        pytest.param(r"", id="empty"),
        pytest.param(r"https://.*\.com", id="any-dot-com"),
        pytest.param(r"https://", id="scheme-only"),
    ],
)
def test_patterns_for_own_origins_are_not_recognised(regex: str) -> None:
    """Patterns confined to names their owner holds give no example."""
    assert anyone_example(re.compile(regex)) is None


def test_the_first_probe_is_the_plainest_origin() -> None:
    """The example in an error message is as short as can be."""
    assert anyone_example(re.compile(".*")) == "https://x.invalid"
    assert anyone_example(re.compile(r"http://.*:\d+")) == "http://x.invalid:443"


def test_probe_list_is_bounded_and_under_invalid() -> None:
    """A few dozen short strings, all under .invalid (RFC 2606 section 2)."""
    assert 10 < len(PROBE_ORIGINS) <= 48
    assert len(set(PROBE_ORIGINS)) == len(PROBE_ORIGINS)
    for origin in PROBE_ORIGINS:
        assert INVALID_ORIGIN.fullmatch(origin), origin
        assert len(origin) <= 40


@pytest.mark.parametrize(
    "regex",
    [
        pytest.param(r"null", id="literal"),
        pytest.param(r".*", id="anything"),
        pytest.param(r"null|https://app\.example\.com", id="alternation"),
        pytest.param(r"[a-z]+", id="letters"),
        pytest.param(r".{4}", id="any-four-characters"),
        pytest.param(r"(?i)NULL", id="case-insensitive"),
        pytest.param(r"(null)?", id="optional"),
    ],
)
def test_patterns_matching_null_are_recognised(regex: str) -> None:
    """Any page can send Origin: null from a sandboxed iframe (HTML origin)."""
    assert matches_null(re.compile(regex))


@pytest.mark.parametrize(
    "regex",
    [
        pytest.param(r"https?://.*", id="any-http-origin"),
        pytest.param(r"nul", id="prefix"),
        pytest.param(r"Null", id="other-case"),
        pytest.param(r"null.+", id="longer"),
        pytest.param(r"https://app\.example\.com", id="one-origin"),
    ],
)
def test_patterns_not_matching_null_are_not_recognised(regex: str) -> None:
    """Only a full match of the four letters counts, as with fullmatch."""
    assert not matches_null(re.compile(regex))


# A small grammar of origin patterns, as people write them.
schemes = st.sampled_from(["https", "http", "https?", "(https|http)", "[a-z]+", ".*"])
hosts = st.sampled_from(
    [
        ".*",
        ".+",
        "[^/]+",
        "[a-z0-9.-]+",
        r"[^.]+\.[^.]+",
        r".*\.example\.com",
        r"(app|admin)\.example\.com",
        r"[a-z]+\.invalid",
        r"x\.invalid",
        r"\w+",
        r"www\..*",
        r"\d+\.\w+",
        "localhost",
    ]
)
ports = st.sampled_from(["", r"(:\d+)?", ":8080", r":\d+", ":443", "(:1)?"])
grammar_patterns = st.builds(
    lambda scheme, host, port: f"{scheme}://{host}{port}", schemes, hosts, ports
)
REGEX_ALPHABET = "ab.*+?|()[]{}^$\\:/-0169nul,"


def compiles(text: str) -> bool:
    """Whether ``text`` is a regex that compiles cleanly (no FutureWarning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            re.compile(text)
        except (re.error, OverflowError, FutureWarning):
            return False
    return True


@PROPERTY
@given(st.one_of(grammar_patterns, st.text(REGEX_ALPHABET, max_size=16)))
def test_examples_are_real_full_matches_under_invalid(regex: str) -> None:
    """Whatever the pattern, an example really matches and is under .invalid."""
    assume(compiles(regex))
    pattern = re.compile(regex)
    example = anyone_example(pattern)
    assert isinstance(matches_null(pattern), bool)
    if example is not None:
        assert pattern.fullmatch(example)
        assert INVALID_ORIGIN.fullmatch(example)
    else:
        assert not any(pattern.fullmatch(origin) for origin in PROBE_ORIGINS)
