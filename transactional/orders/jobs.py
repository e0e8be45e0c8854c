"""The money path's periodic jobs in one call, for a scheduler, the gateway or by hand:
`python -m transactional.orders.jobs` runs them once against the configured store."""

from __future__ import annotations

from datetime import datetime

from storeloop.settings import Settings
from transactional.bootstrap import Store, bootstrap


def run_money_jobs(store: Store, now: datetime | None = None) -> dict[str, int]:
    """Expires stale reservations, then settles open payments; returns how many of each."""
    now = now or store.clock.now()
    expired = store.orders.expire_reservations(now)
    reconciled = store.orders.reconcile_payments(now)
    return {"reservations_expired": len(expired), "payments_reconciled": len(reconciled)}


if __name__ == "__main__":
    store = bootstrap(Settings())
    try:
        print(run_money_jobs(store))
    finally:
        store.close()
