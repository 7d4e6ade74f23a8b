"""A Pyramid application, built by Paste Deploy from the [app:api] section."""

from __future__ import annotations

from pyramid.config import Configurator


def items(request):
    if request.method == "POST":
        request.response.status_code = 201
        return {"created": request.json_body["name"]}
    return {"items": ["apple", "pear"]}


def delete_item(request):
    return {"deleted": request.matchdict["name"]}


def main(global_config, **settings):
    with Configurator(settings=settings) as config:
        config.add_route("items", "/api/items")
        config.add_view(items, route_name="items", renderer="json")
        config.add_route("item", "/api/items/{name}")
        config.add_view(
            delete_item, route_name="item", request_method="DELETE", renderer="json"
        )
    return config.make_wsgi_app()
