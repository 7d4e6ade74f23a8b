"""Django: ``get_wsgi_application()`` wraps Django's handler in the middleware.

The policy is the ``CORS_WSGI`` setting, a dict of option name -> value
(``{"allow_origins": ["https://app.example.com"]}``). String values are
parsed as :meth:`~cors_wsgi.CORSMiddleware.from_config` parses them; other
values, ``resources`` among them, are taken as the Python values they are.
A bad policy raises :class:`~cors_wsgi.ConfigurationError` at start-up, one
line per problem, each naming ``CORS_WSGI[...]``.

Adding ``"cors_wsgi.django.CORSWSGIConfig"`` to ``INSTALLED_APPS`` makes
``manage.py check`` report the same problems as system check errors:

- ``cors_wsgi.E001``: ``CORS_WSGI`` is missing or not a dict;
- ``cors_wsgi.E002``: ``CORS_WSGI`` has a key that is not an option;
- ``cors_wsgi.E003``: an option's value is wrong, alone or with another.
"""

from __future__ import annotations

import difflib
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from wsgiref.simple_server import demo_app

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.wsgi import get_wsgi_application as django_wsgi_application

from . import ConfigurationError, CORSMiddleware
from ._core.options import BY_NAME, OPTION_NAMES, coerce_options, relabel

__all__ = ["CORSWSGIConfig", "check_cors_wsgi", "get_wsgi_application"]

SETTING = "CORS_WSGI"

_EXAMPLE = "CORS_WSGI = {'allow_origins': ['https://app.example.com']}"

# A problem: the check's id, the message, and a hint (or None).
_Problem = Tuple[str, str, Optional[str]]


def get_wsgi_application() -> CORSMiddleware:
    """Django's WSGI handler, wrapped with the policy of ``settings.CORS_WSGI``.

    Use it in the project's ``wsgi.py`` in place of Django's function of the
    same name. Raises :class:`~cors_wsgi.ConfigurationError` when the policy
    cannot be built, so the server refuses to start.
    """
    application = django_wsgi_application()
    problems, middleware = _build(application)
    if middleware is None:
        raise ConfigurationError("\n".join(_line(problem) for problem in problems))
    return middleware


def check_cors_wsgi(
    app_configs: Optional[Sequence[AppConfig]] = None, **kwargs: Any
) -> List[checks.CheckMessage]:
    """The system check: one Error for each problem of ``settings.CORS_WSGI``."""
    # Only the policy is checked: any WSGI application will do to build it.
    problems, _ = _build(demo_app)
    return [
        checks.Error(message, hint=hint or _option_doc(message), obj=SETTING, id=id_)
        for id_, message, hint in problems
    ]


class CORSWSGIConfig(AppConfig):
    """Registers :func:`check_cors_wsgi` with Django's system checks."""

    name = "cors_wsgi.django"
    label = "cors_wsgi"
    verbose_name = "cors_wsgi"

    def ready(self) -> None:
        checks.register(check_cors_wsgi)


def _label(name: str) -> str:
    return f"{SETTING}[{name!r}]"


def _line(problem: _Problem) -> str:
    _, message, hint = problem
    return message if hint is None else f"{message}; {hint}"


def _build(
    application: Any,
) -> Tuple[List[_Problem], Optional[CORSMiddleware]]:
    """Every problem of ``settings.CORS_WSGI``, or the middleware it gives."""
    value = getattr(settings, SETTING, None)
    if not isinstance(value, Mapping):
        found = "it is not set" if value is None else f"got {value!r}"
        message = f"{SETTING}: expected a dict of option -> value; {found}"
        return [("cors_wsgi.E001", message, f"e.g. {_EXAMPLE}")], None
    problems: List[_Problem] = []
    config: Dict[str, Any] = {}
    python_only: Dict[str, Any] = {}
    for key, item in value.items():
        if key not in BY_NAME:
            problems.append(("cors_wsgi.E002", *_unknown(key)))
        elif key == "resources" and not isinstance(item, str):
            python_only[key] = item
        else:
            config[key] = item
    try:
        options = coerce_options(config, label=_label)
        if not problems:
            return [], CORSMiddleware(application, **options, **python_only)
    except ConfigurationError as error:
        problems.extend(
            ("cors_wsgi.E003", line, None)
            for line in relabel(error, _label).splitlines()
        )
    return problems, None


def _unknown(key: object) -> Tuple[str, Optional[str]]:
    message = f"{SETTING}[{key!r}]: not an option of cors_wsgi"
    close = difflib.get_close_matches(str(key), OPTION_NAMES, n=1, cutoff=0.6)
    if close:
        return message, f"did you mean {close[0]!r}?"
    return message, f"the options are: {', '.join(OPTION_NAMES)}"


def _option_doc(message: str) -> Optional[str]:
    """What the option that *message* names is for, from the option table."""
    name, _, _ = message.partition(":")
    for option in BY_NAME.values():
        if name == _label(option.name):
            return f"{option.name}: {option.doc}"
    return None
