"""Vocabulary of the generated catalog: brands, hierarchy, guidelines, formats, people."""

from __future__ import annotations

from typing import Any

BRANDS = ("MAISON ALDA", "BATCHEMON", "NORD & CO", "ATELIER SOLENE", "KIMURA")

# (univers, gamme, families, specification category name)
HIERARCHY: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("RTW", "Tops", ("T-shirts", "Shirts", "Knitwear"), "Tops"),
    ("RTW", "Bottoms", ("Trousers", "Jeans", "Skirts"), "Bottoms"),
    ("RTW", "Dresses", ("Dresses", "Jumpsuits"), "Dresses"),
    ("RTW", "Outerwear", ("Coats", "Jackets"), "Outerwear"),
    ("Accessories", "Bags", ("Handbags", "Backpacks"), "Bags"),
    ("Accessories", "Small leather goods", ("Wallets", "Belts"), "Small accessories"),
    ("Shoes", "Shoes", ("Sneakers", "Boots", "Sandals"), "Shoes"),
    ("Beauty", "Fragrance", ("Perfume", "Body care"), "Beauty"),
    ("Jewellery", "Jewellery", ("Rings", "Necklaces", "Earrings"), "Jewellery"),
)

PRODUCT_NOUNS: dict[str, str] = {
    "T-shirts": "cotton t-shirt",
    "Shirts": "poplin shirt",
    "Knitwear": "wool sweater",
    "Trousers": "pleated trousers",
    "Jeans": "straight jeans",
    "Skirts": "midi skirt",
    "Dresses": "wrap dress",
    "Jumpsuits": "linen jumpsuit",
    "Coats": "long coat",
    "Jackets": "cropped jacket",
    "Handbags": "leather handbag",
    "Backpacks": "nylon backpack",
    "Wallets": "zip wallet",
    "Belts": "leather belt",
    "Sneakers": "low-top sneakers",
    "Boots": "ankle boots",
    "Sandals": "flat sandals",
    "Perfume": "eau de parfum",
    "Body care": "body lotion",
    "Rings": "signet ring",
    "Necklaces": "chain necklace",
    "Earrings": "hoop earrings",
}

SIZES: dict[str, tuple[str, ...]] = {
    "RTW": ("XS", "S", "M", "L", "XL"),
    "Accessories": ("TU",),
    "Shoes": ("36", "37", "38", "39", "40", "41", "42", "43"),
    "Beauty": ("50ML", "100ML"),
    "Jewellery": ("TU", "52", "54"),
}

COLORS: tuple[tuple[str, str], ...] = (
    ("BLACK", "#000000"),
    ("WHITE", "#FFFFFF"),
    ("NAVY", "#1F2A44"),
    ("PINK", "#FFC0CB"),
    ("CAMEL", "#C19A6B"),
    ("KHAKI", "#8A865D"),
    ("RED", "#C8102E"),
    ("ECRU", "#F3EFE0"),
    ("GREY", "#8E8E8E"),
    ("BLUE", "#3A6EA5"),
    ("GOLD", "#D4AF37"),
    ("GREEN", "#2E6F40"),
)

GENDERS: tuple[tuple[str, str], ...] = (
    ("W", "Woman"),
    ("M", "Man"),
    ("U", "Unisex"),
    ("K", "Kids"),
)

SYLLABLES = (
    "al", "da", "bo", "he", "mi", "an", "lu", "na", "ro", "sa", "ti", "ve", "ka", "lo", "ma",
    "ne", "ri", "so", "ta", "zu", "el", "or", "is", "ya",
)  # fmt: skip

TAGS = ("urgent", "carry-over", "new", "e-shop", "leather", "eco", "capsule", "press")
COMPOSITIONS = ("100% cotton", "70% wool, 30% polyamide", "100% linen", "calf leather",
                "recycled polyester", "brass", "silver 925", "viscose")  # fmt: skip
SUPPLIERS = ("Tissages du Nord", "Pelletteria Toscana", "Porto Shoes", "Atelier Lyon")

# (shooting_method_id, name)
SHOOTING_METHODS: tuple[tuple[int, str], ...] = (
    (10, "Packshot"),
    (11, "On-model"),
    (12, "Details"),
    (13, "Flat lay"),
    (14, "Ghost mannequin"),
)

