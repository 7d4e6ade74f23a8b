"""A harness for real servers: start one on a free loopback port, talk HTTP to it,
stop it by its PID.

Each server is started from a recipe of ``docs/recipes/examples`` (the same
file the docs page includes), with only its port and paths replaced, and
serves ``legacy.wsgi:application`` from ``tests/apps`` behind cors_wsgi.
The servers import cors_wsgi from this checkout (``PYTHONPATH``, or a copy
on mod_wsgi's ``python-path``), like the tests themselves.

Where a server is not installed, :func:`require` skips the test with the
command that installs it; with ``CI`` set it fails instead.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import (
    Dict,
    Iterable,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "tests" / "apps"
RECIPES = ROOT / "docs" / "recipes" / "examples"
#: Where every recipe listens; the harness puts a free port in its place.
RECIPE_ADDRESS = "127.0.0.1:8000"
LOOPBACK = "127.0.0.1"
APACHE_MODULES = Path("/usr/lib/apache2/modules")


def require(program: Optional[str], install: str) -> str:
    """*program*'s path; skip (fail under CI) with *install* when it is missing."""
    if program is None or not Path(program).exists():
        message = f"this test needs a real server; install it with: {install}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return program


def find_program(name: str) -> Optional[str]:
    """*name* next to this interpreter (a venv's own scripts first), or on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    return shutil.which(name)


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
    return port


def free_ports(count: int) -> int:
    """The first of *count* consecutive loopback ports that nothing listens on
    right now (the demo takes three)."""
    while True:
        base = free_port()
        if base + count > 65536:
            continue
        probes = [
            socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)
        ]
        try:
            for offset, probe in enumerate(probes):
                probe.bind((LOOPBACK, base + offset))
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
        return base


@contextlib.contextmanager
def stray_sigterm_ignored() -> Iterator[None]:
    """Ignore, while the block runs, a SIGTERM that no handler of the code
    under test catches.

    The in-process command tests stop a command by sending SIGTERM to their
    own process once it answers. Should the command have returned already
    (it could not listen: another process took the port in the meantime),
    the signal would otherwise end the whole test run.
    """
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def recipe(name: str, port: int) -> str:
    """The text of recipe *name*, listening on *port* instead of 8000."""
    text = (RECIPES / name).read_text(encoding="utf-8")
    return text.replace(RECIPE_ADDRESS, f"{LOOPBACK}:{port}")


def env_file(path: Path) -> Dict[str, str]:
    """The ``NAME=value`` lines of an env file (``#`` lines are comments)."""
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


def server_environ(**extra: str) -> Dict[str, str]:
    """This process's environment without any ``CORS_*`` variable, with
    ``tests/apps`` and the checkout on ``PYTHONPATH``, and this interpreter's
    scripts first on ``PATH``."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.upper().startswith("CORS_")
    }
    environ["PYTHONPATH"] = os.pathsep.join([str(APPS), str(ROOT)])
    # The recipes' shell scripts find the programs installed beside this
    # interpreter (a tox env's) first.
    environ["PATH"] = os.pathsep.join(
        [str(Path(sys.executable).parent), environ.get("PATH", os.defpath)]
    )
    environ.update(extra)
    return environ


def private_dir(prefix: str) -> Path:
    """A fresh folder that other users may read (Apache's daemons run as
    www-data, and ``mkdtemp`` folders are 0700)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


class Reply(NamedTuple):
    """A response as it came off the wire."""

    version: int
    status: int
    reason: str
    #: Every header line in order, duplicates kept.
    headers: List[Tuple[str, str]]
    body: bytes

    def values(self, name: str) -> List[str]:
        """The values of every *name* header line."""
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def items(self, name: str) -> List[str]:
        """The comma-separated items of every *name* line, lower-cased."""
        return [
            item.strip().lower()
            for value in self.values(name)
            for item in value.split(",")
            if item.strip()
        ]

    def header(self, name: str) -> Optional[str]:
        """The one *name* value; fails when the header appears twice."""
        found = self.values(name)
        assert len(found) <= 1, f"{name} appears {len(found)} times: {found}"
        return found[0] if found else None

    def cors_headers(self) -> List[str]:
        """The names of the ``Access-Control-*`` headers, lower-cased."""
        return [k.lower() for k, _ in self.headers if k.lower().startswith("access-")]


def http_request(
    port: int,
    method: str,
    path: str,
    headers: Optional[Dict[str, str]] = None,
    body: Optional[bytes] = None,
    chunks: Optional[Sequence[bytes]] = None,
    timeout: float = 15.0,
) -> Reply:
    """One request on a new connection; *chunks* are sent with
    ``Transfer-Encoding: chunked``."""
    headers = dict(headers or {})
    if chunks is not None:
        # Encoded here and sent in one piece with the headers, so that a server
        # that answers before reading the body cannot break the send.
        headers["Transfer-Encoding"] = "chunked"
        body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        data = response.read()
        return Reply(
            response.version,
            response.status,
            response.reason,
            response.getheaders(),
            data,
        )
    finally:
        connection.close()


class Server:
    """A server process: started with :meth:`start`, stopped by its PID."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        port: int,
        environ: Dict[str, str],
        cwd: Path,
        logs: Iterable[Path] = (),
        path_prefix: str = "",
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.port = port
        self.environ = environ
        self.cwd = cwd
        self.output = cwd / f"{name}.out"
        self.logs = [self.output, *logs]
        #: Where the app is mounted (mod_wsgi's WSGIScriptAlias).
        self.path_prefix = path_prefix
        self.process: Optional[subprocess.Popen[bytes]] = None

    def __repr__(self) -> str:
        return f"<{self.name} on {LOOPBACK}:{self.port}>"

    def _spawn(self) -> subprocess.Popen[bytes]:
        with self.output.open("wb") as output:
            self.process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.environ,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        return self.process

    def start(self, timeout: float = 60.0) -> Server:
        """Start the process and wait until it answers HTTP."""
        process = self._spawn()
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with status {process.returncode} "
                    f"before answering:\n{self.log_text()}"
                )
            try:
                http_request(self.port, "GET", self.path_prefix + "/", timeout=2)
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(
                        f"{self.name} did not answer within {timeout} s:\n"
                        f"{self.log_text()}"
                    ) from None
                time.sleep(0.1)
            else:
                return self

    def stop(self, timeout: float = 20.0) -> Optional[int]:
        """SIGTERM, then SIGKILL if it has not exited within *timeout*."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout)
        return process.returncode

    def log_text(self, limit: int = 6000) -> str:
        """The end of the server's output and log files, for failure messages."""
        parts = []
        for log in self.logs:
            if log.exists():
                text = log.read_text(encoding="utf-8", errors="replace")
                parts.append(f"--- {log.name}\n{text[-limit:]}")
        return "\n".join(parts)

    def run_to_exit(self, timeout: float = 60.0) -> Tuple[int, str]:
        """Start the process and wait for it to exit on its own (a server that
        must refuse to start); its status and output."""
        process = self._spawn()
        try:
            status = process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(
                f"{self.name} kept running:\n{self.log_text()}"
            ) from None
        return status, self.log_text(limit=100_000)


# --- the servers, each from its recipe ---------------------------------------------


def shell_recipe(name: str, script: str, work: Path) -> Server:
    """A ``serve-*.sh`` recipe run by ``sh`` next to a copy of ``cors.env``."""
    port = free_port()
    (work / "cors.env").write_text(
        (RECIPES / "cors.env").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (work / script).write_text(recipe(script, port), encoding="utf-8")
    return Server(name, ["sh", script], port, server_environ(), work)


def gunicorn_sync(work: Path) -> Server:
    """gunicorn's sync workers, configured by ``cors.env`` (zero_code.rst)."""
    require(find_program("gunicorn"), "python3 -m pip install gunicorn")
    server = shell_recipe("gunicorn-sync", "serve-gunicorn.sh", work)
    server.environ["GUNICORN_CMD_ARGS"] = gunicorn_extra_args(work)
    return server


def gunicorn_gthread(work: Path) -> Server:
    """gunicorn's gthread workers, configured by ``gunicorn.conf.py``."""
    gunicorn = require(find_program("gunicorn"), "python3 -m pip install gunicorn")
    port = free_port()
    (work / "gunicorn.conf.py").write_text(
        recipe("gunicorn.conf.py", port), encoding="utf-8"
    )
    environ = server_environ(GUNICORN_CMD_ARGS=gunicorn_extra_args(work))
    argv = [gunicorn, "--config", "gunicorn.conf.py"]
    return Server("gunicorn-gthread", argv, port, environ, work)


def gunicorn_extra_args(work: Path) -> str:
    """Recent gunicorn releases open a control socket in ~/.gunicorn; give each
    server its own."""
    gunicorn = find_program("gunicorn")
    assert gunicorn is not None
    usage = subprocess.run(
        [gunicorn, "--help"], capture_output=True, text=True, check=True
    ).stdout
    if "--control-socket" in usage:
        return f"--control-socket {work / 'gunicorn.ctl'}"
    return ""


def waitress(work: Path) -> Server:
    """waitress-serve, configured by ``cors.env`` (waitress.rst)."""
    require(find_program("waitress-serve"), "python3 -m pip install waitress")
    return shell_recipe("waitress", "serve-waitress.sh", work)


def uwsgi(work: Path) -> Server:
    """uWSGI from ``uwsgi.ini`` (uwsgi.rst)."""
    program = require(
        find_program("uwsgi"),
        "python3 -m pip install uwsgi (it compiles, about a minute)",
    )
    port = free_port()
    (work / "uwsgi.ini").write_text(recipe("uwsgi.ini", port), encoding="utf-8")
    return Server(
        "uwsgi", [program, "--ini", "uwsgi.ini"], port, server_environ(), work
    )


def apache(work: Path, script: str) -> Server:
    """Apache httpd with mod_wsgi in daemon mode, from ``apache-legacy.conf``
    and the ``.wsgi`` file *script* (mod_wsgi.rst)."""
    install = "apt-get update && apt-get install -y apache2 libapache2-mod-wsgi-py3"
    httpd = require(shutil.which("apache2") or "/usr/sbin/apache2", install)
    require(str(APACHE_MODULES / "mod_wsgi.so"), install)
    port = free_port()
    # The daemons run as www-data: they get their own readable copy of the app,
    # the .wsgi files and the package.
    app_dir = work / "legacy"
    shutil.copytree(APPS, work / "apps", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        ROOT / "cors_wsgi",
        work / "lib" / "cors_wsgi",
        ignore=shutil.ignore_patterns("__pycache__", "*.so"),
    )
    app_dir.mkdir()
    for wsgi in ("legacy-cors.wsgi", "legacy-env.wsgi"):
        shutil.copy(RECIPES / wsgi, app_dir / wsgi)
    for path in work.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    site = recipe("apache-legacy.conf", port)
    site = site.replace(
        "python-path=/srv/legacy",
        f"python-path={work / 'apps'}:{work / 'lib'}",
    )
    site = site.replace("/srv/legacy/legacy-cors.wsgi", f"{app_dir}/{script}")
    site = site.replace("/srv/legacy", str(app_dir))
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    modules = "\n".join(
        f"LoadModule {name}_module {APACHE_MODULES}/mod_{name}.so"
        for name in ("mpm_event", "authz_core", "wsgi")
    )
    (work / "httpd.conf").write_text(
        f"""\
ServerRoot {work}
ServerName {LOOPBACK}
PidFile {work}/httpd.pid
ErrorLog {work}/error.log
LogLevel info
DefaultRuntimeDir {work}
Mutex file:{work} default
{user}{modules}
WSGISocketPrefix {work}/wsgi
{site}
""",
        encoding="utf-8",
    )
    environ = {
        "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/bin"),
        "LANG": "C",
        "APACHE_RUN_DIR": str(work),
        "APACHE_LOCK_DIR": str(work),
        "APACHE_LOG_DIR": str(work),
    }
    argv = [httpd, "-f", str(work / "httpd.conf"), "-DFOREGROUND"]
    name = "mod_wsgi-" + script.replace(".wsgi", "")
    return Server(name, argv, port, environ, work, logs=[work / "error.log"])
