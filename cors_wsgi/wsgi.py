"""Zero-code wrapping: serve any WSGI app with CORS, configured by environment.

::

    CORS_WSGI_APP=legacy.wsgi:application \\
    CORS_ALLOW_ORIGINS="https://app.example.com" \\
        gunicorn cors_wsgi.wsgi:application

Importing this module imports the application that ``CORS_WSGI_APP`` names
(``module:callable``), reads each option from its ``CORS_<OPTION>`` variable
as ``CORSMiddleware.from_config`` parses strings, and builds
:data:`application`. A missing or bad variable raises
:class:`~cors_wsgi.ConfigurationError` here, at import, naming every variable
at fault, so the server stops at start-up instead of serving without CORS.
``CORS_WSGI_DEBUG=1`` logs each CORS decision to standard error.
"""

from __future__ import annotations

import os

from ._loading import from_environ

__all__ = ["application"]

#: The application of ``CORS_WSGI_APP``, wrapped in the ``CORS_*`` policy.
application = from_environ(os.environ)
