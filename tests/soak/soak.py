"""The soak: cors_wsgi under gunicorn, a sustained mixed load, every answer checked.

Run it from the checkout (``tox -e soak`` runs it with its defaults)::

    python -m tests.soak.soak [--requests 200000] [--clients 2] [--threads 2]

It serves ``tests.soak.app:application`` through the zero-code entry point
``cors_wsgi.wsgi:application`` in gunicorn (gthread workers, 2 x 8 threads by
default) on a free loopback port, with a policy of 1,000 ``*.`` patterns
(``https://*.tenantN.example``), three exact origins, credentials and expose
headers, all from ``CORS_*`` variables. Client processes, each with a few
threads on keep-alive ``http.client`` connections, send a mix of allowed and
refused actual requests (GET, HEAD, POST with a body, credentialed), preflights
with random header lists (allowed and not), requests without ``Origin``,
streamed responses and the app's own 500s; nearly every request carries an
Origin never seen before (tenant subdomains and lookalikes that must be
refused).

Each answer is checked against an oracle written here from API.md ("Behaviour
on the wire"), independently of the middleware's code: status,
Access-Control-Allow-Origin (never ``*``, never a refused origin, the request's
Origin byte for byte), Allow-Credentials, Expose-Headers, Allow-Methods and
Allow-Headers of accepted preflights, no Access-Control-Allow-* on refusals,
Vary naming Origin once, no Access-Control-* header twice, and the body. The
resident memory (VmRSS) of each gunicorn worker is read after the warm-up and
at the end. The run fails (exit status 1) on any wrong answer, any 5xx the app
did not make, a worker that died or was replaced, a traceback in gunicorn's
log, or memory growth of 10 MB or more in any worker.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import random
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Set, Tuple

from tests.servers import (
    LOOPBACK,
    Server,
    find_program,
    free_port,
    gunicorn_extra_args,
    server_environ,
)
from tests.soak.app import ERROR_BODY, api_body, chunk

# --- the policy --------------------------------------------------------------------

TENANTS = 1000
EXACT_ORIGINS = (
    "https://app.example.com",
    "https://admin.example.com:8443",
    "http://localhost:3000",
)
ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE")
LISTED_HEADERS = ("authorization", "x-requested-with", "x-tenant", "x-trace-id") + (
    tuple(f"x-h{number}" for number in range(40))
)
SAFELISTED_HEADERS = ("accept", "accept-language", "content-language", "content-type")
EXPOSED = frozenset({"x-request-id", "x-soak-app"})
MAX_AGE = "600"
#: Memory growth of a worker that fails the soak.
MEMORY_LIMIT_KB = 10 * 1024


def policy_environ() -> Dict[str, str]:
    """The ``CORS_*`` variables of the soak's policy."""
    patterns = [f"https://*.tenant{number}.example" for number in range(TENANTS)]
    return {
        "CORS_WSGI_APP": "tests.soak.app:application",
        "CORS_ALLOW_ORIGINS": " ".join([*EXACT_ORIGINS, *patterns]),
        "CORS_ALLOW_CREDENTIALS": "true",
        "CORS_ALLOW_METHODS": " ".join(ALLOWED_METHODS[3:]),
        "CORS_ALLOW_HEADERS": " ".join(LISTED_HEADERS),
        "CORS_EXPOSE_HEADERS": " ".join(sorted(EXPOSED)),
        "CORS_MAX_AGE": MAX_AGE,
    }


# --- the oracle: what API.md says the answer must be -------------------------------

_SERIALIZED = re.compile(r"([a-z][a-z0-9+.-]*)://([a-z0-9.-]+)(?::([0-9]+))?")
_TENANT_HOST = re.compile(r"(?:[a-z0-9]+\.)+tenant(0|[1-9][0-9]{0,2})\.example")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_EXACT = frozenset(_SERIALIZED.fullmatch(origin).groups() for origin in EXACT_ORIGINS)  # type: ignore[union-attr]
#: The soak never sends an origin between these lengths: where exactly the
#: middleware stops echoing long values is its own choice (API.md rule 7).
LONGEST_REAL_ORIGIN = 200
LONG_ORIGIN = 400


