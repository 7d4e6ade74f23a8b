"""Build the pure-Python package, or with ``CORS_WSGI_COMPILE=1`` the compiled one.

Everything else is declared in setup.cfg. The compiled build compiles the
modules of the private core, ``cors_wsgi/_core``, with mypyc, the compiler
that comes with mypy; ``build_backend/backend.py`` adds mypy to the build
requirements then, and only asks for that build on CPython 3.9 and later.
The ``.py`` files stay in the wheel beside the extension modules, which take
precedence on import. ``cors_wsgi.COMPILED`` says which build is installed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

from setuptools import setup


def core_modules() -> List[str]:
    """The modules of ``cors_wsgi/_core`` but its ``__init__.py``."""
    core = Path("cors_wsgi", "_core")
    return sorted(str(path) for path in core.glob("*.py") if path.name != "__init__.py")


if os.environ.get("CORS_WSGI_COMPILE") == "1":
    from mypyc.build import mypycify

    setup(ext_modules=mypycify(core_modules()))
else:
    setup()
