"""The package's one exception, kept apart so every module can import it."""

from __future__ import annotations

__all__ = ["ConfigurationError"]


class ConfigurationError(ValueError):
    """A CORS option is missing, misspelt or out of range.

    Raised when a :class:`~cors_wsgi.CORSMiddleware` is built, never while it
    serves a request. Each line of the message names one option (or the
    environment variable, ini key or flag it came from), shows the value that
    was given and says how to fix it.
    """
