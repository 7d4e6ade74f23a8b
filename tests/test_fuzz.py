"""Fuzzing with hypothesis: hostile bytes on the request path, hostile strings in
the configuration, and the Access-Control-Request-Headers parser against a
naive reference.

The number of examples per test comes from the ``FUZZ_EXAMPLES`` environment
variable: 100 by default (the ordinary test run), more in ``tox -e fuzz``
(``FUZZ_EXAMPLES=3000``, about a minute and a half); a longer hunt is
``FUZZ_EXAMPLES=100000 python3 -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import runpy
import warnings
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional, Tuple
from wsgiref.validate import validator

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cors_wsgi import ConfigurationError, CORSMiddleware
from cors_wsgi._core.http import parse_allowed_header_list, parse_header_list
from cors_wsgi._core.options import BY_NAME, OPTION_NAMES, env_name
from tests.support.environ import plain_environ

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

ORIGIN = "https://app.example.com"

#: Policies the request fuzzing runs under, by name.
POLICIES: Dict[str, Dict[str, Any]] = {
    "credentials": {
        "allow_origins": [ORIGIN, "https://*.tenant.example"],
        "allow_credentials": True,
        "allow_methods": ["PUT", "DELETE"],
        "allow_headers": ["X-Token", "Authorization"],
        "expose_headers": ["X-Request-Id"],
    },
    "any-origin": {"allow_origins": "*", "allow_headers": "*", "allow_methods": "*"},
    "regex": {
        "allow_origin_regex": r"https://[a-z0-9-]+\.regex\.example(:[0-9]+)?",
        "allow_headers": "*",
        "allow_private_network": True,
    },
    "null-and-wildcard": {
        "allow_origins": ["null", "https://*.example.com", "http://localhost:3000"],
        "preflight_cache_size": 0,
        "max_age": None,
    },
    "resources-passthrough": {
        "resources": {
            "/api/*": {"allow_origins": [ORIGIN], "preflight_passthrough": True},
            re.compile(r"/re/[^/]*"): {"allow_origins": "*"},
        },
        "deny_status": 200,
    },
    "callable": {
        "allow_origins": lambda origin, environ: origin.endswith("example"),
        "allow_headers": ["x-a"],
    },
}

#: The methods wsgiref's validator accepts without a warning.
METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PATCH", "PUT", "DELETE", "TRACE")
LATIN_1 = st.characters(min_codepoint=0, max_codepoint=255)
latin_1 = st.text(LATIN_1, max_size=60)
origin_like = st.one_of(
    latin_1,
    st.builds(
        "".join,
        st.lists(
            st.sampled_from(
                [
                    "https://",
                    "http://",
                    "app",
                    ".example",
                    ".com",
                    ".tenant",
                    ".regex",
                    ":443",
                    ":8443",
                    "null",
                    "*",
                    ".",
                    "-",
                    " ",
                    ",",
                    "\t",
                    "\r\n",
                    "\x00",
                    "\u00e9",
                    "/",
                    "@",
                    "HTTPS://",
                    "a",
                ]
            ),
            max_size=8,
        ),
    ),
)
header_list_like = st.one_of(
    latin_1,
    st.lists(
        st.sampled_from(
            ["x-token", "Authorization", "content-type", "x-a", "", " ", "x b", "é"]
        ),
        max_size=12,
    ).map(",".join),
)

#: https://fetch.spec.whatwg.org/#origin-header: a serialized origin, or null.
#: API.md rule 7: nothing else is ever echoed.
SERIALIZED_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9.-]+(:[0-9]+)?")
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def echo_app(environ: WSGIEnvironment, start_response: StartResponse) -> List[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def call(app: WSGIApplication, environ: WSGIEnvironment) -> Tuple[str, List[Any]]:
    """Run *app* once under wsgiref's validator; the status and headers."""
    started: List[Any] = []

    def start_response(status: str, headers: List[Any], exc_info: Any = None) -> Any:
        started[:] = [status, headers]
        return lambda data: None

    body = validator(app)(environ, start_response)
    try:
        for _ in body:
            pass
    finally:
        close: Optional[Callable[[], None]] = getattr(body, "close", None)
        if close is not None:
            close()
    return started[0], started[1]


