"""The simulated shop's category tree: leaf categories with their product types, brands and prices.

Pure data. Each product type lists its synonyms (tee/t-shirt, sneakers/trainers) so that a search
engine has to earn its keep; prices are the category's log-normal median and spread in USD.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductType:
    name: str  # the word a seller writes in the title, e.g. "Running Shoes"
    synonyms: tuple[str, ...] = ()  # words shoppers also use for it
    variants: tuple[str, ...] = ()  # sizes, capacities, pack counts


@dataclass(frozen=True)
class LeafCategory:
    path: str  # "Fashion > Men's Shoes": the `category` field of a product
    query_words: tuple[str, ...]  # how shoppers name the category itself
    types: tuple[ProductType, ...]
    brands: tuple[str, ...]
    adjectives: tuple[str, ...]
    features: tuple[str, ...]
    materials: tuple[str, ...]
    colours: tuple[str, ...]
    median_price: float
    price_sigma: float = 0.45


_CLOTHES_COLOURS = ("Black", "White", "Navy", "Grey", "Red", "Olive", "Beige", "Blue", "Pink")
_TECH_COLOURS = ("Black", "White", "Silver", "Space Grey", "Blue")
_HOME_COLOURS = ("White", "Grey", "Charcoal", "Sage Green", "Cream", "Navy", "Stainless Steel")
_SIZES = ("Size S", "Size M", "Size L", "Size XL")
_SHOE_SIZES = ("Size 8", "Size 9", "Size 10", "Size 11", "Size 12")
_FASHION_BRANDS = ("Acme", "Northwind", "Veloce", "Urbanite", "Halcyon")

# fmt: off
CATEGORIES: tuple[LeafCategory, ...] = (
    LeafCategory(
        "Fashion > Men's Shoes", ("mens shoes", "footwear"),
        (ProductType("Running Shoes", ("sneakers", "trainers"), _SHOE_SIZES),
         ProductType("Hiking Boots", ("boots",), _SHOE_SIZES),
         ProductType("Loafers", ("slip-ons",), _SHOE_SIZES),
         ProductType("Sandals", ("flip-flops", "slides"), _SHOE_SIZES)),
        (*_FASHION_BRANDS, "Stridewell"), ("Men's", "Lightweight", "Waterproof", "Classic"),
        ("Breathable Mesh", "Cushioned Sole", "Non-Slip Grip", "Arch Support"),
        ("Leather", "Suede", "Mesh", "Canvas"), _CLOTHES_COLOURS, 70.0),
    LeafCategory(
        "Fashion > Women's Clothing", ("womens clothing", "womens fashion"),
        (ProductType("Summer Dress", ("dress", "sundress"), _SIZES),
         ProductType("Blouse", ("top", "shirt"), _SIZES),
         ProductType("T-Shirt", ("tee", "tshirt"), _SIZES),
         ProductType("Leggings", ("yoga pants", "tights"), _SIZES),
         ProductType("Cardigan", ("sweater", "jumper"), _SIZES)),
        (*_FASHION_BRANDS, "Maison Lila"), ("Women's", "Casual", "Slim Fit", "Floral", "Oversized"),
        ("Soft Stretch", "Machine Washable", "Relaxed Fit", "V-Neck"),
        ("Cotton", "Linen", "Polyester", "Wool Blend"), _CLOTHES_COLOURS, 32.0),
    LeafCategory(
        "Fashion > Men's Clothing", ("mens clothing", "menswear"),
        (ProductType("T-Shirt", ("tee", "tshirt"), _SIZES),
         ProductType("Hoodie", ("sweatshirt", "pullover"), _SIZES),
         ProductType("Jeans", ("denim", "pants"), ("30W", "32W", "34W", "36W")),
         ProductType("Rain Jacket", ("jacket", "raincoat"), _SIZES),
         ProductType("Polo Shirt", ("polo",), _SIZES)),
        (*_FASHION_BRANDS, "Ironwood"), ("Men's", "Slim Fit", "Classic", "Heavyweight"),
        ("Crew Neck", "Machine Washable", "Regular Fit", "Zip Pockets"),
        ("Cotton", "Denim", "Fleece", "Polyester"), _CLOTHES_COLOURS, 35.0),
    LeafCategory(
        "Fashion > Bags & Accessories", ("bags", "accessories"),
        (ProductType("Backpack", ("rucksack", "daypack"), ("20L", "25L", "30L")),
         ProductType("Handbag", ("purse", "tote"), ("Small", "Medium", "Large")),
         ProductType("Wallet", ("billfold",), ("Bifold", "Trifold")),
         ProductType("Sunglasses", ("shades",), ("Polarized", "UV400")),
         ProductType("Wrist Watch", ("watch",), ("38mm", "42mm"))),
        (*_FASHION_BRANDS, "Kestrel"), ("Slim", "Travel", "Vintage", "Minimalist"),
        ("RFID Blocking", "Water Resistant", "Adjustable Strap", "Laptop Sleeve"),
        ("Leather", "Nylon", "Canvas", "Stainless Steel"), _CLOTHES_COLOURS, 45.0, 0.6),
    LeafCategory(
        "Electronics > Headphones & Audio", ("audio", "headphones"),
        (ProductType("Over-Ear Headphones", ("headphones", "headset"), ("Wireless", "Wired")),
         ProductType("Wireless Earbuds", ("earbuds", "earphones"), ("Bluetooth 5.3",)),
         ProductType("Bluetooth Speaker", ("speaker",), ("10W", "20W", "40W"))),
        ("Sonora", "Lumio", "Zentro", "Cobalt", "Brightline"),
        ("Noise Cancelling", "Portable", "Bass Boosted", "Compact"),
        ("30h Battery", "Fast Charging", "Built-in Microphone", "Waterproof IPX7"),
        ("Plastic", "Aluminium"), _TECH_COLOURS, 60.0, 0.6),
    LeafCategory(
        "Electronics > Phones & Accessories", ("phone accessories", "mobile"),
        (ProductType("Phone Case", ("cover",), ("for iPhone 15", "for Galaxy S24", "for Pixel 8")),
         ProductType("Wall Charger", ("charger", "adapter"), ("20W", "45W", "65W")),
         ProductType("Power Bank", ("portable charger", "battery pack"), ("10000mAh", "20000mAh")),
         ProductType("USB-C Cable", ("cable", "cord"), ("3ft", "6ft", "10ft", "2-Pack"))),
        ("Zentro", "Lumio", "Voltix", "Cobalt", "Anvil"), ("Slim", "Rugged", "Fast", "Braided"),
        ("Shockproof", "USB-C PD", "MagSafe Compatible", "Tangle-Free"),
        ("Silicone", "TPU", "Nylon", "Aluminium"), _TECH_COLOURS, 18.0),
    LeafCategory(
        "Electronics > Computers", ("computer", "pc accessories"),
        (ProductType("Laptop", ("notebook",), ('14"', '15.6"', '16"')),
         ProductType("Mechanical Keyboard", ("keyboard",), ("Full Size", "TKL", "60%")),
         ProductType("Wireless Mouse", ("mouse",), ("2.4GHz", "Bluetooth")),
         ProductType("Monitor", ("display", "screen"), ('24"', '27"', '32"')),
         ProductType("Webcam", ("camera",), ("1080p", "4K"))),
        ("Zentro", "Cobalt", "Quanta", "Lumio", "Brightline"),
        ("Ergonomic", "Gaming", "Ultra-Thin", "Professional"),
        ("Backlit", "Adjustable Stand", "Plug and Play", "Long Battery Life"),
        ("Plastic", "Aluminium"), _TECH_COLOURS, 90.0, 0.9),
    LeafCategory(
        "Electronics > Smart Home", ("smart home",),
        (ProductType("Smart Plug", ("outlet",), ("1-Pack", "4-Pack")),
         ProductType("Security Camera", ("camera", "cctv"), ("Indoor", "Outdoor")),
         ProductType("Smart Bulb", ("light bulb", "bulb"), ("2-Pack", "4-Pack")),
         ProductType("Video Doorbell", ("doorbell",), ("Wired", "Battery"))),
        ("Homely", "Lumio", "Zentro", "Brightline"), ("Smart", "Wi-Fi", "Voice Controlled"),
        ("Works with Alexa", "Night Vision", "Energy Monitoring", "App Control"),
        ("Plastic",), _TECH_COLOURS, 30.0, 0.6),
    LeafCategory(
        "Home & Kitchen > Cookware", ("cookware", "pots and pans"),
        (ProductType("Frying Pan", ("skillet",), ('8"', '10"', '12"')),
         ProductType("Saucepan", ("pot",), ("1.5qt", "2qt", "3qt")),
         ProductType("Dutch Oven", ("casserole",), ("4qt", "6qt")),
         ProductType("Knife Set", ("knives",), ("6-Piece", "12-Piece"))),
        ("Chefline", "Ironwood", "Pinecrest", "Everfield"), ("Nonstick", "Professional", "Classic"),
        ("Dishwasher Safe", "Induction Ready", "Oven Safe", "PFOA Free"),
        ("Cast Iron", "Stainless Steel", "Ceramic", "Aluminium"), _HOME_COLOURS, 40.0),
    LeafCategory(
        "Home & Kitchen > Small Appliances", ("kitchen appliances", "appliances"),
        (ProductType("Coffee Maker", ("coffee machine", "brewer"), ("12-Cup", "Single Serve")),
         ProductType("Blender", ("smoothie maker",), ("1000W", "1500W")),
         ProductType("Air Fryer", ("fryer",), ("4qt", "6qt", "8qt")),
         ProductType("Toaster", ("toaster oven",), ("2-Slice", "4-Slice")),
         ProductType("Electric Kettle", ("kettle",), ("1.7L", "1L"))),
        ("Chefline", "Everfield", "Homely", "Pinecrest", "Brightline"),
        ("Compact", "Programmable", "Quiet", "Digital"),
        ("Auto Shut-Off", "Easy Clean", "Keep Warm", "Touch Controls"),
        ("Stainless Steel", "Plastic", "Glass"), _HOME_COLOURS, 55.0, 0.55),
    LeafCategory(
        "Home & Kitchen > Bedding", ("bedding", "bedroom"),
        (ProductType("Bed Sheets", ("sheet set", "bedsheets"), ("Twin", "Queen", "King")),
         ProductType("Duvet Cover", ("comforter cover",), ("Queen", "King")),
         ProductType("Pillow", ("pillows",), ("Standard", "King", "2-Pack")),
         ProductType("Throw Blanket", ("blanket", "throw"), ('50"x60"', '60"x80"'))),
        ("Dreamwell", "Everfield", "Pinecrest", "Halcyon"), ("Soft", "Luxury", "Cooling", "Cozy"),
        ("Deep Pocket", "Hypoallergenic", "Wrinkle Free", "Breathable"),
        ("Cotton", "Linen", "Microfiber", "Bamboo"), _HOME_COLOURS, 38.0),
    LeafCategory(
        "Beauty > Skin Care", ("skin care", "skincare"),
        (ProductType("Moisturizer", ("lotion", "cream", "moisturiser"), ("1.7oz", "3.4oz")),
         ProductType("Face Serum", ("serum",), ("1oz",)),
         ProductType("Sunscreen", ("sunblock", "spf"), ("SPF 30", "SPF 50")),
         ProductType("Facial Cleanser", ("face wash", "cleanser"), ("6oz", "8oz"))),
        ("Glowe", "Pure Petal", "Dermacare", "Halcyon"),
        ("Hydrating", "Gentle", "Daily", "Organic"),
        ("Fragrance Free", "For Sensitive Skin", "With Hyaluronic Acid", "Vitamin C"),
        ("Aloe", "Shea Butter", "Niacinamide"), ("Clear",), 18.0),
    LeafCategory(
        "Beauty > Hair Care", ("hair care",),
        (ProductType("Shampoo", ("hair wash",), ("12oz", "16oz")),
         ProductType("Conditioner", ("hair conditioner",), ("12oz", "16oz")),
         ProductType("Hair Dryer", ("blow dryer", "hairdryer"), ("1875W",)),
         ProductType("Hair Straightener", ("flat iron", "straightener"), ('1"', '1.5"'))),
        ("Glowe", "Silkara", "Pure Petal", "Dermacare"), ("Volumizing", "Repairing", "Ionic"),
        ("Sulfate Free", "For Curly Hair", "Frizz Control", "Fast Drying"),
        ("Argan Oil", "Keratin", "Ceramic", "Tourmaline"), ("Black", "Pink", "White"), 20.0),
    LeafCategory(
        "Toys & Games > Building Toys", ("building toys", "toys"),
        (ProductType("Building Blocks", ("bricks", "blocks"), ("500 Pieces", "1000 Pieces")),
         ProductType("Magnetic Tiles", ("magnet tiles",), ("60 Pieces", "100 Pieces")),
         ProductType("Construction Kit", ("stem kit",), ("Ages 6+", "Ages 8+"))),
        ("Brickly", "Tinker Town", "Wonderkin"), ("Creative", "Educational", "Classic"),
        ("STEM Learning", "Storage Box Included", "Compatible with Major Brands"),
        ("Plastic", "Wood"), ("Multicolor",), 30.0),
    LeafCategory(
        "Toys & Games > Board Games", ("board games", "games"),
        (ProductType("Board Game", ("tabletop game",), ("2-4 Players", "2-6 Players")),
         ProductType("Jigsaw Puzzle", ("puzzle",), ("500 Pieces", "1000 Pieces")),
         ProductType("Card Game", ("cards",), ("Party Edition", "Family Edition"))),
        ("Tinker Town", "Wonderkin", "Gamewright Co"), ("Family", "Strategy", "Party", "Classic"),
        ("For Adults and Kids", "Game Night", "Quick to Learn"),
        ("Cardboard", "Wood"), ("Multicolor",), 22.0),
    LeafCategory(
        "Sports & Outdoors > Fitness", ("fitness", "gym", "workout"),
        (ProductType("Yoga Mat", ("exercise mat",), ('1/4"', '1/2"')),
         ProductType("Dumbbells", ("weights", "dumbbell"), ("5lb Pair", "10lb Pair", "20lb Pair")),
         ProductType("Resistance Bands", ("exercise bands",), ("Set of 5",)),
         ProductType("Kettlebell", (), ("15lb", "25lb", "35lb"))),
        ("Kinetic", "Peakform", "Stridewell", "Ironwood"), ("Non-Slip", "Heavy Duty", "Home Gym"),
        ("With Carry Strap", "Anti-Tear", "Ergonomic Grip"),
        ("TPE", "Neoprene", "Cast Iron", "Latex"), ("Black", "Purple", "Blue", "Grey"), 30.0),
    LeafCategory(
        "Sports & Outdoors > Camping", ("camping", "outdoor gear"),
        (ProductType("Camping Tent", ("tent",), ("2-Person", "4-Person", "6-Person")),
         ProductType("Sleeping Bag", ("sleepingbag",), ("3-Season", "Cold Weather")),
         ProductType("Camping Lantern", ("lantern", "camp light"), ("Rechargeable", "Battery")),
         ProductType("Water Bottle", ("flask", "bottle"), ("24oz", "32oz", "40oz"))),
        ("Trailhead", "Peakform", "Kestrel", "Everfield"),
        ("Ultralight", "Insulated", "Waterproof"),
        ("Easy Setup", "Leak Proof", "BPA Free", "Compact Carry Bag"),
        ("Nylon", "Polyester", "Stainless Steel"), ("Green", "Orange", "Grey", "Blue"), 45.0, 0.6),
)
# fmt: on

ALL_BRANDS: tuple[str, ...] = tuple(sorted({b for c in CATEGORIES for b in c.brands}))
