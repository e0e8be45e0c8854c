"""The store's invariants hold on a store the service layer built, on SQLite and PostgreSQL, and
each one fails when the data breaks it (and the CLI exits non-zero)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from launch import invariants
from launch.invariants import check_store, failed

# name -> (statements that break the store, the check that must fail)
BREAKAGES = {
    "order_without_event": (
        ["DELETE FROM outbox WHERE position = (SELECT MIN(position) FROM outbox"
         " WHERE type = 'orders.OrderPlaced.v1')"],
        "orders_match_order_placed",
    ),
    "capture_twice": (
        ["INSERT INTO outbox (event_id, type, aggregate_id, payload, occurred_at)"
         " SELECT 'doubled-capture', type, aggregate_id, payload, occurred_at FROM outbox"
         " WHERE position = (SELECT MIN(position) FROM outbox"
         " WHERE type = 'payments.PaymentCaptured.v1')"],
        "captures_have_one_paid_order",
    ),
    "paid_without_payment": (
        ["DELETE FROM payments WHERE payment_id = (SELECT MIN(payment_id) FROM payments"
         " WHERE status = 'captured')"],
        "paid_orders_have_one_capture",
    ),
    "stock_moved_without_event": (
        ["UPDATE stock SET quantity = quantity + 1 WHERE product_id = 'p-000001'"],
        "stock_matches_stock_events",
    ),
    "offer_moved_without_its_product": (
        ["UPDATE offers SET quantity = quantity + 1 WHERE offer_id = 'of-p-000001'"],
        "stock_is_its_offers_sum",
    ),
    "held_for_paid_order": (
        ["UPDATE stock_reservations SET status = 'held' WHERE order_id = (SELECT MIN(order_id)"
         " FROM orders WHERE status = 'paid')"],
        "reservations_consistent",
    ),
}  # fmt: skip


def backend_url(backend: str, tmp_path, request) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("drill_schema_url")


def execute(url: str, statements: list[str]) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_every_invariant_holds_on_a_store_the_service_layer_built(
    backend, tmp_path, request, seed_store
):
    url = backend_url(backend, tmp_path, request)
    seeded = seed_store(url, tmp_path)
    checks = check_store(url)
    assert failed(checks) == [], checks
    assert checks["orders_match_order_placed"].detail.startswith(f"{len(seeded['orders'])} orders")
    assert checks["paid_orders_have_one_capture"].detail == "4 paid orders"  # 2 of 6 declined
    exit_code = invariants.main(["--database-url", url, "--data-dir", str(tmp_path)])
    assert exit_code == 0


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_broken_invariant_is_reported(backend, breakage, tmp_path, request, seed_store):
    url = backend_url(backend, tmp_path, request)
    seed_store(url, tmp_path)
    statements, check = BREAKAGES[breakage]
    execute(url, statements)
    checks = check_store(url)
    assert check in failed(checks), checks[check]
    assert invariants.main(["--database-url", url, "--data-dir", str(tmp_path)]) == 1


@pytest.mark.parametrize(
    ("breakage", "rule"),
    [
        # A product that was sold becomes a parent: it has stock, an offer and order lines.
        ("UPDATE products SET option_names = '[\"size\"]' WHERE product_id = 'p-000001'",
         "parent_with_stock"),
        # A variant under a standalone product.
        ("UPDATE products SET parent_id = 'p-000001' WHERE product_id = 'p-v9'",
         "variant_of_no_parent"),
        ("UPDATE products SET deleted_at = '2024-01-01' WHERE product_id = 'p-shoe'",
         "live_variant_of_deleted_parent"),
    ],
)  # fmt: skip
def test_families_hold_until_a_parent_is_sold_or_a_variant_orphaned(
    breakage, rule, tmp_path, seed_store
):
    from storeloop.settings import Settings
    from transactional.bootstrap import bootstrap

    url = f"sqlite:///{tmp_path / 'store.db'}"
    seed_store(url, tmp_path)
    store = bootstrap(Settings(data_dir=tmp_path, database_url=url))
    try:
        seller = store.users.register("Shoe Seller", "shoes@drill.example", "seller")
        store.catalog.create_product(
            seller, "Trail runner", "", "Acme", "Shoes", None, product_id="p-shoe",
            options=["size"], variants=[
                {"options": {"size": size}, "price": Decimal("40"), "stock": 2,
                 "product_id": f"p-v{size}"} for size in ("8", "9")
            ],
        )  # fmt: skip
    finally:
        store.close()
    checks = check_store(url)
    assert failed(checks) == [], checks
    assert checks["variants_in_families"].detail == "1 parents, 2 variants"
    execute(url, [breakage])
    broken = check_store(url)["variants_in_families"]
    assert not broken.ok and rule in broken.detail


@pytest.mark.postgres
def test_negative_stock_is_reported(drill_schema_url, tmp_path, seed_store):
    """The CHECK constraint forbids it; a restore without constraints, or a bug that dropped
    one, would not."""
    seed_store(drill_schema_url, tmp_path)
    execute(
        drill_schema_url,
        [
            "ALTER TABLE stock DROP CONSTRAINT stock_never_negative",
            "UPDATE stock SET quantity = -2 WHERE product_id = 'p-000002'",
        ],
    )
    checks = check_store(drill_schema_url)
    assert not checks["stock_never_negative"].ok
    assert "p-000002" in checks["stock_never_negative"].detail


def test_outbox_equals_bronze_and_the_index_is_the_live_catalog_until_broken(tmp_path, seed_store):
    """The lake writer and the search indexer follow a SQLite store; then a bronze file is lost,
    an event lands twice, and a product is deleted behind the index's back."""
    import shutil

    from consumers.lake_writer import LakeWriter
    from launch.invariants import check_search_index
    from launch.lake_invariants import check_lake
    from serving.search.indexer import SearchIndexer
    from storeloop.settings import Settings

    settings = Settings(data_dir=tmp_path)
    url = settings.db_url
    seed_store(url, tmp_path)
    LakeWriter(settings, batch_size=20).run_once()
    SearchIndexer(settings).run_once()
    assert failed(check_lake(url, settings.lake_dir)) == []
    index_check = check_search_index(url, settings.search_index_dir)
    assert failed(index_check) == [], index_check
    assert index_check["search_index_is_live_catalog"].detail == "3 live products, 3 documents"

    parts = sorted((settings.lake_dir / "bronze" / "events").glob("dt=*/*.parquet"))
    shutil.copy(parts[0], parts[0].with_name("replayed.parquet"))
    doubled = check_lake(url, settings.lake_dir)["outbox_equals_bronze"]
    assert not doubled.ok and "doubled 20" in doubled.detail
    parts[0].with_name("replayed.parquet").unlink()
    parts[0].unlink()
    lost = check_lake(url, settings.lake_dir)["outbox_equals_bronze"]
    assert not lost.ok and "lost 20" in lost.detail

    execute(url, ["UPDATE products SET deleted_at = '2024-01-01' WHERE product_id = 'p-000001'"])
    stale = check_search_index(url, settings.search_index_dir)["search_index_is_live_catalog"]
    assert not stale.ok and "indexed but not live ['p-000001']" in stale.detail


def test_the_index_holds_a_familys_variants_and_not_its_parent(tmp_path):
    from decimal import Decimal

    from launch.invariants import check_search_index
    from serving.search.indexer import SearchIndexer
    from storeloop.settings import Settings
    from transactional.bootstrap import bootstrap

    settings = Settings(data_dir=tmp_path)
    store = bootstrap(settings)
    try:
        seller = store.users.register("Sal Seller", "sal@example.com", "seller")
        variants = [{"options": {"size": s}, "price": Decimal("40"), "stock": 2} for s in "89"]
        store.catalog.create_product(
            seller, "Trail runner", "", "Acme", "Shoes", None, options=["size"], variants=variants
        )
    finally:
        store.close()
    SearchIndexer(settings).run_once()
    check = check_search_index(settings.db_url, settings.search_index_dir)
    assert check["search_index_is_live_catalog"].ok, check
    assert check["search_index_is_live_catalog"].detail == "2 live products, 2 documents"
