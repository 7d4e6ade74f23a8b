"""Sphinx directives that generate documentation from cors_wsgi itself.

``.. cors-option:: NAME``
    The facts of one option, taken from the option table
    (``cors_wsgi._core.options.OPTIONS``): its Python type, default, one-line
    doc, whether a resource may set it, and its example written in every
    form the entry points accept (Python, ini and Paste Deploy, environment
    variable, Flask config key, Django's ``CORS_WSGI``, ``cors-wsgi`` flag).
    The example is parsed and a middleware is built with it while the docs
    build, so a broken example fails the build.

``.. cors-options-table::``
    One row per option: name (linked to ``option-NAME``), default, doc.

``.. cors-wsgi-command::``
    Runs ``cors-wsgi`` in-process with the arguments of its content (one
    or more lines, joined) and shows the command and its real output as a
    console block, with the exit status when it is not 0.

At the end of reading, every option of the table must have had exactly one
``cors-option`` directive, so a new option cannot go undocumented.
"""

from __future__ import annotations

import contextlib
import io
import shlex
from typing import Any, Dict, List

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from cors_wsgi import CORSMiddleware
from cors_wsgi._core.options import BY_NAME, OPTIONS, env_name, flag_name

logger = logging.getLogger(__name__)

#: The Python types of the options, as the constructor accepts them. A test
#: of the build: every option of the table must be here, and nothing else.
PYTHON_TYPES: Dict[str, str] = {
    "allow_origins": 'iterable of str, ``"*"``, or a callable '
    "``(origin: str, environ: dict) -> bool``",
    "allow_origin_regex": "``str``, compiled ``re.Pattern[str]``, or ``None``",
    "allow_methods": 'iterable of str, or ``"*"``',
    "allow_headers": 'iterable of str, or ``"*"``',
    "expose_headers": 'iterable of str, or ``"*"``',
    "allow_credentials": "``bool``",
    "max_age": "``int`` >= 0, or ``None``",
    "allow_private_network": "``bool``",
    "resources": "``dict`` of path pattern (``str`` or compiled "
    "``re.Pattern[str]``) to a ``dict`` of options, or ``None``",
    "preflight_status": "``int``, 200 to 299",
    "deny_status": "``int``, 200 to 599",
    "preflight_passthrough": "``bool``",
    "preflight_cache_size": "``int`` >= 0",
}

_STRING_FORMS = {
    "list": "a list: items split on commas and white space; ``*`` alone means any",
    "bool": "a boolean: ``true``/``false``, ``yes``/``no``, ``on``/``off``, "
    "``1``/``0``, in any case",
    "int": "a decimal number",
    "text": "the text itself, surrounding white space removed; empty means ``None``",
}


def _app(environ: Any, start_response: Any) -> List[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b""]


def _python(value: Any) -> str:
    if isinstance(value, tuple):
        return repr(list(value))
    if isinstance(value, str) and "\\" in value and "'" not in value:
        return "r'" + value + "'"
    return repr(value)


def _text(text: str) -> str:
    """*text* as reStructuredText prose, its markup characters escaped."""
    for char in "\\*`|_":
        text = text.replace(char, "\\" + char)
    return text


def _shell_value(text: str) -> str:
    return shlex.quote(text)


def _literal(text: str) -> str:
    return "``" + text + "``"


_GLOBAL = "no, only for the whole middleware"


def option_lines(name: str) -> List[str]:
    """The reStructuredText of option *name*'s facts."""
    option = BY_NAME[name]
    lines = [
        f":Type: {PYTHON_TYPES[name]}",
        f":Default: {_literal(repr(option.default))}",
        f":Set per resource: {'yes' if option.per_resource else _GLOBAL}",
        f":In short: {_text(option.doc)}",
    ]
    if option.kind == "python":
        lines.append(
            ":String forms: none: ``from_config``, ini files, Paste Deploy, "
            "environment variables and flags refuse it (Flask's "
            "``CORS_RESOURCES`` and Django's ``CORS_WSGI`` take the Python dict)"
        )
        return lines
    value = option.parse(option.example)
    text = option.example
    if option.kind == "bool":
        flag = f"{flag_name(name)}" + ("" if value else "=false")
    else:
        flag = f"{flag_name(name)} {_shell_value(text)}"
    rows = [
        ("Python", f"{name}={_python(value)}"),
        ("ini file, Paste Deploy", f"{name} = {text}"),
        ("environment (``cors_wsgi.wsgi``)", f"{env_name(name)}={_shell_value(text)}"),
        ("Flask ``app.config``", f"{env_name(name)} = {_python(text)}"),
        ("Django ``CORS_WSGI``", f"{{{name!r}: {_python(value)}}}"),
        ("``cors-wsgi serve``/``explain``", flag),
    ]
    lines.append(f":String form: {_STRING_FORMS[option.kind]}")
    lines.append(":Example:")
    lines.append("")
    lines.append("    .. list-table::")
    lines.append("        :widths: 30 70")
    lines.append("")
    for where, written in rows:
        lines.append(f"        * - {where}")
        lines.append(f"          - {_literal(written)}")
    return lines


