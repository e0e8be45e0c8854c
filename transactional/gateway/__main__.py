"""`python -m transactional.gateway`: serve the gateway on `settings.gateway_port`."""

from __future__ import annotations

import uvicorn

from storeloop.settings import Settings
from transactional.gateway.app import create_app


def main() -> None:
    settings = Settings()
    uvicorn.run(create_app(settings), host="127.0.0.1", port=settings.gateway_port)


if __name__ == "__main__":
    main()
