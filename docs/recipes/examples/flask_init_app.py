"""A Flask app whose CORS policy lives in app.config, read by init_app()."""

from __future__ import annotations

from flask import Flask, abort, request

from cors_wsgi.flask import init_app

app = Flask(__name__)
app.config.update(
    CORS_ALLOW_ORIGINS=["https://app.example.com"],
    CORS_ALLOW_METHODS="GET POST DELETE",  # strings parse as in from_config
    CORS_ALLOW_HEADERS=["Authorization"],
    CORS_MAX_AGE=3600,
)


@app.before_request
def require_a_token() -> None:
    # Preflights never get here: the middleware answers them itself.
    if request.headers.get("Authorization") != "Bearer let-me-in":
        abort(401)


@app.get("/api/items")
def items() -> dict[str, list[str]]:
    return {"items": ["apple", "pear"]}


@app.delete("/api/items/<name>")
def delete_item(name: str) -> dict[str, str]:
    return {"deleted": name}


cors = init_app(app, allow_credentials=True)  # keywords win over app.config