def check_example(name: str) -> str:
    """An empty string, or what is wrong with option *name*'s example."""
    option = BY_NAME[name]
    if option.kind == "python":
        return ""
    try:
        value = option.parse(option.example)
        CORSMiddleware(_app, **{name: value})
        CORSMiddleware.from_config(_app, {name: option.example})
    except ValueError as exc:
        return f"the example {option.example!r} of {name} does not build: {exc}"
    return ""


class CorsOption(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self) -> List[nodes.Node]:
        name = self.arguments[0]
        if name not in BY_NAME:
            raise self.error(f"cors-option: {name!r} is not an option of the table")
        problem = check_example(name)
        if problem:
            logger.warning(problem, location=self.get_location())
        seen: Dict[str, str] = getattr(self.env, "cors_options_seen", {})
        if name in seen:
            logger.warning(
                f"cors-option {name} is documented twice", location=self.get_location()
            )
        seen[name] = self.env.docname
        self.env.cors_options_seen = seen  # type: ignore[attr-defined]
        container = nodes.container(classes=["cors-option"])
        self.state.nested_parse(
            StringList(option_lines(name), source=self.get_source_info()[0]),
            self.content_offset,
            container,
        )
        return [container]


class CorsOptionsTable(SphinxDirective):
    has_content = False

    def run(self) -> List[nodes.Node]:
        lines = [
            ".. list-table::",
            "    :header-rows: 1",
            "    :widths: 25 20 55",
            "",
            "    * - option",
            "      - default",
            "      - what it does",
        ]
        for option in OPTIONS:
            lines.append(f"    * - :ref:`{option.name} <option-{option.name}>`")
            lines.append(f"      - {_literal(repr(option.default))}")
            lines.append(f"      - {_text(option.doc)}")
        container = nodes.container()
        self.state.nested_parse(
            StringList(lines, source=self.get_source_info()[0]),
            self.content_offset,
            container,
        )
        return list(container.children)


class CorsWsgiCommand(SphinxDirective):
    """Run ``cors-wsgi`` with the content as arguments; show its real output."""

    has_content = True
    option_spec = {"returncode": directives.nonnegative_int}

    def run(self) -> List[nodes.Node]:
        from cors_wsgi.cli import main

        chunks = [line.strip() for line in self.content if line.strip()]
        argv = shlex.split(" ".join(chunks))
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                status = main(argv)
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else 1
        expected = self.options.get("returncode", 0)
        if status != expected:
            logger.warning(
                f"cors-wsgi {' '.join(argv)} exited with {status}, "
                f"not {expected}:\n{out.getvalue()}",
                location=self.get_location(),
            )
        shown = " \\\n      ".join(chunks)
        text = f"$ cors-wsgi {shown}\n{out.getvalue().rstrip()}"
        if status:
            text += f"\n$ echo $?\n{status}"
        block = nodes.literal_block(text, text, language="text")
        return [block]


def check_consistency(app: Sphinx, env: Any) -> None:
    seen = getattr(env, "cors_options_seen", {})
    for option in OPTIONS:
        if option.name not in seen:
            logger.warning(
                f"option {option.name} of the option table has no "
                f".. cors-option:: directive in the docs"
            )
    if set(PYTHON_TYPES) != set(BY_NAME):
        logger.warning(
            "docs/_ext/cors_options.py PYTHON_TYPES does not list exactly the "
            f"options of the table: {sorted(set(PYTHON_TYPES) ^ set(BY_NAME))}"
        )


def purge(app: Sphinx, env: Any, docname: str) -> None:
    seen = getattr(env, "cors_options_seen", {})
    for name in [name for name, doc in seen.items() if doc == docname]:
        del seen[name]


def merge(app: Sphinx, env: Any, docnames: Any, other: Any) -> None:
    seen = getattr(env, "cors_options_seen", {})
    seen.update(getattr(other, "cors_options_seen", {}))
    env.cors_options_seen = seen


def setup(app: Sphinx) -> Dict[str, Any]:
    app.add_directive("cors-option", CorsOption)
    app.add_directive("cors-options-table", CorsOptionsTable)
    app.add_directive("cors-wsgi-command", CorsWsgiCommand)
    app.connect("env-check-consistency", check_consistency)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
