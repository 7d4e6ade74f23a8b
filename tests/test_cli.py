"""The ``cors-wsgi`` command itself: ``python -m cors_wsgi`` and ``--help``.

The sub-commands are fixed by the documented command line (docs/start.rst,
docs/troubleshooting.rst, docs/check.rst): ``--help`` lists each of them.
"""

from __future__ import annotations

import runpy
import sys

import pytest

import cors_wsgi
from cors_wsgi.cli import COMMANDS, main


def test_python_dash_m_runs_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m cors_wsgi --version`` is ``cors-wsgi --version``."""
    monkeypatch.setattr(sys, "argv", ["cors-wsgi", "--version"])
    with pytest.raises(SystemExit) as excinfo:
        runpy.run_module("cors_wsgi", run_name="__main__", alter_sys=True)
    assert excinfo.value.code == 0
    assert capsys.readouterr().out.strip() == f"cors-wsgi {cors_wsgi.__version__}"


def test_help_lists_every_sub_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["--help"])
    assert excinfo.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"    {name} " in out
    assert {"serve", "explain", "check"} <= set(COMMANDS)


def test_no_sub_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """Bad arguments exit with status 2, as argparse does."""
    with pytest.raises(SystemExit) as excinfo:
        main([])
    assert excinfo.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


def test_importing_the_main_module_runs_nothing() -> None:
    """``cors_wsgi.__main__`` acts only when run as a program."""
    module = __import__("cors_wsgi.__main__", fromlist=["main"])
    assert module.main is main