FORMATS: tuple[dict[str, Any], ...] = (
    {
        "format_id": 1,
        "smalltext": "E-commerce HD",
        "description": "Main product pages",
        "file_format": "JPG",
        "width": 2000,
        "height": 2500,
        "icc_profile": "sRGB IEC61966-2.1",
        "max_file_size": 1500,
        "resolution": 72,
        "background_color": "#FFFFFF",
        "position": "Center",
        "sample_filename": "{ref}_{rang}.jpg",
        "authorize_max_width": False,
    },
    {
        "format_id": 2,
        "smalltext": "Zoom",
        "description": "Zoomable product image",
        "file_format": "JPG",
        "width": 4000,
        "height": 5000,
        "icc_profile": "sRGB IEC61966-2.1",
        "max_file_size": 6000,
        "resolution": 300,
        "background_color": "#FFFFFF",
        "position": "Center",
        "authorize_max_width": True,
        "max_width": 4500,
    },
    {
        "format_id": 3,
        "smalltext": "Print",
        "description": "Catalogue and press",
        "file_format": "TIF",
        "width": 4000,
        "height": 5000,
        "icc_profile": "Adobe RGB (1998)",
        "max_file_size": 60000,
        "resolution": 300,
        "position": "Center",
        "authorize_max_width": False,
    },
    {
        "format_id": 4,
        "smalltext": "Marketplace square",
        "description": "Marketplaces (square, white background)",
        "file_format": "JPG",
        "width": 1500,
        "height": 1500,
        "icc_profile": "sRGB IEC61966-2.1",
        "max_file_size": 800,
        "resolution": 72,
        "background_color": "#FFFFFF",
        "position": "South",
        "authorize_max_width": False,
        "border_strategy": {
            "top": {"size": 5, "unit": "%", "color": "#FFFFFF"},
            "bottom": {"size": 5, "unit": "%", "color": "#FFFFFF"},
            "left": {"size": 5, "unit": "%", "color": "EXTRAPOLATE"},
            "right": {"size": 5, "unit": "%", "color": "EXTRAPOLATE"},
        },
    },
    {
        "format_id": 5,
        "smalltext": "Transparent PNG",
        "description": "Cut-out on transparent background",
        "file_format": "PNG",
        "width": 2000,
        "height": 2000,
        "icc_profile": "sRGB IEC61966-2.1",
        "max_file_size": 3000,
        "resolution": 72,
        "position": "Center",
        "authorize_max_width": False,
    },
    {
        "format_id": 6,
        "smalltext": "Beauty",
        "description": "Beauty square",
        "file_format": "PNG",
        "width": 1000,
        "height": 1000,
        "icc_profile": "sRGB IEC61966-2.1",
        "max_file_size": 1000,
        "resolution": 72,
        "background_color": "#F7F2EE",
        "position": "South",
        "authorize_max_width": False,
        "border_strategy": {
            "left": {"size": 1, "unit": "%"},
            "top": {"size": 1, "unit": "%"},
            "right": {"size": 1, "unit": "%"},
            "bottom": {"size": 1, "unit": "%"},
        },
    },
)

# View types per category: (code, smalltext, shooting method, format ids)
_APPAREL = (
    ("FRONT", "Packshot front", "Packshot", (1, 2)),
    ("BACK", "Packshot back", "Packshot", (1,)),
    ("WORN_FRONT", "Worn front", "On-model", (1, 3)),
    ("WORN_SIDE", "Worn side", "On-model", (1,)),
    ("DETAIL", "Detail", "Details", (1,)),
)
VIEW_TYPES: dict[str, tuple[tuple[str, str, str, tuple[int, ...]], ...]] = {
    "Tops": _APPAREL,
    "Bottoms": _APPAREL[:3] + _APPAREL[4:],
    "Dresses": _APPAREL,
    "Outerwear": _APPAREL,
    "Bags": (
        ("FRONT", "Packshot front", "Packshot", (1, 2)),
        ("SIDE", "Packshot side", "Packshot", (1,)),
        ("BACK", "Packshot back", "Packshot", (1,)),
        ("INSIDE", "Inside", "Details", (1,)),
        ("WORN", "Worn", "On-model", (1, 3)),
    ),
    "Small accessories": (
        ("FRONT", "Packshot front", "Packshot", (1, 4)),
        ("BACK", "Packshot back", "Packshot", (1,)),
        ("DETAIL", "Detail", "Details", (1,)),
    ),
    "Shoes": (
        ("SIDE", "Side", "Packshot", (1, 4)),
        ("PAIR", "Pair", "Packshot", (1,)),
        ("SOLE", "Sole", "Packshot", (1,)),
        ("TOP", "Top", "Packshot", (1,)),
        ("WORN", "Worn", "On-model", (1,)),
    ),
    "Beauty": (
        ("FRONT", "Front", "Packshot", (6, 5)),
        ("TEXTURE", "Texture", "Details", (6,)),
    ),
    "Jewellery": (
        ("FRONT", "Front", "Packshot", (5, 1)),
        ("WORN", "Worn", "On-model", (1,)),
        ("DETAIL", "Macro detail", "Details", (5,)),
    ),
}
# References without a category are still shot, against this default list (no guideline).
DEFAULT_VIEWS = (("FRONT", "Packshot", (1,)), ("BACK", "Packshot", (1,)))

EXPORTS = ("WEB", "E-commerce HD", "Marketplace")

RANDOM_ALERTS = (
    "unexpected_view",
    "duplicate_filename",
    "incorrect_filename",
    "out_of_shotlist",
    "missing_value_catalog",
    "thumbnail_generation_failed",
)

PHOTOGRAPHERS = ("Jeanne Martin", "Hugo Bernard", "Aya Tanaka", "Lucas Moreau")
MODELS = ("Ines", "Oscar", "Maya", "Noah", "Lea")
STYLISTS = ("Camille Roux", "Nina Petit", "Sam Leroy")
STUDIOS = (
    {"address_line1": "12 rue de la Roquette", "zipcode": "75011", "city": "Paris",
     "country": "France", "country_iso2": "FR"},
    {"address_line1": "Via Tortona 31", "zipcode": "20144", "city": "Milano",
     "country": "Italy", "country_iso2": "IT"},
)  # fmt: skip
