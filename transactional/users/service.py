"""User handlers: register and look up users."""

from __future__ import annotations

from transactional.common import events
from transactional.common.clock import iso
from transactional.common.ids import numbered_id
from transactional.common.uow import UnitOfWork
from transactional.users.domain import (
    EmailTaken,
    Role,
    User,
    UserNotFound,
    normalise_registration,
    parse_role,
)
from transactional.users.repository import UserRepository


class UserService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def register(self, name: str, email: str, role: str | Role = "customer") -> str:
        parsed_role = parse_role(role)
        name, email = normalise_registration(name, email)
        with self.uow.begin() as tx:
            repo = UserRepository(tx.connection)
            if repo.email_taken(email):
                raise EmailTaken(email)
            user = User(
                numbered_id(tx.connection, parsed_role.value), name, email, parsed_role, tx.now
            )
            repo.add(user)
            tx.record(
                events.CUSTOMER_REGISTERED,
                user.user_id,
                {
                    "customer_id": user.user_id,
                    "name": user.name,
                    "email": user.email,
                    "role": user.role.value,
                    "registered_at": iso(user.registered_at),
                },
            )
        return user.user_id

    def get(self, user_id: str) -> User:
        with self.uow.read() as connection:
            user = UserRepository(connection).get(user_id)
        if user is None:
            raise UserNotFound(user_id)
        return user
