"""A table of real-looking queries and what the parser should understand from each."""

import pytest

from serving.search.query_parser import ParsedQuery as Q
from serving.search.query_parser import parse_query

TABLE = [
    ("running shoes", Q("running shoes")),
    ("red shoes under 50", Q("red shoes", price_max=50.0)),
    ("red shoes under $50", Q("red shoes", price_max=50.0)),
    ("tv over 100", Q("tv", price_min=100.0)),
    ("tv over $100", Q("tv", price_min=100.0)),
    ("lamp $20-40", Q("lamp", price_min=20.0, price_max=40.0)),
    ("lamp $20 - $40", Q("lamp", price_min=20.0, price_max=40.0)),
    ("lamp $20 to $40", Q("lamp", price_min=20.0, price_max=40.0)),
    ("mugs between 20 and 40", Q("mugs", price_min=20.0, price_max=40.0)),
    ("mugs between 40 and 20", Q("mugs", price_min=20.0, price_max=40.0)),
    ("desk from 100 to 300", Q("desk", price_min=100.0, price_max=300.0)),
    ("desk 100-300 dollars", Q("desk", price_min=100.0, price_max=300.0)),
    ("headphones less than $30", Q("headphones", price_max=30.0)),
    ("headphones cheaper than 30", Q("headphones", price_max=30.0)),
    ("kettle below 25.50", Q("kettle", price_max=25.5)),
    ("phone case up to 15 dollars", Q("phone case", price_max=15.0)),
    ("backpack $40 or less", Q("backpack", price_max=40.0)),
    ("sofa at least 500", Q("sofa", price_min=500.0)),
    ("watch $200+", Q("watch", price_min=200.0)),
    ("blender more than 80 bucks", Q("blender", price_min=80.0)),
    ("monitor < 150", Q("monitor", price_max=150.0)),
    ("monitor >200", Q("monitor", price_min=200.0)),
    ("chair over 50 under 120", Q("chair", price_min=50.0, price_max=120.0)),
    ("brand:Acme kettle", Q("kettle", brand="Acme")),
    ("kettle brand:acme", Q("kettle", brand="acme")),
    ('brand:"Blue Fox" jacket', Q("jacket", brand="Blue Fox")),
    ("category:shoes trail", Q("trail", category="shoes")),
    ('category:"Home & Kitchen" lamp', Q("lamp", category="Home & Kitchen")),
    ("Brand:Acme Category:Kitchen", Q("", brand="Acme", category="Kitchen")),
    ("brand:acme under 20", Q("", brand="acme", price_max=20.0)),
    ('"steel kettle"', Q("", phrases=("steel kettle",))),
    ('"running shoes" red', Q("red", phrases=("running shoes",))),
    ('"wool" "socks"', Q("", phrases=("wool", "socks"))),
    ('usb "c cable', Q("usb c cable")),
    ("headphones 4 stars and up", Q("headphones", rating_min=4.0)),
    ("headphones 4+ stars", Q("headphones", rating_min=4.0)),
    ("toaster 4 star", Q("toaster", rating_min=4.0)),
    ("toaster 3.5 stars & up", Q("toaster", rating_min=3.5)),
    ("rug rated 4 stars or more", Q("rug", rating_min=4.0)),
    ("tent at least 4 stars", Q("tent", rating_min=4.0)),
    ("4-star hotel pillow", Q("hotel pillow", rating_min=4.0)),
    ("kettle in stock", Q("kettle", in_stock=True)),
    ("in-stock kettle", Q("kettle", in_stock=True)),
    ("cheapest laptop", Q("laptop", sort="price_asc")),
    ("laptop price low to high", Q("laptop", sort="price_asc")),
    ("laptop sort by price high to low", Q("laptop", sort="price_desc")),
    ("most expensive watch", Q("watch", sort="price_desc")),
    ("highest rated blender", Q("blender", sort="rating")),
    ("top-rated blender", Q("blender", sort="rating")),
    ("newest sneakers", Q("sneakers", sort="newest")),
    ("sneakers new arrivals", Q("sneakers", sort="newest")),
    (
        "brand:acme running shoes under $80 4+ stars in stock cheapest",
        Q(
            "running shoes",
            brand="acme",
            price_max=80.0,
            rating_min=4.0,
            in_stock=True,
            sort="price_asc",
        ),
    ),
    ("usb-c 20-40", Q("usb-c 20-40")),  # no $ or unit: a model number, not a price
    ("iphone 15", Q("iphone 15")),
    ("5 star", Q("", rating_min=5.0)),
    ("ps5 controller", Q("ps5 controller")),
    ("brand: acme", Q("brand: acme")),
    ("brand:", Q("brand:")),
    ("9 stars", Q("9 stars")),  # out of the rating scale: keywords
    ("OR OR", Q("OR OR")),
    ("*", Q("*")),
    ('"', Q("")),
    ("under", Q("under")),
    ("over the ear headphones", Q("over the ear headphones")),
    ("size 10 shoes", Q("size 10 shoes")),
]


@pytest.mark.parametrize(("raw", "expected"), TABLE, ids=[raw for raw, _ in TABLE])
def test_table_of_queries(raw, expected):
    assert parse_query(raw) == expected


def test_the_table_is_large_enough():
    assert len(TABLE) >= 50
