"""Every ConfigurationError case, raised at construction, naming the option.

docs/configuration.rst: messages start with the option name and a colon
(``allow_origins: ...``), show the value given and say how to write it; every
problem of one call is reported at once, one line each. The match patterns
below use ``(?m)^name: `` so that a problem reported on any line is found.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

import pytest

from cors_wsgi import ConfigurationError, CORSMiddleware
from tests.support.apps import EchoApp
from tests.support.origins import ORIGIN


def option_line(name: str) -> str:
    """A ``match=`` pattern: a message line starting with the option's name."""
    return rf"(?m)^{re.escape(name)}: "


def message_of(**options: Any) -> str:
    """The message of the ConfigurationError that *options* raise."""
    with pytest.raises(ConfigurationError) as excinfo:
        CORSMiddleware(EchoApp(), **options)
    return str(excinfo.value)


def test_options_are_keyword_only() -> None:
    """docs/configuration.rst: every option is a keyword argument; positionally it is a
    TypeError."""
    with pytest.raises(TypeError):
        CORSMiddleware(EchoApp(), [ORIGIN])  # type: ignore[misc]


def test_from_config_options_are_keyword_only_too() -> None:
    """docs/from_config.rst: from_config takes the app and one mapping."""
    with pytest.raises(TypeError):
        CORSMiddleware.from_config(  # type: ignore[call-arg]
            EchoApp(), {"allow_origins": ORIGIN}, {"max_age": "1"}
        )


def test_an_application_that_is_not_callable_is_refused() -> None:
    """PEP 3333: the application is a callable; a string such as ``"myapp:app"`` is
    refused at construction, naming the parameter."""
    with pytest.raises(ConfigurationError, match=r"^application: "):
        CORSMiddleware("myapp:app")


# --- origins -------------------------------------------------------------------------

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
    """docs/configuration.rst, "allow_origins": an entry with a path, query, fragment,
    trailing slash, user info or no scheme is refused."""
    with pytest.raises(ConfigurationError, match=option_line("allow_origins")):
        CORSMiddleware(EchoApp(), allow_origins=[origin])


@pytest.mark.parametrize("origin", BAD_ORIGINS)
def test_bad_origin_given_as_a_single_string_is_refused(origin: str) -> None:
    """docs/configuration.rst: a string is one item, validated like any entry."""
    with pytest.raises(ConfigurationError, match=option_line("allow_origins")):
        CORSMiddleware(EchoApp(), allow_origins=origin)


def test_origin_error_shows_the_offending_value() -> None:
    """docs/configuration.rst: the message shows the value that was given."""
    message = message_of(allow_origins=[ORIGIN, "https://b.example/"])
    assert repr("https://b.example/") in message


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("https://a.example,https://b.example", id="comma"),
        pytest.param("https://a.example https://b.example", id="space"),
        pytest.param("https://a.example, https://b.example", id="comma-space"),
    ],
)
def test_one_string_holding_several_origins_says_to_pass_a_list(value: str) -> None:
    """docs/configuration.rst: a single string is one value; one that holds several
    origins is a mistake, and the message says to pass a list (strings are split only by
    from_config)."""
    message = message_of(allow_origins=value)
    assert re.search(option_line("allow_origins"), message)
    assert "pass a list" in message
    assert "['https://a.example', 'https://b.example']" in message


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
    """docs/security.rst, "Wildcard labels": one ``*`` as the whole left-most host
    label, nothing else."""
    with pytest.raises(ConfigurationError, match=option_line("allow_origins")):
        CORSMiddleware(EchoApp(), allow_origins=[pattern])


# --- credentials and origins anyone controls ----------------------------------------


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
    message = message_of(allow_credentials=True, **options)
    assert "allow_credentials" in message
    assert "allow_origins" in message


