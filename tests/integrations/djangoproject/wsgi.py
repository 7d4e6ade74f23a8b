"""The project's WSGI entry point: Django's handler, wrapped with CORS_WSGI."""

from __future__ import annotations

import os

from cors_wsgi.django import get_wsgi_application

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", "tests.integrations.djangoproject.settings"
)

application = get_wsgi_application()
