"""Products with variants, as Amazon's parent and child items: a parent describes the family and
lists its option names in order ("size", "colour"); it is never bought. Each variant is an
ordinary product (its own id, price, stock, offers) naming its parent and its option values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from transactional.catalog.domain import CatalogErrorCode, Product
from transactional.common.errors import Conflict, Invalid

MAX_OPTIONS = 5
MAX_VARIANTS = 200  # listed at once; more are added one by one
MAX_OPTION_NAME = 40
MAX_OPTION_VALUE = 100


class InvalidOptions(Invalid):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(CatalogErrorCode.INVALID_OPTIONS, message, field)


class VariantExists(Conflict):
    def __init__(self, parent_id: str, options: Mapping[str, str], field: str) -> None:
        super().__init__(
            CatalogErrorCode.VARIANT_EXISTS,
            f"{parent_id!r} already has a variant {dict(options)!r}",
            field,
        )


class NotAParent(Conflict):
    """Variants hang under a parent only: not under a standalone product, nor a variant."""

    def __init__(self, product_id: str) -> None:
        super().__init__(
            CatalogErrorCode.NOT_A_PARENT, f"{product_id!r} is not a product with variants",
            "parent_id",
        )  # fmt: skip


class ProductHasVariants(Conflict):
    """A parent is bought, offered and stocked through its variants, never itself."""

    def __init__(self, product_id: str) -> None:
        super().__init__(
            CatalogErrorCode.PRODUCT_HAS_VARIANTS,
            f"{product_id!r} has variants: pick one of them",
            "product_id",
        )


def ensure_buyable(product: Product) -> None:
    if product.is_parent:
        raise ProductHasVariants(product.product_id)


def checked_option_names(names: Any, field: str = "options") -> tuple[str, ...]:
    """A parent's option names in order: 1-5 distinct, non-blank texts (stripped)."""
    if not isinstance(names, list | tuple) or not names:
        raise InvalidOptions("a product with variants names at least one option", field)
    if len(names) > MAX_OPTIONS:
        raise InvalidOptions(f"at most {MAX_OPTIONS} options", field)
    cleaned = tuple(_text(name, MAX_OPTION_NAME, field) for name in names)
    if len({name.casefold() for name in cleaned}) != len(cleaned):
        raise InvalidOptions("option names must differ", field)
    return cleaned


def checked_options(parent: Product, options: Any, field: str = "options") -> dict[str, str]:
    """A variant's values: exactly its parent's option names, each a non-blank text; returned
    in the parent's order."""
    if not parent.is_parent:
        raise NotAParent(parent.product_id)
    if not isinstance(options, Mapping):
        raise InvalidOptions("options must map each option name to a value", field)
    names = {str(name).strip(): value for name, value in options.items()}
    expected = list(parent.option_names)
    if set(names) != set(expected) or len(names) != len(options):
        raise InvalidOptions(f"options must name exactly {expected}", field)
    return {name: _text(names[name], MAX_OPTION_VALUE, f"{field}.{name}") for name in expected}


def ensure_new_combination(
    parent_id: str, options: Mapping[str, str], taken: Iterable[Mapping[str, str]], field: str
) -> None:
    """Two live variants of one parent never share their option values (case aside)."""
    key = _key(options)
    if any(_key(other) == key for other in taken):
        raise VariantExists(parent_id, options, field)


def variant_title(parent: Product, options: Mapping[str, str]) -> str:
    """A variant listed without a title of its own: the family's, with its values."""
    return f"{parent.title}, {', '.join(options.values())}"


def _key(options: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name, value.casefold()) for name, value in options.items()))


def _text(value: Any, limit: int, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidOptions("must be a non-blank text", field)
    if len(value.strip()) > limit:
        raise InvalidOptions(f"at most {limit} characters", field)
    return value.strip()
