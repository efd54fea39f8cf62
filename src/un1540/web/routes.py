"""The app's routes as one flat list, however its routers nest, and the methods a path allows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount


@dataclass(frozen=True)
class RouteInfo:
    """One route with its full path (prefixes included) and methods."""

    path: str
    methods: frozenset[str]
    route: BaseRoute  # the route as declared (an APIRoute for every API and portal page)
    path_regex: Any

    @property
    def api_route(self) -> APIRoute | None:
        return self.route if isinstance(self.route, APIRoute) else None


def iter_routes(routes: list[BaseRoute]) -> Iterator[RouteInfo]:
    """Every route, in the order the router tries them (mounts are left out)."""
    for route in routes:
        # FastAPI keeps included routers as branches; their effective routes carry full paths.
        contexts = (
            route.effective_route_contexts()
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        for context in contexts:
            path = getattr(context, "path", None)
            methods = getattr(context, "methods", None)
            regex = getattr(context, "path_regex", None)
            if path is None or methods is None or regex is None:
                continue
            original = getattr(context, "original_route", context)
            yield RouteInfo(path, frozenset(methods), original, regex)


def allowed_methods(routes: list[BaseRoute], path: str) -> list[str]:
    """The methods some route answers on this path (HEAD wherever GET is), for `Allow`."""
    methods: set[str] = set()
    for route in routes:
        if isinstance(route, Mount) and path.startswith(route.path + "/"):
            methods |= {"GET", "HEAD"}  # the static files
    for info in iter_routes(routes):
        if info.path_regex.match(path):
            methods |= info.methods
    if "GET" in methods:
        methods.add("HEAD")  # web.middleware.HeadAsGet answers HEAD on every GET route
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    return sorted(
        methods, key=lambda method: (order.index(method) if method in order else 9, method)
    )
