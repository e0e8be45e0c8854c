"""Feast objects over the gold tables, built by `definitions(gold_dir)` from settings paths.

This is the one declaration of the features: Spark's gold selects, the gold quality suites,
serving's online reads and the ranker's feature list are all derived from it (features.declared).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from feast import Entity, FeatureService, FeatureView, Field, FileSource, PushSource, ValueType
from feast.types import Array, Float64, Int64, String

# Gold rows are daily snapshots (23:59:59 UTC); a few days of ttl bridges a missed gold run
# without serving week-old stock or prices.
FEATURE_TTL = timedelta(days=3)
# A shopper's history does not age out: the state after their last activity holds until the next.
NO_TTL = timedelta(0)
# A field tagged so may be null in gold (e.g. no favourite brand before any activity); every
# other field is expected non-null by the gold quality gate.
NULLABLE = {"nullable": "true"}

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
    # Over the product's family, coalesce(parent_id, product_id): search shows one variant of a
    # family, ranked on that variant's row. Distinct orders buying any of its variants, and
    # (clicks+1)/(impressions+20) summed over them; a standalone product's own orders_7d, ctr_7d.
    Field(name="family_orders_7d", dtype=Int64),
    Field(name="family_ctr_7d", dtype=Float64),
]

CUSTOMER_FIELDS = [
    Field(name="orders_30d", dtype=Int64),
    Field(name="spend_30d", dtype=Float64),
    Field(name="avg_order_value", dtype=Float64),
    Field(name="clicks_30d", dtype=Int64),
    Field(name="top_category", dtype=String, tags=NULLABLE),
    Field(name="top_brand", dtype=String, tags=NULLABLE),
]

# The state after a shopper's latest activity (features.activity): kept fresh online by the
# shopper_activity consumer through the push source, built for training by the Spark gold job.
SHOPPER_ACTIVITY_FIELDS = [
    Field(name="recent_products", dtype=Array(String)),
    Field(name="purchased_products", dtype=Array(String)),
    Field(name="recent_queries", dtype=Array(String)),
    # Lines ("order_id/product_id") of orders placed and not yet paid or cancelled.
    Field(name="pending_orders", dtype=Array(String)),
    # The outbox position of the last event folded in: replays at or before it are skipped, and
    # a gold row never replaces an online row that has folded further.
    Field(name="log_position", dtype=Int64),
]

# Product fields the ranker does not read: it reads in_stock, popularity and ctr_7d made of them.
NOT_RANKED = ("stock", "units_7d", "impressions_7d", "clicks_7d")
# What the ranker reads of a shopper: the affinity features are computed from the recent products.
RANKED_SHOPPER = ["recent_products"]
# What recommendations read of a shopper (serving.features.OnlineFeatures.for_shopper).
RECOMMENDED_SHOPPER = ["recent_products", "purchased_products", "recent_queries"]

# The services training uses now; serving reads exactly what they name.
RANKER_SERVICE = "ranker_v2"
RECOMMENDER_SERVICE = "recommender_v2"
SHOPPER_ACTIVITY = "shopper_activity"
SHOPPER_ACTIVITY_PUSH = "shopper_activity_push"


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
    activity_source = FileSource(
        name="gold_shopper_activity",
        path=str(Path(gold_dir) / SHOPPER_ACTIVITY),
        timestamp_field="event_timestamp",
    )
    activity_push = PushSource(name=SHOPPER_ACTIVITY_PUSH, batch_source=activity_source)
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
    shopper_activity = FeatureView(
        name=SHOPPER_ACTIVITY,
        entities=[customer],
        ttl=NO_TTL,
        schema=SHOPPER_ACTIVITY_FIELDS,
        source=activity_push,
        online=True,
    )
    ranked = [f.name for f in PRODUCT_FIELDS if f.name not in NOT_RANKED]
    # v1 stays registered: versions trained on it name it in their tags.
    ranker_v1 = FeatureService(name="ranker_v1", features=[product_features, customer_features])
    recommender_v1 = FeatureService(
        name="recommender_v1", features=[product_features, customer_features]
    )
    ranker_v2 = FeatureService(
        name="ranker_v2",
        features=[product_features[ranked], shopper_activity[RANKED_SHOPPER]],
    )
    recommender_v2 = FeatureService(
        name="recommender_v2", features=[shopper_activity[RECOMMENDED_SHOPPER]]
    )
    return [
        product,
        customer,
        product_source,
        customer_source,
        activity_source,
        activity_push,
        product_features,
        customer_features,
        shopper_activity,
        ranker_v1,
        recommender_v1,
        ranker_v2,
        recommender_v2,
    ]
