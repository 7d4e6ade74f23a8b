# settings.py: the cross-origin part of a Django project's settings.

# The CORS policy, read by cors_wsgi.django.get_wsgi_application().
from __future__ import annotations

CORS_WSGI = {
    "allow_origins": ["https://app.example.com"],
    "allow_methods": ["GET", "POST", "DELETE"],
    "allow_headers": ["X-CSRFToken"],
    "allow_credentials": True,
    "resources": {"/api/*": {}},  # the admin and the rest stay same-origin
}

# Django's CSRF check accepts an unsafe request from another origin only if
# that origin is trusted.
CSRF_TRUSTED_ORIGINS = ["https://app.example.com"]

# Only when the page is on another site (registrable domain) than the API:
# browsers then send the cookies on its requests only if they are
# SameSite=None, which they accept only with Secure (HTTPS).
CSRF_COOKIE_SAMESITE = "None"
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "None"
SESSION_COOKIE_SECURE = True
