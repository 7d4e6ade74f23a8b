# /srv/legacy/legacy-env.wsgi: the legacy app behind cors_wsgi.wsgi.
# mod_wsgi does not copy Apache's SetEnv values into os.environ, so the
# variables are set here, before cors_wsgi.wsgi reads them on import.
import os

os.environ.update(
    {
        "CORS_WSGI_APP": "legacy.wsgi:application",
        "CORS_ALLOW_ORIGINS": "https://app.example.com",
        "CORS_ALLOW_METHODS": "GET,POST,PUT,DELETE",
        "CORS_ALLOW_HEADERS": "Authorization,X-Request-Id",
        "CORS_EXPOSE_HEADERS": "X-Request-Id",
        "CORS_ALLOW_CREDENTIALS": "true",
        "CORS_MAX_AGE": "600",
    }
)

from cors_wsgi.wsgi import application  # noqa: E402
