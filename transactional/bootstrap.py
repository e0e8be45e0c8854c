"""The one composition root: builds the engine, brings the schema up to date, wires handlers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from storeloop.settings import Settings
from transactional.cart.service import CartService
from transactional.catalog.service import CatalogService
from transactional.common.clock import Clock, SystemClock
from transactional.common.db import make_engine
from transactional.common.ids import seed_sequences
from transactional.common.uow import UnitOfWork
from transactional.inventory.service import InventoryService
from transactional.orders.service import OrderService
from transactional.payments.gateway import PaymentGateway
from transactional.payments.sandbox import SandboxPaymentGateway
from transactional.schema import create_schema
from transactional.storefront.service import StorefrontService
from transactional.users.service import UserService


@dataclass
class Store:
    users: UserService
    catalog: CatalogService
    inventory: InventoryService
    cart: CartService
    orders: OrderService
    storefront: StorefrontService
    payment_gateway: PaymentGateway
    clock: Clock
    engine: Engine

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(
    settings: Settings,
    clock: Clock | None = None,
    payment_gateway: PaymentGateway | None = None,
) -> Store:
    engine = make_engine(settings.db_url)
    create_schema(engine)
    with engine.begin() as connection:
        seed_sequences(connection)
    clock = clock or SystemClock()
    gateway = payment_gateway or SandboxPaymentGateway(seed=settings.seed)
    uow = UnitOfWork(engine, clock)
    return Store(
        users=UserService(uow),
        catalog=CatalogService(uow),
        inventory=InventoryService(uow),
        cart=CartService(uow),
        orders=OrderService(uow, gateway),
        storefront=StorefrontService(uow),
        payment_gateway=gateway,
        clock=clock,
        engine=engine,
    )
