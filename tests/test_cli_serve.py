"""``cors-wsgi serve MODULE:CALLABLE [policy flags] [--host H] [--port N] [--debug]``.

API.md, "Console script": ``serve`` serves an app wrapped with the policy on
a development server; each option of the constructor but ``resources`` has a
flag. Bad arguments exit with status 2 and a message naming the flag.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

from cors_wsgi.cli import main
from tests.servers import Reply, free_port, http_request, stray_sigterm_ignored

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "tests" / "apps"
ORIGIN = "https://app.example.com"
PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"}


@pytest.fixture(autouse=True)
def in_app_folder(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.Logger]:
    """Run from ``tests/apps`` (serve looks the module up from the current
    folder); sys.path and the ``cors_wsgi`` logger put back afterwards."""
    monkeypatch.chdir(APPS)
    monkeypatch.setattr(sys, "path", list(sys.path))
    logger = logging.getLogger("cors_wsgi")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


def serve_in_process(
    argv: List[str], port: int, requests: List[Dict[str, str]]
) -> Tuple[int, List[Reply]]:
    """Run ``main(["serve", *argv])`` here; from a thread, wait until it answers,
    send one OPTIONS request per entry of *requests*, then SIGTERM this process
    (which only the server's handler sees)."""
    replies: List[Reply] = []

    def client() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                for headers in requests:
                    replies.append(http_request(port, "OPTIONS", "/", headers))
            except OSError:
                time.sleep(0.05)
                continue
            # Only now is the server's SIGTERM handler certainly installed.
            os.kill(os.getpid(), signal.SIGTERM)
            return

    thread = threading.Thread(target=client)
    with stray_sigterm_ignored():
        thread.start()
        try:
            status = main(["serve", *argv, "--port", str(port)])
        finally:
            thread.join(60)
    return status, replies


def test_serve_answers_with_the_policy_of_the_flags(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """API.md: the app, wrapped with the policy the flags give (rule 3)."""
    port = free_port()
    status, replies = serve_in_process(
        [
            "legacy.wsgi:application",
            "--allow-origins",
            ORIGIN,
            "--allow-methods",
            "GET",
            "--allow-methods",
            "PUT",
        ],
        port,
        [PREFLIGHT],
    )
    assert status == 0
    (reply,) = replies
    assert reply.status == 204
    assert reply.header("Access-Control-Allow-Origin") == ORIGIN
    out = capsys.readouterr().out
    assert f"http://127.0.0.1:{port}/" in out
    assert "development server" in out
    assert out.rstrip().endswith("Stopped.")


def test_debug_flag_logs_each_decision_to_stderr(
    capsys: pytest.CaptureFixture[str], in_app_folder: logging.Logger
) -> None:
    port = free_port()
    status, _ = serve_in_process(
        ["legacy.wsgi:application", "--allow-origins", ORIGIN, "--debug"],
        port,
        [PREFLIGHT],
    )
    assert status == 0
    assert in_app_folder.isEnabledFor(logging.DEBUG)
    assert re.search(
        r"^cors_wsgi: .*https://app\.example\.com", capsys.readouterr().err, re.M
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["legacy.wsgi:application", "--max-age", "ten"],
            "--max-age: 'ten' is not a decimal integer",
            id="bad-number",
        ),
        pytest.param(
            ["legacy.wsgi:application", "--allow-credentials=maybe"],
            "--allow-credentials: 'maybe' is not a boolean",
            id="bad-boolean",
        ),
        pytest.param(
            ["legacy.wsgi:application", "--allow-origins", "app.example.com"],
            "--allow-origins: 'app.example.com' has no scheme",
            id="bad-origin",
        ),
        pytest.param(
            ["legacy.wsgi"],
            "MODULE:CALLABLE: 'legacy.wsgi' is not of the form module:callable",
            id="bad-spec",
        ),
        pytest.param(
            ["no_such_module:application"],
            "MODULE:CALLABLE: cannot import 'no_such_module'",
            id="missing-module",
        ),
        pytest.param(
            ["legacy.wsgi:application", "--port", "65536"],
            "argument --port: '65536' is not a port number",
            id="port-too-large",
        ),
        pytest.param(
            ["legacy.wsgi:application", "--port", "eighty"],
            "argument --port: 'eighty' is not a port number",
            id="port-not-a-number",
        ),
    ],
)
def test_bad_argument_exits_2_naming_it(
    argv: List[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """API.md: bad arguments exit with status 2; the message names the flag."""
    with pytest.raises(SystemExit) as stopped:
        main(["serve", *argv])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_every_bad_argument_is_reported_at_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "legacy.wsgi:aplication", "--max-age", "ten"])
    err = capsys.readouterr().err
    assert "--max-age: " in err
    assert "MODULE:CALLABLE: 'legacy.wsgi' has no attribute 'aplication'" in err


def test_policy_errors_name_the_flags(capsys: pytest.CaptureFixture[str]) -> None:
    """Credentials with ``*`` origins are refused, in the words of the flags."""
    with pytest.raises(SystemExit) as stopped:
        main(
            [
                "serve",
                "legacy.wsgi:application",
                "--allow-origins",
                "*",
                "--allow-credentials",
            ]
        )
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "cors-wsgi serve: error: configuration"
    assert lines[1:]
    for line in lines[1:]:
        assert re.match(r"^--[a-z-]+: ", line), line


def test_port_in_use_exits_1_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = main(["serve", "legacy.wsgi:application", "--port", str(port)])
    assert status == 1
    err = capsys.readouterr().err
    assert f"cors-wsgi serve: error: cannot listen on 127.0.0.1:{port}: " in err


# --- as a command -----------------------------------------------------------------


def start_command(*argv: str) -> Tuple[subprocess.Popen[str], str]:
    """``python -m cors_wsgi serve ... --port 0`` in tests/apps; the process and
    the URL it printed."""
    environ = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "cors_wsgi", "serve", *argv, "--port", "0"],
        cwd=APPS,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if found is None:
        process.kill()
        _, err = process.communicate(timeout=30)
        raise AssertionError(f"no URL printed: {line!r}\n{err}")
    return process, found.group(0)


@pytest.mark.parametrize(
    "stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"]
)
def test_command_serves_and_stops_cleanly(stop: signal.Signals) -> None:
    """The port that ``--port 0`` picked is printed first; SIGTERM and Ctrl-C
    (SIGINT) stop the server with status 0 and no traceback."""
    process, url = start_command("legacy.wsgi:application", "--allow-origins", ORIGIN)
    try:
        port = int(url.rsplit(":", 1)[1].rstrip("/"))
        reply = http_request(port, "GET", "/", {"Origin": ORIGIN})
    finally:
        os.kill(process.pid, stop)
        try:
            out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert reply.header("Access-Control-Allow-Origin") == ORIGIN
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "Stopped." in out


def test_command_with_a_bad_flag_exits_2_without_traceback() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cors_wsgi",
            "serve",
            "legacy.wsgi:application",
            "--deny-status",
            "forbidden",
        ],
        cwd=APPS,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--deny-status: 'forbidden' is not a decimal integer" in result.stderr
    assert "Traceback" not in result.stderr