def origin_allowed(origin: str) -> bool:
    """Whether the soak's policy allows *origin* (API.md, "Origins" and rule 7)."""
    assert not LONGEST_REAL_ORIGIN < len(origin) < LONG_ORIGIN, origin
    if len(origin) >= LONG_ORIGIN or not re.fullmatch(r"[\x21-\x7e]+", origin):
        return False
    match = _SERIALIZED.fullmatch(origin.lower())
    if match is None:
        return False
    scheme, host, port = match.groups()
    if port == _DEFAULT_PORTS.get(scheme):
        port = None
    if (scheme, host, port) in _EXACT:
        return True
    return (
        scheme == "https"
        and port is None
        and _TENANT_HOST.fullmatch(host) is not None
        and int(_TENANT_HOST.fullmatch(host).group(1)) < TENANTS  # type: ignore[union-attr]
    )


def requested_headers_allowed(value: str) -> bool:
    """Whether every name of an Access-Control-Request-Headers value is allowed."""
    names = [item.strip(" \t") for item in value.split(",")]
    allowed = set(LISTED_HEADERS) | set(SAFELISTED_HEADERS)
    return all(
        _TOKEN.fullmatch(name) is not None and name.lower() in allowed
        for name in names
        if name
    )


class Request(NamedTuple):
    method: str
    path: str
    headers: Dict[str, str]
    body: Optional[bytes]
    #: What the generator meant; the oracle must agree (a check of the soak).
    meant_allowed: Optional[bool]


class Answer(NamedTuple):
    status: int
    headers: List[Tuple[str, str]]
    body: bytes


def _items(values: Sequence[str]) -> List[str]:
    return [
        item.strip() for value in values for item in value.split(",") if item.strip()
    ]


def check(request: Request, answer: Answer) -> List[str]:
    """Every way *answer* departs from what the policy requires for *request*."""
    problems: List[str] = []
    by_name: Dict[str, List[str]] = {}
    for name, value in answer.headers:
        by_name.setdefault(name.lower(), []).append(value)

    def one(name: str) -> Optional[str]:
        values = by_name.get(name.lower(), [])
        return values[0] if values else None

    for name, values in by_name.items():
        if name.startswith("access-control-") and len(values) > 1:
            problems.append(f"{name} appears {len(values)} times (rule 5)")
    origin = request.headers.get("Origin")
    vary = [item.lower() for item in _items(by_name.get("vary", []))]
    if vary.count("origin") != 1:
        problems.append(f"Vary {by_name.get('vary')} does not name Origin once")
    if request.path == "/api/vary" and "accept-encoding" not in vary:
        problems.append("the app's own Vary was lost (rule 4)")
    cors = sorted(name for name in by_name if name.startswith("access-control-"))
    app_made = one("x-soak-app") == "1"
    preflight = (
        request.method == "OPTIONS"
        and origin is not None
        and "Access-Control-Request-Method" in request.headers
    )
    allowed = origin is not None and origin_allowed(origin)
    if (
        request.meant_allowed is not None
        and origin is not None
        and request.meant_allowed != allowed
    ):
        problems.append(f"soak bug: meant {request.meant_allowed}, oracle {allowed}")
    if preflight:
        assert origin is not None
        method = request.headers["Access-Control-Request-Method"]
        wanted = request.headers.get("Access-Control-Request-Headers")
        accepted = (
            allowed
            and method in ALLOWED_METHODS
            and (wanted is None or requested_headers_allowed(wanted))
            and "Access-Control-Request-Private-Network" not in request.headers
        )
        if app_made:
            problems.append("a preflight reached the app (rule 3)")
        if accepted:
            if answer.status != 204:
                problems.append(f"accepted preflight answered {answer.status}")
            if one("access-control-allow-origin") != origin:
                problems.append("accepted preflight without its Allow-Origin")
            if one("access-control-allow-credentials") != "true":
                problems.append("accepted preflight without Allow-Credentials")
            if method not in _items(by_name.get("access-control-allow-methods", [])):
                problems.append(f"Allow-Methods does not name {method}")
            if wanted is not None:
                granted = {
                    name.lower()
                    for name in _items(by_name.get("access-control-allow-headers", []))
                }
                names = {name.strip(" \t").lower() for name in wanted.split(",")}
                if not names - {""} <= granted:
                    problems.append(f"Allow-Headers {granted} misses some of {names}")
            if one("access-control-max-age") != MAX_AGE:
                problems.append("accepted preflight without Max-Age")
            if answer.body:
                problems.append("accepted preflight has a body")
        else:
            if answer.status != 403:
                problems.append(f"refused preflight answered {answer.status}")
            granted_names = [
                name for name in cors if name.startswith("access-control-allow-")
            ]
            if granted_names:
                problems.append(f"refused preflight carries {granted_names}")
            if len(origin) > 8 and origin.encode("latin-1") in answer.body:
                problems.append("refused preflight echoes the Origin in its body")
        return problems
    # An actual request (or one without Origin): the app answers.
    if not app_made:
        problems.append(f"the app's answer lost X-Soak-App (status {answer.status})")
    if allowed:
        if one("access-control-allow-origin") != origin:
            problems.append(
                f"allowed origin got Allow-Origin "
                f"{one('access-control-allow-origin')!r}"
            )
        if one("access-control-allow-credentials") != "true":
            problems.append("allowed origin without Allow-Credentials")
        exposed = {
            name.lower()
            for name in _items(by_name.get("access-control-expose-headers", []))
        }
        if exposed != EXPOSED:
            problems.append(f"Expose-Headers {exposed} instead of {set(EXPOSED)}")
        if set(cors) - {
            "access-control-allow-origin",
            "access-control-allow-credentials",
            "access-control-expose-headers",
        }:
            problems.append(f"actual response carries {cors}")
    elif cors:
        problems.append(f"refused or Origin-less request got {cors} (rule 4)")
    expected_status, expected_body = _app_answer(request)
    if answer.status != expected_status:
        problems.append(f"status {answer.status}, the app answers {expected_status}")
    if answer.body != expected_body:
        problems.append(f"body {answer.body[:60]!r} is not the app's")
    return problems