def test_star_expose_headers_with_credentials_is_refused() -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-expose-headers: ``*`` is a
    wildcard only for requests without credentials."""
    message = message_of(
        allow_origins=[ORIGIN], expose_headers="*", allow_credentials=True
    )
    assert re.search(option_line("expose_headers"), message)
    assert "allow_credentials" in message


def test_null_origin_with_credentials_is_refused() -> None:
    """docs/security.rst, "The null origin": any page can send ``Origin: null`` from a
    sandboxed iframe, so ``null`` with credentials hands a logged-in user's data to
    every site."""
    message = message_of(allow_origins=[ORIGIN, "null"], allow_credentials=True)
    assert re.search(option_line("allow_origins"), message)
    assert "'null'" in message
    assert "sandboxed iframe" in message


@pytest.mark.parametrize(
    "regex",
    [
        pytest.param("null", id="literal"),
        pytest.param(r"null|https://a\.example\.com", id="alternative"),
        pytest.param(r"(null|https://[a-z]+\.example\.com)", id="group"),
        pytest.param(r"[nul]{4}", id="character-class"),
    ],
)
def test_regex_matching_null_with_credentials_is_refused(regex: str) -> None:
    """docs/security.rst, "The null origin": a regex that matches ``null`` is as
    dangerous as the literal entry once credentials are allowed."""
    message = message_of(allow_origin_regex=regex, allow_credentials=True)
    assert re.search(option_line("allow_origin_regex"), message)
    assert "matches 'null'" in message


@pytest.mark.parametrize(
    "regex",
    [
        pytest.param(".*", id="dot-star"),
        pytest.param(r"https?://.*", id="any-http-origin"),
        pytest.param(r"https://.*", id="any-https-origin"),
        pytest.param(re.compile(r"https://[^/]*"), id="compiled"),
    ],
)
def test_regex_matching_origins_anyone_owns_with_credentials_is_refused(
    regex: Any,
) -> None:
    """docs/security.rst, "Credentials and "*"": a regex that matches an origin under
    the reserved ``.invalid`` domain (RFC 2606) matches names anyone can register, so
    with credentials it is refused."""
    message = message_of(allow_origin_regex=regex, allow_credentials=True)
    assert re.search(option_line("allow_origin_regex"), message)
    assert "anyone could own" in message


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param("https://*.com", id="tld"),
        pytest.param("https://*.co.uk", id="second-level-suffix"),
        pytest.param("https://*.github.io", id="private-suffix-github"),
        pytest.param("https://*.vercel.app", id="private-suffix-vercel"),
    ],
)
def test_wildcard_over_a_public_suffix_with_credentials_is_refused(
    entry: str,
) -> None:
    """docs/security.rst, "Wildcard labels": under a public suffix (the Public Suffix
    List, https://publicsuffix.org/) anyone can register a name, so a ``*.`` entry over
    one with credentials is refused."""
    message = message_of(allow_origins=[entry], allow_credentials=True)
    assert re.search(option_line("allow_origins"), message)
    assert repr(entry) in message
    assert "lets every site under" in message


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"allow_origins": ["null"]}, id="null"),
        pytest.param({"allow_origin_regex": "null|https://.*"}, id="regex-null"),
        pytest.param({"allow_origin_regex": ".*"}, id="regex-dot-star"),
        pytest.param({"allow_origins": ["https://*.com"]}, id="public-suffix"),
        pytest.param({"allow_origins": ["https://*.github.io"]}, id="private-suffix"),
    ],
)
def test_origins_anyone_controls_are_allowed_without_credentials(
    options: Dict[str, Any],
) -> None:
    """docs/security.rst: without credentials a response readable by anyone hands out
    nothing private, so these policies build."""
    assert isinstance(CORSMiddleware(EchoApp(), **options), CORSMiddleware)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"allow_origins": ["https://*.example.com"]}, id="own-domain"),
        pytest.param(
            {"allow_origins": ["https://*.myapp.github.io"]}, id="under-a-suffix"
        ),
        pytest.param(
            {"allow_origin_regex": r"https://[a-z0-9-]+\.example\.com"},
            id="anchored-regex",
        ),
        pytest.param(
            {"allow_origins": lambda origin, environ: True}, id="callable-decides"
        ),
    ],
)
def test_origins_of_ones_own_are_allowed_with_credentials(
    options: Dict[str, Any],
) -> None:
    """docs/security.rst: patterns anchored to a domain of one's own build with
    credentials, and a callable may still allow anything, deliberately."""
    middleware = CORSMiddleware(EchoApp(), allow_credentials=True, **options)
    assert isinstance(middleware, CORSMiddleware)


# --- regexes, numbers, tokens, statuses ---------------------------------------------


@pytest.mark.parametrize(
    "regex",
    [
        pytest.param("(", id="unbalanced-parenthesis"),
        pytest.param("https://[a-", id="unterminated-class"),
        pytest.param("*.example.com", id="nothing-to-repeat"),
    ],
)
def test_invalid_regex_is_refused(regex: str) -> None:
    """docs/configuration.rst, "allow_origin_regex": an invalid regular expression is a
    ConfigurationError."""
    with pytest.raises(ConfigurationError, match=option_line("allow_origin_regex")):
        CORSMiddleware(EchoApp(), allow_origin_regex=regex)


@pytest.mark.parametrize(
    "regex",
    [
        pytest.param(r"https://a\.example\.com/", id="slash"),
        pytest.param(r"https://a\.example\.com/$", id="slash-dollar"),
        pytest.param(r"https://a\.example\.com/\Z", id="slash-backslash-z"),
        pytest.param(re.compile(r"https://.*\.example\.com/"), id="compiled"),
    ],
)
def test_regex_ending_in_a_slash_is_refused(regex: Any) -> None:
    """https://fetch.spec.whatwg.org/#origin-header: an Origin value has no path, so a
    regex ending in ``/`` could never match; it is refused."""
    message = message_of(allow_origin_regex=regex)
    assert re.search(option_line("allow_origin_regex"), message)
    assert "ends in '/'" in message


@pytest.mark.parametrize(
    "max_age",
    [
        pytest.param(-1, id="negative"),
        pytest.param(1.5, id="float"),
        pytest.param(True, id="bool"),
    ],
)
def test_negative_or_non_integer_max_age_is_refused(max_age: Any) -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-max-age: delta-seconds."""
    with pytest.raises(ConfigurationError, match=option_line("max_age")):
        CORSMiddleware(EchoApp(), allow_origins=[ORIGIN], max_age=max_age)


def test_max_age_given_as_a_string_in_python_says_it_must_be_an_int() -> None:
    """docs/configuration.rst, "max_age": in Python the value is an int; a string is
    refused with a message that says so, and points to from_config, which parses
    strings."""
    message = message_of(allow_origins=[ORIGIN], max_age="600")
    assert message.startswith("max_age: '600' is a str; give an int")
    assert "max_age=3600" in message
    assert "from_config" in message


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


def test_method_message_gives_a_method_as_example() -> None:
    """docs/configuration.rst: the message says how to write it instead, with an example
    of the same kind (a method, not a header name)."""
    message = message_of(allow_origins=[ORIGIN], allow_methods=["G(E)T"])
    assert "such as 'GET'" in message


def test_one_string_holding_several_methods_says_to_pass_a_list() -> None:
    """docs/configuration.rst: ``"GET, POST"`` is one string; the message shows the list
    to pass, made of methods."""
    message = message_of(allow_origins=[ORIGIN], allow_methods="GET, POST")
    assert message.startswith("allow_methods: 'GET, POST' is one string")
    assert "['GET', 'POST', 'PATCH']" in message


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
    ("option", "example"),
    [
        pytest.param("allow_headers", "'Authorization'", id="allow_headers"),
        pytest.param("expose_headers", "'X-Request-Id'", id="expose_headers"),
    ],
)
def test_header_message_gives_a_header_name_as_example(
    option: str, example: str
) -> None:
    """docs/configuration.rst: a bad header name is answered with an example header
    name, never with a method."""
    options: Dict[str, Any] = {option: ["X Custom"]}
    message = message_of(allow_origins=[ORIGIN], **options)
    assert f"such as {example}" in message
    assert "'GET'" not in message