MIDDLEWARES = {
    name: CORSMiddleware(echo_app, **options) for name, options in POLICIES.items()
}


@st.composite
def environs(draw: st.DrawFn) -> WSGIEnvironment:
    environ: Dict[str, Any] = plain_environ(
        draw(st.sampled_from(METHODS)),
        "/" + draw(st.sampled_from(["", "api/", "re/"])) + draw(latin_1),
    )
    fields = {
        "HTTP_ORIGIN": origin_like,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": st.one_of(
            st.sampled_from(["PUT", "DELETE", "GET", "put", "PATCH"]), latin_1
        ),
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": header_list_like,
        "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK": st.one_of(
            st.just("true"), latin_1
        ),
    }
    for key, strategy in fields.items():
        if draw(st.booleans()):
            environ[key] = draw(strategy)
    return environ


@FUZZ
@given(policy=st.sampled_from(sorted(POLICIES)), environ=environs())
def test_hostile_request_never_breaks_the_protocol_nor_echoes_unvalidated_bytes(
    policy: str, environ: WSGIEnvironment
) -> None:
    """API.md rule 7 and PEP 3333 under wsgiref.validate: whatever latin-1 bytes
    arrive, the middleware answers (never raises, never 5xx), every header is
    a valid PEP 3333 header, Allow-Origin is ``*`` or a serialized origin equal
    to the request's, and Allow-Methods / Allow-Headers hold only tokens."""
    origin = environ.get("HTTP_ORIGIN")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        status, headers = call(MIDDLEWARES[policy], environ)
    assert int(status[:3]) < 500
    by_name: Dict[str, List[str]] = {}
    for name, value in headers:
        assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", value), (name, value)
        by_name.setdefault(name.lower(), []).append(value)
    for name, values in by_name.items():
        if name.startswith("access-control-"):
            assert len(values) == 1, (name, values)
    allow_origin = by_name.get("access-control-allow-origin", [None])[0]
    if allow_origin is not None and allow_origin != "*":
        assert allow_origin == origin
        assert allow_origin == "null" or SERIALIZED_ORIGIN.fullmatch(allow_origin)
    if allow_origin == "*":
        assert "access-control-allow-credentials" not in by_name
    for name in ("access-control-allow-methods", "access-control-allow-headers"):
        for value in by_name.get(name, []):
            for item in value.split(","):
                assert TOKEN.fullmatch(item.strip()), (name, value)


OPTION_KEYS = st.one_of(st.sampled_from(OPTION_NAMES), st.text(max_size=20))
CONFIG_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "*",
            "true",
            "false",
            "none",
            "",
            "600",
            "-1",
            "1e3",
            "https://*.com",
            "https://a.example https://*.b.example",
            "null",
            ".*",
            "(",
            "[a-",
            "GET, POST",
            "x-a,,x-b",
            "204",
            "99",
            "https://a.example/",
        ]
    ),
)


@st.composite
def configs(
    draw: st.DrawFn, keys: st.SearchStrategy[str] = OPTION_KEYS
) -> Dict[str, str]:
    """A few options, each with its documented example or a hostile string."""
    config = {}
    for key in draw(st.lists(keys, max_size=5, unique=True)):
        option = BY_NAME.get(key)
        valid = st.just(option.example if option is not None else "x")
        # Mostly valid values, so that the policies that do build get fuzzed.
        config[key] = draw(st.one_of(valid, valid, valid, CONFIG_TEXT))
    return config


@FUZZ
@given(config=configs())
def test_from_config_with_any_strings_raises_only_configuration_error(
    config: Dict[str, str],
) -> None:
    """API.md, "String configuration": a value that does not parse raises
    ConfigurationError naming the option, never any other exception."""
    try:
        middleware = CORSMiddleware.from_config(echo_app, config)
    except ConfigurationError as error:
        assert str(error)
        event("ConfigurationError")
    else:
        assert callable(middleware)
        event("built")


ENV_TEXT = st.one_of(
    CONFIG_TEXT.filter(lambda text: "\x00" not in text),
    # What an environment variable can hold: no NUL, no lone surrogate.
    st.text(st.characters(min_codepoint=1, max_codepoint=0xD7FF), max_size=40),
)


