"""`python -m transactional.gateway`: serve the gateway on `settings.gateway_port`."""

from __future__ import annotations

import uvicorn

from storeloop.settings import Settings
from transactional.gateway.app import create_app
from transactional.gateway.json_logs import configure_json_logging


def main() -> None:
    settings = Settings()
    configure_json_logging()
    # The gateway writes its own JSON access line; uvicorn's would repeat it as plain text.
    uvicorn.run(
        create_app(settings),
        host="127.0.0.1",
        port=settings.gateway_port,
        access_log=False,
        log_config=None,
        server_header=False,  # no version banner for a scanner to match (ASVS 14.3.3)
    )


if __name__ == "__main__":
    main()
