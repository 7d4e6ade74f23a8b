"""Every ConfigurationError case of API.md, raised at construction, naming the option.

Messages start with the option name and a colon (``allow_origins: ...``); when
several problems are found, each is on its own line. The match patterns below
use ``(?m)^name: `` so that a problem reported on any line is found.
"""

from __future__ import annotations

import re
from typing import Any, Dict

import pytest

from cors_wsgi import ConfigurationError, CORSMiddleware
from tests.helpers import ORIGIN, EchoApp


def option_line(name: str) -> str:
    """A ``match=`` pattern: a message line starting with the option's name."""
    return rf"(?m)^{re.escape(name)}: "


def test_options_are_keyword_only() -> None:
    """API.md: "All options are keyword-only"; positionally it is a TypeError."""
    with pytest.raises(TypeError):
        CORSMiddleware(EchoApp(), [ORIGIN])  # type: ignore[misc]


def test_from_config_options_are_keyword_only_too() -> None:
    """API.md: from_config takes the app and one mapping, nothing else."""
    with pytest.raises(TypeError):
        CORSMiddleware.from_config(  # type: ignore[call-arg]
            EchoApp(), {"allow_origins": ORIGIN}, {"max_age": "1"}
        )


# https://fetch.spec.whatwg.org/#origin-header and RFC 6454 serialisation:
# an origin is scheme://host[:port], nothing else.
BAD_ORIGINS = [
    pytest.param("https://a.example/path", id="path"),
    pytest.param("https://a.example/", id="trailing-slash"),
    pytest.param("https://a.example?x=1", id="query"),
    pytest.param("https://a.example#top", id="fragment"),
    pytest.param("https://user@a.example", id="user-info"),
    pytest.param("https://user:secret@a.example", id="user-and-password"),
    pytest.param("example.com", id="no-scheme"),
    pytest.param("a.example:8080", id="host-and-port-without-scheme"),
    pytest.param("//a.example", id="scheme-relative"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("origin", BAD_ORIGINS)
def test_origin_entry_that_is_not_a_serialized_origin_is_refused(origin: str) -> None:
    """API.md: an origin with path, query, fragment, slash, user info or no scheme."""
    with pytest.raises(ConfigurationError, match=option_line("allow_origins")):
        CORSMiddleware(EchoApp(), allow_origins=[origin])


@pytest.mark.parametrize("origin", BAD_ORIGINS)
def test_bad_origin_given_as_a_single_string_is_refused(origin: str) -> None:
    """A string is one item (API.md), validated like any list entry."""
    with pytest.raises(ConfigurationError, match=option_line("allow_origins")):
        CORSMiddleware(EchoApp(), allow_origins=origin)


def test_origin_error_shows_the_offending_value() -> None:
    """Messages show the value with repr (STYLE.md, "Messages")."""
    with pytest.raises(ConfigurationError) as excinfo:
        CORSMiddleware(EchoApp(), allow_origins=[ORIGIN, "https://b.example/"])
    assert repr("https://b.example/") in str(excinfo.value)


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("https://a*.example.com", id="star-inside-a-label"),
        pytest.param("https://*example.com", id="star-glued-to-the-domain"),
        pytest.param("https://a.*.example.com", id="star-not-left-most"),
        pytest.param("https://*.*.example.com", id="two-stars"),
    ],
)
def test_wildcard_that_is_not_the_whole_left_most_label_is_refused(
    pattern: str,
) -> None:
    """API.md: one ``*`` as the whole left-most host label, nothing else."""
    with pytest.raises(ConfigurationError, match=option_line("allow_origins")):
        CORSMiddleware(EchoApp(), allow_origins=[pattern])


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"allow_origins": "*"}, id="star-string"),
        pytest.param(
            {"allow_origins": "*", "expose_headers": ["X-A"]}, id="star-expose"
        ),
    ],
)
def test_star_origins_with_credentials_is_refused(options: Dict[str, Any]) -> None:
    """https://fetch.spec.whatwg.org/#cors-protocol-and-credentials: ``*`` with
    credentials is never honoured by a browser, so the policy is refused."""
    with pytest.raises(ConfigurationError) as excinfo:
        CORSMiddleware(EchoApp(), allow_credentials=True, **options)
    message = str(excinfo.value)
    assert "allow_credentials" in message
    assert "allow_origins" in message