@contextlib.contextmanager
def environment(variables: Dict[str, str]) -> Iterator[None]:
    """os.environ with *variables* as its only CORS_* variables, then restored;
    the ``cors_wsgi`` logger's handlers too (CORS_WSGI_DEBUG adds one)."""
    saved = dict(os.environ)
    logger = logging.getLogger("cors_wsgi")
    handlers, level = list(logger.handlers), logger.level
    os.environ.clear()
    os.environ.update(
        {k: v for k, v in saved.items() if not k.upper().startswith("CORS_")}
    )
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        logger.handlers[:] = handlers
        logger.setLevel(level)


@FUZZ
@given(
    options=configs(st.sampled_from(OPTION_NAMES)),
    others=st.dictionaries(
        st.sampled_from(["CORS_WSGI_DEBUG", "CORS_ALLOW_ORIGIN", "CORS_MAXAGE"]),
        st.one_of(st.sampled_from(["1", "off"]), ENV_TEXT),
        max_size=1,
    ),
    app=st.one_of(st.just("tests.test_fuzz:echo_app"), ENV_TEXT),
)
def test_environment_entry_with_any_strings_raises_only_configuration_error(
    options: Dict[str, str], others: Dict[str, str], app: str
) -> None:
    """API.md, "Zero-code wrapping": importing cors_wsgi.wsgi with any CORS_*
    values builds the app or raises ConfigurationError naming the variable."""
    variables = {env_name(name): value for name, value in options.items()}
    variables = {k: v for k, v in variables.items() if "\x00" not in v}
    with environment({"CORS_WSGI_APP": app, **variables, **others}):
        try:
            namespace = runpy.run_module("cors_wsgi.wsgi")
        except ConfigurationError as error:
            assert str(error)
            event("ConfigurationError")
        else:
            assert callable(namespace["application"])
            event("built")


# https://fetch.spec.whatwg.org/#cors-preflight-fetch: the value is a list of
# header names, each a token (RFC 9110 section 5.6.2), separated by commas with
# optional white space; API.md bounds it to 8192 characters and 256 items.
def reference_parse(value: str) -> Optional[List[str]]:
    """A naive Access-Control-Request-Headers parser, item by item."""
    if len(value) > 8192:
        return None
    items = value.split(",")
    if len(items) > 256:
        return None
    names: List[str] = []
    for item in items:
        name = item.strip(" \t")
        if not name:
            continue
        if TOKEN.fullmatch(name) is None:
            return None
        if name.lower() not in names:
            names.append(name.lower())
    return names


token_text = st.from_regex(TOKEN, fullmatch=True).filter(lambda t: len(t) < 30)
header_lists = st.one_of(
    latin_1,
    st.text(st.sampled_from("aZ-_09, \t,;é\x00"), max_size=80),
    st.lists(
        st.one_of(token_text, st.sampled_from(["", " ", "\t", "X-A", "x-a", "a b"])),
        max_size=40,
    ).flatmap(
        lambda items: st.sampled_from([",", ", ", " ,", ",\t"]).map(
            lambda separator: separator.join(items)
        )
    ),
    st.integers(250, 262).map(lambda count: ",".join(["x"] * count)),
    st.integers(8180, 8200).map(lambda length: ("a," * length)[:length]),
)


@FUZZ
@given(value=header_lists)
def test_header_list_parser_agrees_with_a_naive_reference(value: str) -> None:
    """API.md, "Preflight": names compare lower-cased; a value over 8192
    characters or 256 items, or with an item that is not a token, is refused
    (None); otherwise the names, each once, lower-case tokens."""
    parsed = parse_header_list(value)
    assert parsed == reference_parse(value)
    if parsed is not None:
        assert len(parsed) <= 256
        assert all(TOKEN.fullmatch(name) and name == name.lower() for name in parsed)


@FUZZ
@given(value=header_lists, allowed=st.frozensets(st.sampled_from(["x-a", "x", "a"])))
def test_allowed_header_list_shortcut_never_disagrees_with_the_parser(
    value: str,
    allowed: frozenset,  # type: ignore[type-arg]
) -> None:
    """The shortcut for allowed lists answers only when it can prove the full
    parser's answer, and then gives the same names, all allowed."""
    shortcut = parse_allowed_header_list(value, allowed)
    if shortcut is not None:
        assert shortcut == parse_header_list(value)
        assert set(shortcut) <= allowed
