import pytest

from serving.search.query_parser import ParsedQuery, parse_query


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("red shoes under 50", ParsedQuery("red shoes", price_max=50.0)),
        ("tv over 100", ParsedQuery("tv", price_min=100.0)),
        ("lamp $20-40", ParsedQuery("lamp", price_min=20.0, price_max=40.0)),
        ("mugs between 40 and 20", ParsedQuery("mugs", price_min=20.0, price_max=40.0)),
        ("brand:Acme kettle", ParsedQuery("kettle", brand="Acme")),
        ('category:"Home & Kitchen" lamp', ParsedQuery("lamp", category="Home & Kitchen")),
        ("usb-c 20-40", ParsedQuery("usb-c 20-40")),  # no $: a model number, not a price
        ("brand: acme", ParsedQuery("brand: acme")),
    ],
)
def test_parses_keywords_filters_and_prices(raw, expected):
    assert parse_query(raw) == expected


@pytest.mark.parametrize("raw", [None, "", b"\xff\xfe\x00", "\x00\x07", "a" * 100_000, 42, "((("])
def test_never_raises_and_keeps_queries_short(raw):
    parsed = parse_query(raw)
    assert isinstance(parsed.keywords, str)
    assert len(parsed.keywords) <= 512
    assert "\x00" not in parsed.keywords
