"""The one composition root: builds the engine, brings the schema up to date, wires handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from storeloop.settings import Settings
from transactional.cart.port import CartBackend, make_cart_backend, use_cart_backend
from transactional.cart.service import CartService
from transactional.catalog.browse import CategoryService
from transactional.catalog.offer_service import OfferService
from transactional.catalog.review_service import ReviewService
from transactional.catalog.service import CatalogService
from transactional.common.clock import Clock, SystemClock
from transactional.common.db import make_engine
from transactional.common.ids import seed_sequences
from transactional.common.uow import UnitOfWork
from transactional.inventory.service import InventoryService
from transactional.orders.checkout import CrashHook
from transactional.orders.service import OrderService
from transactional.payments.gateway import PaymentGateway
from transactional.payments.sandbox import WEBHOOK_SECRET as PAYMENT_WEBHOOK_SECRET
from transactional.payments.sandbox import SandboxPaymentGateway
from transactional.schema import create_schema
from transactional.shipping.port import ShippingProvider
from transactional.shipping.sandbox import WEBHOOK_SECRET as SHIPPING_WEBHOOK_SECRET
from transactional.shipping.sandbox import SandboxShippingProvider
from transactional.shipping.service import ShippingService
from transactional.storefront.service import StorefrontService
from transactional.users.mailer import Mailer
from transactional.users.sandbox_mailer import SandboxMailer
from transactional.users.service import UserService


@dataclass
class Store:
    users: UserService
    catalog: CatalogService
    offers: OfferService
    categories: CategoryService
    reviews: ReviewService
    inventory: InventoryService
    cart: CartService
    orders: OrderService
    storefront: StorefrontService
    shipping: ShippingService
    payment_gateway: PaymentGateway
    shipping_provider: ShippingProvider
    mailer: Mailer
    clock: Clock
    engine: Engine
    # SQL or Redis carts (settings.cart_backend); every unit of work finds it on the engine.
    carts: CartBackend | None = None
    # provider name -> the secret its webhooks are signed with
    webhook_secrets: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        self.engine.dispose()
        for provider in (self.payment_gateway, self.shipping_provider, self.mailer, self.carts):
            close = getattr(provider, "close", None)
            if close is not None:
                close()


def bootstrap(
    settings: Settings,
    clock: Clock | None = None,
    payment_gateway: PaymentGateway | None = None,
    shipping_provider: ShippingProvider | None = None,
    crash_hook: CrashHook | None = None,
    mailer: Mailer | None = None,
) -> Store:
    """`crash_hook(step)` runs after each durable checkout step (the crash-recovery test kills the
    process there). The sandboxes keep their ledgers under the data dir: they are other
    companies' systems and outlive the store process."""
    engine = make_engine(settings.db_url)
    create_schema(engine)
    with engine.begin() as connection:
        seed_sequences(connection)
    carts = make_cart_backend(settings)
    use_cart_backend(engine, carts)
    clock = clock or SystemClock()
    secrets = {
        "payments": _setting(settings, "payment_webhook_secret", PAYMENT_WEBHOOK_SECRET),
        "shipping": _setting(settings, "shipping_webhook_secret", SHIPPING_WEBHOOK_SECRET),
    }
    gateway = payment_gateway or SandboxPaymentGateway(
        settings.root / "sandbox_payments.db",
        max_latency_s=_setting(settings, "payment_latency_s", 0.0),
        seed=settings.seed,
        webhook_secret=secrets["payments"],
        now=clock.now,
    )
    shipper = shipping_provider or SandboxShippingProvider(
        max_latency_s=_setting(settings, "shipping_latency_s", 0.0),
        seed=settings.seed,
        webhook_secret=secrets["shipping"],
        now=clock.now,
    )
    mailer = mailer or SandboxMailer(settings.root / "sandbox_mail.db", now=clock.now)
    hold_for = timedelta(minutes=_setting(settings, "reservation_minutes", 15))
    uow = UnitOfWork(engine, clock)
    orders = OrderService(uow, gateway, hold_for, crash_hook)
    return Store(
        users=UserService(uow),
        catalog=CatalogService(uow),
        offers=OfferService(uow),
        categories=CategoryService(uow),
        reviews=ReviewService(uow),
        inventory=InventoryService(uow),
        cart=CartService(uow),
        orders=orders,
        storefront=StorefrontService(uow),
        shipping=ShippingService(uow, shipper, orders),
        payment_gateway=gateway,
        shipping_provider=shipper,
        mailer=mailer,
        clock=clock,
        engine=engine,
        carts=carts,
        webhook_secrets=secrets,
    )


def _setting(settings: Settings, name: str, default: Any) -> Any:
    # Money-path options not (yet) on Settings keep their documented defaults.
    return getattr(settings, name, default)
