#!/usr/bin/env python3
"""In-process benchmark: cors_wsgi, pure and compiled, against the floor and the peers.

Run from the repository root::

    python3 benchmarks/run.py                 # both builds and the peers, ~5 minutes
    python3 benchmarks/run.py --quick         # smoke run, under a minute
    python3 benchmarks/run.py --builds pure   # the checkout only
    python3 benchmarks/run.py --only allowed_get,preflight_ok --json out.json

Each build runs in a child process of its own with this same harness: the pure
build imports the checkout, the compiled one the package that the project's
compiled build, ``CORS_WSGI_COMPILE=1 pip install --no-deps
--no-build-isolation --target DIR``, installs (once, into ``.benchmarks/``,
again when the sources change; it needs mypy, setuptools and wheel in this
interpreter).  The peers run in a third child.  Every ratio is measured
inside one process against that process's own bare app and floor; the parent
prints the builds and the peers side by side, with the targets.

Every contender answers the same requests.  Each request's environ is a fresh
copy of a prebuilt template, as a server would hand it over.  Contenders and
their baselines are timed in interleaved rounds: a round times one batch of
calls of each contender with ``time.perf_counter_ns`` and the garbage
collector off, groups (a baseline and what is measured against it) in a
shuffled order, each group's batches back to back.  The table reports medians
over the rounds; an overhead is estimated from the per-round time ratio to the
contender's own baseline, which cancels the slowdowns a shared machine
imposes on both.  See benchmarks/README.md for the method.

The script installs no peer.  A peer that is not importable is skipped with a
message.  ``pip install -r benchmarks/requirements.txt`` installs them all.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from time import perf_counter_ns

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _path in (HERE, ROOT):  # _apps.py, and the checkout's cors_wsgi
    if _path not in sys.path:
        sys.path.insert(0, _path)
# The parent process points the child that times the compiled build at the
# directory the build was installed into: it goes first.
PACKAGE_DIR = os.environ.get("CORS_WSGI_BENCH_PACKAGE_DIR")
if PACKAGE_DIR:
    sys.path.insert(0, PACKAGE_DIR)

import _apps  # noqa: E402
from _apps import ALLOWED_ORIGIN, HEADERS, MAX_AGE, METHODS  # noqa: E402

REFUSED_ORIGIN = "https://evil.example.net"
WILDCARD = "https://*.partner.example"
PATH = "/api/items"

PIP_HINT = "pip install -r benchmarks/requirements.txt"


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """One CORS configuration, translated below into each contender's terms."""

    origins: tuple = (ALLOWED_ORIGIN,)
    patterns: tuple = ()  # "https://*.host" entries, listed after the exact ones
    headers: tuple = HEADERS
    resources: tuple | None = None  # path prefixes ("/svc00/", ...), in order


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple = ()

    @property
    def origin(self):
        for name, value in self.headers:
            if name == "Origin":
                return value
        return None


@dataclass
class Scenario:
    name: str
    title: str
    policy: Policy
    requests: list  # cycled through, in order
    # no_origin | allow | refuse | preflight_ok | preflight_refused | uncovered
    expect: str
    # True when every request brings an origin the middleware has not seen
    # lately: more distinct origins rotate than it remembers.
    unseen: bool = False


def _acrh_2k():
    """103 lower-case header names that join with commas into exactly 2,048 bytes."""
    names = [f"x-custom-header-{i:03d}" for i in range(102)]
    pad = 2048 - len(",".join(names)) - 1
    names.append("x-pad-" + "z" * (pad - len("x-pad-")))
    return tuple(names)


ACRH_2K_NAMES = _acrh_2k()
ACRH_2K = ",".join(ACRH_2K_NAMES)
assert len(ACRH_2K) == 2048


def _acrh_2k_recased(count=4096):
    """*count* spellings of the same 2 KB list, differing in letter case only.

    Header names compare case-insensitively, so each is accepted like ACRH_2K
    and no two are the same string: the middleware finds the answer under the
    lower-cased list once the list as sent is not in its cache.
    """
    out = []
    for v in range(count):
        names = [
            name.upper() if v >> (i % 12) & 1 else name
            for i, name in enumerate(ACRH_2K_NAMES)
        ]
        out.append(",".join(names))
    assert len(set(out)) == count
    return out


def _acrh_2k_reordered(count=4096, seed=2048):
    """*count* orders of the same 2 KB list: a new list to check every time,
    as a hostile client can send, so no cache can answer it."""
    rng = random.Random(seed)
    out = set()
    while len(out) < count:
        names = list(ACRH_2K_NAMES)
        rng.shuffle(names)
        out.add(",".join(names))
    return sorted(out)


RESOURCE_PREFIXES = tuple(f"/svc{i:02d}/" for i in range(20))
ORIGINS_50 = tuple(f"https://site{i:02d}.example.org" for i in range(50))
ORIGINS_5000 = tuple(f"https://app{i:04d}.example.com" for i in range(5000))

# The middleware remembers the answers for this many origins per policy, a
# random one making room when full; of 5,000 origins in rotation, about 37 %
# of the requests therefore take the unseen-origin path.
ORIGIN_MEMORY = 4096
TENANTS = "https://*.tenants.example"
TENANT_ORIGINS = tuple(f"https://t{i:04d}.tenants.example" for i in range(5000))
# The scaling scenarios time the unseen-origin path itself: with 50,000
# origins in rotation, under 10 % of the requests meet a remembered answer.
UNSEEN_ORIGINS = 50_000
UNSEEN_TENANTS = tuple(
    f"https://u{i:05d}.tenants.example" for i in range(UNSEEN_ORIGINS)
)
UNSEEN_REFUSED = tuple(
    f"https://r{i:05d}.elsewhere.example" for i in range(UNSEEN_ORIGINS)
)
# 1,000 exact origins and 1,000 "*." patterns, the tenants' one last.
EXACT_1000 = ORIGINS_5000[:1000]
PATTERNS_1000 = tuple(f"https://*.zone{i:03d}.example" for i in range(999)) + (TENANTS,)


def pattern_regex(pattern):
    """A ``https://*.host`` entry as a regular expression, for the peers that
    take those instead: one or more labels, then ``.host``."""
    scheme, _, host = pattern.partition("://*.")
    return rf"^{re.escape(scheme)}://[a-z0-9-]+(?:\.[a-z0-9-]+)*\.{re.escape(host)}$"


def preflight(origin, acrh="content-type,x-requested-with"):
    headers = [("Origin", origin), ("Access-Control-Request-Method", "PUT")]
    if acrh:
        headers.append(("Access-Control-Request-Headers", acrh))
    return Request("OPTIONS", PATH, tuple(headers))


def get(origin, path=PATH):
    return Request("GET", path, (("Origin", origin),) if origin else ())


