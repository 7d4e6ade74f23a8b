"""CORS for any WSGI application, as the Fetch Standard describes it.

Only the names below, and the module :mod:`cors_wsgi.fetch`, are public; the
rest of the package is internal.
"""

from __future__ import annotations

from importlib.machinery import ExtensionFileLoader as _ExtensionFileLoader

from ._core import middleware as _middleware
from ._core.errors import ConfigurationError
from ._core.middleware import CORSMiddleware

__all__ = ["CORSMiddleware", "ConfigurationError", "__version__"]

__version__ = "0.1.0"

#: True when the core's modules are compiled (mypyc), False for pure Python.
COMPILED: bool = isinstance(_middleware.__loader__, _ExtensionFileLoader)
