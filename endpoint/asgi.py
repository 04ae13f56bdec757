"""ASGI entry point for servers: ``uvicorn endpoint.asgi:app`` (settings from PORTAL_* variables)."""

from endpoint.app import create_app
from endpoint.settings import Settings

app = create_app(Settings.from_env())
