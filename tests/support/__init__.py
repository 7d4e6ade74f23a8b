"""Test support, one concern a module: apps, environs, clients, header checks.

Everything here talks to :mod:`cors_wsgi` through its public API only.
"""
