# Sphinx configuration for the cors_wsgi documentation.
# Built by `tox -e docs` as: sphinx-build -n -W --keep-going -b html docs ...
import os
import sys

# Build from the checkout when the package is not installed (tox installs it).
sys.path.insert(0, os.path.abspath(".."))

import cors_wsgi

project = "cors_wsgi"
author = "the cors_wsgi developers"
copyright = "2026, the cors_wsgi developers"
release = cors_wsgi.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
]

# No intersphinx: the builds run without network access to docs.python.org.
# Standard-library names are written as literals in the prose, and the few
# that autodoc turns into references are listed in nitpick_ignore below.
nitpicky = True
nitpick_ignore = [
    ("py:class", "WSGIApplication"),
    ("py:class", "_typeshed.wsgi.WSGIApplication"),
]

# The option types live in configuration.rst; in signatures they would only
# say "Any".
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autoclass_content = "class"

doctest_global_setup = """
from cors_wsgi import CORSMiddleware, ConfigurationError

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]
"""

exclude_patterns = ["_build"]
templates_path = []
html_static_path = []
html_theme = "alabaster"
html_title = f"cors_wsgi {release}"
html_theme_options = {
    "description": "CORS for any WSGI application",
    "show_powered_by": False,
}