def build_scenarios():
    one = Policy()
    many = Policy(origins=ORIGINS_50, patterns=(WILDCARD,))
    rotating = Policy(origins=ORIGINS_5000)
    big = Policy(headers=HEADERS + ACRH_2K_NAMES)
    per_path = Policy(resources=RESOURCE_PREFIXES)
    one_each = Policy(origins=(ALLOWED_ORIGIN,), patterns=(TENANTS,))
    thousands = Policy(origins=EXACT_1000, patterns=PATTERNS_1000)
    tenant_gets = [get(o) for o in TENANT_ORIGINS]
    unseen_gets = [get(o) for o in UNSEEN_TENANTS]
    refused_gets = [get(o) for o in UNSEEN_REFUSED]
    return [
        Scenario("no_origin", "GET without Origin", one, [get(None)], "no_origin"),
        Scenario(
            "allowed_get",
            "GET, allowed Origin (1 origin)",
            one,
            [get(ALLOWED_ORIGIN)],
            "allow",
        ),
        Scenario(
            "refused_get", "GET, refused Origin", one, [get(REFUSED_ORIGIN)], "refuse"
        ),
        Scenario(
            "preflight_ok",
            "accepted preflight: PUT, 2 headers (cached)",
            one,
            [preflight(ALLOWED_ORIGIN)],
            "preflight_ok",
        ),
        Scenario(
            "preflight_refused",
            "refused preflight (origin)",
            one,
            [preflight(REFUSED_ORIGIN)],
            "preflight_refused",
        ),
        Scenario(
            "origins50_late",
            "50 origins + *.partner.example, wildcard (late) match",
            many,
            [get("https://eu.cdn.partner.example")],
            "allow",
        ),
        Scenario(
            "origins50_none",
            "50 origins + *.partner.example, no match",
            many,
            [get(REFUSED_ORIGIN)],
            "refuse",
        ),
        Scenario(
            "rotate5000",
            "5,000 allowed origins, each request the next one",
            rotating,
            [get(o) for o in ORIGINS_5000],
            "allow",
        ),
        Scenario(
            "preflight_acrh2k",
            "accepted preflight, 2,048-byte Access-Control-Request-Headers",
            big,
            [preflight(ALLOWED_ORIGIN, ACRH_2K)],
            "preflight_ok",
        ),
        Scenario(
            "preflight_acrh2k_case",
            "the same, each request spelling the 2 KB list in other letter cases",
            big,
            [preflight(ALLOWED_ORIGIN, v) for v in _acrh_2k_recased()],
            "preflight_ok",
        ),
        Scenario(
            "preflight_acrh2k_miss",
            "the same, each request listing the 2 KB of names in a new order (a miss)",
            big,
            [preflight(ALLOWED_ORIGIN, v) for v in _acrh_2k_reordered()],
            "preflight_ok",
        ),
        Scenario(
            "resources_late",
            "20 per-path resources, GET on the 20th (/svc19/)",
            per_path,
            [get(ALLOWED_ORIGIN, "/svc19/items")],
            "allow",
        ),
        Scenario(
            "resources_uncovered",
            "20 per-path resources, GET on a path none covers",
            per_path,
            [get(ALLOWED_ORIGIN, "/static/app.js")],
            "uncovered",
        ),
        # Origins in rotation beyond what the middleware remembers: 5,000
        # tenants (a SaaS), then 50,000 unseen origins for the scaling pairs.
        Scenario(
            "tenants5000",
            "one *.tenants.example entry, each GET the next of 5,000 tenants",
            Policy(origins=(), patterns=(TENANTS,)),
            tenant_gets,
            "allow",
            unseen=True,
        ),
        Scenario(
            "unseen_match_1",
            "1 origin + 1 pattern, unseen tenant origins matched by the pattern",
            one_each,
            unseen_gets,
            "allow",
            unseen=True,
        ),
        Scenario(
            "unseen_match_1000",
            "1,000 origins + 1,000 patterns, unseen origins matched by the last",
            thousands,
            unseen_gets,
            "allow",
            unseen=True,
        ),
        Scenario(
            "unseen_refused_1",
            "1 origin + 1 pattern, unseen origins matched by neither",
            one_each,
            refused_gets,
            "refuse",
            unseen=True,
        ),
        Scenario(
            "unseen_refused_1000",
            "1,000 origins + 1,000 patterns, unseen origins matched by none",
            thousands,
            refused_gets,
            "refuse",
            unseen=True,
        ),
    ]


# --------------------------------------------------------------------------
# Requests as a server builds them
# --------------------------------------------------------------------------

_INPUT = io.BytesIO(b"")


def make_environ(req):
    environ = {
        "REQUEST_METHOD": req.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": req.path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "54321",
        "HTTP_HOST": "api.example.com",
        "HTTP_USER_AGENT": "bench/1.0",
        "HTTP_ACCEPT": "*/*",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": _INPUT,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in req.headers:
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def make_scope(req):
    headers = [
        (b"host", b"api.example.com"),
        (b"user-agent", b"bench/1.0"),
        (b"accept", b"*/*"),
    ]
    headers += [
        (n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in req.headers
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 54321),
        "scheme": "http",
        "method": req.method,
        "root_path": "",
        "path": req.path,
        "raw_path": req.path.encode("latin-1"),
        "query_string": b"",
        "headers": headers,
    }


class Feed:
    """Hands out request templates in order, continuing where the last batch ended."""

    def __init__(self, templates):
        self.templates = templates
        self.pos = 0

    def take(self, n):
        templates = self.templates
        if len(templates) == 1:
            return templates * n
        out = []
        pos = self.pos
        while len(out) < n:
            chunk = templates[pos : pos + n - len(out)]
            out += chunk
            pos = (pos + len(chunk)) % len(templates)
        self.pos = pos
        return out


# --------------------------------------------------------------------------
# Drivers.  Each contender gets its own compiled copy of the same loop, so the
# interpreter's call-site specialisation of one contender never slows another.
# --------------------------------------------------------------------------


def _write(data):
    pass


def server_start_response(status, headers, exc_info=None):
    return _write


WSGI_BATCH = """
def batch(srcs):
    app = APP
    start_response = START_RESPONSE
    t0 = perf_counter_ns()
    for src in srcs:
        body = app(src.copy(), start_response)
        for _chunk in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return perf_counter_ns() - t0


def alloc(srcs):
    app = APP
    start_response = START_RESPONSE
    reset_peak = tracemalloc.reset_peak
    traced = tracemalloc.get_traced_memory
    peak_sum = net_sum = 0
    for src in srcs:
        reset_peak()
        before = traced()[0]
        body = app(src.copy(), start_response)
        for _chunk in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
        body = close = _chunk = None
        current, peak = traced()
        peak_sum += peak - before
        net_sum += current - before
    return peak_sum, net_sum
"""

ASGI_BATCH = """
async def batch(srcs):
    app = APP
    receive = RECEIVE
    send = SEND
    t0 = perf_counter_ns()
    for src in srcs:
        await app(src.copy(), receive, send)
    return perf_counter_ns() - t0


async def alloc(srcs):
    app = APP
    receive = RECEIVE
    send = SEND
    reset_peak = tracemalloc.reset_peak
    traced = tracemalloc.get_traced_memory
    peak_sum = net_sum = 0
    for src in srcs:
        reset_peak()
        before = traced()[0]
        await app(src.copy(), receive, send)
        current, peak = traced()
        peak_sum += peak - before
        net_sum += current - before
    return peak_sum, net_sum
"""


async def asgi_receive():
    return {"type": "http.request", "body": b"", "more_body": False}


async def asgi_send(message):
    pass


_LOOP = None


def event_loop():
    global _LOOP
    if _LOOP is None:
        import asyncio  # only for Starlette: the harness imports quickly without it

        _LOOP = asyncio.new_event_loop()
    return _LOOP


def _compile(source, **names):
    namespace = {
        "perf_counter_ns": perf_counter_ns,
        "tracemalloc": tracemalloc,
        **names,
    }
    exec(compile(source, f"<driver {names.get('NAME', '')}>", "exec"), namespace)
    return namespace


def wsgi_once(app, environ):
    """One request through a capturing start_response: (status, headers, body)."""
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status
        seen["headers"] = list(headers)
        return _write

    body = app(environ, start_response)
    try:
        data = b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return int(seen["status"].split()[0]), seen["headers"], data


def asgi_once(app, scope):
    messages = []

    async def send(message):
        messages.append(message)

    event_loop().run_until_complete(app(scope, asgi_receive, send))
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(
        m.get("body", b"") for m in messages if m["type"] == "http.response.body"
    )
    headers = [
        (k.decode("latin-1"), v.decode("latin-1")) for k, v in start.get("headers", [])
    ]
    return start["status"], headers, body


@dataclass
class Contender:
    name: str
    base: str  # the name of the contender whose cost this one is measured against
    kind: str  # "wsgi" or "asgi"
    app: object
    note: str = ""
    n: int = 1
    feed: Feed = None
    per_call_ns: float = 0.0
    every: int = 1  # timed in every round, or (a slow peer) in every n-th
    samples: list = field(default_factory=list)
    sample_rounds: list = field(default_factory=list)  # the rounds they come from
    alloc_peak: float = float("nan")
    alloc_net: float = float("nan")
    alloc_requests: int = 0
    check_error: str | None = None

    def prepare(self, scenario):
        if self.kind == "wsgi":
            templates = [make_environ(r) for r in scenario.requests]
            ns = _compile(
                WSGI_BATCH,
                APP=self.app,
                START_RESPONSE=server_start_response,
                NAME=self.name,
            )
            self.batch = ns["batch"]
            self._alloc = ns["alloc"]
        else:
            templates = [make_scope(r) for r in scenario.requests]
            ns = _compile(
                ASGI_BATCH,
                APP=self.app,
                RECEIVE=asgi_receive,
                SEND=asgi_send,
                NAME=self.name,
            )
            run = event_loop().run_until_complete
            coro_batch, coro_alloc = ns["batch"], ns["alloc"]
            self.batch = lambda srcs: run(coro_batch(srcs))
            self._alloc = lambda srcs: run(coro_alloc(srcs))
        self.feed = Feed(templates)

    def once(self, index=0):
        template = self.feed.templates[index]
        if self.kind == "wsgi":
            return wsgi_once(self.app, template.copy())
        return asgi_once(self.app, template.copy())

    def alloc(self, srcs):
        return self._alloc(srcs)


# --------------------------------------------------------------------------
# Contenders
# --------------------------------------------------------------------------

MISSING = {}  # peer name -> reason
PEER_MODULES = {
    "flask": ("flask",),  # the framework alone, for cors_wsgi over Flask
    "wsgicors": ("wsgicors",),
    "starlette": ("starlette", "anyio"),
    "flask_cors": ("flask", "flask_cors"),
    "django_cors": ("django", "corsheaders"),
}
_AVAILABLE = {}


def peer_available(peer):
    """True when the peer imports; otherwise remember why, for the closing message."""
    if peer not in _AVAILABLE:
        try:
            for module in PEER_MODULES[peer]:
                __import__(module)
        except ImportError as exc:
            MISSING[peer] = str(exc)
            _AVAILABLE[peer] = False
        else:
            _AVAILABLE[peer] = True
    return _AVAILABLE[peer]


def cors_wsgi_options(policy):
    origins = list(policy.origins) + list(policy.patterns)
    options = {
        "allow_methods": list(METHODS),
        "allow_headers": list(policy.headers),
        "max_age": MAX_AGE,
    }
    if policy.resources:
        options["resources"] = {
            prefix + "*": {"allow_origins": origins} for prefix in policy.resources
        }
    else:
        options["allow_origins"] = origins
    return options


def make_cors_wsgi(policy, make_app=None):
    """cors_wsgi over the bare app, or over ``make_app(policy, False)``."""
    from cors_wsgi import CORSMiddleware

    app = _apps.bare if make_app is None else make_app(policy, False)
    return CORSMiddleware(app, **cors_wsgi_options(policy))


def make_wsgicors(policy):
    from wsgicors import CORS

    # wsgicors matches its space-separated entries with fnmatch: "*" works.
    origins = list(policy.origins) + list(policy.patterns)
    return CORS(
        _apps.bare,
        origin=" ".join(origins),
        methods=", ".join(METHODS),
        headers=", ".join(policy.headers),
        maxage=str(MAX_AGE),
        credentials="false",
    )


def compiled_regexes(patterns):
    """The patterns as compiled expressions, for flask-cors and
    django-cors-headers: given as strings, each request hands every one to
    ``re.match``, and past the ``re`` module's cache of 512 expressions that
    compiles them all again on every request."""
    return [re.compile(pattern_regex(p)) for p in patterns]


def starlette_regex(patterns):
    """Starlette takes one regular expression: the patterns' alternation."""
    if not patterns:
        return None
    return "|".join(f"(?:{pattern_regex(p)})" for p in patterns)


def make_starlette(policy):
    from starlette.middleware.cors import CORSMiddleware

    return CORSMiddleware(
        _apps.asgi_bare,
        allow_origins=list(policy.origins),
        allow_origin_regex=starlette_regex(policy.patterns),
        allow_methods=list(METHODS),
        allow_headers=list(policy.headers),
        max_age=MAX_AGE,
    )


_FLASK_APPS = 0


def make_flask(policy, with_cors):
    import flask

    global _FLASK_APPS
    _FLASK_APPS += 1
    app = flask.Flask(f"bench_flask_{_FLASK_APPS}", static_folder=None)

    @app.route("/", defaults={"path": ""}, methods=list(METHODS))
    @app.route("/<path:path>", methods=list(METHODS))
    def view(path):
        return flask.Response(b"ok", mimetype="text/plain")

    if with_cors:
        from flask_cors import CORS

        origins = list(policy.origins) + compiled_regexes(policy.patterns)
        options = {
            "origins": origins,
            "methods": list(METHODS),
            "allow_headers": list(policy.headers),
            "max_age": MAX_AGE,
        }
        if policy.resources:
            options["resources"] = {re.escape(p) + ".*": {} for p in policy.resources}
        CORS(app, **options)
    return app


_DJANGO = {}


def django_handlers():
    """Configure Django in-process (minimal settings) and build both handlers once."""
    if _DJANGO:
        return _DJANGO["bare"], _DJANGO["cors"]
    import types

    import django
    from django.conf import settings

    urls = types.ModuleType("_bench_django_urls")
    sys.modules[urls.__name__] = urls
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark-only",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=urls.__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        DATABASES={},
        USE_TZ=True,
        USE_I18N=False,
        LOGGING_CONFIG=None,
    )
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpResponse
    from django.urls import re_path

    def view(request):
        return HttpResponse(b"ok", content_type="text/plain")

    urls.urlpatterns = [re_path(r"", view)]
    settings.MIDDLEWARE = []
    bare = WSGIHandler()
    import corsheaders.middleware  # noqa: F401  (ImportError here means: peer missing)

    settings.MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]
    cors = WSGIHandler()
    settings.MIDDLEWARE = []
    _DJANGO.update(bare=bare, cors=cors)
    return bare, cors


