"""The applications the benchmarks wrap: the bare app, the floor, the bare ASGI app.

Also two references: a minimal CORS wrapper, and the bare app sending the CORS
headers itself.

Shared by ``run.py`` (in-process) and ``http_bench.py`` (served by gunicorn as
``_apps:bare``, ``_apps:cors``, ``_apps:headers``, ``_apps:minimal`` and
``_apps:floor``).
"""

from __future__ import annotations

ALLOWED_ORIGIN = "https://app.example.com"
METHODS = ("GET", "POST", "PUT", "DELETE")
HEADERS = ("Content-Type", "X-Requested-With", "Authorization")
MAX_AGE = 600


def bare(environ, start_response):
    """The 2-byte WSGI application every WSGI contender wraps."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


class Floor:
    """The physical floor: a do-nothing wrapping middleware.

    One extra call, one environ lookup and one wrapped ``start_response`` that
    calls through: the least any middleware that must touch the response does.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        environ.get("HTTP_ORIGIN")

        def wrapped_start_response(status, headers, exc_info=None):
            return start_response(status, headers, exc_info)

        return self.app(environ, wrapped_start_response)


_VARY_ORIGIN = ("Vary", "Origin")
_VARY_ONLY = [_VARY_ORIGIN]
_PLAIN_NAMES = frozenset({"Content-Type", "Content-Length"})


class MinimalCORS:
    """A reference, not a product: the least a CORS wrapper bound by API.md does.

    For an actual request from a listed origin it looks the Origin up once,
    checks that the request is not a preflight, checks the app's header names
    for Access-Control-* and Vary (API.md's "the middleware owns
    Access-Control-* headers"), and adds Access-Control-Allow-Origin and
    ``Vary: Origin`` with one list concatenation. No configuration, logging,
    preflight answers, resources, header merging or input validation, so only
    the scenarios it can answer use it. Its overhead over the floor is what any
    implementation of the same contract starts from.
    """

    def __init__(self, app, origins=(ALLOWED_ORIGIN,)):
        self.app = app
        # Configured origins are normalised (lower-cased) at start-up, as the
        # contract requires, so they are never the request's own str objects.
        self.answers = {
            origin.lower(): [
                ("Access-Control-Allow-Origin", origin.lower()),
                _VARY_ORIGIN,
            ]
            for origin in origins
        }

    def __call__(self, environ, start_response):
        origin = environ.get("HTTP_ORIGIN")
        if origin is None or "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
            extra = _VARY_ONLY
        else:
            extra = self.answers.get(origin, _VARY_ONLY)

        def minimal_start_response(status, headers, exc_info=None):
            for name, _ in headers:
                if name not in _PLAIN_NAMES:
                    raise ValueError(f"the reference wrapper cannot merge {name}")
            return start_response(status, headers + extra, exc_info)

        return self.app(environ, minimal_start_response)


def headers(environ, start_response):
    """The bare app sending, itself, the two headers cors_wsgi adds to its answer.

    Under a server those headers cost something to check and write, whoever
    sets them; this app measures that cost without any middleware.
    """
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/plain"),
            ("Content-Length", "2"),
            ("Access-Control-Allow-Origin", environ.get("HTTP_ORIGIN", "")),
            ("Vary", "Origin"),
        ],
    )
    return [b"ok"]


async def asgi_bare(scope, receive, send):
    """The same 2-byte answer as an ASGI application (Starlette's own baseline)."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"2")],
        }
    )
    await send({"type": "http.response.body", "body": b"ok"})


def make_cors(app=bare):
    """cors_wsgi over ``app`` with the one-origin policy of the benchmarks."""
    from cors_wsgi import CORSMiddleware

    return CORSMiddleware(
        app,
        allow_origins=[ALLOWED_ORIGIN],
        allow_methods=METHODS,
        allow_headers=HEADERS,
        max_age=MAX_AGE,
    )


floor = Floor(bare)
minimal = MinimalCORS(bare)


def __getattr__(name):
    # ``_apps:cors`` for gunicorn, built on first use so that ``_apps:bare``
    # and ``_apps:floor`` work while cors_wsgi is not importable.
    if name == "cors":
        value = make_cors()
        globals()["cors"] = value
        return value
    raise AttributeError(name)
