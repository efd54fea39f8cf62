"""ASGI entry point for servers other than `un1540 serve`: `uvicorn un1540.web.asgi:app`."""

from un1540.web.app import create_app

app = create_app(warm_up=True)
