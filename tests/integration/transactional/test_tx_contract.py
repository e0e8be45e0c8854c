"""The service-layer and HTTP suites of tests/unit/transactional, run again through this folder's
`store` fixture: once on a SQLite file, once on PostgreSQL. One behaviour, every backend."""

from __future__ import annotations

# Star imports re-collect those tests (and their module fixtures) here, on both backends.
from tests.unit.transactional.test_tx_api import *  # noqa: F403
from tests.unit.transactional.test_tx_auth import *  # noqa: F403
from tests.unit.transactional.test_tx_catalog_service import *  # noqa: F403
from tests.unit.transactional.test_tx_categories import *  # noqa: F403
from tests.unit.transactional.test_tx_checkout import *  # noqa: F403
from tests.unit.transactional.test_tx_offers import *  # noqa: F403
from tests.unit.transactional.test_tx_recommendations import *  # noqa: F403
from tests.unit.transactional.test_tx_review_api import *  # noqa: F403
from tests.unit.transactional.test_tx_reviews import *  # noqa: F403
from tests.unit.transactional.test_tx_users_storefront import *  # noqa: F403
from tests.unit.transactional.test_tx_variants import *  # noqa: F403
