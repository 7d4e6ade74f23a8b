# /srv/legacy/legacy-cors.wsgi: the legacy app, wrapped with CORS in Python.
from cors_wsgi import CORSMiddleware
from legacy.wsgi import application as legacy_application

application = CORSMiddleware(
    legacy_application,
    allow_origins=["https://app.example.com"],
    allow_methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["Authorization", "X-Request-Id"],
    expose_headers=["X-Request-Id"],
    allow_credentials=True,
    max_age=600,
)
