"""Adding a variant to a parent, in the caller's transaction: the variant is an ordinary product
(its own id, price, stock and lister's offer) that names its parent and its option values; and
a parent's edits of what the family shares, passed on to its variants."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from contracts import events
from transactional.catalog.domain import InvalidProduct, Product, checked
from transactional.catalog.listing import list_product, new_product_id
from transactional.catalog.offers import DEFAULT_SHIPPING_DAYS, checked_shipping_days
from transactional.catalog.repository import ProductRepository
from transactional.catalog.variants import (
    InvalidOptions,
    checked_options,
    ensure_new_combination,
    variant_title,
)
from transactional.catalog.views import shown_snapshot
from transactional.common.errors import DomainError
from transactional.common.money import to_money
from transactional.common.uow import Transaction
from transactional.inventory.domain import ensure_positive_quantity

# What a family's variants take from their parent; a variant's own: price, stock, options, offers.
SHARED = ("description", "brand", "category", "category_id")
SPEC_KEYS = frozenset(
    {"options", "price", "stock", "shipping_days", "product_id", "title", "image_url"}
)


def list_variant(tx: Transaction, parent: Product, spec: dict[str, Any], at: str) -> str:
    """Lists one variant of `parent` from `spec` (SPEC_KEYS); `at` prefixes the fields that
    errors name ("variants.2" for the third of a new family, "" for one added later)."""
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise InvalidOptions("not a field of a variant", _at(at, sorted(unknown)[0]))
    repo = ProductRepository(tx.connection)
    options = checked_options(parent, spec.get("options"), _at(at, "options"))
    taken = [v.options or {} for v in repo.live_variants(parent.product_id)]
    ensure_new_combination(parent.product_id, options, taken, _at(at, "options"))
    try:
        stock = spec.get("stock", 0)
        stock = ensure_positive_quantity(stock, "stock") if stock != 0 else 0
        shipping_days = checked_shipping_days(spec.get("shipping_days", DEFAULT_SHIPPING_DAYS))
        if spec.get("price") is None:
            raise InvalidProduct("a variant needs a price", "price")
        product_id = new_product_id(tx, repo, spec.get("product_id"), "product_id")
        variant = checked(
            Product(
                product_id, parent.seller_id, spec.get("title") or variant_title(parent, options),
                parent.description, parent.brand, parent.category, spec["price"],
                parent.currency, parent.rating, parent.rating_count,
                spec.get("image_url") or parent.image_url, tx.now, tx.now,
                category_id=parent.category_id, parent_id=parent.product_id, options=options,
            )
        )  # fmt: skip
    except DomainError as error:
        error.field = _at(at, error.field or "")
        raise
    list_product(tx, variant, stock, shipping_days)
    return product_id


def follow_parent(tx: Transaction, before: Product, after: Product) -> None:
    """A parent's edit of what its family shares reaches each live variant, each with its own
    ProductUpdated in the same transaction (search indexes variants, never parents). A variant's
    title follows only where it was the family's with its values, the title given by default."""
    shared = {f: getattr(after, f) for f in SHARED if getattr(after, f) != getattr(before, f)}
    retitled = after.title != before.title
    if not after.is_parent or not (shared or retitled):
        return
    repo = ProductRepository(tx.connection)
    for variant in repo.live_variants(after.product_id):
        changes = dict(shared)
        options = variant.options or {}
        if retitled and variant.title == variant_title(before, options):
            changes["title"] = variant_title(after, options)
        if changes:
            moved = replace(variant, **changes, updated_at=tx.now)
            repo.save(moved)
            tx.record(events.PRODUCT_UPDATED, moved.product_id, shown_snapshot(tx, moved))


def family_price(variants: Sequence[dict[str, Any]]) -> Decimal:
    """A parent listed without a price of its own shows its cheapest variant's."""
    prices = []
    for n, spec in enumerate(variants):
        try:
            prices.append(to_money(spec.get("price")))  # type: ignore[arg-type]
        except (InvalidOperation, ValueError, TypeError):
            raise InvalidProduct("not a price", f"variants.{n}.price") from None
    return min(prices)


def _at(prefix: str, field: str) -> str:
    return f"{prefix}.{field}" if prefix else field
