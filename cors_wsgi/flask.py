"""Flask: ``init_app(app, **options)`` wraps ``app.wsgi_app`` in the middleware.

The options come from ``app.config`` keys named ``CORS_`` + the option name
upper-cased (``CORS_ALLOW_ORIGINS``), then from the keyword arguments, which
take precedence. String values in ``app.config`` are parsed as
:meth:`~cors_wsgi.CORSMiddleware.from_config` parses them (an environment
variable or an ini file gives strings); any other value is taken as the
Python value it is (a list, a bool, a callable, a compiled pattern, and
``CORS_RESOURCES`` as a dict).

The middleware wraps ``app.wsgi_app``, outside Flask's routing, error
handlers and ``before_request`` hooks: Flask's 404 and 500 answers carry the
CORS headers, and preflights are answered before any hook could refuse them.

This module does not import Flask: ``app`` is any object with Flask's
``config``, ``extensions`` and ``wsgi_app`` attributes.
"""

from __future__ import annotations

import difflib
from typing import Any, Dict, List, Mapping

from . import ConfigurationError, CORSMiddleware
from ._core.options import BY_NAME, OPTION_NAMES, coerce_options, env_name, relabel

__all__ = ["init_app"]

# The key of app.extensions that holds the middleware init_app built.
_EXTENSION = "cors_wsgi"

_PREFIX = "CORS_"

# flask-cors reads some keys of its own under the same prefix. Left in place
# they would change nothing here, so each is refused with what to do instead.
_FLASK_CORS_KEYS: Dict[str, str] = {
    "CORS_ORIGINS": "rename it CORS_ALLOW_ORIGINS",
    "CORS_METHODS": "rename it CORS_ALLOW_METHODS",
    "CORS_SUPPORTS_CREDENTIALS": "rename it CORS_ALLOW_CREDENTIALS",
    "CORS_SEND_WILDCARD": (
        "remove it: cors_wsgi answers * whenever CORS_ALLOW_ORIGINS is * "
        "without credentials"
    ),
    "CORS_AUTOMATIC_OPTIONS": (
        "remove it: cors_wsgi answers preflights itself (see "
        "CORS_PREFLIGHT_PASSTHROUGH)"
    ),
    "CORS_VARY_HEADER": (
        "remove it: cors_wsgi adds Vary: Origin whenever the answer depends on "
        "the origin"
    ),
    "CORS_INTERCEPT_EXCEPTIONS": (
        "remove it: cors_wsgi sits outside Flask, so error responses carry the "
        "CORS headers anyway"
    ),
    "CORS_ALWAYS_SEND": (
        "remove it: cors_wsgi adds the headers a response needs, with or "
        "without an Origin header"
    ),
}


def init_app(app: Any, **options: Any) -> CORSMiddleware:
    """Wrap ``app.wsgi_app`` in a :class:`~cors_wsgi.CORSMiddleware`.

    Options are read from ``app.config`` (``CORS_ALLOW_ORIGINS``, ...), then
    from the keyword arguments, which take precedence. Returns the middleware,
    which is also kept as ``app.extensions["cors_wsgi"]``.

    Raises :class:`~cors_wsgi.ConfigurationError`, one line per problem
    naming the config key or the keyword it came from, for a bad value, for
    a ``CORS_*`` key that looks like a misspelt option or belongs to
    flask-cors, and when the app already has the middleware (a second call
    would wrap it twice).
    """
    if _EXTENSION in app.extensions or isinstance(app.wsgi_app, CORSMiddleware):
        raise ConfigurationError(
            "init_app: this Flask app already has cors_wsgi's middleware; call "
            "init_app() once per app (give per-path policies as resources=)"
        )
    configured = {
        name: value
        for name, value in _config_options(app.config).items()
        if name not in options
    }

    def label(name: str) -> str:
        return env_name(name) if name in configured else name

    try:
        middleware = CORSMiddleware(app.wsgi_app, **configured, **options)
    except ConfigurationError as error:
        raise ConfigurationError(relabel(error, label)) from None
    app.wsgi_app = middleware
    app.extensions[_EXTENSION] = middleware
    return middleware


def _config_options(config: Mapping[str, Any]) -> Dict[str, Any]:
    """The options that *config*'s ``CORS_*`` keys give, strings parsed.

    Raises ConfigurationError naming each key whose value does not parse,
    each ``CORS_*`` key close to an option's (``CORS_ALLOW_ORIGIN``) and each
    key of flask-cors. Other ``CORS_*`` keys are left to whatever reads them.
    """
    found: Dict[str, Any] = {}
    errors: List[str] = []
    for key, value in config.items():
        if not key.startswith(_PREFIX):
            continue
        name = key[len(_PREFIX) :].lower()
        if name in BY_NAME and key == env_name(name):
            found[name] = value
        elif key in _FLASK_CORS_KEYS:
            errors.append(
                f"{key}: a flask-cors setting, not read by cors_wsgi; "
                f"{_FLASK_CORS_KEYS[key]}"
            )
        else:
            close = difflib.get_close_matches(name, OPTION_NAMES, n=1, cutoff=0.6)
            if close:
                errors.append(
                    f"{key}: not a cors_wsgi setting; did you mean "
                    f"{env_name(close[0])}?"
                )
    # CORS_RESOURCES has no string form, but a Flask config is Python.
    python_only: Dict[str, Any] = {}
    if not isinstance(found.get("resources", ""), str):
        python_only["resources"] = found.pop("resources")
    options: Dict[str, Any] = {}
    try:
        options = coerce_options(found, label=env_name)
    except ConfigurationError as error:
        errors.extend(str(error).splitlines())
    if errors:
        raise ConfigurationError("\n".join(errors))
    options.update(python_only)
    return options
