"""What the shoppers saw and did, per surface (search, feed, similar items) and per model that
filled the list; a round's figures as a `RoundReport`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

SEARCH, FEED, SIMILAR = "search", "feed", "similar"
SURFACES = (SEARCH, FEED, SIMILAR)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Attribution:
    """The list that put a product in the cart: its surface, the model that filled it, its id."""

    surface: str
    model: str  # the ranker or the recommender named in the response
    list_id: str  # the search id or the recommendation id the store returned

    def cart_reference(self) -> dict[str, str]:
        """The keyword the store's `cart.add_item` takes for a line from this list."""
        if self.surface == SEARCH:
            return {"search_id": self.list_id}
        return {"recommendation_id": self.list_id}


@dataclass
class Served:
    shown: int = 0  # lists shown
    clicks: int = 0
    cart_adds: int = 0
    revenue: Decimal = ZERO  # paid order lines that came from these lists


@dataclass
class Tally:
    sessions: int = 0
    orders_placed: int = 0
    orders_paid: int = 0
    orders_declined: int = 0
    out_of_stock: int = 0  # stock-outs met on a product page or refused at checkout
    revenue: Decimal = ZERO  # paid orders' totals
    served: dict[tuple[str, str], Served] = field(default_factory=dict)  # (surface, model)
    rankers: set[str] = field(default_factory=set)
    recommenders: set[str] = field(default_factory=set)

    def on(self, surface: str, model: str) -> Served:
        return self.served.setdefault((surface, model), Served())

    def saw(self, surface: str, model: str) -> None:
        """A response came from `model`, shown or not (an empty list names its model too)."""
        (self.rankers if surface == SEARCH else self.recommenders).add(model)

    def paid(self, order: Any, lines: dict[str, tuple[int, Attribution]]) -> None:
        """A paid order: its total, and each line's amount to the list it came from."""
        self.orders_paid += 1
        self.revenue += Decimal(str(order.total))
        for item in getattr(order, "items", None) or ():
            line = lines.get(item.product_id)
            if line is not None:
                attribution = line[1]
                served = self.on(attribution.surface, attribution.model)
                served.revenue += Decimal(str(item.line_total))

    def report(self, first_day: date, last_day: date, products: int, shoppers: int) -> RoundReport:
        order = {surface: n for n, surface in enumerate(SURFACES)}
        served = tuple(
            ServedFigures(surface, model, s.shown, s.clicks, s.cart_adds, s.revenue)
            for (surface, model), s in sorted(
                self.served.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0])
            )
        )
        return RoundReport(
            first_day=first_day,
            last_day=last_day,
            products=products,
            shoppers=shoppers,
            sessions=self.sessions,
            orders_placed=self.orders_placed,
            orders_paid=self.orders_paid,
            orders_declined=self.orders_declined,
            out_of_stock=self.out_of_stock,
            revenue=self.revenue,
            rankers=tuple(sorted(self.rankers)),
            recommenders=tuple(sorted(self.recommenders)),
            served=served,
        )


@dataclass(frozen=True)
class ServedFigures:
    """One row of a round's table: a surface and the model that filled its lists."""

    surface: str
    model: str
    shown: int
    clicks: int
    cart_adds: int
    revenue: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "revenue": str(self.revenue)}


@dataclass(frozen=True)
class RoundReport:
    """The figures of the days one `run_days` call (or one `simulate`) ran."""

    first_day: date
    last_day: date
    products: int
    shoppers: int
    sessions: int
    orders_placed: int
    orders_paid: int
    orders_declined: int
    out_of_stock: int
    revenue: Decimal
    rankers: tuple[str, ...]  # every ranker named in a search response this round
    recommenders: tuple[str, ...]  # every recommender named in a feed or similar response
    served: tuple[ServedFigures, ...]  # by surface (search, feed, similar), then model

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def total(self, figure: str, surface: str | None = None) -> int:
        """`shown`, `clicks` or `cart_adds`, over one surface or all of them."""
        return sum(getattr(row, figure) for row in self.served if surface in (None, row.surface))

    @property
    def searches(self) -> int:
        return self.total("shown", SEARCH)

    @property
    def feeds(self) -> int:
        return self.total("shown", FEED)

    @property
    def similar_lists(self) -> int:
        return self.total("shown", SIMILAR)

    @property
    def clicks(self) -> int:
        return self.total("clicks")

    @property
    def cart_adds(self) -> int:
        return self.total("cart_adds")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (dates and money as text) for the launcher's summary and figures."""
        per_surface = {
            f"{surface}_{figure}": self.total(figure, surface)
            for figure in ("clicks", "cart_adds")
            for surface in SURFACES
        }
        return {
            "first_day": str(self.first_day),
            "last_day": str(self.last_day),
            "days": self.days,
            "products": self.products,
            "shoppers": self.shoppers,
            "sessions": self.sessions,
            "searches": self.searches,
            "feeds": self.feeds,
            "similar_lists": self.similar_lists,
            "clicks": self.clicks,
            "cart_adds": self.cart_adds,
            **per_surface,
            "orders_placed": self.orders_placed,
            "orders_paid": self.orders_paid,
            "orders_declined": self.orders_declined,
            "out_of_stock": self.out_of_stock,
            "revenue": str(self.revenue),
            "rankers": list(self.rankers),
            "recommenders": list(self.recommenders),
            "served": [row.as_dict() for row in self.served],
        }
