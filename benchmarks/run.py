#!/usr/bin/env python3
"""In-process benchmark: cors_wsgi against the bare app, the floor and the peers.

Run from the repository root::

    python3 benchmarks/run.py                 # full run, a few minutes
    python3 benchmarks/run.py --quick         # smoke run, well under a minute
    python3 benchmarks/run.py --only allowed_get,preflight_ok --json out.json

Every contender answers the same requests.  Each request's environ is a fresh
copy of a prebuilt template, as a server would hand it over.  Contenders and
their baselines are timed in interleaved rounds: a round times one batch of
calls of each contender with ``time.perf_counter_ns`` and the garbage
collector off, groups (a baseline and what is measured against it) in a
shuffled order, each group's batches back to back.  The table reports medians
over the rounds; an overhead is estimated from the per-round time ratio to the
contender's own baseline, which cancels the slowdowns a shared machine
imposes on both.  See benchmarks/README.md for the method.

The script installs nothing.  A peer that is not importable is skipped with a
message.  ``pip install -r benchmarks/requirements.txt`` installs them all.
"""

from __future__ import annotations

import argparse
import asyncio
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

import _apps  # noqa: E402
from _apps import ALLOWED_ORIGIN, HEADERS, MAX_AGE, METHODS  # noqa: E402

REFUSED_ORIGIN = "https://evil.example.net"
WILDCARD = "https://*.partner.example"
# The same wildcard for peers that take regular expressions instead.
WILDCARD_REGEX = r"^https://[a-z0-9-]+(?:\.[a-z0-9-]+)*\.partner\.example$"
PATH = "/api/items"

PIP_HINT = "pip install -r benchmarks/requirements.txt"


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """One CORS configuration, translated below into each contender's terms."""

    origins: tuple = (ALLOWED_ORIGIN,)
    wildcard: str | None = None  # a "https://*.host" entry, listed after the exact ones
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
    expect: (
        str  # no_origin | allow | refuse | preflight_ok | preflight_refused | uncovered
    )


def _acrh_2k():
    """103 lower-case header names that join with commas into exactly 2,048 bytes."""
    names = [f"x-custom-header-{i:03d}" for i in range(102)]
    pad = 2048 - len(",".join(names)) - 1
    names.append("x-pad-" + "z" * (pad - len("x-pad-")))
    return tuple(names)


ACRH_2K_NAMES = _acrh_2k()
ACRH_2K = ",".join(ACRH_2K_NAMES)
assert len(ACRH_2K) == 2048


