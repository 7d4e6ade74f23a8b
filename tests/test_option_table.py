"""The option table (``cors_wsgi._core.options.OPTIONS``) is the one list of
options: the constructor, from_config, the entry points and the CLI flags are
made from it, so it must agree with the constructor and the documented
contract (docs/configuration.rst).
"""

from __future__ import annotations

import inspect
from typing import Any, Dict

import pytest

from cors_wsgi import ConfigurationError, CORSMiddleware
from cors_wsgi._core.options import (
    BY_NAME,
    OPTION_NAMES,
    OPTIONS,
    POLICY_OPTION_NAMES,
    Option,
    coerce_options,
    env_name,
    flag_name,
)
from tests.support.apps import EchoApp

#: The options a resource may not set (docs/resources.rst: every option but
#: these two, which are given beside ``resources``).
MIDDLEWARE_WIDE = {"resources", "preflight_cache_size"}

KINDS = {"list", "bool", "int", "text", "python"}


def keyword_parameters() -> Dict[str, Any]:
    """The constructor's keyword-only parameters and their defaults, in order."""
    return {
        name: parameter.default
        for name, parameter in inspect.signature(CORSMiddleware).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }


def test_the_constructor_takes_exactly_the_options_of_the_table() -> None:
    """docs/configuration.rst: one keyword argument per option, in the table's order."""
    assert list(keyword_parameters()) == [option.name for option in OPTIONS]


@pytest.mark.parametrize("option", [pytest.param(o, id=o.name) for o in OPTIONS])
def test_each_default_is_the_constructors(option: Option) -> None:
    """docs/configuration.rst: the default the signature shows is the table's."""
    assert keyword_parameters()[option.name] == option.default


def test_the_names_are_unique_and_indexed() -> None:
    assert tuple(option.name for option in OPTIONS) == OPTION_NAMES
    assert len(set(OPTION_NAMES)) == len(OPTION_NAMES)
    assert all(BY_NAME[option.name] is option for option in OPTIONS)


def test_per_resource_is_true_for_every_option_but_the_middleware_wide_ones() -> None:
    """docs/resources.rst: each resource holds the options, except ``resources`` and
    ``preflight_cache_size``."""
    wide = {option.name for option in OPTIONS if not option.per_resource}
    assert wide == MIDDLEWARE_WIDE
    assert set(POLICY_OPTION_NAMES) == set(OPTION_NAMES) - MIDDLEWARE_WIDE


@pytest.mark.parametrize("option", [pytest.param(o, id=o.name) for o in OPTIONS])
def test_each_option_has_a_kind_and_a_one_line_doc(option: Option) -> None:
    assert option.kind in KINDS
    assert option.doc.strip() and "\n" not in option.doc
    assert option.doc.endswith(".")


STRING_OPTIONS = [pytest.param(o, id=o.name) for o in OPTIONS if o.kind != "python"]


@pytest.mark.parametrize("option", STRING_OPTIONS)
def test_each_example_parses_without_error(option: Option) -> None:
    """docs/from_config.rst: every option but ``resources`` has a string form; the
    table's example of it parses."""
    option.parse(option.example)


@pytest.mark.parametrize("option", STRING_OPTIONS)
def test_each_parsed_example_builds_a_middleware(option: Option) -> None:
    """The examples are values a user could write: once parsed (as from_config does) the
    middleware builds with each of them."""
    options = coerce_options({option.name: option.example})
    assert isinstance(CORSMiddleware(EchoApp(), **options), CORSMiddleware)


def test_the_python_only_option_has_no_string_form() -> None:
    """docs/from_config.rst: ``resources`` is Python-only."""
    [python_only] = [option for option in OPTIONS if option.kind == "python"]
    assert python_only.name == "resources"
    with pytest.raises(ValueError, match="cannot be given as a string"):
        python_only.parse("/api/*")
    with pytest.raises(ConfigurationError, match="^resources: "):
        coerce_options({"resources": "/api/*"})


@pytest.mark.parametrize(
    ("name", "variable", "flag"),
    [
        pytest.param(
            "allow_origins", "CORS_ALLOW_ORIGINS", "--allow-origins", id="origins"
        ),
        pytest.param("max_age", "CORS_MAX_AGE", "--max-age", id="max_age"),
        pytest.param(
            "preflight_cache_size",
            "CORS_PREFLIGHT_CACHE_SIZE",
            "--preflight-cache-size",
            id="cache",
        ),
    ],
)
def test_variables_and_flags_are_named_after_the_option(
    name: str, variable: str, flag: str
) -> None:
    """docs/from_config.rst: ``CORS_`` + the option name upper-cased; the ``cors-wsgi``
    flags are the option name with dashes."""
    assert env_name(name) == variable
    assert flag_name(name) == flag