def test_star_expose_headers_with_credentials_is_refused() -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-expose-headers: ``*`` is
    a wildcard only for requests without credentials."""
    with pytest.raises(ConfigurationError) as excinfo:
        CORSMiddleware(
            EchoApp(),
            allow_origins=[ORIGIN],
            expose_headers="*",
            allow_credentials=True,
        )
    message = str(excinfo.value)
    assert "expose_headers" in message
    assert "allow_credentials" in message


@pytest.mark.parametrize(
    "regex",
    [
        pytest.param("(", id="unbalanced-parenthesis"),
        pytest.param("https://[a-", id="unterminated-class"),
        pytest.param("*.example.com", id="nothing-to-repeat"),
    ],
)
def test_invalid_regex_is_refused(regex: str) -> None:
    """API.md: an invalid allow_origin_regex is a ConfigurationError."""
    with pytest.raises(ConfigurationError, match=option_line("allow_origin_regex")):
        CORSMiddleware(EchoApp(), allow_origin_regex=regex)


@pytest.mark.parametrize(
    "max_age",
    [
        pytest.param(-1, id="negative"),
        pytest.param(1.5, id="float"),
        pytest.param("600", id="string-in-python"),
    ],
)
def test_negative_or_non_integer_max_age_is_refused(max_age: Any) -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-max-age: delta-seconds."""
    with pytest.raises(ConfigurationError, match=option_line("max_age")):
        CORSMiddleware(EchoApp(), allow_origins=[ORIGIN], max_age=max_age)


@pytest.mark.parametrize(
    "method",
    [
        pytest.param("GET POST", id="space"),
        pytest.param("GET,POST", id="comma"),
        pytest.param("GET\r\n", id="crlf"),
        pytest.param("", id="empty"),
        pytest.param("G(E)T", id="separators"),
        pytest.param("GÉT", id="non-ascii"),
    ],
)
def test_method_that_is_not_a_token_is_refused(method: str) -> None:
    """https://fetch.spec.whatwg.org/#concept-method: a method is a token."""
    with pytest.raises(ConfigurationError, match=option_line("allow_methods")):
        CORSMiddleware(EchoApp(), allow_origins=[ORIGIN], allow_methods=[method])


HEADER_NAMES_NOT_TOKENS = [
    pytest.param("X Custom", id="space"),
    pytest.param("X-Custom:", id="colon"),
    pytest.param("X-A,X-B", id="comma"),
    pytest.param("X-Custom\r\n", id="crlf"),
    pytest.param("", id="empty"),
    pytest.param("X-Ünicode", id="non-ascii"),
]


@pytest.mark.parametrize("name", HEADER_NAMES_NOT_TOKENS)
def test_allowed_header_name_that_is_not_a_token_is_refused(name: str) -> None:
    """https://fetch.spec.whatwg.org/#concept-header-name: a header name is a token."""
    with pytest.raises(ConfigurationError, match=option_line("allow_headers")):
        CORSMiddleware(EchoApp(), allow_origins=[ORIGIN], allow_headers=[name])


@pytest.mark.parametrize("name", HEADER_NAMES_NOT_TOKENS)
def test_exposed_header_name_that_is_not_a_token_is_refused(name: str) -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-expose-headers."""
    with pytest.raises(ConfigurationError, match=option_line("expose_headers")):
        CORSMiddleware(EchoApp(), allow_origins=[ORIGIN], expose_headers=[name])


@pytest.mark.parametrize(
    "status",
    [
        pytest.param(199, id="199"),
        pytest.param(300, id="300"),
        pytest.param(403, id="403"),
        pytest.param(500, id="500"),
    ],
)
def test_preflight_status_outside_2xx_is_refused(status: int) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch: a preflight succeeds
    only with an ok status (200-299)."""
    with pytest.raises(ConfigurationError, match=option_line("preflight_status")):
        CORSMiddleware(EchoApp(), allow_origins=[ORIGIN], preflight_status=status)


@pytest.mark.parametrize(
    "status",
    [
        pytest.param(100, id="100"),
        pytest.param(199, id="199"),
        pytest.param(600, id="600"),
        pytest.param(-403, id="negative"),
    ],
)
def test_deny_status_outside_200_to_599_is_refused(status: int) -> None:
    """API.md: deny_status must be within 200-599."""
    with pytest.raises(ConfigurationError, match=option_line("deny_status")):
        CORSMiddleware(EchoApp(), allow_origins=[ORIGIN], deny_status=status)


@pytest.mark.parametrize(
    ("misspelt", "meant"),
    [
        pytest.param("allow_origin", "allow_origins", id="allow_origin"),
        pytest.param("allow_credential", "allow_credentials", id="allow_credential"),
        pytest.param("max_ages", "max_age", id="max_ages"),
        pytest.param("expose_header", "expose_headers", id="expose_header"),
        pytest.param("allow_origins_regex", "allow_origin_regex", id="origins_regex"),
    ],
)
def test_misspelt_option_is_refused_with_a_suggestion(
    misspelt: str, meant: str
) -> None:
    """flask-cors only logged unknown options; API.md wants them named and fixed."""
    options: Dict[str, Any] = {misspelt: ORIGIN}
    with pytest.raises(ConfigurationError) as excinfo:
        CORSMiddleware(EchoApp(), **options)
    message = str(excinfo.value)
    assert repr(misspelt) in message
    assert "did you mean" in message
    assert repr(meant) in message