def test_one_string_holding_several_headers_says_to_pass_a_list() -> None:
    """docs/configuration.rst: the list shown is made of header names."""
    message = message_of(allow_origins=[ORIGIN], allow_headers="X-A, X-B")
    assert message.startswith("allow_headers: 'X-A, X-B' is one string")
    assert "['Authorization', 'X-Request-Id']" in message


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
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch: a preflight succeeds only
    with an ok status (200-299)."""
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
    """docs/configuration.rst, "deny_status": within 200-599."""
    with pytest.raises(ConfigurationError, match=option_line("deny_status")):
        CORSMiddleware(EchoApp(), allow_origins=[ORIGIN], deny_status=status)


# --- values of the wrong type ---------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "option"),
    [
        pytest.param({"allow_origins": 42}, "allow_origins", id="origins-not-iterable"),
        pytest.param(
            {"allow_origins": b"https://a.example"}, "allow_origins", id="origins-bytes"
        ),
        pytest.param(
            {"allow_origins": [ORIGIN, 1]}, "allow_origins", id="origin-not-str"
        ),
        pytest.param({"allow_methods": 7}, "allow_methods", id="methods-not-iterable"),
        pytest.param({"allow_headers": [b"X-A"]}, "allow_headers", id="header-bytes"),
        pytest.param({"expose_headers": None}, "expose_headers", id="expose-none"),
        pytest.param(
            {"allow_origin_regex": re.compile(b"x")},
            "allow_origin_regex",
            id="bytes-regex",
        ),
        pytest.param({"allow_origin_regex": 3}, "allow_origin_regex", id="regex-int"),
        pytest.param(
            {"allow_credentials": "false"}, "allow_credentials", id="credentials-str"
        ),
        pytest.param(
            {"allow_private_network": 1}, "allow_private_network", id="pna-int"
        ),
        pytest.param(
            {"preflight_passthrough": None},
            "preflight_passthrough",
            id="passthrough-none",
        ),
        pytest.param({"max_age": True}, "max_age", id="max-age-bool"),
        pytest.param({"deny_status": "403"}, "deny_status", id="deny-status-str"),
        pytest.param(
            {"preflight_cache_size": -1},
            "preflight_cache_size",
            id="cache-size-negative",
        ),
        pytest.param(
            {"preflight_cache_size": True}, "preflight_cache_size", id="cache-size-bool"
        ),
        pytest.param(
            {"preflight_cache_size": "9"}, "preflight_cache_size", id="cache-size-str"
        ),
    ],
)
def test_a_value_of_the_wrong_type_names_the_option(
    options: Dict[str, Any], option: str
) -> None:
    """docs/configuration.rst: each option's type is checked at construction, and the
    message names the option."""
    with pytest.raises(ConfigurationError, match=option_line(option)):
        CORSMiddleware(EchoApp(), **{"allow_origins": [ORIGIN], **options})


def test_a_string_for_a_boolean_points_to_from_config() -> None:
    """docs/from_config.rst: strings such as ``"true"`` are parsed by from_config; in
    Python a boolean is True or False."""
    with pytest.raises(ConfigurationError, match="from_config"):
        CORSMiddleware(EchoApp(), allow_credentials="true")


# --- option names ---------------------------------------------------------------------


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
    """docs/configuration.rst: a misspelt name is refused with the option that was
    probably meant (flask-cors only logged unknown options)."""
    options: Dict[str, Any] = {misspelt: ORIGIN}
    message = message_of(**options)
    assert repr(misspelt) in message
    assert "did you mean" in message
    assert repr(meant) in message


def test_unknown_option_far_from_any_name_is_refused_without_a_suggestion() -> None:
    """docs/configuration.rst: the message names the option; a suggestion only where one
    is close, else the list of options."""
    message = message_of(frobnicate=True)
    assert repr("frobnicate") in message
    assert "did you mean" not in message
    assert "allow_origins" in message


# --- every problem at once ----------------------------------------------------------


def test_several_problems_are_reported_one_per_line_in_order() -> None:
    """docs/configuration.rst: every problem is reported at once, one line each,
    starting with the option's name (jub0bs/cors reports all at once)."""
    message = message_of(allow_origins=["https://a.example/"], max_age=-1)
    lines = message.splitlines()
    assert [line.split(":")[0] for line in lines] == ["allow_origins", "max_age"]