def configure_django_cors(policy):
    from django.conf import settings

    settings.CORS_ALLOWED_ORIGINS = list(policy.origins)
    settings.CORS_ALLOWED_ORIGIN_REGEXES = compiled_regexes(policy.patterns)
    settings.CORS_ALLOW_METHODS = list(METHODS)
    settings.CORS_ALLOW_HEADERS = [h.lower() for h in policy.headers]
    settings.CORS_PREFLIGHT_MAX_AGE = MAX_AGE
    if policy.resources:
        alternation = "|".join(re.escape(p) for p in policy.resources)
        settings.CORS_URLS_REGEX = re.compile(rf"^(?:{alternation})")
    else:
        settings.CORS_URLS_REGEX = r"^.*$"


CONTENDER_NAMES = (
    "bare",
    "floor",
    "minimal",
    "cors_wsgi",
    "wsgicors",
    "asgi_bare",
    "starlette",
    "flask",
    "flask_cors",
    "cors_wsgi_flask",
    "django",
    "django_cors",
    "cors_wsgi_django",
)
PEERS = ("wsgicors", "starlette", "flask_cors", "django_cors")
BASE_OF = {
    "bare": "bare",
    "floor": "bare",
    "minimal": "bare",
    "cors_wsgi": "bare",
    "wsgicors": "bare",
    "asgi_bare": "asgi_bare",
    "starlette": "asgi_bare",
    "flask": "flask",
    "flask_cors": "flask",
    "cors_wsgi_flask": "flask",
    "django": "django",
    "django_cors": "django",
    "cors_wsgi_django": "django",
}
SHORT = {
    "floor": "floor",
    "minimal": "minimal (ref.)",
    "cors_wsgi": "cors_wsgi",
    "wsgicors": "wsgicors",
    "starlette": "starlette",
    "flask_cors": "flask-cors",
    "cors_wsgi_flask": "cors_wsgi/Flask",
    "django_cors": "django-cors-hdrs",
    "cors_wsgi_django": "cors_wsgi/Django",
}
LABELS = {
    "bare": "bare WSGI app",
    "floor": "floor (no-op wrapper)",
    "minimal": "minimal CORS wrapper (reference)",
    "cors_wsgi": "cors_wsgi",
    "wsgicors": "wsgicors",
    "asgi_bare": "bare ASGI app",
    "starlette": "starlette CORSMiddleware",
    "flask": "bare Flask",
    "flask_cors": "flask-cors",
    "cors_wsgi_flask": "cors_wsgi over Flask",
    "django": "bare Django",
    "django_cors": "django-cors-headers",
    "cors_wsgi_django": "cors_wsgi over Django",
}


