"""The applications the benchmarks wrap: the bare app, the floor, the bare ASGI app.

Shared by ``run.py`` (in-process) and ``http_bench.py`` (served by gunicorn as
``_apps:bare`` and ``_apps:cors``).
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


def __getattr__(name):
    # ``_apps:cors`` for gunicorn, built on first use so that ``_apps:bare``
    # and ``_apps:floor`` work while cors_wsgi is not importable.
    if name == "cors":
        value = make_cors()
        globals()["cors"] = value
        return value
    raise AttributeError(name)
