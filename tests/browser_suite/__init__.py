"""Real Chromium, through Playwright, against cors_wsgi under waitress."""
