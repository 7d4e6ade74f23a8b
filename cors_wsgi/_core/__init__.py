"""The core of cors_wsgi: standard library only, private.

Nothing here is public API; the public names are re-exported from
:mod:`cors_wsgi` and :mod:`cors_wsgi.fetch`. Modules here import only the
standard library and each other, each only from the layers below it.
"""
