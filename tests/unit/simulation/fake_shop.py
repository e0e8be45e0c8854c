"""Fakes for unit tests of the shop's sessions: an in-memory store with the methods the simulator
calls (the real one has its own tests and drives tests/integration/simulation), and a fake
serving client. Both check what they are told as the real ones would: a click must name a list
the store recorded and a position it showed, a cart add names at most one list."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from contracts.events import PAGE_KINDS
from simulation.catalog import generate_catalog
from simulation.run import SIMULATION_START
from simulation.shoppers import generate_shoppers
from simulation.taxonomy import CATEGORIES
from simulation.text import parse_query, tokens
from storeloop.settings import Settings

DECLINE_CARD = "4000000000000002"


class StoreRefused(Exception):
    def __init__(self, code: str, product_id: str | None = None) -> None:
        super().__init__(code)
        self.code, self.product_id = code, product_id


class FakeClock:
    def __init__(self) -> None:
        self.now = SIMULATION_START

    def set(self, at: datetime) -> None:
        self.now = at

    def advance(self, by: timedelta) -> None:
        self.now += by


@dataclass
class FakeInventory:
    stock: dict[str, int] = field(default_factory=dict)

    def stock_level(self, product_id: str) -> int:
        return self.stock.get(product_id, 0)

    def restock(self, product_id: str, quantity: int) -> None:
        self.stock[product_id] = self.stock.get(product_id, 0) + quantity


@dataclass
class FakeCatalog:
    inventory: FakeInventory
    products: dict[str, dict[str, Any]] = field(default_factory=dict)  # what can be bought
    parents: dict[str, list[str]] = field(default_factory=dict)  # a family's variants' ids
    created: int = 0  # products and variants: what can be bought

    def create_product(self, seller_id: str, title: str, *args: Any, **kw: Any) -> str:
        """As the store's: with `variants`, a parent (never bought) and each variant."""
        product_id = str(kw["product_id"])
        if kw.get("variants"):
            self.parents[product_id] = []
            for variant in kw["variants"]:
                self.parents[product_id].append(variant["product_id"])
                self._list(variant["product_id"], variant["title"], variant["price"],
                           variant["stock"])  # fmt: skip
            return product_id
        self._list(product_id, title, args[3], kw.get("initial_stock", 0))
        return product_id

    def _list(self, product_id: str, title: str, price: Any, stock: int) -> None:
        self.created += 1
        self.products[product_id] = {"title": title, "price": price}
        self.inventory.stock[product_id] = stock

    def list_products(self, limit: int = 20, cursor: Any = None) -> Any:
        items = [SimpleNamespace(product_id=p) for p in list(self.products)[:limit]]
        return SimpleNamespace(items=items, next_cursor=None)


class FakeUsers:
    """Customers are numbered from c-000001 in order of registration, as shoppers register."""

    def __init__(self) -> None:
        self.numbers = {"customer": itertools.count(1), "seller": itertools.count(1)}

    def register(self, name: str, email: str, role: str = "customer") -> str:
        return f"{role[0]}-{next(self.numbers[role]):06d}"


@dataclass
class FakeCart:
    lines: dict[str, dict[str, int]] = field(default_factory=dict)
    adds: list[dict[str, Any]] = field(default_factory=list)

    def add_item(
        self,
        customer_id: str,
        product_id: str,
        quantity: int,
        search_id: str | None = None,
        recommendation_id: str | None = None,
    ) -> str:
        assert (search_id is None) or (recommendation_id is None), "one list per add"
        cart = self.lines.setdefault(customer_id, {})
        cart[product_id] = cart.get(product_id, 0) + quantity
        self.adds.append(
            {
                "customer_id": customer_id,
                "product_id": product_id,
                "quantity": quantity,
                "search_id": search_id,
                "recommendation_id": recommendation_id,
            }
        )
        return f"cart-{customer_id}"


@dataclass
class FakeStorefront:
    clock: FakeClock
    searches: dict[str, dict[str, Any]] = field(default_factory=dict)
    clicks: list[dict[str, Any]] = field(default_factory=list)
    lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    list_clicks: list[dict[str, Any]] = field(default_factory=list)
    page_views: list[dict[str, Any]] = field(default_factory=list)

    def record_page_view(self, session_id: str, customer_id: str | None, page: str, path: str,
                         product_id: str | None, referrer_page: str | None) -> str:  # fmt: skip
        assert page in PAGE_KINDS and referrer_page in (None, *PAGE_KINDS)
        assert path.startswith("/shop") and (product_id is not None) == (page == "product")
        self.page_views.append(
            {"session_id": session_id, "customer_id": customer_id, "page": page,
             "product_id": product_id, "referrer_page": referrer_page}
        )  # fmt: skip
        return f"pv-{len(self.page_views):06d}"

    def record_search(
        self,
        session_id: str,
        customer_id: str | None,
        query: str,
        results: Iterable[Mapping[str, Any]],
        ranker: str,
        arm: str | None = None,
        swapped_at: int | None = None,
    ) -> str:
        search_id = f"srch-{len(self.searches):06d}"
        self.searches[search_id] = {
            "session_id": session_id,
            "customer_id": customer_id,
            "query": query,
            "results": [dict(r) for r in results],
            "ranker": ranker,
            "arm": arm,
            "swapped_at": swapped_at,
            "at": self.clock.now,
        }
        return search_id

    def record_click(
        self, search_id: str, session_id: str, customer_id: str | None, product_id: str, pos: int
    ) -> None:
        shown = self.searches[search_id]["results"]
        assert {"product_id": product_id, "position": pos} in [
            {"product_id": r["product_id"], "position": r["position"]} for r in shown
        ]
        self.clicks.append({"search_id": search_id, "session_id": session_id, "position": pos})

    def record_recommendations(
        self,
        session_id: str,
        customer_id: str | None,
        surface: str,
        anchor_product_id: str | None,
        recommender: str,
        strategy: str,
        items: Iterable[Mapping[str, Any]],
        arm: str | None = None,
    ) -> str:
        assert surface in ("feed", "similar")
        assert (anchor_product_id is None) == (surface == "feed")
        recommendation_id = f"rec-{len(self.lists):06d}"
        self.lists[recommendation_id] = {
            "session_id": session_id,
            "customer_id": customer_id,
            "surface": surface,
            "anchor_product_id": anchor_product_id,
            "recommender": recommender,
            "strategy": strategy,
            "arm": arm,
            "items": [dict(i) for i in items],
            "at": self.clock.now,
        }
        return recommendation_id

    def record_recommendation_click(
        self,
        recommendation_id: str,
        session_id: str,
        customer_id: str | None,
        product_id: str,
        position: int,
    ) -> None:
        shown = self.lists[recommendation_id]
        assert shown["session_id"] == session_id
        assert any(
            i["product_id"] == product_id and i["position"] == position for i in shown["items"]
        )
        self.list_clicks.append(
            {"recommendation_id": recommendation_id, "product_id": product_id, "position": position}
        )


