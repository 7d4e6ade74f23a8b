#!/bin/sh
# Serve legacy.wsgi:application behind CORS with waitress; its code is unchanged.
set -e
set -a  # export every variable that cors.env sets
. ./cors.env
set +a
exec waitress-serve --listen=127.0.0.1:8000 --threads=8 cors_wsgi.wsgi:application