def test_unknown_option_far_from_any_name_is_refused_without_a_suggestion() -> None:
    """API.md: the message names the option; a suggestion only where one is close."""
    with pytest.raises(ConfigurationError) as excinfo:
        CORSMiddleware(EchoApp(), frobnicate=True)
    message = str(excinfo.value)
    assert repr("frobnicate") in message
    assert "did you mean" not in message


def test_several_problems_are_reported_one_per_line() -> None:
    """STYLE.md "Messages" (jub0bs): all problems at once, one line each."""
    with pytest.raises(ConfigurationError) as excinfo:
        CORSMiddleware(EchoApp(), allow_origins=["https://a.example/"], max_age=-1)
    lines = str(excinfo.value).splitlines()
    assert any(line.startswith("allow_origins: ") for line in lines)
    assert any(line.startswith("max_age: ") for line in lines)


def test_resource_with_an_invalid_option_value_is_refused() -> None:
    """API.md: each resource holds the options above, validated the same way."""
    with pytest.raises(ConfigurationError, match=r"allow_origins"):
        CORSMiddleware(
            EchoApp(), resources={"/api/*": {"allow_origins": ["https://a.example/"]}}
        )


@pytest.mark.parametrize(
    "option",
    [
        pytest.param("resources", id="resources"),
        pytest.param("preflight_cache_size", id="preflight_cache_size"),
    ],
)
def test_resource_may_not_hold_middleware_wide_options(option: str) -> None:
    """API.md: a resource holds every option but resources and preflight_cache_size."""
    resource: Dict[str, Any] = {"allow_origins": [ORIGIN], option: {}}
    if option == "preflight_cache_size":
        resource[option] = 10
    with pytest.raises(ConfigurationError, match=option):
        CORSMiddleware(EchoApp(), resources={"/api/*": resource})


def test_resource_with_an_unknown_option_is_refused_with_a_suggestion() -> None:
    """API.md: unknown option names are refused inside resources too."""
    with pytest.raises(ConfigurationError, match=r"did you mean 'allow_origins'"):
        CORSMiddleware(EchoApp(), resources={"/api/*": {"allow_origin": [ORIGIN]}})


def test_resource_star_origins_with_inherited_credentials_is_refused() -> None:
    """Options beside resources are defaults of every resource (API.md), so the
    ``*`` + credentials rule applies to the combination."""
    with pytest.raises(ConfigurationError, match=r"allow_credentials"):
        CORSMiddleware(
            EchoApp(),
            resources={"/public/*": {"allow_origins": "*"}},
            allow_credentials=True,
        )


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"allow_origins": [ORIGIN, "null"]}, id="origins-and-null"),
        pytest.param({"allow_origins": "https://*.example.com"}, id="wildcard-label"),
        pytest.param({"allow_origins": "*"}, id="star"),
        pytest.param({"allow_origins": (o for o in [ORIGIN])}, id="generator"),
        pytest.param({"allow_origin_regex": re.compile(r"https://.*")}, id="compiled"),
        pytest.param({"allow_origins": lambda origin, environ: True}, id="callable"),
        pytest.param({"allow_methods": "*", "allow_headers": "*"}, id="star-lists"),
        pytest.param({"allow_methods": ["PATCH", "propfind"]}, id="methods"),
        pytest.param({"max_age": None}, id="max-age-none"),
        pytest.param({"max_age": 0}, id="max-age-zero"),
        pytest.param({"preflight_status": 200, "deny_status": 200}, id="statuses-200"),
        pytest.param({"preflight_status": 299, "deny_status": 599}, id="statuses-max"),
        pytest.param({"preflight_cache_size": 0}, id="cache-off"),
        pytest.param(
            {
                "allow_origins": [ORIGIN],
                "allow_credentials": True,
                "allow_headers": "*",
            },
            id="credentials-star-headers",
        ),
        pytest.param(
            {"resources": {"/api/*": {}, re.compile(r"/v[0-9]+/.*"): {}}},
            id="resources",
        ),
    ],
)
def test_valid_configuration_is_accepted(options: Dict[str, Any]) -> None:
    """The documented forms build a middleware without complaint (API.md)."""
    assert isinstance(CORSMiddleware(EchoApp(), **options), CORSMiddleware)
