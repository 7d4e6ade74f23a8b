"""setuptools' build backend, compiling the core when ``CORS_WSGI_COMPILE=1``.

``CORS_WSGI_COMPILE=1 pip install .`` builds the compiled package: ``setup.py``
then compiles ``cors_wsgi/_core`` with mypyc. Only that build needs mypy, so
mypy is a build requirement only then; the documented way to add one is an
in-tree backend that extends setuptools' own
(https://setuptools.pypa.io/en/latest/build_meta.html#dynamic-build-dependencies-and-other-build-meta-tweaks).

Only a wheel is ever compiled, and only on CPython 3.9 or later: mypy 1.17
is the first whose compiled classes keep their signatures
(``inspect.signature(CORSMiddleware)``), and it no longer runs on 3.8 nor on
other implementations, so there the wheel is the pure-Python one
(``cors_wsgi.COMPILED`` is False). Every other hook (source distribution,
metadata, editable install) runs ``setup.py`` as for the pure build: an
editable install stays pure, so that edits to the ``.py`` files take effect.
"""

from __future__ import annotations

import functools
import os
import sys
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, TypeVar

from setuptools import build_meta

ConfigSettings = Optional[Dict[str, Any]]
Hook = TypeVar("Hook", bound=Callable[..., Any])

FLAG = "CORS_WSGI_COMPILE"
COMPILER = "mypy>=1.17"
SUPPORTED = sys.implementation.name == "cpython" and sys.version_info >= (3, 9)


def _compiles() -> bool:
    """Whether the wheel is to be compiled: asked for, and mypyc can."""
    return os.environ.get(FLAG) == "1" and SUPPORTED


@contextmanager
def _compile_flag(compile_core: bool) -> Iterator[None]:
    """Run a setuptools hook with ``CORS_WSGI_COMPILE`` set to 1, or unset."""
    saved = os.environ.pop(FLAG, None)
    if compile_core:
        os.environ[FLAG] = "1"
    try:
        yield
    finally:
        os.environ.pop(FLAG, None)
        if saved is not None:
            os.environ[FLAG] = saved


def _pure(hook: Hook) -> Hook:
    """The setuptools hook, run as for the pure build."""

    @functools.wraps(hook)
    def run(*args: Any, **kwargs: Any) -> Any:
        with _compile_flag(False):
            return hook(*args, **kwargs)

    return run  # type: ignore[return-value]


get_requires_for_build_sdist = _pure(build_meta.get_requires_for_build_sdist)
build_sdist = _pure(build_meta.build_sdist)
prepare_metadata_for_build_wheel = _pure(build_meta.prepare_metadata_for_build_wheel)
get_requires_for_build_editable = _pure(build_meta.get_requires_for_build_editable)
prepare_metadata_for_build_editable = _pure(
    build_meta.prepare_metadata_for_build_editable
)
build_editable = _pure(build_meta.build_editable)


def get_requires_for_build_wheel(config_settings: ConfigSettings = None) -> List[str]:
    with _compile_flag(False):
        requires = build_meta.get_requires_for_build_wheel(config_settings)
    return [*requires, COMPILER] if _compiles() else requires


def build_wheel(
    wheel_directory: str,
    config_settings: ConfigSettings = None,
    metadata_directory: Optional[str] = None,
) -> str:
    if os.environ.get(FLAG) == "1" and not SUPPORTED:
        print(
            f"{FLAG}=1: mypyc cannot compile for {sys.implementation.name} "
            f"{sys.version_info[0]}.{sys.version_info[1]}; building the "
            f"pure-Python package",
            file=sys.stderr,
        )
    with _compile_flag(_compiles()):
        return build_meta.build_wheel(
            wheel_directory, config_settings, metadata_directory
        )
