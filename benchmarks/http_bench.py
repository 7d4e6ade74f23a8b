#!/usr/bin/env python3
"""HTTP benchmark: the bare app against the same app behind cors_wsgi, under gunicorn.

Run from the repository root::

    python3 benchmarks/http_bench.py               # 16 paired rounds of 3 s, about 70 s
    python3 benchmarks/http_bench.py --quick       # 3 paired rounds
    python3 benchmarks/http_bench.py --sequential  # one server at a time instead

gunicorn servers (sync worker, one worker each) listen on free ports of
127.0.0.1 and serve:

- ``bare``: the 2-byte app;
- ``cors``: the same app wrapped in cors_wsgi (one allowed origin);
- ``headers``: the bare app sending, itself, the two headers cors_wsgi adds
  (``Access-Control-Allow-Origin`` and ``Vary``): what those headers cost the
  server, with no middleware at all;
- ``floor``: the do-nothing wrapper (``--servers bare,floor``);
- ``minimal``: the reference minimal CORS wrapper of ``_apps.py``, the least
  work API.md allows (``--servers bare,cors,minimal``).

wrk sends each the same GET with an allowed ``Origin`` header.

Paired rounds (the default): every server is pinned to the same CPU and one
wrk per server, pinned to the other CPU, runs at the same time, with the
launch order rotating from round to round. The servers share one core for the
same seconds, so whatever else the host does slows them alike, and the ratio
of their requests per second within a round is the ratio of their costs.
The rounds are split into blocks (``--blocks``, 4 by default), and every block
starts fresh server processes in a rotating order: a worker's memory layout
and start-up state bias all of its rounds alike, by a percent or two here.
On this project's 2-core machine, bare against floor gives per-round ratios
within about 1 % of 1.00 this way, where one-at-a-time rounds spread by
+-10 % or more.

Sequential rounds (``--sequential``, the design of the first version): the
servers take turns, each alone on its CPU, in alternating order.

Either way each round also reads each gunicorn worker's own CPU time (from
``/proc/<pid>/schedstat``, in ns) and reports requests per CPU-second. The
script prints every round, the medians and the median of the per-round ratios
to ``bare``, with how well the spread of the rounds pins that median down.
Throughput over HTTP is reported, not targeted: one request costs a worker
hundreds of microseconds of connection handling here, so a middleware's
microsecond is below this machine's noise; benchmarks/run.py holds the targets.

Needs gunicorn (``pip install gunicorn``) and wrk (``apt-get install -y wrk``);
it installs neither. Only loopback is used, every run is bounded, and the
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

    def worker_pid(self):
        """The pid of gunicorn's one worker (a child of the master)."""
        path = f"/proc/{self.proc.pid}/task/{self.proc.pid}/children"
        try:
            with open(path) as f:
                children = f.read().split()
        except OSError:
            return None
        return int(children[0]) if len(children) == 1 else None

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
# reports that spread beside the ratios.
SERVER_CPU, CLIENT_CPU = 0, 1


def pin_to(cpu):
    """A preexec_fn that keeps the child on *cpu*, where the machine allows."""
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return None

    def pin():
        os.sched_setaffinity(0, {cpu})

    return pin


def cpu_ns(pid):
    """CPU time *pid* has used so far, in ns, or None where /proc cannot say.

    ``schedstat`` counts in ns; ``stat`` (the fallback) in clock ticks.
    """
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        return ticks * 1_000_000_000 // os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def wrk_command(port, duration, connections, threads):
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout=5s",
        "-H",
        f"Origin: {ALLOWED_ORIGIN}",
        f"http://127.0.0.1:{port}{PATH}",
    ]


def start_wrk(port, duration, connections, threads):
    """A running wrk process pinned to the client CPU; see :func:`finish_wrk`."""
    return subprocess.Popen(
        wrk_command(port, duration, connections, threads),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=pin_to(CLIENT_CPU),
    )


