"""The tantivy schema and its analyzers: folded words for matching and typeahead, English stems
for recall ("running shoes" finds "run" and "shoe")."""

from __future__ import annotations

from functools import lru_cache

import tantivy

from serving.search.index.port import (
    CATEGORY_PATH,
    CATEGORY_WORD,
    FIELD_BOOSTS,
    LEVEL_FIELDS,
    VARIANT_OF,
)

FOLDED = "shop_folded"  # words, lower-cased, accents folded: "Café" -> "cafe"
STEMMED = "shop_stemmed"  # the same, then the English stemmer: "shoes" -> "shoe"
# Stem matches count less than the word itself, so an exact match still ranks first. Titles
# only: a stemmed copy of descriptions (the longest text) cost a third of the build rate.
STEM_BOOSTS = {"title_stem": FIELD_BOOSTS["title"] * 0.5}
MAX_WORD = 40
IS_VARIANT = "is_variant"


def _analyzer(stem: bool) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_WORD))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("english"))
    return builder.build()


def register_analyzers(index: tantivy.Index) -> None:
    """Tokenizers are not stored with the index: every open index must register them."""
    index.register_tokenizer(FOLDED, _analyzer(stem=False))
    index.register_tokenizer(STEMMED, _analyzer(stem=True))


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The indexed stem of one query word (as the stemmed fields hold it)."""
    found = _stemmer().analyze(word)
    return found[0] if found else word


@lru_cache(maxsize=1)
def _stemmer() -> tantivy.TextAnalyzer:
    return _analyzer(stem=True)


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("product_id", stored=True, tokenizer_name="raw")
    for name in FIELD_BOOSTS:
        builder.add_text_field(name, stored=True, tokenizer_name=FOLDED)
    for name in STEM_BOOSTS:
        builder.add_text_field(name, stored=False, tokenizer_name=STEMMED)  # with positions
    builder.add_text_field("brand_key", tokenizer_name="raw", fast=True)
    builder.add_text_field("category_key", tokenizer_name="raw", fast=True)
    # Exact terms for `category:` at any depth; a level's name path for its facet counts.
    builder.add_text_field(CATEGORY_PATH, tokenizer_name="raw")
    builder.add_text_field(CATEGORY_WORD, tokenizer_name="raw")
    for name in LEVEL_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    builder.add_float_field("price", stored=True, indexed=True, fast=True)
    builder.add_float_field("rating", stored=True, indexed=True, fast=True)
    builder.add_integer_field("rating_count", stored=True)
    builder.add_integer_field("stock", stored=True, indexed=True, fast=True)
    builder.add_boolean_field("in_stock", stored=True, indexed=True, fast=True)
    builder.add_text_field("created_at", stored=True, tokenizer_name="raw")
    # Families: every product's (a page's variants are fetched by it); a variant's parent, fast
    # for counting families; a flag whose document frequency says whether any variant is indexed.
    builder.add_text_field("family_id", stored=True, tokenizer_name="raw")
    builder.add_text_field(VARIANT_OF, tokenizer_name="raw", fast=True)
    builder.add_boolean_field(IS_VARIANT, indexed=True)
    builder.add_text_field("options", stored=True, tokenizer_name="raw")  # JSON text, not matched
    return builder.build()
