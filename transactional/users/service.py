"""User handlers: register and look up users."""

from __future__ import annotations

from argon2 import PasswordHasher

from contracts import events
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
from transactional.users.passwords import check_password_rules, default_hasher
from transactional.users.repository import CredentialRepository, UserRepository


class UserService:
    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher | None = None) -> None:
        self.uow = uow
        self.hasher = hasher or default_hasher()

    def register(
        self,
        name: str,
        email: str,
        role: str | Role = "customer",
        password: str | None = None,
    ) -> str:
        """Without a password (simulated shoppers) the account exists but cannot log in."""
        parsed_role = parse_role(role)
        name, email = normalise_registration(name, email)
        password_hash = None
        if password is not None:
            check_password_rules(password, name, email)
            # Hashed before the transaction: argon2 is slow on purpose, the write lock is not.
            password_hash = self.hasher.hash(password)
        with self.uow.begin() as tx:
            repo = UserRepository(tx.connection)
            if repo.email_taken(email):
                raise EmailTaken(email)
            user = User(
                numbered_id(tx.connection, parsed_role.value), name, email, parsed_role, tx.now
            )
            repo.add(user)
            if password_hash is not None:
                CredentialRepository(tx.connection).add(user.user_id, password_hash)
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
