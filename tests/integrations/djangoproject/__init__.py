"""A small Django project, served through ``cors_wsgi.django.get_wsgi_application``."""
