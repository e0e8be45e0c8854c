"""A silver lake of a few sellers' orders, as the Spark silver job lays it out, for tests of the
sellers' sales mart, its reader and the pages over it (conftest.py holds the bigger fixture)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.integration.warehouse.conftest import write_table

SOLD = {"paid", "fulfilled", "shipped", "delivered", "returned", "refunded"}


@dataclass(frozen=True)
class Line:
    product_id: str
    seller_id: str
    quantity: int
    unit_price: float


@dataclass(frozen=True)
class SoldOrder:
    order_id: str
    customer_id: str
    status: str
    placed_at: datetime
    lines: list[Line]


def write_sales_lake(lake: Path, orders: list[SoldOrder]) -> None:
    """products, customers, orders, order_items and payments; the other silver tables stay
    without files (the marts read them as empty)."""
    made = datetime(2025, 12, 1, tzinfo=UTC)
    products = {
        line.product_id: {
            "product_id": line.product_id, "seller_id": line.seller_id,
            "title": line.product_id, "description": "", "brand": "Acme", "category": "Kitchen",
            "price": line.unit_price, "currency": "USD", "rating": 4.0, "rating_count": 1,
            "image_url": "", "stock": 5, "is_deleted": False, "created_at": made,
            "updated_at": made,
        }
        for order in orders
        for line in order.lines
    }  # fmt: skip
    write_table(lake, "silver", "products", list(products.values()), None)
    people = {o.customer_id: "customer" for o in orders} | {
        p["seller_id"]: "seller" for p in products.values()
    }
    customers = [
        {"customer_id": who, "name": who, "email": f"{who}@example.com", "role": role,
         "registered_at": made}
        for who, role in people.items()
    ]  # fmt: skip
    write_table(lake, "silver", "customers", customers, None)
    rows: dict[str, list[dict]] = {"orders": [], "order_items": [], "payments": []}
    for order in orders:
        total = sum(line.quantity * line.unit_price for line in order.lines)
        rows["orders"].append({
            "order_id": order.order_id, "customer_id": order.customer_id,
            "status": order.status, "currency": "USD", "total": total,
            "item_count": len(order.lines), "placed_at": order.placed_at,
        })  # fmt: skip
        rows["order_items"] += [
            {"order_id": order.order_id, "customer_id": order.customer_id,
             "product_id": line.product_id, "quantity": line.quantity,
             "unit_price": line.unit_price, "line_total": line.quantity * line.unit_price,
             "search_id": None, "recommendation_id": None, "placed_at": order.placed_at}
            for line in order.lines
        ]  # fmt: skip
        rows["payments"].append({
            "payment_id": f"pay-{order.order_id}", "order_id": order.order_id,
            "status": "captured" if order.status in SOLD else "declined", "amount": total,
            "currency": "USD", "decline_code": None, "occurred_at": order.placed_at,
        })  # fmt: skip
    write_table(lake, "silver", "orders", rows["orders"], "placed_at")
    write_table(lake, "silver", "order_items", rows["order_items"], "placed_at")
    write_table(lake, "silver", "payments", rows["payments"], "occurred_at")
