"""The compiled build, as API.md "Compiled build" says.

``cors_wsgi.COMPILED`` is True when the package's modules are compiled
(mypyc) and False for the pure-Python package. The tox environments that
test a compiled wheel set ``CORS_WSGI_EXPECT_COMPILED=1``, so that a run
that imports the pure-Python checkout instead fails here.
"""

from __future__ import annotations

import os
import pkgutil
from importlib import import_module
from importlib.machinery import ExtensionFileLoader

import cors_wsgi
import cors_wsgi._core

EXPECT_COMPILED = os.environ.get("CORS_WSGI_EXPECT_COMPILED") == "1"


def core_modules_compiled() -> dict[str, bool]:
    names = [info.name for info in pkgutil.iter_modules(cors_wsgi._core.__path__)]
    return {
        name: isinstance(
            import_module(f"cors_wsgi._core.{name}").__loader__, ExtensionFileLoader
        )
        for name in names
    }


def test_compiled_says_which_build_is_under_test() -> None:
    """API.md "Compiled build": ``COMPILED`` is True for the compiled package
    and False for the pure-Python one."""
    assert cors_wsgi.COMPILED is EXPECT_COMPILED


def test_the_core_is_compiled_whole_or_not_at_all() -> None:
    """API.md "Compiled build": the package's modules are compiled, or none
    is; ``COMPILED`` says which."""
    compiled = core_modules_compiled()
    assert len(compiled) > 1
    assert set(compiled.values()) == {cors_wsgi.COMPILED}


def test_only_the_core_is_compiled() -> None:
    """The public modules stay Python: the compiled build compiles the
    private core, ``cors_wsgi._core``, and nothing else."""
    assert not isinstance(cors_wsgi.__loader__, ExtensionFileLoader)
    assert not isinstance(cors_wsgi._core.__loader__, ExtensionFileLoader)