def _app_answer(request: Request) -> Tuple[int, bytes]:
    if request.path == "/error":
        return 500, ERROR_BODY
    if request.path.startswith("/stream/"):
        count = int(request.path[len("/stream/") :])
        return 200, b"".join(chunk(number) for number in range(count))
    if request.method == "HEAD":
        return 200, b""
    return 200, api_body(request.method, request.path, len(request.body or b""))


# --- the load ----------------------------------------------------------------------


def _label(rng: random.Random, uid: int) -> str:
    return f"u{uid}{rng.choice('abcdefghijklmnopqrstuvwxyz0123456789')}"


def make_origin(rng: random.Random, uid: int) -> Tuple[str, bool]:
    """An Origin for request *uid* (unique for most kinds) and whether it is meant
    to be allowed."""
    tenant = rng.randrange(TENANTS)
    label = _label(rng, uid)
    base = f"tenant{tenant}.example"
    if rng.random() < 0.55:
        return rng.choice(
            [
                (f"https://{label}.{base}", True),
                (f"https://{label}.{label}x.{base}", True),
                (f"https://{label}.{base}:443", True),
                (f"HTTPS://{label.upper()}.Tenant{tenant}.EXAMPLE", True),
                (rng.choice(EXACT_ORIGINS), True),
                ("https://APP.example.com:443", True),
            ]
        )
    return rng.choice(
        [
            (f"https://{base}", False),
            (f"https://{label}.{base}.evil.net", False),
            (f"https://{label}.tenant{tenant + TENANTS}.example", False),
            (f"http://{label}.{base}", False),
            (f"https://{label}.{base}:8443", False),
            (f"https://{label}x{base}", False),
            (f"https://{label}.tenant0{tenant}.example", False),
            (f"https://{label}.{base}x", False),
            (f"https://{label}.{base}, https://evil.net", False),
            (f"https://{label} .{base}", False),
            (f"https://{label}\u00e9.{base}", False),
            ("https://" + label * (LONG_ORIGIN // len(label) + 1) + "." + base, False),
            ("null", False),
            ("https://app.example.com.evil.net", False),
            ("https://evilapp.example.com", False),
            ("http://app.example.com", False),
            ("https://admin.example.com", False),
            ("https://app.example.com:444", False),
            (f"https://{label}.example.com", False),
        ]
    )


def _header_list(rng: random.Random, uid: int, allowed: bool) -> str:
    names = rng.sample(LISTED_HEADERS + SAFELISTED_HEADERS, rng.randint(1, 8))
    if not allowed:
        names.insert(
            rng.randrange(len(names) + 1),
            rng.choice([f"x-evil-{uid}", "x-h99", "x;h1", "x h1", "cookie"]),
        )
    names = [name.upper() if rng.random() < 0.2 else name for name in names]
    return rng.choice([",", ", "]).join(names)


def make_request(rng: random.Random, uid: int) -> Request:
    """Request number *uid* of the mix."""
    origin, meant = make_origin(rng, uid)
    headers = {"Origin": origin}
    if rng.random() < 0.5:
        headers["Cookie"] = f"session={uid}"
    roll = rng.random()
    if roll < 0.35:
        headers["Access-Control-Request-Method"] = rng.choice(
            ["GET", "POST", "PUT", "DELETE", "PUT", "PATCH", "put", "HEAD"]
        )
        headers.pop("Cookie", None)
        if rng.random() < 0.8:
            headers["Access-Control-Request-Headers"] = _header_list(
                rng, uid, rng.random() < 0.7
            )
        if rng.random() < 0.03:
            headers["Access-Control-Request-Private-Network"] = "true"
        return Request("OPTIONS", f"/api/items/{uid % 97}", headers, None, meant)
    if roll < 0.40:
        del headers["Origin"]
        return Request("GET", "/api/plain", headers, None, None)
    if roll < 0.47:
        return Request("GET", f"/stream/{rng.randint(1, 20)}", headers, None, meant)
    if roll < 0.51:
        return Request("GET", "/error", headers, None, meant)
    if roll < 0.53:
        return Request("OPTIONS", "/api/options", headers, None, meant)
    if roll < 0.55:
        return Request("HEAD", "/api/head", headers, None, meant)
    if roll < 0.70:
        body = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 200)))
        headers["Content-Type"] = "application/octet-stream"
        return Request("POST", "/api/upload", headers, body, meant)
    path = rng.choice(["/api/items", "/api/vary", "/api/stray", "/api/items/7"])
    return Request("GET", path, headers, None, meant)


