"""CORScanner against cors_wsgi, all on loopback (``run.py``)."""
