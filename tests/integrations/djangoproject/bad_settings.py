"""The project's settings with a CORS_WSGI that cannot be built."""

from __future__ import annotations

from tests.integrations.djangoproject.settings import *  # noqa: F403

CORS_WSGI = {"allow_origins": ["https://app.example.com"], "max_age": "ten"}
