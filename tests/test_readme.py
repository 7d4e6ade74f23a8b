"""The README's wrap-your-app examples run as written and do what it says.

A new user copies them into a plain WSGI or a Flask application; they must
keep working, so they are executed here from the README itself.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

from werkzeug.test import Client

README = Path(__file__).resolve().parent.parent / "README.md"
ALLOWED = "https://app.example.com"


def python_blocks() -> List[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def run_block(marker: str) -> Dict[str, Any]:
    [block] = [block for block in python_blocks() if marker in block]
    namespace: Dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(block, str(README), "exec"), namespace)
    return namespace


def test_the_readme_has_the_plain_wsgi_and_flask_examples() -> None:
    blocks = python_blocks()
    assert any("def app(environ, start_response)" in block for block in blocks)
    assert any("Flask(__name__)" in block for block in blocks)


def test_plain_wsgi_example_allows_its_origin() -> None:
    # https://fetch.spec.whatwg.org/#http-access-control-allow-origin
    application = run_block("def app(environ, start_response)")["application"]
    response = Client(application).get("/", headers={"Origin": ALLOWED})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.get_data() == b'{"hello": "world"}'


def test_plain_wsgi_example_answers_a_delete_preflight_with_authorization() -> None:
    # https://fetch.spec.whatwg.org/#cors-preflight-fetch
    application = run_block("def app(environ, start_response)")["application"]
    response = Client(application).options(
        "/",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "DELETE",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Methods"] == "DELETE"
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"


def test_plain_wsgi_example_refuses_another_origin() -> None:
    application = run_block("def app(environ, start_response)")["application"]
    response = Client(application).get("/", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Vary"] == "Origin"


def test_flask_example_allows_its_origin_and_keeps_the_flask_app() -> None:
    namespace = run_block("Flask(__name__)")
    app = namespace["app"]
    response = app.test_client().get("/api/hello", headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert response.get_json() == {"hello": "world"}
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in response.headers.getlist("Vary")
