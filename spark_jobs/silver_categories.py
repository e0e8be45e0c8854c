"""Silver `product_categories`: every level of each product's category, root first, named by the
category tree's own rules (contracts.categories), so a sale counts under its leaf and every node
above it, and "Home & Kitchen" in the lake is the node the store and the search index call so."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

from contracts.categories import category_levels
from spark_jobs.silver_catalog import build_products

_LEVELS = ArrayType(
    StructType(
        [
            StructField("level", LongType()),
            StructField("category_id", StringType()),
            StructField("category_path", StringType()),
            StructField("category_name", StringType()),
        ]
    )
)


# A plain Python UDF: a function with type hints would have Spark guess a pandas UDF from them.
_levels = F.udf(lambda category: category_levels(category), _LEVELS)


def build_product_categories(events: DataFrame) -> DataFrame:
    products = build_products(events).select("product_id", "category")
    # The rules run once per distinct category text (a few hundred), not once per product.
    levels = (
        products.select("category")
        .where(F.col("category").isNotNull())
        .distinct()
        .select("category", F.explode(_levels("category")).alias("node"))
    )
    return products.join(levels, "category").select(
        "product_id",
        F.col("node.level").alias("level"),
        F.col("node.category_id").alias("category_id"),
        F.col("node.category_path").alias("category_path"),
        F.col("node.category_name").alias("category_name"),
    )
