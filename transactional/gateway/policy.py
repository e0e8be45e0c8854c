"""Who may call what: the one table of roles per protected route, checked by `acting_user`.
Ownership (whose product, whose order) stays in the services, which see the rows."""

from __future__ import annotations

from enum import StrEnum

from transactional.common.errors import Forbidden
from transactional.users.domain import Role, User
from transactional.users.mfa import AdminMfaRequired

SELLING = frozenset({Role.SELLER, Role.ADMIN})
BUYING = frozenset({Role.CUSTOMER})
ANYONE = frozenset(Role)

# (method, route template) -> roles allowed; a protected route missing here is refused for all,
# and a cart route open to guests checks a token's role here whenever one is sent,
# so a new route cannot be reachable by accident (tests/unit/transactional check every route).
ROLES_OF_ROUTE: dict[tuple[str, str], frozenset[Role]] = {
    ("POST", "/api/products"): SELLING,
    ("PATCH", "/api/products/{product_id}"): SELLING,
    ("DELETE", "/api/products/{product_id}"): SELLING,
    ("POST", "/api/products/{product_id}/stock"): SELLING,
    # Variants: only the parent's own seller adds them (the service checks whose it is).
    ("POST", "/api/products/{product_id}/variants"): frozenset({Role.SELLER}),
    # Offers: a seller offers a product; the service checks whose offer a change is for.
    ("POST", "/api/products/{product_id}/offers"): frozenset({Role.SELLER}),
    ("PATCH", "/api/offers/{offer_id}"): SELLING,
    ("DELETE", "/api/offers/{offer_id}"): SELLING,
    ("GET", "/api/sellers/me/offers"): frozenset({Role.SELLER}),
    ("GET", "/api/sellers/me/payouts"): frozenset({Role.SELLER}),
    # A buyer reviews (the service checks the paid order); the product's own seller answers.
    ("POST", "/api/products/{product_id}/reviews"): BUYING,
    ("POST", "/api/products/{product_id}/reviews/{review_id}/answer"): frozenset({Role.SELLER}),
    ("GET", "/api/cart"): BUYING,
    ("POST", "/api/cart/items"): BUYING,
    ("DELETE", "/api/cart/items/{product_id}"): BUYING,
    ("POST", "/api/orders"): BUYING,
    # Customers see their own orders, sellers those with their products, admins all.
    ("GET", "/api/orders"): ANYONE,
    ("GET", "/api/orders/{order_id}"): ANYONE,
    ("POST", "/api/orders/{order_id}/cancel"): frozenset({Role.CUSTOMER, Role.ADMIN}),
    ("POST", "/api/orders/{order_id}/refund"): frozenset({Role.ADMIN}),
    ("POST", "/api/orders/{order_id}/shipment"): SELLING,
    # Tracking: like the order itself, the service checks whose order it is.
    ("GET", "/api/orders/{order_id}/shipment"): ANYONE,
    ("POST", "/api/orders/{order_id}/return"): BUYING,
    # A seller's own sales from the marts; admins have the marts themselves.
    ("GET", "/api/sellers/me/sales"): frozenset({Role.SELLER}),
    ("GET", "/api/users/me"): ANYONE,
    ("POST", "/api/users/me/password"): ANYONE,
    ("POST", "/api/users/me/mfa"): ANYONE,
    ("POST", "/api/users/me/mfa/confirm"): ANYONE,
    # A shopper's own feed (it reveals what they bought); admins any.
    ("GET", "/api/recommendations/{user_id}"): frozenset({Role.CUSTOMER, Role.ADMIN}),
    ("POST", "/api/auth/logout"): ANYONE,
    # What a storefront showed and what was clicked; guests report too.
    ("POST", "/api/storefront/page-views"): ANYONE,
    ("POST", "/api/storefront/searches"): ANYONE,
    ("POST", "/api/storefront/searches/{search_id}/clicks"): ANYONE,
    ("POST", "/api/storefront/recommendations"): ANYONE,
    ("POST", "/api/storefront/recommendations/{recommendation_id}/clicks"): ANYONE,
}

# All an administrator without MFA may do (OWASP ASVS 4.3.1): turn it on, see who they are,
# change their password, log out. Anything else is 403 mfa_required until the first code.
BEFORE_MFA = frozenset(
    {
        ("GET", "/api/users/me"),
        ("POST", "/api/users/me/password"),
        ("POST", "/api/users/me/mfa"),
        ("POST", "/api/users/me/mfa/confirm"),
        ("POST", "/api/auth/logout"),
    }
)


class PolicyErrorCode(StrEnum):
    ROLE_NOT_ALLOWED = "role_not_allowed"


class RoleNotAllowed(Forbidden):
    def __init__(self, role: Role, method: str, route: str) -> None:
        super().__init__(
            PolicyErrorCode.ROLE_NOT_ALLOWED, f"a {role.value} may not {method} {route}", "role"
        )


def ensure_allowed(user: User, method: str, route: str) -> None:
    if user.role not in ROLES_OF_ROUTE.get((method, route), frozenset()):
        raise RoleNotAllowed(user.role, method, route)
    if user.needs_mfa and (method, route) not in BEFORE_MFA:
        raise AdminMfaRequired()
