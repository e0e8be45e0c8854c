"""Feast objects over the gold tables, built by `definitions(gold_dir)` from settings paths."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from feast import Entity, FeatureService, FeatureView, Field, FileSource, ValueType
from feast.types import Float64, Int64, String

# Gold rows are daily snapshots (23:59:59 UTC); a few days of ttl bridges a missed gold run
# without serving week-old stock or prices.
FEATURE_TTL = timedelta(days=3)

PRODUCT_FIELDS = [
    Field(name="category", dtype=String),
    Field(name="brand", dtype=String),
    Field(name="price", dtype=Float64),
    Field(name="price_rel_category", dtype=Float64),
    Field(name="rating", dtype=Float64),
    Field(name="rating_count", dtype=Int64),
    Field(name="stock", dtype=Int64),
    Field(name="in_stock", dtype=Int64),
    Field(name="orders_7d", dtype=Int64),
    Field(name="units_7d", dtype=Int64),
    Field(name="impressions_7d", dtype=Int64),
    Field(name="clicks_7d", dtype=Int64),
    Field(name="ctr_7d", dtype=Float64),
    Field(name="popularity", dtype=Float64),
]

CUSTOMER_FIELDS = [
    Field(name="orders_30d", dtype=Int64),
    Field(name="spend_30d", dtype=Float64),
    Field(name="avg_order_value", dtype=Float64),
    Field(name="clicks_30d", dtype=Int64),
    Field(name="top_category", dtype=String),
    Field(name="top_brand", dtype=String),
]


def definitions(gold_dir: Path) -> list:
    """Every Feast object of the store, sources reading the gold parquet folders in gold_dir."""
    product = Entity(name="product", join_keys=["product_id"], value_type=ValueType.STRING)
    customer = Entity(name="customer", join_keys=["customer_id"], value_type=ValueType.STRING)
    product_source = FileSource(
        name="gold_product_features",
        path=str(Path(gold_dir) / "product_features"),
        timestamp_field="event_timestamp",
    )
    customer_source = FileSource(
        name="gold_customer_features",
        path=str(Path(gold_dir) / "customer_features"),
        timestamp_field="event_timestamp",
    )
    product_features = FeatureView(
        name="product_features",
        entities=[product],
        ttl=FEATURE_TTL,
        schema=PRODUCT_FIELDS,
        source=product_source,
        online=True,
    )
    customer_features = FeatureView(
        name="customer_features",
        entities=[customer],
        ttl=FEATURE_TTL,
        schema=CUSTOMER_FIELDS,
        source=customer_source,
        online=True,
    )
    ranker_v1 = FeatureService(name="ranker_v1", features=[product_features, customer_features])
    recommender_v1 = FeatureService(
        name="recommender_v1", features=[product_features, customer_features]
    )
    return [
        product,
        customer,
        product_source,
        customer_source,
        product_features,
        customer_features,
        ranker_v1,
        recommender_v1,
    ]
