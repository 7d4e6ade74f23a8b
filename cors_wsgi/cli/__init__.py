"""The ``cors-wsgi`` command (also ``python -m cors_wsgi``).

Each sub-command lives in a module of this package with a ``register``
function that adds its parser to the sub-parsers and sets ``run``, a function
of the parsed arguments that returns the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import List, Optional, Sequence

from .. import __version__

__all__ = ["build_parser", "main"]

#: The sub-commands, in the order ``--help`` lists them.
COMMANDS: Sequence[str] = ("serve", "demo", "explain", "check")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cors-wsgi",
        description=(
            "CORS for any WSGI application, as the Fetch Standard describes "
            "it: serve an app behind the middleware, see it work in a "
            "browser, find out why a request is blocked, audit a live server."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    commands.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(commands)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line *argv* (``sys.argv[1:]`` by default)."""
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    status: int = args.run(args)
    return status
