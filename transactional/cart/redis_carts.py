"""Redis carts (scale-out): one hash per cart, shared by every gateway process; guest carts
expire when left untouched. Redis cannot join the database transaction; see `empty`."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import cast

import redis
from sqlalchemy import Connection

from transactional.cart.domain import Cart, CartLine, customer_cart_id
from transactional.cart.port import CartBackend, Carts
from transactional.common.clock import iso
from transactional.common.uow import transaction_of

OWNER = "owner"  # hash field holding the customer id ("" for a guest cart)
LINE = "line:"  # prefix of the hash fields holding one line each, by product id

# Deletes every line field but keeps the cart: one script, so no add slips in half-way.
_EMPTY = """
for _, name in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(name, 1, 5) == 'line:' then redis.call('HDEL', KEYS[1], name) end
end
return 1
"""


class RedisCartBackend(CartBackend):
    def __init__(self, url: str, guest_ttl_s: int, namespace: str = "storeloop:") -> None:
        # The client connects lazily, on the first command: building it does no I/O.
        self.client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
        self.namespace = namespace
        self.guest_ttl_s = guest_ttl_s
        self.empty_script = self.client.register_script(_EMPTY)

    def carts(self, connection: Connection) -> Carts:
        return RedisCarts(self, connection)

    def close(self) -> None:
        self.client.close()


class RedisCarts(Carts):
    def __init__(self, backend: RedisCartBackend, connection: Connection) -> None:
        self.backend = backend
        self.client = backend.client
        self.connection = connection

    def get(self, cart_id: str) -> Cart | None:
        # Text, not bytes: the client decodes responses.
        fields = cast(dict[str, str], self.client.hgetall(self._key(cart_id)))
        if OWNER not in fields:
            return None
        lines = {
            name[len(LINE) :]: _line(name[len(LINE) :], raw)
            for name, raw in sorted(fields.items())
            if name.startswith(LINE)
        }
        return Cart(cart_id, fields[OWNER] or None, lines)

    def for_customer(self, customer_id: str) -> Cart | None:
        return self.get(customer_cart_id(customer_id))

    def create(self, cart: Cart, now: datetime) -> None:
        self.client.hsetnx(self._key(cart.cart_id), OWNER, cart.customer_id or "")
        self._touch(cart.cart_id, cart.customer_id is None)

    def save_line(self, cart_id: str, line: CartLine, now: datetime, is_new: bool) -> None:
        value = {
            "quantity": line.quantity,
            "unit_price": str(line.unit_price),
            "search_id": line.search_id,
            "recommendation_id": line.recommendation_id,
            "added_at": iso(now),
            "offer_id": line.offer_id,
        }
        self.client.hset(self._key(cart_id), LINE + line.product_id, json.dumps(value))
        self._touch(cart_id, cart_id.startswith("g-"))

    def remove_line(self, cart_id: str, product_id: str) -> bool:
        return bool(self.client.hdel(self._key(cart_id), LINE + product_id))

    def empty(self, cart_id: str) -> None:
        # Order placement calls this inside the order's transaction. Emptying at once would
        # lose the cart if that transaction then rolled back, so it waits until the COMMIT has
        # succeeded. If the process dies in between, the cart stays full: the order's
        # idempotency key, not the cart, guards against a double order.
        key = self._key(cart_id)
        tx = transaction_of(self.connection)
        if tx is None:  # outside a unit of work nothing can roll back: empty now
            self.backend.empty_script([key])
        else:
            tx.after_commit(lambda: self.backend.empty_script([key]))

    def delete(self, cart_id: str) -> None:
        self.client.delete(self._key(cart_id))

    def _key(self, cart_id: str) -> str:
        return f"{self.backend.namespace}cart:{cart_id}"

    def _touch(self, cart_id: str, guest: bool) -> None:
        if guest:
            self.client.expire(self._key(cart_id), self.backend.guest_ttl_s)


def _line(product_id: str, raw: str) -> CartLine:
    value = json.loads(raw)
    return CartLine(
        product_id,
        value["quantity"],
        Decimal(value["unit_price"]),
        value["search_id"],
        value.get("recommendation_id"),  # absent from lines saved before recommendations
        value.get("offer_id"),  # absent from lines saved before offers: the buy box
    )