def _acrh_2k_variants(count=4096):
    """*count* spellings of the same 2 KB list, differing in letter case only.

    Header names compare case-insensitively, so each is accepted like ACRH_2K,
    but no two are the same string: a cache keyed on the raw value never hits.
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


RESOURCE_PREFIXES = tuple(f"/svc{i:02d}/" for i in range(20))
ORIGINS_50 = tuple(f"https://site{i:02d}.example.org" for i in range(50))
ORIGINS_5000 = tuple(f"https://app{i:04d}.example.com" for i in range(5000))


def preflight(origin, acrh="content-type,x-requested-with"):
    headers = [("Origin", origin), ("Access-Control-Request-Method", "PUT")]
    if acrh:
        headers.append(("Access-Control-Request-Headers", acrh))
    return Request("OPTIONS", PATH, tuple(headers))


def get(origin, path=PATH):
    return Request("GET", path, (("Origin", origin),) if origin else ())


def build_scenarios():
    one = Policy()
    many = Policy(origins=ORIGINS_50, wildcard=WILDCARD)
    rotating = Policy(origins=ORIGINS_5000)
    big = Policy(headers=HEADERS + ACRH_2K_NAMES)
    per_path = Policy(resources=RESOURCE_PREFIXES)
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
            "preflight_acrh2k_miss",
            "the same, each request spelling the 2 KB list differently (cache miss)",
            big,
            [preflight(ALLOWED_ORIGIN, v) for v in _acrh_2k_variants()],
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
    samples: list = field(default_factory=list)
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
    origins = list(policy.origins) + ([policy.wildcard] if policy.wildcard else [])
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

    origins = list(policy.origins) + ([policy.wildcard] if policy.wildcard else [])
    return CORS(
        _apps.bare,
        origin=" ".join(origins),
        methods=", ".join(METHODS),
        headers=", ".join(policy.headers),
        maxage=str(MAX_AGE),
        credentials="false",
    )


def make_starlette(policy):
    from starlette.middleware.cors import CORSMiddleware

    return CORSMiddleware(
        _apps.asgi_bare,
        allow_origins=list(policy.origins),
        allow_origin_regex=WILDCARD_REGEX if policy.wildcard else None,
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

        origins = list(policy.origins) + ([WILDCARD_REGEX] if policy.wildcard else [])
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
    settings.CORS_ALLOWED_ORIGIN_REGEXES = [WILDCARD_REGEX] if policy.wildcard else []
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
        and policy.wildcard is None
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


def check(scenario, contender, bare_answer=None):
    try:
        status, headers, body = contender.once()
    except Exception as exc:  # a broken contender is reported, not timed
        return f"raised {type(exc).__name__}: {exc}"
    is_base = contender.name in ("bare", "floor", "asgi_bare", "flask", "django")
    if not 200 <= status < 500:
        return f"status {status}"
    if is_base:
        return None if 200 <= status < 300 else f"status {status}"
    origin = scenario.requests[0].origin
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
        if strict and contender.feed.templates[0]["REQUEST_METHOD"] == "OPTIONS":
            asked = contender.feed.templates[0].get(
                "HTTP_ACCESS_CONTROL_REQUEST_HEADERS", ""
            )
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
    seed: int
    do_alloc: bool


FULL = {
    "rounds": 600,
    "batch_ms": 1.0,
    "warmup_ms": 40.0,
    "alloc_requests": 2000,
    "alloc_budget_ms": 600.0,
}
QUICK = {
    "rounds": 40,
    "batch_ms": 0.5,
    "warmup_ms": 5.0,
    "alloc_requests": 100,
    "alloc_budget_ms": 60.0,
}


def warm_and_calibrate(c, settings):
    target_ns = settings.batch_ms * 1e6
    deadline = perf_counter_ns() + settings.warmup_ms * 1e6
    n = 4
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


def time_rounds(contenders, settings, rng):
    """Interleaved rounds: every round times one batch of every contender.

    The groups (a baseline and the contenders measured against it) come in a
    shuffled order, and so do the contenders inside a group; a group's batches
    run back to back, so a contender and its baseline meet the machine in the
    same state.
    """
    groups = {}
    for c in contenders:
        groups.setdefault(c.base, []).append(c)
    groups = list(groups.values())
    for c in contenders:
        c.samples = []
    for _ in range(settings.rounds):
        rng.shuffle(groups)
        for group in groups:
            rng.shuffle(group)
            # An untimed short batch first: the previous group (Django, say)
            # has evicted this group's code and data from the CPU caches.
            first = group[0]
            first.batch(first.feed.take(max(1, first.n // 8)))
            for c in group:
                srcs = c.feed.take(c.n)
                c.samples.append(c.batch(srcs) / c.n)
        gc.collect()


def measure_alloc(c, settings):
    median_ns = statistics.median(c.samples) if c.samples else 1000.0
    # tracemalloc slows a request tenfold or so: keep within the budget.
    budget = int(settings.alloc_budget_ms * 1e6 / (median_ns * 10))
    m = max(20, min(settings.alloc_requests, budget))
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


def relative(c, base):
    """Per round: the contender's time in units of its baseline's time in that round."""
    return [x / b for x, b in zip(c.samples, base.samples)]


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
                overhead_diff_ns=statistics.median(
                    x - b for x, b in zip(c.samples, base.samples)
                ),
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
                if c.name == "cors_wsgi":
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
    errors = [
        f"  CHECK FAILED {rows[c]['label']}: {rows[c]['check_error']}"
        for c in CONTENDER_NAMES
        if c in rows and rows[c]["check_error"]
    ]
    for line in notes + errors:
        print(line, file=out)


def evaluate_targets(results):
    """The issue's targets in this run: (target, measured, limit, verdict) tuples."""
    targets = []

    def cw(scn):
        return results.get(scn, {}).get("contenders", {}).get("cors_wsgi")

    for scn, result in results.items():
        row = cw(scn)
        if row is None:
            continue
        limit = 1.0 if scn == "resources_uncovered" else 1.5
        ratio = row.get("floor_ratio")
        over = row.get("overhead_ns")
        floor_over = result[
            "floor_overhead_ns"
        ]  # both in ns at the bare app's median speed
        ci = row.get("floor_ratio_ci95")
        measured = (
            f"{fmt(over, signed=True)} ns vs floor {fmt(floor_over, signed=True)} ns"
            f" = {fmt(ratio, 2)}×"
        )
        if ci and not math.isnan(ci[0]):
            measured += f" [95% {ci[0]:.2f}–{ci[1]:.2f}]"
        if row.get("floor_ratio_min") is not None:
            measured += f"; by minimums {row['floor_ratio_min']:.2f}×"
        if ratio is None or row["check_error"]:
            verdict = "FAIL" if row["check_error"] else "n/a"
        else:
            verdict = "PASS" if ratio <= limit else "FAIL"
        targets.append(
            (f"overhead ≤ {limit} × floor [{scn}]", measured, f"≤ {limit}×", verdict)
        )

    def compare(label, a_scn, b_scn, key, factor):
        # Scenarios run at different times; compare in units of the bare
        # app's time measured beside each, which cancels the machine's drift.
        a, b = cw(a_scn), cw(b_scn)
        if a is None or b is None:
            targets.append((label, f"needs {a_scn} and {b_scn}", f"≤ {factor}×", "n/a"))
            return
        va, vb = a.get(key), b.get(key)
        if va is None or vb is None:
            targets.append((label, "not measured", f"≤ {factor}×", "n/a"))
            return
        verdict = "PASS" if va <= factor * vb else "FAIL"
        if key == "overhead_rel":
            measured = (
                f"overhead {va:+.2f} vs {vb:+.2f} bare-app units"
                f" (≈ {fmt(a['overhead_ns'], signed=True)}"
                f" vs {fmt(b['overhead_ns'], signed=True)} ns)"
            )
        else:
            measured = (
                f"{va:.2f} vs {vb:.2f} bare-app units"
                f" (≈ {fmt(a['median_ns'])} vs {fmt(b['median_ns'])} ns)"
            )
        if vb > 0:
            measured += f" = {va / vb:.2f}×"
        targets.append((label, measured, f"≤ {factor}×", verdict))

    compare(
        "accepted preflight (cached) ≤ allowed GET [time/request]",
        "preflight_ok",
        "allowed_get",
        "relative_median",
        1,
    )
    compare(
        "5,000 rotating origins ≤ 2 × one origin [overhead, allowed GET]",
        "rotate5000",
        "allowed_get",
        "overhead_rel",
        2,
    )
    compare(
        "2 KB request-headers preflight ≤ 2 × plain [time/request]",
        "preflight_acrh2k",
        "preflight_ok",
        "relative_median",
        2,
    )
    compare(
        "2 KB request-headers, cache miss ≤ 2 × plain [time/request]",
        "preflight_acrh2k_miss",
        "preflight_ok",
        "relative_median",
        2,
    )

    for scn, result in results.items():
        rows = result["contenders"]
        row = rows.get("cors_wsgi")
        if row is None:
            continue
        peers = {
            p: rows[p]["alloc_overhead_bytes"]
            for p in PEERS
            if p in rows
            and not rows[p]["note"]
            and not math.isnan(rows[p]["alloc_overhead_bytes"])
        }
        mine = row["alloc_overhead_bytes"]
        if not peers or math.isnan(mine):
            why = (
                "not measured (--no-alloc, or Python 3.8)"
                if math.isnan(mine)
                else "no peer measured"
            )
            targets.append(
                (f"fewer allocations than any peer [{scn}]", why, "<", "n/a")
            )
            continue
        best = min(peers, key=peers.get)
        ok = mine < peers[best] or (mine <= 0 and peers[best] >= mine)
        measured = (
            f"{fmt(mine, signed=True)} B vs {LABELS[best]}"
            f" {fmt(peers[best], signed=True)} B"
        )
        targets.append(
            (
                f"fewer allocations than any peer [{scn}]",
                measured,
                "<",
                "PASS" if ok else "FAIL",
            )
        )
    return targets


