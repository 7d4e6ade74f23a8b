"""The core's imports go one way: standard library, then the layers below.

``cors_wsgi/_core`` is the middleware without any dependency: each module
imports only the standard library and modules of ``_core`` in lower layers,
so there are no cycles and each layer can be read (and tested) on its own.
``cors_wsgi/fetch.py``, the public face of the Fetch safelists, imports only
``_core``. The modules are read with :mod:`ast`, not imported.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Dict, FrozenSet, List, NamedTuple, Tuple

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cors_wsgi"
CORE = PACKAGE / "_core"

#: The layers of ``_core``, lowest first. A module may import only modules of
#: the layers before its own.
LAYERS: Tuple[Tuple[str, ...], ...] = (
    # vocabulary: the exception, HTTP names and lists, bounded memories
    ("errors", "http", "memo"),
    # the option table, the Fetch safelists, header merging, the suffix list,
    # the decision log
    ("options", "safelist", "respond", "public_suffix", "log"),
    # origins: parsing and matching, and the credential-danger probes
    ("origins",),
    ("probes",),
    # a validated, pre-rendered policy
    ("policy",),
    # deciding (pure), and finding the policy of a path
    ("decide", "resources"),
    # answering preflights
    ("preflight",),
    # the WSGI layer
    ("middleware",),
)
LAYER_OF: Dict[str, int] = {
    module: number for number, layer in enumerate(LAYERS) for module in layer
}

if sys.version_info >= (3, 10):
    STDLIB: FrozenSet[str] = frozenset(sys.stdlib_module_names)
else:  # Python 3.8 and 3.9 have no sys.stdlib_module_names
    STDLIB = frozenset(
        {
            "__future__",
            "abc",
            "ast",
            "bisect",
            "collections",
            "contextlib",
            "dataclasses",
            "difflib",
            "enum",
            "functools",
            "http",
            "importlib",
            "io",
            "ipaddress",
            "itertools",
            "logging",
            "operator",
            "os",
            "pathlib",
            "random",
            "re",
            "sre_compile",
            "sre_constants",
            "sre_parse",
            "string",
            "sys",
            "threading",
            "time",
            "types",
            "typing",
            "unicodedata",
            "urllib",
            "warnings",
            "weakref",
        }
    )

#: Names imported only for type checkers (under ``if TYPE_CHECKING:``):
#: typeshed's private stubs, which exist for mypy only.
TYPE_CHECKING_ONLY = frozenset({"_typeshed"})


class Import(NamedTuple):
    #: The top-level module for absolute imports; the ``_core`` module for
    #: relative ones (``from .http import x`` -> "http").
    name: str
    relative: bool
    type_checking: bool
    line: int


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path) -> List[Import]:
    """Every import statement of the module at *path*."""
    found: List[Import] = []

    def visit(node: ast.AST, type_checking: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                found.append(Import(top, False, type_checking, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                top = (node.module or "").split(".")[0]
                found.append(Import(top, False, type_checking, node.lineno))
            elif node.level == 1 and node.module is None:
                for alias in node.names:
                    found.append(Import(alias.name, True, type_checking, node.lineno))
            elif node.level == 1:
                top = (node.module or "").split(".")[0]
                found.append(Import(top, True, type_checking, node.lineno))
            else:
                # Reaching above the package: always a violation, reported as
                # the parent-relative path.
                name = "." * node.level + (node.module or "")
                found.append(Import(name, True, type_checking, node.lineno))
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_checking)
            return
        for inner in ast.iter_child_nodes(node):
            visit(inner, type_checking)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), False)
    return found


CORE_MODULES = sorted(
    path.stem for path in CORE.glob("*.py") if path.stem != "__init__"
)


def test_every_core_module_has_a_layer() -> None:
    """A new module of ``_core`` must be placed in the layer table, once."""
    placed = [module for layer in LAYERS for module in layer]
    assert len(placed) == len(set(placed))
    assert sorted(placed) == CORE_MODULES


@pytest.mark.parametrize("module", [*CORE_MODULES, "__init__"])
def test_core_module_imports_only_the_standard_library_and_the_core(
    module: str,
) -> None:
    """The core has no dependencies: the standard library, or ``_core`` itself
    (typeshed's stubs for type checkers only; mypyc's decorator module, which
    only the compiler reads and a fallback replaces at run time)."""
    for found in imports_of(CORE / f"{module}.py"):
        if found.relative:
            assert found.name in LAYER_OF, f"{module}.py:{found.line}: {found.name}"
        elif found.type_checking and found.name in TYPE_CHECKING_ONLY:
            continue
        elif found.name == "mypy_extensions":
            source = (CORE / f"{module}.py").read_text(encoding="utf-8")
            assert "except ImportError:" in source, f"{module}.py: no fallback"
        else:
            assert found.name in STDLIB, f"{module}.py:{found.line}: {found.name}"


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_only_from_the_layers_below(module: str) -> None:
    """Imports go one way, so the layers form no cycle."""
    layer = LAYER_OF[module]
    for found in imports_of(CORE / f"{module}.py"):
        if found.relative:
            below = LAYER_OF.get(found.name, len(LAYERS))
            assert below < layer, (
                f"{module}.py:{found.line} imports {found.name}, which is not "
                f"below layer {layer} ({', '.join(LAYERS[layer])})"
            )


def test_fetch_imports_only_the_core() -> None:
    """``cors_wsgi.fetch`` re-exports the core's safelists; nothing else."""
    for found in imports_of(PACKAGE / "fetch.py"):
        if found.name == "__future__":
            continue
        assert found.relative and found.name == "_core", found


def test_the_import_reader_sees_every_form_of_import(tmp_path: Path) -> None:
    """The checks above can fail: each form of import statement is seen."""
    source = tmp_path / "sample.py"
    source.write_text(
        "import os.path\n"
        "from typing import TYPE_CHECKING\n"
        "from . import memo, http\n"
        "from .policy import Policy\n"
        "from .. import errors\n"
        "if TYPE_CHECKING:\n"
        "    from _typeshed import OptExcInfo\n"
        "else:\n"
        "    import json\n"
        "def later():\n"
        "    import werkzeug\n",
        encoding="utf-8",
    )
    assert [(i.name, i.relative, i.type_checking) for i in imports_of(source)] == [
        ("os", False, False),
        ("typing", False, False),
        ("memo", True, False),
        ("http", True, False),
        ("policy", True, False),
        ("..", True, False),
        ("_typeshed", False, True),
        ("json", False, False),
        ("werkzeug", False, False),
    ]
