"""The mail port: how the store reaches an account's owner by email. A mail provider's adapter
and the sandbox implement it; the composition root picks one."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str


class Mailer(ABC):
    @abstractmethod
    def send(self, message: Message) -> None:
        """Hands the message to the provider; raises if the provider refused it."""

    def close(self) -> None:
        return None
