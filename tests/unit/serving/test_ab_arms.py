"""The A/B split by hashed shopper id: stable, about the configured share, none for anonymous
visitors, and the arms the event contract allows."""

from contracts.events import EXPERIMENT_ARMS
from storeloop.arms import CONTROL, MODELS, arm_of


def test_a_shopper_keeps_their_arm_and_the_share_is_about_right():
    shoppers = [f"c-{n:06d}" for n in range(4000)]
    arms = [arm_of(s, 0.3, "ab-1") for s in shoppers]
    assert arms == [arm_of(s, 0.3, "ab-1") for s in shoppers]
    assert 0.27 < arms.count(CONTROL) / len(arms) < 0.33
    assert set(arms) == {CONTROL, MODELS}


def test_a_new_salt_draws_new_arms_and_no_test_puts_nobody_in_one():
    shoppers = [f"c-{n:06d}" for n in range(1000)]
    first = [arm_of(s, 0.5, "ab-1") for s in shoppers]
    second = [arm_of(s, 0.5, "ab-2") for s in shoppers]
    assert 0.4 < sum(a != b for a, b in zip(first, second, strict=True)) / 1000 < 0.6
    assert arm_of("c-000001", 0.0, "ab-1") is None
    assert arm_of(None, 0.5, "ab-1") is None and arm_of("", 0.5, "ab-1") is None


def test_the_arms_are_the_ones_the_event_contract_allows():
    assert {CONTROL, MODELS} == set(EXPERIMENT_ARMS)


def _split(settings, share=0.5):
    shoppers = [f"c-{n:06d}" for n in range(50)]
    control = next(s for s in shoppers if arm_of(s, share, settings.experiment_salt) == CONTROL)
    models = next(s for s in shoppers if arm_of(s, share, settings.experiment_salt) == MODELS)
    return settings.model_copy(update={"control_share": share}), control, models


def test_the_control_arm_searches_in_index_order_and_the_models_arm_with_the_ranker(settings):
    from serving.search.service import SearchService
    from tests.unit.serving.test_search_service import PRODUCTS, PriceyFirst, filled_index

    settings, control, models = _split(settings)
    service = SearchService(settings, ranker=PriceyFirst(), index=filled_index(settings, PRODUCTS))
    served = service.search("kettle", customer_id=models)
    assert (served.ranker, served.arm) == ("3", MODELS)
    held_back = service.search("kettle", customer_id=control)
    assert (held_back.ranker, held_back.ranker_fallback, held_back.arm) == (
        "index", "control_arm", CONTROL,
    )  # fmt: skip
    assert service.search("kettle").arm is None  # anonymous: in no arm, served the models


def test_the_control_arm_gets_popular_products_and_says_why(settings):
    from serving.recommend.service import RecommendationService
    from tests.unit.serving.test_recommendation_service import PRODUCTS, VOCABULARY, Shopper
    from tests.unit.serving.test_search_service import filled_index

    settings, control, models = _split(settings)

    class Everyone:
        version, kind = "7", "item_knn"

        def knows(self, history):
            return True

        def recommend(self, history, k, exclude=(), purchased=()):
            return [(VOCABULARY[0], 1.0)]

        def similar(self, product_id, k):
            return [(VOCABULARY[0], 1.0)]

        def popular(self, k, skip=frozenset()):
            return []

    class Histories:
        def for_shopper(self, customer_id):
            return Shopper(["p-4"])

    index = filled_index(settings, PRODUCTS)
    service = RecommendationService(settings, Everyone(), index, Histories())
    feed = service.recommend(models, 3)
    assert (feed["recommender"], feed["fallback"], feed["arm"]) == ("7", None, MODELS)
    held_back = service.recommend(control, 3)
    assert (held_back["recommender"], held_back["fallback"], held_back["arm"]) == (
        "popularity", "control_arm", CONTROL,
    )  # fmt: skip
    similar = service.similar("p-4", 3, control)
    assert (similar["recommender"], similar["fallback"]) == ("popularity", "control_arm")
