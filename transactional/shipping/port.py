"""The shipping-provider port: a carrier's adapter and the sandbox implement it. Both calls are
idempotent on the order id, so a retry after a crash books nothing twice."""

from __future__ import annotations

from abc import ABC, abstractmethod


class ShippingProvider(ABC):
    # The carrier's name as shoppers read it beside the tracking number.
    carrier: str

    @abstractmethod
    def create_shipment(self, order_id: str) -> str:
        """Books a pickup; returns the carrier's tracking reference."""

    @abstractmethod
    def create_return(self, order_id: str) -> str:
        """Issues a return label; returns its carrier reference."""