def print_summary(results, out):
    names = [
        c
        for c in CONTENDER_NAMES
        if any(c in r["contenders"] for r in results.values())
    ]
    names = [c for c in names if c not in ("bare", "asgi_bare", "flask", "django")]
    if not names:
        return
    print(
        "\n== Summary: overhead over the own bare baseline, ns/request (× floor)",
        file=out,
    )
    width = 23
    print(
        f"{'scenario':<22}" + "".join(f"{SHORT[c]:>{width}}" for c in names), file=out
    )
    for scn, result in results.items():
        cells = []
        for c in names:
            row = result["contenders"].get(c)
            if row is None or row.get("overhead_ns") is None:
                cells.append(f"{'—':>{width}}")
                continue
            ratio = row.get("floor_ratio")
            mark = "*" if row["note"] else ""
            digits = 1 if ratio is not None and abs(ratio) < 100 else 0
            cell = (
                f"{fmt(row['overhead_ns'], signed=True)}{mark} ({fmt(ratio, digits)}×)"
            )
            cells.append(f"{cell:>{width}}")
        print(f"{scn:<22}" + "".join(cells), file=out)
    if any(row["note"] for r in results.values() for row in r["contenders"].values()):
        print("  * global policy: the peer has no per-path resources", file=out)
    if not any(
        not math.isnan(row["alloc_peak_bytes"])
        for r in results.values()
        for row in r["contenders"].values()
    ):
        return
    print(
        "\n== Summary: bytes per request above the own baseline (tracemalloc peak)",
        file=out,
    )
    print(
        f"{'scenario':<22}" + "".join(f"{SHORT[c]:>{width}}" for c in names), file=out
    )
    for scn, result in results.items():
        cells = []
        for c in names:
            row = result["contenders"].get(c)
            cell = fmt(row["alloc_overhead_bytes"], signed=True) if row else "—"
            cells.append(f"{cell:>{width}}")
        print(f"{scn:<22}" + "".join(cells), file=out)


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
    ):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    try:
        import cors_wsgi

        out["cors_wsgi"] = getattr(cors_wsgi, "__version__", "?")
    except ImportError:
        out["cors_wsgi"] = None
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


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick", action="store_true", help="a fast smoke run (well under a minute)"
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
    args = parser.parse_args(argv)

    scenarios = build_scenarios()
    if args.list:
        for s in scenarios:
            print(f"{s.name:<22}{s.title}")
        print("\ncontenders:", ", ".join(CONTENDER_NAMES))
        return 0
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        unknown = [w for w in wanted if w not in {s.name for s in scenarios}]
        if unknown:
            parser.error(f"unknown scenario(s) {', '.join(unknown)}; see --list")
        scenarios = [s for s in scenarios if s.name in wanted]
    contenders = set(CONTENDER_NAMES)
    if args.contenders:
        contenders = {w.strip() for w in args.contenders.split(",") if w.strip()}
        unknown = contenders - set(CONTENDER_NAMES)
        if unknown:
            parser.error(
                f"unknown contender(s) {', '.join(sorted(unknown))}; see --list"
            )
        contenders |= {"bare", "floor", "minimal"} | {BASE_OF[c] for c in contenders}

    preset = dict(QUICK if args.quick else FULL)
    if args.rounds:
        preset["rounds"] = args.rounds
    if args.batch_ms:
        preset["batch_ms"] = args.batch_ms
    # tracemalloc.reset_peak() is Python 3.9+.
    do_alloc = not args.no_alloc and hasattr(tracemalloc, "reset_peak")
    settings = Settings(seed=args.seed, do_alloc=do_alloc, **preset)
    rng = random.Random(args.seed)
    out = sys.stdout

    vers = versions()
    info = machine()
    print(f"cors_wsgi benchmark — {'quick' if args.quick else 'full'} run", file=out)
    print(
        f"machine: {info.get('cpu', '?')}, {info['cpus']} CPUs, {info['platform']}",
        file=out,
    )
    print("versions: " + ", ".join(f"{k} {v}" for k, v in vers.items() if v), file=out)
    print(
        f"method: {settings.rounds} interleaved rounds per scenario, "
        f"~{settings.batch_ms} ms batches, gc off while timing; medians; "
        "overhead = (median per-round time ratio to the own baseline - 1) "
        "× the baseline's median ns; alloc = mean tracemalloc peak per request "
        f"(≤ {settings.alloc_requests} requests)",
        file=out,
    )
    if vers["cors_wsgi"] is None:
        try:
            import cors_wsgi  # noqa: F401
        except ImportError as exc:
            print(
                f"NOTE: cors_wsgi is not importable ({exc}); "
                "measuring the other contenders only.",
                file=out,
            )
            contenders.discard("cors_wsgi")
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

    if MISSING:
        print(file=out)
    for label, reason in sorted(MISSING.items()):
        print(
            f"MISSING PEER {label}: not importable ({reason}); skipped. {PIP_HINT}",
            file=out,
        )

    print_summary(results, out)
    targets = evaluate_targets(results)
    if targets:
        print("\n== Targets (issue 3), cors_wsgi", file=out)
        width = max(len(t[0]) for t in targets)
        for label, measured, _limit, verdict in targets:
            print(f"{verdict:<5} {label:<{width}}  {measured}", file=out)
        floors = [
            r["floor_overhead_rel"]
            for r in results.values()
            if not math.isnan(r["floor_overhead_rel"])
        ]
        floor_mins = [
            r["contenders"]["floor"]["overhead_min_ns"]
            for r in results.values()
            if "floor" in r["contenders"]
        ]
        if len(floors) > 1:
            mean = statistics.mean(floors)
            spread = (max(floors) - min(floors)) / 2 / mean * 100
            print(
                "\nThe floor runs the same code in every scenario. Its overhead "
                f"ranged {min(floors):.2f}–{max(floors):.2f} bare-app units "
                f"(±{spread:.0f} %) by medians, {min(floor_mins):,.0f}–"
                f"{max(floor_mins):,.0f} ns by minimums. Ratios that close to "
                "a limit are ties on this machine.",
                file=out,
            )
        reference = [
            (scn, r["contenders"]["minimal"].get("floor_ratio"))
            for scn, r in results.items()
            if "minimal" in r["contenders"]
        ]
        reference = [(scn, x) for scn, x in reference if x is not None]
        if reference:
            print(
                "\nReference: the minimal CORS wrapper of _apps.py (one Origin "
                "lookup, the header-name check, one concatenation; no "
                "configuration, logging or preflights) costs "
                + ", ".join(f"{x:.2f}× floor in {scn}" for scn, x in reference)
                + ": the least work API.md needs on an actual request, done the "
                "cheapest way found in pure Python.",
                file=out,
            )
        failed = sum(1 for t in targets if t[3] == "FAIL")
        passed = sum(1 for t in targets if t[3] == "PASS")
        print(
            f"\n{passed} passed, {failed} failed, {len(targets) - passed - failed} n/a",
            file=out,
        )
    print(f"elapsed {time.monotonic() - started:.0f} s", file=out)

    if args.json:
        payload = {
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": info,
            "versions": vers,
            "settings": settings.__dict__,
            "missing": MISSING,
            "scenarios": results,
            "targets": [
                {"target": t[0], "measured": t[1], "limit": t[2], "verdict": t[3]}
                for t in targets
            ],
        }
        with open(args.json, "w") as f:
            json.dump(payload, f, indent=1, default=str)
        print(f"results saved to {args.json}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
