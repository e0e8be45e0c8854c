"""The gateway as an ASGI factory for servers that start several worker processes:
`uvicorn --factory transactional.gateway.asgi:app_from_env --workers 4` (each worker builds
its own app from the STORE_* environment; nothing happens at import). The store alone: no
marts reader (the sellers' sales answer 503), no storefront; `launch.gateway_server:app_from_env`
is the whole platform's."""

from __future__ import annotations

from fastapi import FastAPI

from storeloop.settings import Settings
from transactional.gateway.app import create_app


def app_from_env() -> FastAPI:
    return create_app(Settings())
