#!/bin/sh
# Serve legacy.wsgi:application behind CORS with gunicorn; its code is unchanged.
set -e
set -a  # export every variable that cors.env sets
. ./cors.env
set +a
exec gunicorn --bind 127.0.0.1:8000 --workers 2 cors_wsgi.wsgi:application
