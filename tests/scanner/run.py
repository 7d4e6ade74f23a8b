"""CORScanner, a third-party CORS misconfiguration scanner, against cors_wsgi.

``python -m tests.scanner.run`` (``tox -e scanner``; needs ``pip install cors``)
serves an app on 127.0.0.1 (wsgiref, one thread per request) behind three
credentialed cors_wsgi policies (exact origins, a subdomain wildcard, a
regex) and runs every CORScanner probe against each (reflected origin,
prefix and suffix lookalikes, ``null``, unescaped dots, third-party hosting
origins, special characters, any subdomain): there must be no finding.
The same probes against a deliberately broken app, which reflects any Origin
with credentials, must find something for every probe, so that "no finding"
means something. Every run also checks that CORScanner contacted no address
but loopback (``tests/scanner/corscanner.py`` blocks and reports any other),
and a self-test points the wrapper at an outside name to see it blocked.
Exit status 0 when all of that holds, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import socketserver
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Tuple
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cors_wsgi import CORSMiddleware
from tests.scanner.corscanner import PROBES, TARGET_HOST

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ROOT = Path(__file__).resolve().parent.parent.parent

POLICIES: Dict[str, Dict[str, Any]] = {
    "strict credentialed": {
        "allow_origins": [
            "http://app.corp.example.com",
            "http://admin.corp.example.com:8443",
        ],
        "allow_credentials": True,
    },
    "subdomain wildcard": {
        "allow_origins": ["http://*.tenants.corp.example.com"],
        "allow_credentials": True,
    },
    "regex": {
        "allow_origin_regex": r"http://(app|admin)\.corp\.example\.com(:8443)?",
        "allow_credentials": True,
    },
}
#: The probes that apply to an http:// target (test_https_trust_http needs https).
HTTP_PROBES = [probe for probe in PROBES if probe != "test_https_trust_http"]


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"secret": "only for allowed origins"}']


def broken(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The classic mistake: any Origin reflected, with credentials."""
    headers = [("Content-Type", "application/json")]
    if "HTTP_ORIGIN" in environ:
        headers += [
            ("Access-Control-Allow-Origin", environ["HTTP_ORIGIN"]),
            ("Access-Control-Allow-Credentials", "true"),
        ]
    start_response("200 OK", headers)
    return [b'{"secret": "for everyone"}']


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def counting(application: WSGIApplication, seen: List[str]) -> WSGIApplication:
    def counted(environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        seen.append(environ.get("HTTP_ORIGIN", ""))
        return application(environ, start_response)

    return counted


def scan(application: WSGIApplication) -> Tuple[Dict[str, Any], List[str]]:
    """Serve *application* on a free loopback port and run the probes against it."""
    seen: List[str] = []
    server = make_server(
        "127.0.0.1",
        0,
        counting(application, seen),
        server_class=ThreadingServer,
        handler_class=Quiet,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        report = run_wrapper(f"http://{TARGET_HOST}:{server.server_port}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    return report, seen


def run_wrapper(url: str) -> Dict[str, Any]:
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.lower().endswith("_proxy")
    }
    environ["NO_PROXY"] = "*"
    environ["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "tests.scanner.corscanner", url],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"CORScanner failed:\n{done.stdout}\n{done.stderr}")
    report: Dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def main() -> int:
    failures: List[str] = []
    for name, options in POLICIES.items():
        report, seen = scan(CORSMiddleware(app, **options))
        print(
            f"{name}: {len(seen)} requests, {len(report['findings'])} findings, "
            f"{len(report['refused'])} blocked outside contacts"
        )
        for finding in report["findings"]:
            failures.append(f"{name}: CORScanner found {finding}")
        if len(seen) < len(HTTP_PROBES):
            failures.append(f"{name}: only {len(seen)} requests reached the server")
        if report["refused"]:
            failures.append(f"{name}: CORScanner tried {report['refused']}")

    report, seen = scan(broken)
    found = sorted({finding["type"] for finding in report["findings"]})
    print(f"broken app: {len(seen)} requests, findings of type {found}")
    expected = sorted(probe[len("test_") :] for probe in HTTP_PROBES)
    if found != expected:
        failures.append(f"broken app: found {found}, expected {expected}")
    if report["refused"]:
        failures.append(f"broken app: CORScanner tried {report['refused']}")

    # The guard itself: an outside name is blocked before any packet leaves.
    guard = run_wrapper("http://scanner-guard.example.org/")
    print(f"guard self-test: blocked {len(guard['refused'])} outside contacts")
    if not guard["refused"] or guard["findings"]:
        failures.append(f"the loopback guard did not block: {guard}")

    for failure in failures:
        print("FAIL:", failure)
    print("scanner:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
