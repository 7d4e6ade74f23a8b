"""The URLconf of the small Django project."""

from __future__ import annotations

from django.urls import path

from tests.integrations.djangoproject import views

urlpatterns = [
    path("api/items/", views.items),
    path("api/boom/", views.boom),
    path("api/csrf/", views.csrf),
]
