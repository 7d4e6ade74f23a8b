#!/usr/bin/env python3
"""HTTP benchmark: the bare app against the same app behind cors_wsgi, under gunicorn.

Run from the repository root::

    python3 benchmarks/http_bench.py            # 20 rounds x 2 s per server, about 90 s
    python3 benchmarks/http_bench.py --quick    # 2 rounds x 2 s
    python3 benchmarks/http_bench.py --against floor   # bare vs the do-nothing wrapper

Two gunicorn servers (sync worker, one worker each) listen on free ports of
127.0.0.1: one serves the bare 2-byte app, the other the same app wrapped in
cors_wsgi (one allowed origin).  wrk sends both the same GET, with an allowed
``Origin`` header, in interleaved A/B rounds (the order alternates each round).
The script prints the requests per second of each round, their medians and the
median of the per-round ratios, with the target (ratio >= 0.98).

Needs gunicorn (``pip install gunicorn``) and wrk (``apt-get install -y wrk``);
it installs neither.  Only loopback is used, every run is bounded, and the
servers it started are stopped by their process ids when it ends.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (HERE, ROOT):  # _apps.py, and the checkout's cors_wsgi
    if _path not in sys.path:
        sys.path.insert(0, _path)

from _apps import ALLOWED_ORIGIN  # noqa: E402

TARGET_RATIO = 0.98
PATH = "/api/items"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port, timeout=2.0):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{PATH}", headers={"Origin": ALLOWED_ORIGIN}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, dict(response.headers.items()), response.read()


class Server:
    """One gunicorn master (sync worker, one worker) that this script started."""

    def __init__(self, app, log_dir):
        self.app = app
        self.port = free_port()
        self.log_path = os.path.join(log_dir, f"gunicorn-{app}.log")
        self.proc = None

    def start(self, timeout=30.0):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers=1",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{self.port}",
            f"--chdir={HERE}",
            f"--pythonpath={ROOT}",
            "--log-level=warning",
            f"_apps:{self.app}",
        ]
        self.log = open(self.log_path, "wb")  # noqa: SIM115  (closed in stop())
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=pin_to(SERVER_CPU),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"gunicorn for _apps:{self.app} exited with "
                    f"{self.proc.returncode}:\n{self.tail()}"
                )
            try:
                return fetch(self.port, timeout=1.0)
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        raise RuntimeError(
            f"gunicorn for _apps:{self.app} did not answer within "
            f"{timeout:.0f} s:\n{self.tail()}"
        )

    def tail(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-2000:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(
                self.proc.pid, signal.SIGTERM
            )  # gunicorn's graceful stop; it stops its worker
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        self.log.close()
        self.proc = None


# With two or more CPUs the servers run on one and wrk on another, so that
# the two never compete for a core. On this project's shared 2-core machine
# the rounds still vary by +-10 % or more (the host's noise), so the script
# reports that spread beside the verdict.
SERVER_CPU, CLIENT_CPU = 0, 1


def pin_to(cpu):
    """A preexec_fn that keeps the child on *cpu*, where the machine allows."""
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return None

    def pin():
        os.sched_setaffinity(0, {cpu})

    return pin


def run_wrk(port, duration, connections, threads):
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout=5s",
        "-H",
        f"Origin: {ALLOWED_ORIGIN}",
        f"http://127.0.0.1:{port}{PATH}",
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=duration + 60,
        preexec_fn=pin_to(CLIENT_CPU),
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"wrk failed ({done.returncode}): {done.stderr or done.stdout}"
        )
    text = done.stdout
    match = re.search(r"Requests/sec:\s*([\d.]+)", text)
    if not match:
        raise RuntimeError(f"no Requests/sec in wrk output:\n{text}")
    problems = []
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    if bad:
        problems.append(f"{bad.group(1)} non-2xx responses")
    errors = re.search(r"Socket errors:(.*)", text)
    if errors:
        problems.append(f"socket errors:{errors.group(1)}")
    return float(match.group(1)), problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 2 s")
    parser.add_argument("--rounds", type=int, help="A/B rounds (default 20)")
    parser.add_argument("--duration", type=int, help="seconds per wrk run (default 2)")
    parser.add_argument(
        "--connections", type=int, default=4, help="wrk connections (default 4)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="wrk threads (default 1)"
    )
    parser.add_argument(
        "--against",
        choices=("cors", "floor"),
        default="cors",
        help="what the bare app is compared with (default: cors_wsgi)",
    )
    parser.add_argument("--json", metavar="FILE", help="save the results as JSON")
    args = parser.parse_args(argv)
    rounds = args.rounds or (2 if args.quick else 20)
    duration = args.duration or 2

    missing = []
    if shutil.which("wrk") is None:
        missing.append("wrk is not installed: apt-get install -y wrk")
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        missing.append("gunicorn is not installed: pip install gunicorn")
    if args.against == "cors":
        try:
            import _apps

            _apps.make_cors()
        except ImportError as exc:
            missing.append(f"cors_wsgi is not importable ({exc}); try --against floor")
    if missing:
        for line in missing:
            print(f"MISSING: {line}")
        return 2

    names = {
        "bare": "bare app",
        args.against: "cors_wsgi"
        if args.against == "cors"
        else "floor (no-op wrapper)",
    }
    print(
        "HTTP benchmark: gunicorn (sync, 1 worker) on 127.0.0.1, "
        f"wrk -t{args.threads} -c{args.connections} -d{duration}s, "
        f"{rounds} interleaved A/B rounds; GET {PATH} with Origin: {ALLOWED_ORIGIN}"
    )
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs")
    results = {"bare": [], args.against: []}
    with tempfile.TemporaryDirectory(prefix="cors-wsgi-http-bench-") as log_dir:
        servers = {name: Server(name, log_dir) for name in results}
        try:
            for name, server in servers.items():
                status, headers, body = server.start()
                acao = {k.lower(): v for k, v in headers.items()}.get(
                    "access-control-allow-origin"
                )
                print(
                    f"  {names[name]:<22} pid {server.proc.pid}, port {server.port}: "
                    f"{status}, {len(body)} bytes, Access-Control-Allow-Origin: {acao}"
                )
                if name == "cors" and acao != ALLOWED_ORIGIN:
                    print(
                        "ERROR: the cors_wsgi server does not allow the origin; "
                        "check its configuration"
                    )
                    return 1
            for server in servers.values():  # warm up both
                run_wrk(server.port, 1, args.connections, args.threads)
            order = list(servers)
            for r in range(rounds):
                line = []
                for name in order if r % 2 == 0 else order[::-1]:
                    rps, problems = run_wrk(
                        servers[name].port, duration, args.connections, args.threads
                    )
                    results[name].append(rps)
                    line.append(
                        f"{names[name]} {rps:,.0f} req/s"
                        + (f" ({'; '.join(problems)})" if problems else "")
                    )
                print(f"  round {r + 1}: " + ", ".join(line))
        finally:
            for server in servers.values():
                server.stop()

    other = args.against
    ratios = [b / a for a, b in zip(results["bare"], results[other])]
    median_bare = statistics.median(results["bare"])
    median_other = statistics.median(results[other])
    ratio = statistics.median(ratios)
    print(
        f"\nmedian requests/sec: {names['bare']} {median_bare:,.0f}, "
        f"{names[other]} {median_other:,.0f}"
    )
    print(f"per-round ratios: {', '.join(f'{x:.3f}' for x in ratios)}")
    if len(ratios) >= 2:
        q1, _, q3 = statistics.quantiles(ratios, n=4, method="inclusive")
        print(f"per-round ratio quartiles: {q1:.3f} .. {q3:.3f} (this machine's noise)")
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    if len(ratios) >= 4:
        q1, _, q3 = statistics.quantiles(ratios, n=4, method="inclusive")
        # The median of n ratios is known to about 1.25 * sigma / sqrt(n).
        error = 1.25 * (q3 - q1) / 1.35 / len(ratios) ** 0.5
        if error > 1 - TARGET_RATIO:
            print(
                f"NOTE: the median ratio is only known to about ±{error:.3f} here, "
                f"more than the {1 - TARGET_RATIO:.2f} margin: the verdict below is "
                "within this machine's noise (more --rounds narrow it)."
            )
    print(
        f"{verdict}  {names[other]} / bare requests per second = {ratio:.3f} "
        "(median of per-round ratios; "
        f"ratio of medians {median_other / median_bare:.3f}); target ≥ {TARGET_RATIO}"
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "rounds": rounds,
                    "duration_s": duration,
                    "connections": args.connections,
                    "threads": args.threads,
                    "requests_per_second": results,
                    "ratios": ratios,
                    "ratio_median": ratio,
                    "target": TARGET_RATIO,
                    "verdict": verdict,
                },
                f,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