class Tally(NamedTuple):
    requests: int
    wrong: int
    app_5xx: int
    other_5xx: int
    reconnects: int
    #: The first few wrong answers, for the report.
    examples: List[str]
    origins: Set[str]


def _send(connection: http.client.HTTPConnection, request: Request) -> Answer:
    connection.putrequest(request.method, request.path, skip_accept_encoding=True)
    for name, value in request.headers.items():
        connection.putheader(name, value)
    if request.body is not None:
        connection.putheader("Content-Length", str(len(request.body)))
    connection.endheaders(request.body)
    response = connection.getresponse()
    body = response.read()
    return Answer(response.status, response.getheaders(), body)


def _client_thread(
    port: int, seed: int, uids: range, results: List[Tally], lock: threading.Lock
) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    wrong = app_5xx = other_5xx = reconnects = 0
    examples: List[str] = []
    origins: Set[str] = set()
    for uid in uids:
        request = make_request(rng, uid)
        if "Origin" in request.headers:
            origins.add(request.headers["Origin"])
        try:
            answer = _send(connection, request)
        except (http.client.HTTPException, OSError):
            # A keep-alive connection the server closed between requests:
            # send the request again on a new one, once.
            connection.close()
            reconnects += 1
            answer = _send(connection, request)
        problems = check(request, answer)
        if answer.status >= 500:
            if {k.lower(): v for k, v in answer.headers}.get("x-soak-app"):
                app_5xx += 1
            else:
                other_5xx += 1
                problems.append(f"{answer.status} not made by the app")
        if problems:
            wrong += 1
            if len(examples) < 5:
                examples.append(f"{request!r}\n  -> {answer!r}\n  {problems}")
    connection.close()
    with lock:
        results.append(
            Tally(len(uids), wrong, app_5xx, other_5xx, reconnects, examples, origins)
        )


def client_process(port: int, seed: int, first: int, count: int, threads: int) -> Tally:
    """Send *count* requests, numbered from *first*, from *threads* threads."""
    results: List[Tally] = []
    lock = threading.Lock()
    share = count // threads
    workers = []
    for index in range(threads):
        start = first + index * share
        stop = first + count if index == threads - 1 else start + share
        worker = threading.Thread(
            target=_client_thread,
            args=(port, seed * 1000 + index, range(start, stop), results, lock),
        )
        worker.start()
        workers.append(worker)
    for worker in workers:
        worker.join()
    return merge(results)