def finish_wrk(proc, duration):
    """Wait for *proc*: (requests per second, requests in all, problems)."""
    try:
        out, err = proc.communicate(timeout=duration + 60)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RuntimeError("wrk did not finish in time") from None
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {err or out}")
    match = re.search(r"Requests/sec:\s*([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if not match or not total:
        raise RuntimeError(f"no Requests/sec in wrk output:\n{out}")
    problems = []
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    if bad:
        problems.append(f"{bad.group(1)} non-2xx responses")
    errors = re.search(r"Socket errors:(.*)", out)
    if errors:
        problems.append(f"socket errors:{errors.group(1)}")
    return float(match.group(1)), int(total.group(1)), problems


NAMES = {
    "bare": "bare app",
    "cors": "cors_wsgi",
    "headers": "bare app + the 2 headers",
    "floor": "floor (no-op wrapper)",
    "minimal": "minimal CORS wrapper",
}


def quartiles(xs):
    if len(xs) < 2:
        return xs[0], xs[0]
    q1, _, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return q1, q3


def start_servers(servers):
    """Start *servers* in order and check each; an error line, or None."""
    for name, server in servers.items():
        status, headers, body = server.start()
        acao = {k.lower(): v for k, v in headers.items()}.get(
            "access-control-allow-origin"
        )
        print(
            f"  {NAMES[name]:<26} pid {server.proc.pid}, port {server.port}: "
            f"{status}, {len(body)} bytes, Access-Control-Allow-Origin: {acao}"
        )
        if name in ("cors", "headers", "minimal") and acao != ALLOWED_ORIGIN:
            return (
                f"ERROR: the {name} server does not allow the origin; "
                "check its configuration"
            )
    return None


def run_group(group, servers, workers, duration, args, results, per_cpu):
    """One wrk per server of *group*, all at once; the round's report cells."""
    before = {name: cpu_ns(workers[name]) for name in group}
    procs = {
        name: start_wrk(servers[name].port, duration, args.connections, args.threads)
        for name in group
    }
    done = {name: finish_wrk(proc, duration) for name, proc in procs.items()}
    cells = []
    for name in group:
        rps, total, problems = done[name]
        after = cpu_ns(workers[name])
        results[name].append(rps)
        cpu_text = ""
        if before[name] is not None and after is not None and after > before[name]:
            per_cpu[name].append(total * 1e9 / (after - before[name]))
            cpu_text = f" ({per_cpu[name][-1]:,.0f}/CPU-s)"
        cells.append(
            f"{name} {rps:,.0f}/s{cpu_text}"
            + (f" ({'; '.join(problems)})" if problems else "")
        )
    return cells


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    parser.add_argument(
        "--rounds", type=int, help="rounds (default 16 paired, 20 sequential)"
    )
    parser.add_argument(
        "--duration",
        type=int,
        help="seconds per wrk run (default 3 paired, 2 sequential)",
    )
    parser.add_argument(
        "--connections", type=int, default=4, help="wrk connections (default 4)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="wrk threads (default 1)"
    )
    parser.add_argument(
        "--servers",
        default="bare,cors",
        help="comma-separated, from bare, cors, headers, floor, minimal (default "
        "bare,cors; bare is always included)",
    )
    parser.add_argument(
        "--against",
        choices=("cors", "floor", "minimal"),
        help="shorthand for --servers bare,<this>",
    )
    parser.add_argument(
        "--sequential",
        action="store_true",
        help="one server at a time, each alone on its CPU, instead of paired rounds",
    )
    parser.add_argument(
        "--blocks",
        type=int,
        default=4,
        help="start fresh server processes this many times, spreading the "
        "rounds over them (default 4)",
    )
    parser.add_argument("--json", metavar="FILE", help="save the results as JSON")
    args = parser.parse_args(argv)
    paired = not args.sequential
    rounds = args.rounds or (3 if args.quick else 16 if paired else 20)
    duration = args.duration or (3 if paired else 2)
    wanted = ["bare"] + ([args.against] if args.against else args.servers.split(","))
    servers_wanted = []
    for name in wanted:
        name = name.strip()
        if name not in NAMES:
            parser.error(f"unknown server {name!r}; choose from {', '.join(NAMES)}")
        if name not in servers_wanted:
            servers_wanted.append(name)
    if len(servers_wanted) < 2:
        parser.error("name at least one server besides bare")

    missing = []
    if shutil.which("wrk") is None:
        missing.append("wrk is not installed: apt-get install -y wrk")
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        missing.append("gunicorn is not installed: pip install gunicorn")
    if "cors" in servers_wanted:
        try:
            import _apps

            _apps.make_cors()
        except ImportError as exc:
            missing.append(
                f"cors_wsgi is not importable ({exc}); try --servers bare,floor"
            )
    if missing:
        for line in missing:
            print(f"MISSING: {line}")
        return 2

    print(
        "HTTP benchmark: gunicorn (sync, 1 worker) on 127.0.0.1, "
        f"wrk -t{args.threads} -c{args.connections} -d{duration}s, {rounds} "
        + (
            "paired rounds (all servers at once on one CPU)"
            if paired
            else "sequential rounds (one server at a time)"
        )
        + f", fresh servers for each of {max(1, min(args.blocks, rounds))} blocks"
        + f"; GET {PATH} with Origin: {ALLOWED_ORIGIN}"
    )
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs")
    results = {name: [] for name in servers_wanted}
    per_cpu = {name: [] for name in servers_wanted}  # requests per CPU-second
    blocks = max(1, min(args.blocks, rounds))
    with tempfile.TemporaryDirectory(prefix="cors-wsgi-http-bench-") as log_dir:
        r = 0
        for block in range(blocks):
            # Fresh processes for every block, started in a rotating order: a
            # worker's memory layout and start-up state bias all its rounds
            # alike, so one set of processes would bias the whole run.
            shift = block % len(servers_wanted)
            start_order = servers_wanted[shift:] + servers_wanted[:shift]
            servers = {name: Server(name, log_dir) for name in start_order}
            block_rounds = rounds * (block + 1) // blocks - rounds * block // blocks
            try:
                status_line = start_servers(servers)
                if status_line is not None:
                    print(status_line)
                    return 1
                workers = {name: srv.worker_pid() for name, srv in servers.items()}
                # Warm up every server once, alone.
                for server in servers.values():
                    finish_wrk(
                        start_wrk(server.port, 1, args.connections, args.threads), 1
                    )
                order = list(servers)
                for _ in range(block_rounds):
                    shift = r % len(order)
                    this_round = order[shift:] + order[:shift]
                    groups = [this_round] if paired else [[n] for n in this_round]
                    line = []
                    for group in groups:
                        line += run_group(
                            group, servers, workers, duration, args, results, per_cpu
                        )
                    r += 1
                    print(f"  round {r:>2} (block {block + 1}): " + ", ".join(line))
            finally:
                for server in servers.values():
                    server.stop()

    print(
        "\nmedian requests/sec: "
        + ", ".join(
            f"{NAMES[name]} {statistics.median(results[name]):,.0f}"
            for name in servers_wanted
        )
    )
    summary = {}
    for name in servers_wanted[1:]:
        ratios = [b / a for a, b in zip(results["bare"], results[name])]
        q1, q3 = quartiles(ratios)
        entry = {
            "ratios": ratios,
            "ratio_median": statistics.median(ratios),
            "quartiles": [q1, q3],
        }
        print(
            f"{NAMES[name]} / bare, per round: {', '.join(f'{x:.3f}' for x in ratios)}"
        )
        print(f"  median {entry['ratio_median']:.3f}, quartiles {q1:.3f} .. {q3:.3f}")
        if len(per_cpu["bare"]) == len(per_cpu[name]) == rounds:
            cpu_ratios = [b / a for a, b in zip(per_cpu["bare"], per_cpu[name])]
            c1, c3 = quartiles(cpu_ratios)
            entry["cpu_ratios"] = cpu_ratios
            entry["cpu_ratio_median"] = statistics.median(cpu_ratios)
            print(
                f"  per worker CPU-second: median {entry['cpu_ratio_median']:.3f}, "
                f"quartiles {c1:.3f} .. {c3:.3f}"
            )
        summary[name] = entry
    if "cors" in summary and "headers" in summary:
        share = 1 - summary["headers"]["ratio_median"]
        total = 1 - summary["cors"]["ratio_median"]
        print(
            f"the two headers alone cost the server {share * 100:.1f} % of bare's "
            f"throughput; cors_wsgi in all costs {total * 100:.1f} %"
        )

    if "cors" in summary:
        entry = summary["cors"]
        ratio = entry["ratio_median"]
        q1, q3 = entry["quartiles"]
        known = ""
        if len(entry["ratios"]) >= 4:
            # The median of n ratios is known to about 1.25 * sigma / sqrt(n).
            error = 1.25 * (q3 - q1) / 1.35 / len(entry["ratios"]) ** 0.5
            entry["ratio_uncertainty"] = error
            known = f", known to about ±{error:.3f}"
        print(
            f"cors_wsgi / bare requests per second = {ratio:.3f} (median of "
            f"per-round ratios{known}); reported, not targeted"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "mode": "paired" if paired else "sequential",
                    "rounds": rounds,
                    "blocks": blocks,
                    "duration_s": duration,
                    "connections": args.connections,
                    "threads": args.threads,
                    "requests_per_second": results,
                    "requests_per_cpu_second": per_cpu,
                    "against_bare": summary,
                },
                f,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
