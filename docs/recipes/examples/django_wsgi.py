"""WSGI config for mysite: Django's handler, wrapped with the CORS_WSGI policy."""

from __future__ import annotations

import os

from cors_wsgi.django import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

application = get_wsgi_application()