def build_contenders(scenario, wanted):
    """The contenders for one scenario; a peer that cannot be imported is left out."""
    policy = scenario.policy
    out = []
    no_per_path = "global policy: no per-path resources" if policy.resources else ""

    def add(name, kind, factory, note=""):
        if name in wanted:
            out.append(Contender(name, BASE_OF[name], kind, factory(), note))

    add("bare", "wsgi", lambda: _apps.bare)
    add("floor", "wsgi", lambda: _apps.Floor(_apps.bare))
    # The reference minimal wrapper answers actual requests under one global
    # list of exact origins, nothing else.
    if (
        scenario.expect in ("no_origin", "allow", "refuse")
        and not policy.patterns
        and policy.resources is None
    ):
        add("minimal", "wsgi", lambda: _apps.MinimalCORS(_apps.bare, policy.origins))
    if "cors_wsgi" in wanted:
        add("cors_wsgi", "wsgi", lambda: make_cors_wsgi(policy))
    if "wsgicors" in wanted and peer_available("wsgicors"):
        add("wsgicors", "wsgi", lambda: make_wsgicors(policy), no_per_path)
    if "starlette" in wanted and peer_available("starlette"):
        add("asgi_bare", "asgi", lambda: _apps.asgi_bare)
        add("starlette", "asgi", lambda: make_starlette(policy), no_per_path)
    if {"flask_cors", "cors_wsgi_flask"} & wanted and peer_available("flask"):
        add("flask", "wsgi", lambda: make_flask(policy, False))
        if "flask_cors" in wanted and peer_available("flask_cors"):
            add("flask_cors", "wsgi", lambda: make_flask(policy, True))
        # cors_wsgi in the peer's own habitat: the same bare Flask app, wrapped.
        add("cors_wsgi_flask", "wsgi", lambda: make_cors_wsgi(policy, make_flask))
    if "django_cors" in wanted and peer_available("django_cors"):
        bare, cors = django_handlers()
        configure_django_cors(policy)
        add("django", "wsgi", lambda: bare)
        add("django_cors", "wsgi", lambda: cors)
        add(
            "cors_wsgi_django",
            "wsgi",
            lambda: make_cors_wsgi(policy, lambda p, _: bare),
        )
    # A peer without its baseline (or the reverse) cannot be reported.
    names = {c.name for c in out}
    out = [c for c in out if c.base in names]
    for c in out:
        c.prepare(scenario)
    return out


# --------------------------------------------------------------------------
# Checks: every contender must answer as the scenario expects before it is timed
# --------------------------------------------------------------------------


def _header_values(headers, name):
    return [v for k, v in headers if k.lower() == name]


def check(scenario, contender, bare_answer=None, index=0):
    """None when the contender answers request *index* as the scenario expects,
    else what is wrong."""
    try:
        status, headers, body = contender.once(index)
    except Exception as exc:  # a broken contender is reported, not timed
        return f"raised {type(exc).__name__}: {exc}"
    is_base = contender.name in ("bare", "floor", "asgi_bare", "flask", "django")
    if not 200 <= status < 500:
        return f"status {status}"
    if is_base:
        return None if 200 <= status < 300 else f"status {status}"
    origin = scenario.requests[index].origin
    acao = _header_values(headers, "access-control-allow-origin")
    vary = ",".join(_header_values(headers, "vary")).lower()
    expect = scenario.expect
    strict = (
        contender.name == "cors_wsgi"
    )  # peers differ in details; cors_wsgi follows API.md
    if expect == "no_origin":
        if (
            strict and acao
        ):  # flask-cors sends its origin list even then ("always_send")
            return f"Access-Control-Allow-Origin {acao!r} on a request without Origin"
        if strict and "origin" not in vary:
            return "no Vary: Origin"
    elif expect == "allow":
        if acao != [origin]:
            return f"Access-Control-Allow-Origin {acao!r}, expected [{origin!r}]"
    elif expect == "refuse":
        if acao:
            return f"Access-Control-Allow-Origin {acao!r} on a refused origin"
    elif expect == "preflight_ok":
        if acao != [origin] or not 200 <= status < 300:
            return (
                f"preflight not accepted: status {status}, "
                f"Access-Control-Allow-Origin {acao!r}"
            )
        if strict:
            methods = ",".join(_header_values(headers, "access-control-allow-methods"))
            if "PUT" not in methods:
                return f"Access-Control-Allow-Methods {methods!r} lacks PUT"
        template = contender.feed.templates[index]
        if strict and template["REQUEST_METHOD"] == "OPTIONS":
            asked = template.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
            allowed = ",".join(
                _header_values(headers, "access-control-allow-headers")
            ).lower()
            allowed = {h.strip() for h in allowed.split(",")}
            missing = [
                h
                for h in asked.lower().split(",")
                if h.strip() and h.strip() not in allowed
            ]
            if missing and "*" not in allowed:
                return f"Access-Control-Allow-Headers lacks {missing[:3]!r}"
    elif expect == "preflight_refused":
        if acao:
            return f"Access-Control-Allow-Origin {acao!r} on a refused preflight"
        if strict and status != 403:
            return f"status {status}, expected 403"
    elif expect == "uncovered":
        if contender.note:
            return None  # a global policy covers every path: nothing to check
        if acao:
            return f"Access-Control-Allow-Origin {acao!r} on a path no resource covers"
        if (
            strict
            and bare_answer is not None
            and (status, headers, body) != bare_answer
        ):
            return "the response differs from the bare app's on an uncovered path"
    return None


# --------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------


@dataclass
class Settings:
    rounds: int
    batch_ms: float
    warmup_ms: float
    alloc_requests: int
    alloc_budget_ms: float
    slow_budget_ms: float
    peer_rounds: int
    seed: int
    do_alloc: bool


FULL = {
    "rounds": 600,
    "batch_ms": 1.0,
    "warmup_ms": 40.0,
    "alloc_requests": 2000,
    "alloc_budget_ms": 250.0,
    "slow_budget_ms": 2000.0,
    "peer_rounds": 150,
}
QUICK = {
    "rounds": 40,
    "batch_ms": 0.5,
    "warmup_ms": 5.0,
    "alloc_requests": 100,
    "alloc_budget_ms": 50.0,
    "slow_budget_ms": 200.0,
    "peer_rounds": 20,
}


def warm_and_calibrate(c, settings):
    target_ns = settings.batch_ms * 1e6
    deadline = perf_counter_ns() + settings.warmup_ms * 1e6
    n = 1
    per_call = None
    while True:
        ns = c.batch(c.feed.take(n))
        per_call = ns / n
        if ns < target_ns / 20 and n < 1 << 20:
            n *= 4
            continue
        if perf_counter_ns() >= deadline:
            break
    c.n = max(1, min(int(target_ns / per_call), 1 << 20))
    c.per_call_ns = per_call


