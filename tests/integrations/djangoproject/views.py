"""Views of the small Django project: a JSON API, a failing view, a CSRF token."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token


def items(request: HttpRequest) -> JsonResponse:
    """GET lists the items; POST (CSRF-protected, as every Django view) adds one."""
    if request.method == "POST":
        return JsonResponse({"created": True}, status=201)
    return JsonResponse({"items": ["apple", "pear"]})


def boom(request: HttpRequest) -> JsonResponse:
    raise RuntimeError("the view failed")


def csrf(request: HttpRequest) -> JsonResponse:
    """The CSRF token a cross-origin page sends back in ``X-CSRFToken``."""
    return JsonResponse({"csrf_token": get_token(request)})
