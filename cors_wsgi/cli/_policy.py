"""Policy flags for ``serve`` and ``explain``, generated from the option table."""

from __future__ import annotations

import argparse
from typing import Any, Dict, List

from .._core.errors import ConfigurationError
from .._core.options import OPTIONS, coerce_options, flag_name

__all__ = ["add_policy_flags", "policy_options"]


def add_policy_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per option of the constructor but ``resources``.

    List flags may repeat, and each value may itself hold several items
    (``--allow-origins "https://a.example https://b.example"``); boolean
    flags alone mean true (``--allow-credentials``), or take a value
    (``--allow-credentials=false``).
    """
    group = parser.add_argument_group(
        "policy", "the options of CORSMiddleware, as in from_config()"
    )
    for option in OPTIONS:
        if option.kind == "python":
            continue
        flag = flag_name(option.name)
        help_text = f"{option.doc} (e.g. {option.example!r})"
        if option.kind == "list":
            group.add_argument(
                flag,
                dest=option.name,
                action="append",
                metavar="VALUE",
                help=help_text,
            )
        elif option.kind == "bool":
            group.add_argument(
                flag,
                dest=option.name,
                nargs="?",
                const="true",
                metavar="BOOL",
                help=help_text,
            )
        else:
            group.add_argument(flag, dest=option.name, metavar="VALUE", help=help_text)


def policy_options(args: argparse.Namespace) -> Dict[str, Any]:
    """The options the flags of *args* give, parsed as ``from_config`` does.

    Raises ConfigurationError whose lines name the flags.
    """
    given: Dict[str, Any] = {}
    for option in OPTIONS:
        if option.kind == "python":
            continue
        value = getattr(args, option.name, None)
        if value is None:
            continue
        if option.kind == "list":
            items: List[str] = value
            value = " ".join(items)
        given[option.name] = value
    return coerce_options(given, label=flag_name)


def fail(parser: argparse.ArgumentParser, error: ConfigurationError) -> None:
    """Exit with status 2 and the error's lines, as argparse does."""
    parser.exit(2, f"{parser.prog}: error: configuration\n{error}\n")