def time_rounds(contenders, settings, rng):
    """Interleaved rounds: every round times one batch of every contender.

    The groups (a baseline and the contenders measured against it) come in a
    shuffled order, and so do the contenders inside a group; a group's batches
    run back to back, so a contender and its baseline meet the machine in the
    same state.  Two savings keep a full run short, neither touching the
    bare app's group, where the floor and cors_wsgi are: the framework groups
    (ASGI, Flask, Django), whose overheads are tens of floors or more, run in
    ``settings.peer_rounds`` of the rounds; and a contender whose batches
    would take more than ``settings.slow_budget_ms`` in all (a peer taking
    milliseconds a request) runs in every n-th round of its group only.  Its
    ratios pair each of its samples with its baseline's in the same round.
    """
    groups = {}
    for c in contenders:
        groups.setdefault(c.base, []).append(c)
    groups = list(groups.values())
    budget_ns = settings.slow_budget_ms * 1e6
    peer_every = max(1, settings.rounds // max(1, settings.peer_rounds))
    for group in groups:
        group_every = 1 if group[0].base == "bare" else peer_every
        rounds = settings.rounds / group_every
        for c in group:
            c.samples = []
            c.sample_rounds = []
            slow = math.ceil(rounds * c.n * c.per_call_ns / budget_ns)
            c.every = group_every * (1 if c.name == c.base else max(1, slow))
    for r in range(settings.rounds):
        rng.shuffle(groups)
        for group in groups:
            due = [c for c in group if r % c.every == 0]
            if not due:
                continue
            rng.shuffle(due)
            # An untimed short batch first: the previous group (Django, say)
            # has evicted this group's code and data from the CPU caches.
            first = due[0]
            first.batch(first.feed.take(max(1, first.n // 8)))
            for c in due:
                srcs = c.feed.take(c.n)
                c.samples.append(c.batch(srcs) / c.n)
                c.sample_rounds.append(r)
        gc.collect()


def measure_alloc(c, settings):
    median_ns = statistics.median(c.samples) if c.samples else 1000.0
    # tracemalloc slows a request tenfold or so: keep within the budget.
    budget = int(settings.alloc_budget_ms * 1e6 / (median_ns * 10))
    m = min(settings.alloc_requests, budget)
    if m < 3:  # too slow to trace within the budget: reported as not measured
        return
    c.alloc(c.feed.take(min(m, 20)))  # warm any per-origin state outside tracing first
    tracemalloc.start(1)
    try:
        peak_sum, net_sum = c.alloc(c.feed.take(m))
    finally:
        tracemalloc.stop()
    c.alloc_peak = peak_sum / m
    c.alloc_net = net_sum / m
    c.alloc_requests = m


def quartiles(xs):
    if len(xs) < 2:
        x = xs[0] if xs else float("nan")
        return x, x, x
    q1, q2, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return q1, q2, q3


def paired(c, base):
    """``(contender, baseline)`` ns pairs, one for each round the contender ran in."""
    by_round = dict(zip(base.sample_rounds, base.samples))
    return [(x, by_round[r]) for x, r in zip(c.samples, c.sample_rounds)]


def relative(c, base):
    """Per round: the contender's time in units of its baseline's time in that round."""
    return [x / b for x, b in paired(c, base)]


def ratio_ci(rel, floor_rel, rng, resamples=400):
    """A 95 % bootstrap interval for the overhead ratio, rounds resampled jointly."""
    n = len(rel)
    if n < 10:
        return float("nan"), float("nan")
    ratios = []
    median = statistics.median
    for _ in range(resamples):
        idx = [rng.randrange(n) for _ in range(n)]
        f = median([floor_rel[i] for i in idx]) - 1
        if f > 0:
            ratios.append((median([rel[i] for i in idx]) - 1) / f)
    if len(ratios) < resamples // 2:
        return float("nan"), float("nan")
    ratios.sort()
    return ratios[int(0.025 * len(ratios))], ratios[int(0.975 * len(ratios)) - 1]


def summarize(scenario, contenders, rng):
    """Medians, quartiles and overheads of one scenario's contenders.

    The overhead is estimated in the baseline's units, round by round:
    ``median(contender / baseline) - 1``, the two timed back to back in the
    same round.  A shared machine slows both by the same factor, which this
    ratio cancels; it is shown in ns by multiplying with the baseline's median
    ns.  The ratio to the floor is then ``(median(c/bare) - 1) /
    (median(floor/bare) - 1)``.  The plain median of per-round differences is
    kept in the JSON as ``overhead_diff_ns``.
    """
    by_name = {c.name: c for c in contenders}
    rows = {}
    floor = by_name.get("floor")
    bare = by_name.get("bare")
    floor_rel = relative(floor, bare) if floor and bare else None
    floor_over = statistics.median(floor_rel) - 1 if floor_rel else float("nan")
    for c in contenders:
        base = by_name[c.base]
        q1, med, q3 = quartiles(c.samples)
        rel = relative(c, base)
        row = {
            "label": LABELS[c.name],
            "base": c.base,
            "note": c.note,
            "check_error": c.check_error,
            "batch_calls": c.n,
            "rounds": len(c.samples),
            "every": c.every,
            "slow": c.every > base.every,
            "median_ns": med,
            "min_ns": min(c.samples) if c.samples else float("nan"),
            "q1_ns": q1,
            "q3_ns": q3,
            "iqr_ns": q3 - q1,
            "relative_median": statistics.median(rel) if rel else float("nan"),
            "alloc_peak_bytes": c.alloc_peak,
            "alloc_net_bytes": c.alloc_net,
            "alloc_requests": c.alloc_requests,
            "alloc_overhead_bytes": c.alloc_peak - base.alloc_peak,
            "samples_ns": [round(x, 2) for x in c.samples],
        }
        if c is not base:
            base_med = statistics.median(base.samples)
            r1, rmed, r3 = quartiles([x - 1 for x in rel])
            row.update(
                overhead_rel=rmed,
                overhead_ns=rmed * base_med,
                overhead_q1_ns=r1 * base_med,
                overhead_q3_ns=r3 * base_med,
                overhead_diff_ns=statistics.median(x - b for x, b in paired(c, base)),
            )
            # A cross-check that ignores the machine's slow spells: the
            # difference of the minimums over all rounds.
            row["overhead_min_ns"] = min(c.samples) - min(base.samples)
            if floor is not None and bare is not None and c.base == "bare":
                floor_min = min(floor.samples) - min(bare.samples)
                if floor_min > 0:
                    row["floor_ratio_min"] = row["overhead_min_ns"] / floor_min
            if floor_rel is not None and floor_over > 0 and c.base == "bare":
                row["floor_ratio"] = rmed / floor_over
                if c.name == "cors_wsgi" and c.every == floor.every == 1:
                    row["floor_ratio_ci95"] = ratio_ci(rel, floor_rel, rng)
            elif floor_rel is not None and floor_over > 0:
                # Peers with their own baseline: their relative overhead in
                # floor units, both over a 2-byte answer's cost.
                row["floor_ratio"] = (rmed * base_med) / (
                    floor_over * statistics.median(bare.samples)
                )
        rows[c.name] = row
    floor_ns = (
        floor_over * statistics.median(bare.samples) if floor_rel else float("nan")
    )
    return {
        "title": scenario.title,
        "expect": scenario.expect,
        "unseen": scenario.unseen,
        "floor_overhead_rel": floor_over,
        "floor_overhead_ns": floor_ns,
        "contenders": rows,
    }


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def fmt(x, digits=0, signed=False):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if signed:
        return f"{x:+,.{digits}f}"
    return f"{x:,.{digits}f}"


def print_scenario(name, result, out):
    rows = result["contenders"]
    print(f"\n== {name}: {result['title']}", file=out)
    header = (
        f"{'contender':<26}{'median ns':>12}{'min ns':>12}{'IQR ns':>12}"
        f"{'overhead ns':>13}{'(IQR)':>12}{'× floor':>10}"
        f"{'alloc B/req':>13}{'+B vs base':>12}"
    )
    print(header, file=out)
    print("-" * len(header), file=out)
    for cname in CONTENDER_NAMES:
        row = rows.get(cname)
        if row is None:
            continue
        over = row.get("overhead_ns")
        iqr = None if over is None else row["overhead_q3_ns"] - row["overhead_q1_ns"]
        base_row = cname == row["base"]
        print(
            f"{row['label']:<26}{fmt(row['median_ns']):>12}{fmt(row['min_ns']):>12}{fmt(row['iqr_ns']):>12}"
            f"{fmt(over, signed=True) if not base_row else '(base)':>13}"
            f"{fmt(iqr):>12}"
            f"{fmt(row.get('floor_ratio'), 2) if not base_row else '':>10}"
            f"{fmt(row['alloc_peak_bytes']):>13}"
            f"{'' if base_row else fmt(row['alloc_overhead_bytes'], signed=True):>12}",
            file=out,
        )
    notes = [
        f"  {rows[c]['label']}: {rows[c]['note']}"
        for c in CONTENDER_NAMES
        if c in rows and rows[c]["note"]
    ]
    notes += [
        f"  {rows[c]['label']}: timed in one round of every {rows[c]['every']} "
        f"({rows[c]['rounds']} rounds), to keep within the time budget"
        for c in CONTENDER_NAMES
        if c in rows and rows[c]["slow"]
    ]
    errors = [
        f"  CHECK FAILED {rows[c]['label']}: {rows[c]['check_error']}"
        for c in CONTENDER_NAMES
        if c in rows and rows[c]["check_error"]
    ]
    for line in notes + errors:
        print(line, file=out)


# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------

BUILDS = ("pure", "compiled")
# One child process each, with the same harness: the two builds of cors_wsgi
# beside the same floor, and the peers (with the pure build over Flask and
# over Django) in a process of their own, so that their frameworks' work
# never shares a process with the figures the targets read.
CHILDREN = BUILDS + ("peers",)
CHILD_ROWS = {
    "pure": {"bare", "floor", "minimal", "cors_wsgi"},
    "compiled": {"bare", "floor", "cors_wsgi"},
    "peers": set(CONTENDER_NAMES) - {"minimal", "cors_wsgi"},
}
# Per build: the limit of cors_wsgi's overhead in floor units in every scenario
# whose origin the middleware remembers (or that has none), and the limit in
# the scenario of 5,000 rotating origins matched by one "*." pattern.
FLOOR_LIMITS = {"pure": (2.75, 8.0), "compiled": (1.25, 4.0)}
TENANT_SCENARIO = "tenants5000"
# An unseen origin under 1,000 exact origins and 1,000 patterns costs at most
# twice what it costs under one of each, matched or refused.
SCALING = (
    ("unseen_match_1000", "unseen_match_1"),
    ("unseen_refused_1000", "unseen_refused_1"),
)
SCALING_LIMIT = 2.0
TARGET_PYTHON = "3.11"


def evaluate_targets(build, results):
    """The targets of one build, from its own process's results.

    Returns ``(target, measured, verdict)`` tuples; the verdict is PASS,
    FAIL, or n/a when the scenarios it needs were not run.
    """
    remembered_limit, tenant_limit = FLOOR_LIMITS[build]
    targets = []

    def cw(scn):
        return results.get(scn, {}).get("contenders", {}).get("cors_wsgi")

    for scn, result in results.items():
        row = cw(scn)
        if row is None or (result["unseen"] and scn != TENANT_SCENARIO):
            continue
        limit = tenant_limit if scn == TENANT_SCENARIO else remembered_limit
        ratio = row.get("floor_ratio")
        measured = (
            f"{fmt(row.get('overhead_ns'), signed=True)} ns vs floor "
            f"{fmt(result['floor_overhead_ns'], signed=True)} ns = {fmt(ratio, 2)}×"
        )
        ci = row.get("floor_ratio_ci95")
        if ci and not math.isnan(ci[0]):
            measured += f" [95% {ci[0]:.2f}–{ci[1]:.2f}]"
        if row.get("floor_ratio_min") is not None:
            measured += f"; by minimums {row['floor_ratio_min']:.2f}×"
        if row["check_error"]:
            verdict = "FAIL"
            measured += f"; CHECK FAILED: {row['check_error']}"
        elif ratio is None:
            verdict = "n/a"
        else:
            verdict = "PASS" if ratio <= limit else "FAIL"
        targets.append((f"overhead ≤ {limit:g} × floor [{scn}]", measured, verdict))

    for many, few in SCALING:
        label = f"unseen origin: {many} ≤ {SCALING_LIMIT:g} × {few} [overhead]"
        a, b = cw(many), cw(few)
        if a is None or b is None:
            targets.append((label, f"needs {many} and {few}", "n/a"))
            continue
        # The two scenarios run one after the other; comparing overheads in
        # units of the bare app timed beside each cancels the machine's drift.
        va, vb = a.get("overhead_rel"), b.get("overhead_rel")
        if va is None or vb is None or vb <= 0:
            targets.append((label, "not measured", "n/a"))
            continue
        measured = (
            f"{va:+.2f} vs {vb:+.2f} bare-app units (≈ "
            f"{fmt(a['overhead_ns'], signed=True)} vs "
            f"{fmt(b['overhead_ns'], signed=True)} ns) = {va / vb:.2f}×"
        )
        failed = a["check_error"] or b["check_error"]
        if failed:
            measured += f"; CHECK FAILED: {failed}"
        verdict = "PASS" if va <= SCALING_LIMIT * vb and not failed else "FAIL"
        targets.append((label, measured, verdict))
    return targets


# --------------------------------------------------------------------------
# Report: the builds and the peers side by side
# --------------------------------------------------------------------------

PEER_COLUMNS = ("minimal", "wsgicors", "starlette", "flask_cors", "django_cors")


def _row(payloads, build, scn, name):
    payload = payloads.get(build)
    if payload is None:
        return None
    return payload["results"].get(scn, {}).get("contenders", {}).get(name)


def _cell(row, ns=True):
    if row is None or row.get("overhead_ns") is None:
        return "—"
    ratio = row.get("floor_ratio")
    digits = 0 if ratio is None or abs(ratio) >= 100 else 1 if abs(ratio) >= 10 else 2
    mark = "*" if row["note"] else ""
    if not ns:
        return f"{fmt(ratio, digits)}×{mark}"
    return f"{fmt(row['overhead_ns'], signed=True)}{mark} ({fmt(ratio, digits)}×)"


def scenario_order(payloads):
    names = []
    for payload in payloads.values():
        for scn in payload["results"]:
            if scn not in names:
                names.append(scn)
    return names


def print_side_by_side(payloads, out):
    scns = scenario_order(payloads)
    if not scns:
        return
    builds = [b for b in BUILDS if b in payloads]
    peers_from = "peers"

    print(
        "\n== cors_wsgi, both builds: overhead over the bare app, ns/request "
        "(× the floor timed in the same process)",
        file=out,
    )
    cols = []
    for b in builds:
        cols += [(b, "floor", f"floor ({b})"), (b, "cors_wsgi", b)]
    w = 20
    print(f"{'scenario':<22}" + "".join(f"{c[2]:>{w}}" for c in cols), file=out)
    for scn in scns:
        cells = [_cell(_row(payloads, b, scn, name)) for b, name, _ in cols]
        print(f"{scn:<22}" + "".join(f"{c:>{w}}" for c in cells), file=out)

    print(
        "\n== Side by side: overhead in floor units, each process's own floor "
        "(the peers over a framework baseline: their overhead in ns over the "
        "floor's ns)",
        file=out,
    )
    cols = [(b, "cors_wsgi", f"cors_wsgi {b}") for b in builds]
    cols += [("pure", "minimal", SHORT["minimal"])]
    cols += [(peers_from, p, SHORT[p]) for p in PEER_COLUMNS if p != "minimal"]
    cols = [c for c in cols if any(_row(payloads, c[0], s, c[1]) for s in scns)]
    w = 20
    print(f"{'scenario':<22}" + "".join(f"{c[2]:>{w}}" for c in cols), file=out)
    for scn in scns:
        cells = [_cell(_row(payloads, b, scn, name), ns=False) for b, name, _ in cols]
        print(f"{scn:<22}" + "".join(f"{c:>{w}}" for c in cells), file=out)
    if any(
        row["note"]
        for p in payloads.values()
        for r in p["results"].values()
        for row in r["contenders"].values()
    ):
        print("  * global policy: the peer has no per-path resources", file=out)

    habitat = [
        ("flask_cors", "flask-cors"),
        ("cors_wsgi_flask", "cors_wsgi/Flask"),
        ("django_cors", "django-cors-hdrs"),
        ("cors_wsgi_django", "cors_wsgi/Django"),
    ]
    habitat = [
        h for h in habitat if any(_row(payloads, peers_from, s, h[0]) for s in scns)
    ]
    if habitat:
        print(
            "\n== In the peers' own habitat: overhead over bare Flask / bare "
            "Django, µs/request (the pure build)",
            file=out,
        )
        w = 19
        print(f"{'scenario':<22}" + "".join(f"{h[1]:>{w}}" for h in habitat), file=out)
        for scn in scns:
            cells = []
            for name, _ in habitat:
                row = _row(payloads, peers_from, scn, name)
                over = None if row is None else row.get("overhead_ns")
                cells.append("—" if over is None else fmt(over / 1000, 1, signed=True))
            print(f"{scn:<22}" + "".join(f"{c:>{w}}" for c in cells), file=out)

    alloc_cols = [(builds[0] if builds else peers_from, "floor", "floor")]
    alloc_cols += [(b, "cors_wsgi", f"cors_wsgi {b}") for b in builds]
    alloc_cols += [("pure", "minimal", SHORT["minimal"])]
    alloc_cols += [(peers_from, p, SHORT[p]) for p in PEER_COLUMNS if p != "minimal"]
    alloc_cols = [
        c
        for c in alloc_cols
        if any(
            row is not None and not math.isnan(row["alloc_overhead_bytes"])
            for row in (_row(payloads, c[0], s, c[1]) for s in scns)
        )
    ]
    if alloc_cols:
        print(
            "\n== Allocations (reported, not targeted): bytes per request above "
            "the own baseline, tracemalloc peak",
            file=out,
        )
        w = 20
        print(
            f"{'scenario':<22}" + "".join(f"{c[2]:>{w}}" for c in alloc_cols), file=out
        )
        for scn in scns:
            cells = []
            for b, name, _ in alloc_cols:
                row = _row(payloads, b, scn, name)
                cells.append(
                    "—"
                    if row is None
                    else fmt(row["alloc_overhead_bytes"], signed=True)
                )
            print(f"{scn:<22}" + "".join(f"{c:>{w}}" for c in cells), file=out)


def print_targets(payloads, out):
    """The targets of every build, PASS/FAIL lines; returns (passed, failed, n/a)."""
    counts = {"PASS": 0, "FAIL": 0, "n/a": 0}
    for build in BUILDS:
        payload = payloads.get(build)
        if payload is None:
            continue
        targets = evaluate_targets(build, payload["results"])
        payload["targets"] = [
            {"target": t, "measured": m, "verdict": v} for t, m, v in targets
        ]
        if not targets:
            continue
        remembered, tenants = FLOOR_LIMITS[build]
        print(
            f"\n== Targets, {build} build: overhead ≤ {remembered:g} × floor where "
            f"the origin is remembered (or absent), ≤ {tenants:g} × in "
            f"{TENANT_SCENARIO}; an unseen origin under 1,000 + 1,000 entries "
            f"≤ {SCALING_LIMIT:g} × under 1 + 1",
            file=out,
        )
        width = max(len(t[0]) for t in targets)
        for label, measured, verdict in targets:
            print(f"{verdict:<5} {label:<{width}}  {measured}", file=out)
            counts[verdict] += 1
        floors = [
            r["floor_overhead_rel"]
            for r in payload["results"].values()
            if not math.isnan(r["floor_overhead_rel"])
        ]
        floor_mins = [
            r["contenders"]["floor"]["overhead_min_ns"]
            for r in payload["results"].values()
            if "overhead_min_ns" in r["contenders"].get("floor", {})
        ]
        if len(floors) > 1 and floor_mins:
            mean = statistics.mean(floors)
            spread = (max(floors) - min(floors)) / 2 / mean * 100
            print(
                f"  The floor runs the same code in every scenario; in this "
                f"process its overhead ranged {min(floors):.2f}–{max(floors):.2f} "
                f"bare-app units (±{spread:.0f} %) by medians, "
                f"{min(floor_mins):,.0f}–{max(floor_mins):,.0f} ns by minimums. "
                "Ratios that close to a limit are ties on this machine.",
                file=out,
            )
    pure = payloads.get("pure")
    if pure is not None:
        reference = [
            (scn, r["contenders"]["minimal"].get("floor_ratio"))
            for scn, r in pure["results"].items()
            if "minimal" in r["contenders"]
        ]
        reference = [(scn, x) for scn, x in reference if x is not None]
        if reference:
            print(
                "\nReference: the minimal CORS wrapper of _apps.py (one Origin "
                "lookup, the header-name check, one concatenation; no "
                "configuration, logging or preflights) costs "
                + ", ".join(f"{x:.2f}× floor in {scn}" for scn, x in reference)
                + " in the pure process.",
                file=out,
            )
    return counts


def versions():
    from importlib import metadata

    out = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
    }
    for dist in (
        "wsgicors",
        "starlette",
        "anyio",
        "flask",
        "werkzeug",
        "flask-cors",
        "django",
        "django-cors-headers",
        "gunicorn",
        "mypy",
    ):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def machine():
    info = {"platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


# --------------------------------------------------------------------------
# The builds: each timed in a child process of its own
# --------------------------------------------------------------------------

CACHE = os.path.join(ROOT, ".benchmarks")
# What the compiled build is made from: a change to any of these rebuilds it.
BUILD_INPUTS = ("setup.py", "setup.cfg", "pyproject.toml", "MANIFEST.in")
# Not copied into the build's source tree.
BUILD_IGNORE = (
    ".git",
    ".tox",
    ".benchmarks",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    "*.so",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "htmlcov",
    "_build",
    ".venv*",
)


def compiled_dir():
    v = sys.version_info
    return os.path.join(CACHE, f"compiled-py{v[0]}{v[1]}")


def build_command(target, source):
    """The project's own compiled build, installed into *target*."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-build-isolation",
        "--disable-pip-version-check",
        "--target",
        target,
        source,
    ]


def source_digest():
    import hashlib

    digest = hashlib.sha256(sys.version.encode())
    paths = [os.path.join(ROOT, name) for name in BUILD_INPUTS]
    for folder, dirs, files in os.walk(os.path.join(ROOT, "cors_wsgi")):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        paths += [
            os.path.join(folder, f)
            for f in sorted(files)
            if not f.endswith((".pyc", ".so"))
        ]
    for path in paths:
        if os.path.isfile(path):
            digest.update(os.path.relpath(path, ROOT).encode() + b"\0")
            with open(path, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()


def probe_build(package_dir):
    """Import cors_wsgi from *package_dir* in a fresh interpreter: its description."""
    import subprocess

    env = dict(os.environ, CORS_WSGI_BENCH_PACKAGE_DIR=package_dir or "")
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--probe"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines() or ["no output"]
        return None, lines[-1]
    return json.loads(proc.stdout), None


def build_error(output):
    """The line of a failed build's output that says what went wrong."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:  # a compiler's (mypyc's) own message comes first
        if ": error:" in line or line.startswith("error: invalid command"):
            return line
    for line in reversed(lines):
        if line.startswith(("ERROR:", "error:")):
            return line
    return lines[-1] if lines else "no output"


def build_compiled(out):
    """The directory holding the compiled build, built when the sources changed.

    Returns ``(directory, None)``, or ``(None, why not)``.
    """
    import shutil
    import subprocess
    import tempfile

    if platform.python_implementation() != "CPython":
        return None, "mypyc compiles for CPython only"
    target = compiled_dir()
    stamp = target + ".digest"
    log = target + ".log"
    digest = source_digest()
    try:
        with open(stamp) as f:
            fresh = f.read().strip() == digest and os.path.isdir(target)
    except OSError:
        fresh = False
    if not fresh:
        os.makedirs(CACHE, exist_ok=True)
        command = "CORS_WSGI_COMPILE=1 " + " ".join(
            build_command(os.path.relpath(target, ROOT), ".")[2:]
        )
        print(f"building the compiled package: {command} (about 30 s)", file=out)
        out.flush()
        started = time.monotonic()
        with tempfile.TemporaryDirectory(dir=CACHE, prefix=".build-") as tmp:
            source = os.path.join(tmp, "src")
            shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*BUILD_IGNORE))
            staged = os.path.join(tmp, "target")
            env = dict(os.environ, CORS_WSGI_COMPILE="1", PIP_ROOT_USER_ACTION="ignore")
            try:
                proc = subprocess.run(
                    build_command(staged, source),
                    env=env,
                    cwd=source,
                    capture_output=True,
                    text=True,
                    timeout=1200,
                )
            except subprocess.TimeoutExpired:
                return None, "the compiled build took more than 20 minutes"
            with open(log, "w") as f:
                f.write(proc.stdout + proc.stderr)
            if proc.returncode != 0:
                return None, (
                    f"{command} failed ({build_error(proc.stdout + proc.stderr)}); "
                    f"the log is {os.path.relpath(log, ROOT)}"
                )
            if os.path.isdir(target):
                shutil.rmtree(target)
            os.replace(staged, target)
        with open(stamp, "w") as f:
            f.write(digest + "\n")
        print(f"built in {time.monotonic() - started:.0f} s", file=out)
    info, error = probe_build(target)
    if info is None:
        return None, f"the compiled build does not import: {error}"
    if not info["compiled"]:
        return None, (
            f"CORS_WSGI_COMPILE=1 pip install built a pure-Python package "
            f"({info['module_file']} is not an extension module): the "
            "compiled build is not available"
        )
    return target, None


def describe_build():
    """Which cors_wsgi this process imports, and whether it is compiled."""
    import cors_wsgi

    module = sys.modules[cors_wsgi.CORSMiddleware.__module__]
    module_file = str(getattr(module, "__file__", ""))
    compiled = getattr(cors_wsgi, "COMPILED", None)
    if compiled is None:  # a core older than the flag: look at the module
        compiled = not module_file.endswith(".py")
    return {
        "compiled": bool(compiled),
        "package": os.path.dirname(os.path.abspath(cors_wsgi.__file__)),
        "module_file": module_file,
        "version": getattr(cors_wsgi, "__version__", "?"),
    }


def measure(build, scenarios, contenders, settings, out):
    """Time every scenario in this process: the payload the parent reads."""
    rng = random.Random(settings.seed)
    try:
        info = describe_build()
    except ImportError as exc:
        info = None
        print(
            f"NOTE: cors_wsgi is not importable ({exc}); "
            "measuring the other contenders only.",
            file=out,
        )
        contenders = contenders - {"cors_wsgi", "cors_wsgi_flask", "cors_wsgi_django"}
    else:
        what = f"{build} build" if build in BUILDS else "the peers"
        print(
            f"\n=== {what}: cors_wsgi {info['version']} from "
            f"{info['package']} (COMPILED = {info['compiled']}); timing "
            f"{', '.join(c for c in CONTENDER_NAMES if c in contenders)}",
            file=out,
        )
    for peer in PEERS:
        if any(
            name in contenders for name in (peer, BASE_OF[peer])
        ) and not peer_available(peer):
            print(
                f"MISSING PEER {peer}: not importable ({MISSING[peer]}); "
                f"skipped. {PIP_HINT}",
                file=out,
            )
    out.flush()

    results = {}
    started = time.monotonic()
    load = [os.getloadavg()[0]]
    gc_was_enabled = gc.isenabled()
    for scenario in scenarios:
        gc.enable()
        gc.collect()
        cs = build_contenders(scenario, contenders)
        by_name = {c.name: c for c in cs}
        bare_answer = by_name["bare"].once() if "bare" in by_name else None
        for c in cs:
            c.check_error = check(scenario, c, bare_answer)
        broken = [c for c in cs if c.check_error and c.name != "cors_wsgi"]
        for c in broken:
            print(
                f"  {scenario.name}: {LABELS[c.name]} answered wrongly "
                f"({c.check_error}); timed anyway",
                file=out,
            )
        gc.collect()
        gc.freeze()  # the apps and templates: later collections need not scan them
        gc.disable()
        try:
            for c in cs:
                warm_and_calibrate(c, settings)
            time_rounds(cs, settings, rng)
            if settings.do_alloc:
                for c in cs:
                    measure_alloc(c, settings)
        finally:
            gc.unfreeze()
            if gc_was_enabled:
                gc.enable()
        results[scenario.name] = summarize(scenario, cs, rng)
        print_scenario(scenario.name, results[scenario.name], out)
        out.flush()
    load.append(os.getloadavg()[0])
    return {
        "build": build,
        "load_average": load,
        "cors_wsgi": info,
        "versions": versions(),
        "settings": settings.__dict__,
        "missing": dict(MISSING),
        "elapsed_s": time.monotonic() - started,
        "results": results,
    }


def run_child(build, package_dir, forward, out):
    """Run this script for one build in a child process: its payload, or None."""
    import subprocess
    import tempfile

    env = dict(os.environ, CORS_WSGI_BENCH_PACKAGE_DIR=package_dir or "")
    with tempfile.TemporaryDirectory(prefix="cors-wsgi-bench-") as tmp:
        result = os.path.join(tmp, "result.json")
        command = [sys.executable, os.path.abspath(__file__)] + forward
        command += ["--child", build, "--child-out", result]
        out.flush()
        proc = subprocess.run(command, env=env)
        if proc.returncode != 0 or not os.path.exists(result):
            print(
                f"NOTE: the {build} build's run failed (exit {proc.returncode})",
                file=out,
            )
            return None
        with open(result) as f:
            return json.load(f)


def parse_list(value, known, what, parser):
    wanted = [w.strip() for w in value.split(",") if w.strip()]
    unknown = [w for w in wanted if w not in known]
    if unknown:
        parser.error(f"unknown {what} {', '.join(unknown)}; see --list")
    return wanted


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick", action="store_true", help="a fast smoke run (under a minute)"
    )
    parser.add_argument(
        "--builds",
        metavar="BUILD[,...]",
        help="pure, compiled or both (default: both when the compiled one can "
        "be built, else pure)",
    )
    parser.add_argument(
        "--json",
        metavar="FILE",
        help="save the results (with every round's sample) as JSON",
    )
    parser.add_argument(
        "--only", metavar="SCENARIO[,...]", help="run only these scenarios (see --list)"
    )
    parser.add_argument(
        "--contenders",
        metavar="NAME[,...]",
        help="run only these contenders (baselines are added)",
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="list the scenarios and contenders, then exit",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        help="interleaved rounds per scenario (default 600, quick 40)",
    )
    parser.add_argument(
        "--batch-ms",
        type=float,
        help="target duration of one timed batch (default 1, quick 0.5)",
    )
    parser.add_argument(
        "--no-alloc", action="store_true", help="skip the tracemalloc measurement"
    )
    parser.add_argument(
        "--seed", type=int, default=20240601, help="seed of the round order shuffle"
    )
    # Between the parent and its children only.
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = sys.stdout

    if args.probe:
        print(json.dumps(describe_build()))
        return 0
    scenarios = build_scenarios()
    if args.list:
        for s in scenarios:
            print(f"{s.name:<22}{s.title}")
        print("\ncontenders:", ", ".join(CONTENDER_NAMES))
        print("builds:", ", ".join(BUILDS))
        return 0
    if args.only:
        wanted = parse_list(
            args.only, {s.name for s in scenarios}, "scenario(s)", parser
        )
        scenarios = [s for s in scenarios if s.name in wanted]
    contenders = set(CONTENDER_NAMES)
    if args.contenders:
        contenders = set(
            parse_list(args.contenders, CONTENDER_NAMES, "contender(s)", parser)
        )
        contenders |= {"bare", "floor", "minimal"} | {BASE_OF[c] for c in contenders}
    builds = parse_list(args.builds, BUILDS, "build(s)", parser) if args.builds else []

    preset = dict(QUICK if args.quick else FULL)
    if args.rounds:
        preset["rounds"] = args.rounds
    if args.batch_ms:
        preset["batch_ms"] = args.batch_ms
    # tracemalloc.reset_peak() is Python 3.9+.
    do_alloc = not args.no_alloc and hasattr(tracemalloc, "reset_peak")
    settings = Settings(seed=args.seed, do_alloc=do_alloc, **preset)

    if args.child:
        contenders &= CHILD_ROWS[args.child]
        payload = measure(args.child, scenarios, contenders, settings, out)
        info = payload["cors_wsgi"]
        if info is not None and info["compiled"] != (args.child == "compiled"):
            print(
                f"ERROR: the {args.child} process's cors_wsgi has COMPILED = "
                f"{info['compiled']} ({info['module_file']})",
                file=out,
            )
            return 3
        with open(args.child_out, "w") as f:
            json.dump(payload, f, default=str)
        return 0

    started = time.monotonic()
    info = machine()
    vers = versions()
    print(f"cors_wsgi benchmark — {'quick' if args.quick else 'full'} run", file=out)
    print(
        f"machine: {info.get('cpu', '?')}, {info['cpus']} CPUs, {info['platform']}",
        file=out,
    )
    print("versions: " + ", ".join(f"{k} {v}" for k, v in vers.items() if v), file=out)
    print(
        f"method: a child process per build and one for the peers, each with "
        f"its own bare app and floor; {settings.rounds} interleaved "
        f"rounds per scenario, ~{settings.batch_ms} ms batches, gc off while "
        "timing; medians; overhead = (median per-round time ratio to the own "
        "baseline - 1) × the baseline's median ns; × floor = that overhead "
        "over the floor's, in the same process",
        file=out,
    )
    if platform.python_version().rsplit(".", 1)[0] != TARGET_PYTHON:
        print(
            f"NOTE: the targets are set for CPython {TARGET_PYTHON}; this is "
            f"{platform.python_implementation()} {platform.python_version()}",
            file=out,
        )
    notes = []
    if "cors_wsgi" not in contenders:
        builds = builds or ["pure"]
    package_dirs = {"pure": ""}
    if not builds or "compiled" in builds:
        directory, why_not = build_compiled(out)
        if directory is not None:
            package_dirs["compiled"] = directory
        elif builds:  # asked for by name
            print(f"ERROR: no compiled build: {why_not}", file=out)
            return 1
        else:
            notes.append(f"NOTE: no compiled build, the pure one only: {why_not}")
            print(notes[-1], file=out)
    builds = builds or [b for b in BUILDS if b in package_dirs]

    forward = []
    for flag in ("quick", "no_alloc"):
        if getattr(args, flag):
            forward.append("--" + flag.replace("_", "-"))
    for flag in ("only", "contenders", "rounds", "batch_ms", "seed"):
        value = getattr(args, flag)
        if value is not None:
            forward += ["--" + flag.replace("_", "-"), str(value)]
    children = list(builds)
    if contenders & CHILD_ROWS["peers"] - {"bare", "floor"}:
        children.append("peers")
    payloads = {}
    for child in children:
        payload = run_child(child, package_dirs.get(child, ""), forward, out)
        if payload is not None:
            payloads[child] = payload
        else:
            notes.append(f"NOTE: no figures from the {child} process")

    missing = {}
    for payload in payloads.values():
        missing.update(payload["missing"])
    if missing:
        print(file=out)
    for label, reason in sorted(missing.items()):
        print(
            f"MISSING PEER {label}: not importable ({reason}); skipped. {PIP_HINT}",
            file=out,
        )
    print_side_by_side(payloads, out)
    counts = print_targets(payloads, out)
    if payloads:
        print(
            "\nThe machine's load (1-minute average, at the start and end of each "
            "process): "
            + ", ".join(
                f"{name} {p['load_average'][0]:.1f}–{p['load_average'][1]:.1f}"
                for name, p in payloads.items()
            )
            + f" on {os.cpu_count()} CPUs",
            file=out,
        )
    for note in notes:
        print(note, file=out)
    print(
        f"\n{counts['PASS']} passed, {counts['FAIL']} failed, {counts['n/a']} n/a; "
        "HTTP throughput (http_bench.py) and allocations are reported, not targeted",
        file=out,
    )
    print(f"elapsed {time.monotonic() - started:.0f} s", file=out)

    if args.json:
        document = {
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": info,
            "versions": vers,
            "notes": notes,
            "builds": payloads,
        }
        with open(args.json, "w") as f:
            json.dump(document, f, indent=1, default=str)
        print(f"results saved to {args.json}", file=out)
    return 1 if not payloads else 0


if __name__ == "__main__":
    sys.exit(main())
