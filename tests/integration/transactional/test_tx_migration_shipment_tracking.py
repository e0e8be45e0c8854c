"""Migration 0008 on a store that has shipped before, on SQLite and PostgreSQL: each shipment's
history starts with what the shipments table knew (its booking, and the status it reached)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import create_engine, text

from transactional.schema import upgrade
from transactional.shipping.repository import ShippingRepository
from transactional.shipping.tracking import tracking_view

# the revision before, where `old_store_url` (conftest) starts
BEFORE = "0007_category_tree_and_reviews"
BOOKED, DELIVERED = "2026-12-01T09:00:00+00:00", "2026-12-03T15:30:00+00:00"
_INSERT = text(
    "INSERT INTO shipments (shipment_id, order_id, carrier_ref, status, created_at, updated_at)"
    " VALUES (:id, :order_id, :ref, :status, :created, :updated)"
)


def test_shipments_made_before_get_their_history(old_store_url):
    engine = create_engine(old_store_url)
    try:
        with engine.begin() as connection:
            for shipment_id, order_id, status, updated in [
                ("shp-1", "o-1", "created", BOOKED),
                ("shp-2", "o-2", "delivered", DELIVERED),
            ]:
                connection.execute(
                    _INSERT,
                    {"id": shipment_id, "order_id": order_id, "ref": f"trk_{order_id}",
                     "status": status, "created": BOOKED, "updated": updated},
                )  # fmt: skip
        upgrade(engine)
        with engine.connect() as connection:
            shipments = ShippingRepository(connection)
            views = {
                order_id: tracking_view(connection, shipments.shipment_of(order_id), "Carrier")  # type: ignore[arg-type]
                for order_id in ("o-1", "o-2")
            }
    finally:
        engine.dispose()
    booked, delivered = datetime.fromisoformat(BOOKED), datetime.fromisoformat(DELIVERED)
    assert [(e.status, e.occurred_at) for e in views["o-1"].events] == [("created", booked)]
    assert [(e.status, e.occurred_at) for e in views["o-2"].events] == [
        ("created", booked),
        ("delivered", delivered),
    ]
    assert views["o-2"].status == "delivered" and views["o-2"].tracking_number == "trk_o-2"
