"""Settings of the small Django project that the integration tests serve."""

from __future__ import annotations

from typing import Any, Dict, List

SECRET_KEY = "used by the tests only"
DEBUG = False
ALLOWED_HOSTS = ["api.example.com", "localhost"]
ROOT_URLCONF = "tests.integrations.djangoproject.urls"
WSGI_APPLICATION = "tests.integrations.djangoproject.wsgi.application"
INSTALLED_APPS = ["cors_wsgi.django.CORSWSGIConfig"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
DATABASES: Dict[str, Any] = {}
TEMPLATES: List[Dict[str, Any]] = []
USE_TZ = True
# Leave the logging of the process that runs the tests as it is.
LOGGING_CONFIG = None

CORS_WSGI = {
    "allow_origins": ["https://app.example.com"],
    "allow_methods": "GET POST DELETE",
    "allow_credentials": True,
}
