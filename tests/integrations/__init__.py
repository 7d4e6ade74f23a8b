"""Tests of the entry points for Flask, Django and Paste Deploy, on the real frameworks.

``CheckedClient(app)`` is werkzeug's Client over the protocol-checked *app*
(``tests.helpers.protocol_checked``), each response buffered and closed.

``load_example(name)`` imports a recipe of ``docs/recipes/examples/`` as the
module of that name, so the recipes the doc pages include are the ones the
tests run.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from werkzeug.test import Client, TestResponse

from tests.helpers import protocol_checked

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

#: The recipe files that the doc pages include with ``literalinclude``.
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "recipes" / "examples"


def load_example(filename: str) -> ModuleType:
    """Import ``docs/recipes/examples/<filename>`` afresh, as a module of its name.

    The module stays in ``sys.modules`` (Flask finds an app's root folder
    there) under its own name, replaced by the next load of the same file.
    """
    name = Path(filename).stem
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / filename)
    assert spec is not None and spec.loader is not None, filename
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class CheckedClient(Client):
    """werkzeug's Client over a protocol-checked app; responses are buffered.

    Requests go to *base_url* (``http://localhost/`` by default), and the
    client keeps the cookies the app sets, as a browser does.
    """

    def __init__(self, app: WSGIApplication, base_url: str = "http://localhost/"):
        super().__init__(protocol_checked(app))
        self.base_url = base_url

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        kwargs.setdefault("buffered", True)
        kwargs.setdefault("base_url", self.base_url)
        return super().open(*args, **kwargs)