def merge(tallies: Sequence[Tally]) -> Tally:
    origins: Set[str] = set()
    for tally in tallies:
        origins |= tally.origins
    return Tally(
        sum(t.requests for t in tallies),
        sum(t.wrong for t in tallies),
        sum(t.app_5xx for t in tallies),
        sum(t.other_5xx for t in tallies),
        sum(t.reconnects for t in tallies),
        [example for t in tallies for example in t.examples][:10],
        origins,
    )


# --- the server --------------------------------------------------------------------


def worker_pids(master: int) -> FrozenSet[int]:
    """The PIDs of gunicorn's workers: the master's children."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text()
    return frozenset(int(pid) for pid in children.split())


def resident_kb(pid: int) -> int:
    """VmRSS of process *pid*, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


def start_gunicorn(work: Path, workers: int, threads: int) -> Server:
    gunicorn = find_program("gunicorn")
    if gunicorn is None:
        sys.exit(
            "the soak needs gunicorn; install it with: python3 -m pip install gunicorn"
        )
    port = free_port()
    argv = [
        gunicorn,
        "--worker-class=gthread",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--bind={LOOPBACK}:{port}",
        "--keep-alive=30",
        "--backlog=256",
        f"--error-logfile={work / 'error.log'}",
        *gunicorn_extra_args(work).split(),
        "cors_wsgi.wsgi:application",
    ]
    environ = server_environ(**policy_environ())
    server = Server(
        "gunicorn-soak", argv, port, environ, work, logs=[work / "error.log"]
    )
    return server.start()


def run_phase(
    port: int, first: int, count: int, clients: int, threads: int, seed: int
) -> Tally:
    share = count // clients
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(clients, mp_context=context) as pool:
        futures = [
            pool.submit(
                client_process,
                port,
                seed + index,
                first + index * share,
                count - share * (clients - 1) if index == clients - 1 else share,
                threads,
            )
            for index in range(clients)
        ]
        return merge([future.result() for future in futures])


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--warm-up", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per client")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cors_wsgi-soak-") as folder:
        work = Path(folder)
        server = start_gunicorn(work, args.workers, args.server_threads)
        failures: List[str] = []
        try:
            assert server.process is not None
            master = server.process.pid
            started = time.monotonic()
            warm = run_phase(
                server.port, 0, args.warm_up, args.clients, args.threads, args.seed
            )
            pids = worker_pids(master)
            before = {pid: resident_kb(pid) for pid in pids}
            main_phase = run_phase(
                server.port,
                args.warm_up,
                args.requests - args.warm_up,
                args.clients,
                args.threads,
                args.seed + 100,
            )
            elapsed = time.monotonic() - started
            after_pids = worker_pids(master)
            after = {pid: resident_kb(pid) for pid in after_pids}
        finally:
            server.stop()
        log = server.log_text(limit=1_000_000)
        total = merge([warm, main_phase])
        print(f"requests:               {total.requests}")
        print(f"distinct origins:       {len(total.origins)}")
        print(f"wrong answers:          {total.wrong}")
        print(f"5xx made by the app:    {total.app_5xx}")
        print(f"5xx from middleware:    {total.other_5xx}")
        print(f"reconnections:          {total.reconnects}")
        print(f"requests per second:    {total.requests / elapsed:.0f}")
        print(f"duration:               {elapsed:.1f} s")
        for pid in sorted(before):
            grown = after.get(pid, 0) - before[pid]
            print(
                f"worker {pid}: VmRSS {before[pid]} kB after warm-up, "
                f"{after.get(pid, 0)} kB at the end, growth {grown} kB"
            )
            if grown >= MEMORY_LIMIT_KB:
                failures.append(f"worker {pid} grew by {grown} kB")
        for example in total.examples:
            print("wrong answer:", example)
        if total.wrong:
            failures.append(f"{total.wrong} wrong answers")
        if total.other_5xx:
            failures.append(f"{total.other_5xx} 5xx the app did not make")
        if after_pids != pids:
            failures.append(
                f"workers changed from {sorted(pids)} to {sorted(after_pids)}"
            )
        if "Traceback" in log or "Error handling request" in log:
            failures.append("gunicorn logged errors:\n" + log[-4000:])
        if len(total.origins) < 100_000 and args.requests >= 200_000:
            failures.append(f"only {len(total.origins)} distinct origins")
    for failure in failures:
        print("FAIL:", failure)
    print("soak:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
