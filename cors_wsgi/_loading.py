"""Find the application to wrap and read the policy from the environment.

Shared by the zero-code entry point (:mod:`cors_wsgi.wsgi`) and
``cors-wsgi serve``. An application is named as ``module:callable``, as
gunicorn names it; the callable may be a dotted path of attributes
(``myproject.app:server.wsgi_app``). Every problem found while loading is
reported at once, in one :class:`~cors_wsgi.ConfigurationError`, one line
each, starting with what the user wrote (the variable or the argument).
"""

from __future__ import annotations

import difflib
import importlib
import logging
import sys
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Tuple,
)

from . import CORSMiddleware
from ._core.errors import ConfigurationError
from ._core.options import OPTIONS, coerce_options, env_name, parse_bool, relabel

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = [
    "APP_VARIABLE",
    "DEBUG_VARIABLE",
    "enable_decision_log",
    "environ_options",
    "from_environ",
    "import_app",
    "wrap",
]

#: The application to wrap, as ``module:callable``.
APP_VARIABLE = "CORS_WSGI_APP"
#: A boolean: log every CORS decision to standard error.
DEBUG_VARIABLE = "CORS_WSGI_DEBUG"

_EXAMPLE = "legacy.wsgi:application"
#: Every variable cors_wsgi reads; a ``CORS_*`` name close to one of these is
#: taken for a misspelling of it.
_KNOWN = (APP_VARIABLE, DEBUG_VARIABLE) + tuple(
    env_name(option.name) for option in OPTIONS
)
_HANDLER_NAME = "cors_wsgi decision log"


def import_app(spec: str, label: str) -> WSGIApplication:
    """Import the callable that *spec* (``module:callable``) names.

    A spec that is not of that form, a module that cannot be imported, a
    missing attribute or an object that cannot be called raises
    ConfigurationError whose message starts with *label*. Exceptions other
    than ImportError raised by the module's own code propagate unchanged, with
    the traceback that points at that code.
    """
    module_name, _, attributes = spec.partition(":")
    names = attributes.split(".")
    if not all(part.isidentifier() for part in module_name.split(".") + names):
        raise ConfigurationError(
            f"{label}: {spec!r} is not of the form module:callable; "
            f"name the module and the WSGI callable in it, e.g. {_EXAMPLE!r}"
        )
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or ""
        if (module_name + ".").startswith(missing + "."):
            hint = (
                "check the spelling, and that the folder holding it is on "
                "the Python path (run from that folder, or set PYTHONPATH)"
            )
        else:
            hint = f"the module {module_name!r} was found, but importing it failed"
        raise ConfigurationError(
            f"{label}: cannot import {module_name!r} ({exc}); {hint}"
        ) from exc
    where = module_name
    for name in names:
        if not hasattr(target, name):
            message = f"{label}: {where!r} has no attribute {name!r}"
            close = difflib.get_close_matches(name, dir(target), n=1)
            if close:
                message += f"; did you mean {close[0]!r}?"
            raise ConfigurationError(message)
        target = getattr(target, name)
        where += (":" if where == module_name else ".") + name
    if not callable(target):
        raise ConfigurationError(
            f"{label}: {spec!r} names a {type(target).__name__!r}, not a "
            "WSGI callable; name the application object itself, e.g. "
            f"{_EXAMPLE!r}"
        )
    app: WSGIApplication = target
    return app


def wrap(
    load_app: Callable[[], WSGIApplication],
    options: Mapping[str, Any],
    label: Callable[[str], str],
    errors: Iterable[str] = (),
) -> CORSMiddleware:
    """``CORSMiddleware(load_app(), **options)``, reporting every problem at once.

    *errors* holds the problems found before (one line each, such as options
    that did not parse); the ConfigurationError of ``load_app`` and of the
    policy join them in one ConfigurationError. The policy's own lines are
    renamed by *label*, to the variables or the flags the options came from.
    """
    problems = list(errors)
    app: Optional[WSGIApplication] = None
    try:
        app = load_app()
    except ConfigurationError as exc:
        problems.append(str(exc))
    try:
        # The policy is checked even when the app could not be loaded, so
        # that one start-up reports everything; the stand-in never serves.
        middleware = CORSMiddleware(
            app if app is not None else (lambda environ, start_response: []),
            **options,
        )
    except ConfigurationError as exc:
        problems.append(relabel(exc, label))
    if problems:
        raise ConfigurationError("\n".join(problems))
    return middleware


def _misspelt(environ: Mapping[str, str]) -> List[str]:
    """A line for each ``CORS_*`` variable that looks like one of ours but is not.

    Other ``CORS_*`` names are left alone: another program may own them.
    """
    lines = []
    for variable in sorted(environ):
        upper = variable.upper()
        if not upper.startswith("CORS_") or variable in _KNOWN:
            continue
        close = difflib.get_close_matches(upper, _KNOWN, n=1, cutoff=0.75)
        if close:
            lines.append(
                f"{variable}: not a variable of cors_wsgi; did you mean {close[0]}?"
            )
    return lines


def environ_options(environ: Mapping[str, str]) -> Dict[str, Any]:
    """The options that the ``CORS_<OPTION>`` variables of *environ* give.

    Each value is parsed as ``from_config`` parses strings. Raises
    ConfigurationError naming every variable that does not parse and every
    ``CORS_*`` variable that looks like a misspelt one of ours.
    """
    options, errors = _read_environ(environ)
    if errors:
        raise ConfigurationError("\n".join(errors))
    return options


def _read_environ(environ: Mapping[str, str]) -> Tuple[Dict[str, Any], List[str]]:
    # Each variable is parsed alone, so that the policy can still be checked
    # with the others when one does not parse.
    errors = _misspelt(environ)
    options: Dict[str, Any] = {}
    for option in OPTIONS:
        variable = env_name(option.name)
        if variable in environ:
            try:
                given = {option.name: environ[variable]}
                options.update(coerce_options(given, label=env_name))
            except ConfigurationError as exc:
                errors.append(str(exc))
    return options, errors


def from_environ(environ: Mapping[str, str]) -> CORSMiddleware:
    """The middleware that the ``CORS_*`` variables of *environ* describe.

    ``CORS_WSGI_APP`` names the app, each ``CORS_<OPTION>`` variable gives
    an option as ``from_config`` parses it, and ``CORS_WSGI_DEBUG=1`` turns
    the decision log on (on standard error). Raises ConfigurationError naming
    the variables.
    """
    options, errors = _read_environ(environ)
    debug = False
    try:
        debug = parse_bool(environ.get(DEBUG_VARIABLE, "false"))
    except ValueError as exc:
        errors.append(f"{DEBUG_VARIABLE}: {exc}")

    def load_app() -> WSGIApplication:
        spec = environ.get(APP_VARIABLE)
        if spec is None:
            raise ConfigurationError(
                f"{APP_VARIABLE}: not set; set it to the application to wrap, "
                f"as module:callable, e.g. {APP_VARIABLE}={_EXAMPLE}"
            )
        return import_app(spec.strip(), APP_VARIABLE)

    middleware = wrap(load_app, options, env_name, errors)
    if debug:
        enable_decision_log()
    return middleware


def enable_decision_log() -> None:
    """Log every CORS decision to standard error, from the ``cors_wsgi`` logger.

    Only that logger is touched (its level and one handler, added once);
    the root logger and the application's own logging stay as they are.
    """
    logger = logging.getLogger("cors_wsgi")
    logger.setLevel(logging.DEBUG)
    if any(handler.get_name() == _HANDLER_NAME for handler in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("cors_wsgi: %(message)s"))
    logger.addHandler(handler)
