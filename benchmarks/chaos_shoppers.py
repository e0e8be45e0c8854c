"""The chaos run's traffic: shoppers who search (or open a product), add to cart and check out, and
a seller who lists and restocks, all over HTTP, each behaving as a well-made client does: on 503
or 429 it waits for `Retry-After` and tries again; on a cut connection it tries again; a checkout
is retried with the same Idempotency-Key, so a retry never pays twice.

What they saw is the run's evidence: every status, every retry, and any request that hung (no
answer within HANG_S) or answered 500.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.order_placement import CARD, PASSWORD, percentile

HANG_S = 30.0  # no answer in this long is a hang, not a slow answer
GIVE_UP_S = 120.0  # a request still refused after this long counts as failed
SEARCH_WORDS = ("item", "bench", "chaos", "misc", "thing")


@dataclass
class Tally:
    status: Counter[int] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    hangs: int = 0
    hang_samples: list[str] = field(default_factory=list)
    failed: int = 0
    server_errors: list[str] = field(default_factory=list)
    checkout_ms: list[float] = field(default_factory=list)
    paid: int = 0
    listed: int = 0
    restocked: int = 0

    def figures(self, seconds: float) -> dict[str, Any]:
        return {
            "paid_orders": self.paid,
            "paid_per_s": round(self.paid / seconds, 1),
            "checkout_p50_ms": round(percentile(self.checkout_ms, 0.5), 1),
            "checkout_p99_ms": round(percentile(self.checkout_ms, 0.99), 1),
            "status_counts": {str(k): v for k, v in sorted(self.status.items())},
            "retries": dict(sorted(self.retries.items())),
            "hangs": self.hangs,
            "hang_samples": self.hang_samples[:5],
            "gave_up": self.failed,
            "server_errors": len(self.server_errors),
            "server_error_samples": self.server_errors[:5],
            "products_listed": self.listed,
            "restocks": self.restocked,
        }


async def call(
    http: httpx.AsyncClient, tally: Tally, method: str, url: str, **kwargs: Any
) -> httpx.Response | None:
    """The request until it is answered with something other than 503/429, or None after
    GIVE_UP_S. A hang (HANG_S without an answer) is counted, then tried again like a cut."""
    deadline = time.monotonic() + GIVE_UP_S
    while time.monotonic() < deadline:
        try:
            answer = await http.request(method, url, timeout=HANG_S, **kwargs)
        except httpx.TimeoutException as error:
            tally.hangs += 1
            tally.hang_samples.append(f"{time.strftime('%H:%M:%S')} {method} {url}: {error!r}")
            tally.retries["hang"] += 1
            continue
        except httpx.TransportError:
            tally.retries["connection"] += 1
            await asyncio.sleep(0.2)
            continue
        tally.status[answer.status_code] += 1
        if answer.status_code in (429, 503):
            tally.retries[str(answer.status_code)] += 1
            await asyncio.sleep(min(float(answer.headers.get("retry-after") or 0.5), 5.0))
            continue
        if answer.status_code >= 500:
            tally.server_errors.append(f"{method} {url}: {answer.status_code} {answer.text[:200]}")
        return answer
    tally.failed += 1
    return None


async def login(http: httpx.AsyncClient, tally: Tally, email: str, register: bool) -> dict:
    if register:
        body = {"name": "Chaos shopper", "email": email, "password": PASSWORD}
        await call(http, tally, "POST", "/api/auth/register", json=body)
    answer = await call(
        http, tally, "POST", "/api/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert answer is not None and answer.status_code == 200, answer and answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def shopper(
    http: httpx.AsyncClient,
    tally: Tally,
    pick: Callable[[], str],
    searching: bool,
    until: Callable[[], bool],
    rng: random.Random,
) -> None:
    auth = await login(http, tally, f"chaos-{uuid.uuid4().hex[:12]}@chaos.example", True)
    while not until():
        product_id = pick()
        if searching:
            params = {"q": rng.choice(SEARCH_WORDS), "customer_id": "chaos"}
            await call(http, tally, "GET", "/api/search", params=params)
        else:
            await call(http, tally, "GET", f"/api/products/{product_id}")
        await call(http, tally, "POST", "/api/cart/items", json={"product_id": product_id},
                   headers=auth)  # fmt: skip
        headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
        started = time.perf_counter()
        placed = await call(http, tally, "POST", "/api/orders", json={"card_number": CARD},
                            headers=headers)  # fmt: skip
        tally.checkout_ms.append((time.perf_counter() - started) * 1000)
        if placed is not None and placed.status_code == 201 and placed.json()["status"] == "paid":
            tally.paid += 1


async def seller(
    http: httpx.AsyncClient,
    tally: Tally,
    email: str,
    products: list[str],
    until: Callable[[], bool],
    rng: random.Random,
) -> None:
    """Lists a product or restocks one about twice a second: the index has a catalog to follow."""
    auth = await login(http, tally, email, False)
    while not until():
        if rng.random() < 0.5:
            product_id = f"p-chaos{uuid.uuid4().hex[:10]}"
            body = {"title": f"Chaos thing {product_id[-4:]}", "brand": "Chaos",
                    "category": "misc", "price": "7.50", "initial_stock": 500,
                    "product_id": product_id}  # fmt: skip
            answer = await call(http, tally, "POST", "/api/products", json=body, headers=auth)
            # 409: the first try was committed and its answer lost with a killed worker.
            if answer is not None and answer.status_code in (201, 409):
                products.append(product_id)
                tally.listed += 1
        else:
            answer = await call(http, tally, "POST", f"/api/products/{rng.choice(products)}/stock",
                                json={"quantity": 50}, headers=auth)  # fmt: skip
            tally.restocked += answer is not None and answer.status_code == 200
        await asyncio.sleep(0.5)
