"""Paste Deploy: the ``cors`` filter (``use = egg:cors_wsgi#cors``).

The keys of the ``[filter:cors]`` section are the options, as strings parsed
as :meth:`~cors_wsgi.CORSMiddleware.from_config` parses them::

    [filter:cors]
    use = egg:cors_wsgi#cors
    allow_origins = https://app.example.com
    allow_credentials = true

A key that is not an option is an error naming it. The keys of
``[DEFAULT]`` (``debug = true``, ``here``, ``__file__``) are not the
filter's: Paste Deploy keeps them in ``global_conf``, and this filter
ignores them, except for a key named like an option. Paste Deploy leaves a
key of ``[DEFAULT]`` out of every section, even a section that sets it
itself, so ``allow_origins`` in ``[DEFAULT]`` would silently hide the
filter's own ``allow_origins``: that is refused, unless the section takes
the value explicitly with ``get allow_origins = allow_origins``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Mapping

from . import ConfigurationError, CORSMiddleware
from ._core.options import BY_NAME

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["filter_app_factory"]


def filter_app_factory(
    app: WSGIApplication, global_conf: Mapping[str, Any], **local_conf: Any
) -> CORSMiddleware:
    """Wrap *app* with the policy of the ``[filter:cors]`` section.

    Raises :class:`~cors_wsgi.ConfigurationError`, one line per problem
    naming the key, for an unknown key, a value that does not parse, a
    policy that cannot be built, and a ``[DEFAULT]`` key named like an
    option that the section does not take with ``get``.
    """
    given = {_option_name(key) for key in local_conf}
    hidden: List[str] = []
    for key in global_conf:
        name = _option_name(key)
        if name in BY_NAME and name not in given:
            hidden.append(
                f"{name}: set in [DEFAULT], which Paste Deploy keeps out of "
                f"[filter:cors] (and which hides a line of the same name "
                f"there); move it to [filter:cors], or write "
                f"'get {key} = {key}' there"
            )
    if hidden:
        raise ConfigurationError("\n".join(hidden))
    return CORSMiddleware.from_config(app, local_conf)


def _option_name(key: str) -> str:
    return key.strip().lower().replace("-", "_")
