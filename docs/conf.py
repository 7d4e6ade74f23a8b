# Sphinx configuration for the cors_wsgi documentation.
# Built by `tox -e docs` as: sphinx-build -n -W --keep-going -b html docs ...
# and tested with:           sphinx-build -n -W --keep-going -b doctest docs ...
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Build from the checkout when the package is not installed (tox installs it).
sys.path.insert(0, os.path.dirname(HERE))
# The docs' own extension, which generates the option reference from
# cors_wsgi's option table and runs the cors-wsgi command for its samples.
sys.path.insert(0, os.path.join(HERE, "_ext"))

import cors_wsgi  # noqa: E402  (importable only once the path is set)

project = "cors_wsgi"
author = "the cors_wsgi developers"
copyright = "2026, the cors_wsgi developers"
release = cors_wsgi.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "cors_options",
]

# Every cross-reference must resolve: nitpicky mode turns a missing target
# (a :ref:, :doc:, :class:, :func: or :data: that points nowhere) into a
# warning, and -W turns warnings into errors. No intersphinx: the builds run
# without network access to docs.python.org, so standard-library names are
# written as literals, and the few that autodoc turns into references are
# listed here.
nitpicky = True
nitpick_ignore = [
    ("py:class", "WSGIApplication"),
    ("py:class", "_typeshed.wsgi.WSGIApplication"),
]
# A bare `text` in the sources is an error, not silently emphasised text:
# references are written with an explicit role.
default_role = None
# Browser console messages, header values and error messages are quoted
# exactly, straight quotes and all.
smartquotes = False

# The option types live in configuration.rst; in signatures they would only
# say "Any".
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autoclass_content = "class"

# Every doctest starts from this. `refused` prints the ConfigurationError a
# set of options produces (configuration.rst shows its definition); `send`
# passes one request through a WSGI application and returns the status line;
# `exchange` prints the request and the answer as HTTP/1.1 text, so that the
# exchanges shown in the docs are the middleware's real answers.
doctest_global_setup = """
import io
import sys

from cors_wsgi import CORSMiddleware, ConfigurationError

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]

def json_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"items": []}']

def refused(**options):
    try:
        CORSMiddleware(app, **options)
    except ConfigurationError as exc:
        print(exc)
    else:
        print("accepted")

def environ_for(method, path, headers=(), host="api.example.com"):
    path_info, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers:
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        environ[key] = value
    return environ

def call(application, method, path, headers=(), host="api.example.com"):
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = status
        answer["headers"] = response_headers
        return lambda data: None

    environ = environ_for(method, path, headers, host)
    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body

def send(application, method, path, headers=()):
    return call(application, method, path, headers)[0]

def exchange(application, method, path, headers=(), host="api.example.com"):
    print(f"{method} {path} HTTP/1.1")
    print(f"Host: {host}")
    for name, value in headers:
        print(f"{name}: {value}")
    status, response_headers, body = call(application, method, path, headers, host)
    print()
    print(f"HTTP/1.1 {status}")
    for name, value in response_headers:
        print(f"{name}: {value}")
    if body:
        print()
        print(body.decode("utf-8"))
"""

exclude_patterns = ["_build", "_ext", "recipes/examples"]
templates_path = []
html_static_path = ["_static"] if os.path.isdir(os.path.join(HERE, "_static")) else []
html_theme = "alabaster"
html_title = f"cors_wsgi {release}"
html_theme_options = {
    "description": "CORS for any WSGI application",
    "show_powered_by": False,
}
