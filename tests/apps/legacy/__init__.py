"""A legacy WSGI application that knows nothing of CORS, for the server tests.

The recipes in ``docs/recipes`` wrap ``legacy.wsgi:application``; the tests
put ``tests/apps`` on the server's Python path so that this package answers
to that name.
"""
