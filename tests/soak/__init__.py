"""The soak: cors_wsgi under gunicorn and a sustained mixed load (``soak.py``)."""
