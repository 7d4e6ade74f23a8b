"""CORS tests of a Django project: requests through the WSGI application.

django.test.Client calls Django's handler directly, without wsgi.py, so it
never reaches the middleware; werkzeug's Client calls the WSGI application
as a server would.
"""

from __future__ import annotations

from werkzeug.test import Client

from cors_wsgi.django import get_wsgi_application

APP = "https://app.example.com"


def test_the_app_may_read_the_api():
    client = Client(get_wsgi_application())
    response = client.get("/api/items/", headers={"Origin": APP})
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_other_origins_may_not():
    client = Client(get_wsgi_application())
    response = client.get("/api/items/", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_app_may_send_the_csrf_token_header():
    client = Client(get_wsgi_application())
    response = client.options(
        "/api/items/",
        headers={
            "Origin": APP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-csrftoken",
        },
    )
    assert response.status_code == 204
    assert "x-csrftoken" in response.headers["Access-Control-Allow-Headers"]