def test_several_problems_and_unknown_names_come_in_one_error() -> None:
    """docs/configuration.rst: one ConfigurationError lists every problem of the call,
    unknown option names included, one line each."""
    message = message_of(
        allow_origin="https://a.example",
        frobnicate=1,
        allow_origins=["https://a.example/"],
        allow_methods=["G(E)T"],
        max_age="600",
        deny_status=700,
    )
    lines = message.splitlines()
    assert len(lines) == 6, lines
    unknown = [line for line in lines if line.startswith("unknown option ")]
    assert [line.split("'")[1] for line in unknown] == ["allow_origin", "frobnicate"]
    named = [line.split(":")[0] for line in lines if line not in unknown]
    assert named == ["allow_origins", "allow_methods", "max_age", "deny_status"]


def test_problems_of_every_resource_come_in_one_error() -> None:
    """docs/resources.rst: each resource is validated like the options beside it, and
    all their problems are reported together, each naming its resource."""
    message = message_of(
        max_age=-1,
        resources={
            "/a/*": {"allow_origins": ["https://a.example/"]},
            "/b/*": {"deny_status": 99},
        },
    )
    lines: List[str] = message.splitlines()
    assert any(
        line.startswith("allow_origins: ") and "resources['/a/*']" in line
        for line in lines
    ), lines
    assert any(
        line.startswith("deny_status: ") and "resources['/b/*']" in line
        for line in lines
    ), lines


