"""CORS for any WSGI application, as the Fetch Standard describes it.

Only the names below are public; the modules of the package are internal.
"""

from __future__ import annotations

from .errors import ConfigurationError
from .middleware import CORSMiddleware

__all__ = ["CORSMiddleware", "ConfigurationError", "__version__"]

__version__ = "0.1.0"