class FakeOrders:
    def __init__(self, cart: FakeCart, inventory: FakeInventory, catalog: FakeCatalog) -> None:
        self.cart, self.inventory, self.catalog = cart, inventory, catalog
        self.placed: list[Any] = []

    def checkout(self, customer_id: str, card: str, idempotency_key: str | None = None) -> Any:
        lines = self.cart.lines.get(customer_id) or {}
        for product_id, quantity in sorted(lines.items()):
            if self.inventory.stock_level(product_id) < quantity:
                raise StoreRefused("out_of_stock", product_id)
        items = [
            SimpleNamespace(
                product_id=p, quantity=q, line_total=self.catalog.products[p]["price"] * q
            )
            for p, q in sorted(lines.items())
        ]
        status = "cancelled" if card == DECLINE_CARD else "paid"
        if status == "paid":
            for product_id, quantity in lines.items():
                self.inventory.stock[product_id] -= quantity
        self.cart.lines.pop(customer_id, None)
        total = sum((i.line_total for i in items), Decimal("0.00"))
        order = SimpleNamespace(status=status, total=total, items=items, customer_id=customer_id)
        self.placed.append(order)
        return order


class FakeStore:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self.inventory = FakeInventory()
        self.catalog = FakeCatalog(self.inventory)
        self.users = FakeUsers()
        self.cart = FakeCart()
        self.orders = FakeOrders(self.cart, self.inventory, self.catalog)
        self.storefront = FakeStorefront(self.clock)


class FakeServing:
    """Stands in for serving's HTTP API: search by keyword overlap with the titles; a feed from
    the shopper's favourite category (it peeks at the hidden tastes, so that feeds get clicked);
    similar items of the same product type. Records every call."""

    def __init__(self, settings: Settings, store: FakeStore, recommender: str = "7") -> None:
        self.store = store
        self.recommender = recommender
        self.specs = {
            p.product_id: p for p in generate_catalog(settings.sim_products, settings.seed)
        }
        shoppers = generate_shoppers(settings.sim_shoppers, settings.seed)
        # the store numbers customers after the sellers: map by order of registration
        self.favourite: dict[int, str] = {
            s.index: CATEGORIES[int(s.category_prefs.argmax())].path for s in shoppers
        }
        self.calls: list[tuple[str, Any]] = []
        self._titles = {p: frozenset(tokens(s.title)) for p, s in self.specs.items()}

    def search(self, query: str, customer_id: str | None) -> dict[str, Any]:
        self.calls.append(("search", query))
        words = parse_query(query).words
        scored = [(sum(w in t for w in words), p) for p, t in self._titles.items()]
        hits = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))[:20]
        results = [
            {"product_id": p, "position": n, "score": float(s), "title": self.specs[p].title}
            for n, (s, p) in enumerate(hits, start=1)
        ]
        return {"results": results, "ranker": "ranker-3", "total": len(results)}

    def feed(self, customer_id: str, k: int) -> dict[str, Any]:
        self.calls.append(("feed", customer_id))
        shopper_index = self._shopper_index(customer_id)
        category = self.favourite.get(shopper_index)
        picks = [p for p, s in self.specs.items() if s.category == category] or list(self.specs)
        return self._list(picks[:k], kind="feed", strategy="sasrec")

    def similar(self, product_id: str, customer_id: str | None, k: int) -> dict[str, Any]:
        self.calls.append(("similar", product_id))
        anchor = self.specs[product_id]
        picks = [
            p
            for p, s in self.specs.items()
            if s.product_type == anchor.product_type and p != product_id
        ]
        # no "kind" and no "fallback": serving's answers may lack them
        body = self._list(picks[:k], kind=None, strategy="also_bought")
        return {key: value for key, value in body.items() if value is not None}

    def _list(self, picks: list[str], kind: str | None, strategy: str) -> dict[str, Any]:
        items = [{"product_id": p, "position": n, "score": 1.0 / n} for n, p in enumerate(picks, 1)]
        return {
            "recommender": self.recommender,
            "kind": kind,
            "strategy": strategy,
            "fallback": None,
            "items": items,
        }

    @staticmethod
    def _shopper_index(customer_id: str) -> int:
        return int(customer_id.removeprefix("c-")) - 1
