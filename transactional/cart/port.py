"""The cart port: SQL rows in the store database (embedded default) or Redis (scale-out). The
engine carries the choice, so every unit of work, order placement included, finds the same one."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from sqlalchemy import Connection, Engine

from storeloop.settings import Settings
from transactional.cart.domain import Cart, CartLine

# Execution option on the engine naming the CartBackend; absent: SQL carts.
CARTS_OPTION = "store_carts"


class Carts(ABC):
    """The carts one unit of work sees. SQL carts write inside its transaction; Redis carts
    write at once (Redis cannot join the transaction), except `empty`, see RedisCarts."""

    @abstractmethod
    def get(self, cart_id: str) -> Cart | None: ...

    @abstractmethod
    def for_customer(self, customer_id: str) -> Cart | None: ...

    @abstractmethod
    def create(self, cart: Cart, now: datetime) -> None: ...

    @abstractmethod
    def save_line(self, cart_id: str, line: CartLine, now: datetime, is_new: bool) -> None: ...

    @abstractmethod
    def remove_line(self, cart_id: str, product_id: str) -> bool:
        """True when the line was there."""

    @abstractmethod
    def empty(self, cart_id: str) -> None:
        """Removes every line; the cart itself stays."""

    @abstractmethod
    def delete(self, cart_id: str) -> None:
        """Removes the cart and its lines (a guest cart merged into a customer's)."""


class CartBackend(ABC):
    @abstractmethod
    def carts(self, connection: Connection) -> Carts: ...

    def close(self) -> None:
        return None


def use_cart_backend(engine: Engine, backend: CartBackend) -> None:
    """Every connection of this engine made from now on finds `backend` (called at start-up)."""
    engine.update_execution_options(**{CARTS_OPTION: backend})


def carts_in(connection: Connection) -> Carts:
    backend = connection.get_execution_options().get(CARTS_OPTION)
    if backend is None:
        # Imported here: the SQL adapter imports this module for the Carts it implements.
        from transactional.cart.repository import CartRepository

        return CartRepository(connection)
    return backend.carts(connection)


def make_cart_backend(settings: Settings) -> CartBackend:
    if settings.cart_backend == "redis":
        # Imported here: the embedded default never needs the Redis client.
        from transactional.cart.domain import GUEST_CART_TTL_S
        from transactional.cart.redis_carts import RedisCartBackend

        return RedisCartBackend(settings.redis_url, GUEST_CART_TTL_S, settings.redis_namespace)
    from transactional.cart.repository import SqlCartBackend

    return SqlCartBackend()