# --- resources ----------------------------------------------------------------------


def test_resource_with_an_invalid_option_value_is_refused() -> None:
    """docs/resources.rst: each resource holds the options above, validated the same
    way, the message naming the resource."""
    with pytest.raises(ConfigurationError, match=re.escape("in resources['/api/*']")):
        CORSMiddleware(
            EchoApp(), resources={"/api/*": {"allow_origins": ["https://a.example/"]}}
        )


@pytest.mark.parametrize(
    ("option", "value"),
    [
        pytest.param("resources", {}, id="resources"),
        pytest.param("preflight_cache_size", 10, id="preflight_cache_size"),
    ],
)
def test_resource_may_not_hold_middleware_wide_options(option: str, value: Any) -> None:
    """docs/resources.rst: a resource holds every option but resources and
    preflight_cache_size, which are given beside resources."""
    resource: Dict[str, Any] = {"allow_origins": [ORIGIN], option: value}
    with pytest.raises(ConfigurationError, match=option_line(option)) as excinfo:
        CORSMiddleware(EchoApp(), resources={"/api/*": resource})
    assert "give it beside resources" in str(excinfo.value)


def test_resource_with_an_unknown_option_is_refused_with_a_suggestion() -> None:
    """docs/resources.rst: unknown option names are refused inside resources too."""
    with pytest.raises(ConfigurationError, match=r"did you mean 'allow_origins'"):
        CORSMiddleware(EchoApp(), resources={"/api/*": {"allow_origin": [ORIGIN]}})


def test_resource_star_origins_with_inherited_credentials_is_refused() -> None:
    """docs/resources.rst: options beside resources are defaults of every resource, so
    the ``*`` + credentials rule applies to the combination."""
    with pytest.raises(ConfigurationError, match=r"allow_credentials"):
        CORSMiddleware(
            EchoApp(),
            resources={"/public/*": {"allow_origins": "*"}},
            allow_credentials=True,
        )


@pytest.mark.parametrize(
    ("resources", "fragment"),
    [
        pytest.param([("/api/*", {})], "expected a dict", id="not-a-dict"),
        pytest.param(
            {"/api/*": ["allow_origins"]}, "must be a dict", id="value-not-a-dict"
        ),
        pytest.param({"api/*": {}}, "not a path pattern", id="no-leading-slash"),
        pytest.param({"/a/*/b": {}}, "not a path pattern", id="star-in-the-middle"),
        pytest.param({"/a**": {}}, "not a path pattern", id="two-stars"),
        pytest.param({42: {}}, "not a path pattern", id="int-key"),
        pytest.param({re.compile(b"/x"): {}}, "not a path pattern", id="bytes-pattern"),
        pytest.param(
            {"/api/*": {"resources": {}}}, "give it beside", id="nested-resources"
        ),
        pytest.param(
            {"/api/*": {"preflight_cache_size": 1}},
            "give it beside",
            id="cache-size-inside",
        ),
        pytest.param(
            {"/api/*": {"allow_origin": ORIGIN}},
            "did you mean 'allow_origins'",
            id="misspelt",
        ),
        pytest.param(
            {"/api/*": {"max_age": -5}}, "in resources['/api/*']", id="bad-value"
        ),
    ],
)
def test_resource_mistakes_are_configuration_errors(
    resources: Any, fragment: str
) -> None:
    """docs/resources.rst: keys are str paths (exact, or a prefix ending in ``*``) or
    compiled str patterns; values are dicts of policy options."""
    with pytest.raises(ConfigurationError, match=re.escape(fragment)):
        CORSMiddleware(EchoApp(), resources=resources)


def test_a_bad_key_and_a_bad_value_of_the_same_resource_are_both_reported() -> None:
    """docs/configuration.rst: every problem is reported at once."""
    message = message_of(resources={"api/*": {"max_age": -5}})
    assert "not a path pattern" in message
    assert "max_age: " in message


# --- what builds ----------------------------------------------------------------------


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
    """The documented forms build a middleware without complaint
    (docs/configuration.rst)."""
    assert isinstance(CORSMiddleware(EchoApp(), **options), CORSMiddleware)
