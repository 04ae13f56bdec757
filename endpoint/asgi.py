"""ASGI entry point for servers: ``uvicorn endpoint.asgi:app`` (settings from PORTAL_* variables).

``portal endpoint`` serves it with timeouts for slow clients and a connection
cap (``endpoint/server.py``); a server started otherwise needs its own, or nginx's.
"""

from endpoint.app import create_app
from endpoint.settings import Settings

app = create_app(Settings.from_env())
