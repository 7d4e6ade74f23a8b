"""A Flask app wrapped by hand: the middleware around app.wsgi_app."""

from __future__ import annotations

from flask import Flask

from cors_wsgi import CORSMiddleware

app = Flask(__name__)


@app.get("/api/items")
def items() -> dict[str, list[str]]:
    return {"items": ["apple", "pear"]}


app.wsgi_app = CORSMiddleware(
    app.wsgi_app,
    allow_origins=["https://app.example.com"],
    allow_methods=["GET", "POST", "DELETE"],
)
