# gunicorn.conf.py: run with `gunicorn --config gunicorn.conf.py`.
# Serves legacy.wsgi:application behind CORS, without changing its code.
from __future__ import annotations

wsgi_app = "cors_wsgi.wsgi:application"
bind = "127.0.0.1:8000"
worker_class = "gthread"
workers = 2
threads = 8

# gunicorn sets these in os.environ before it loads cors_wsgi.wsgi.
raw_env = [
    "CORS_WSGI_APP=legacy.wsgi:application",
    "CORS_ALLOW_ORIGINS=https://app.example.com",
    "CORS_ALLOW_METHODS=GET,POST,PUT,DELETE",
    "CORS_ALLOW_HEADERS=Authorization,X-Request-Id",
    "CORS_EXPOSE_HEADERS=X-Request-Id",
    "CORS_ALLOW_CREDENTIALS=true",
    "CORS_MAX_AGE=600",
]
