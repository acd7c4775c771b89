"""Province and region from a Belgian postal code (bpost ranges; ISO 3166-2:BE keys).

Flemish Region = 1500-3999 and 8000-9999; Brussels-Capital = 1000-1299."""

from __future__ import annotations

PROVINCES = {
    "BE-VAN": ("Antwerpen", "Antwerp"),
    "BE-VLI": ("Limburg", "Limburg"),
    "BE-VOV": ("Oost-Vlaanderen", "East Flanders"),
    "BE-VBR": ("Vlaams-Brabant", "Flemish Brabant"),
    "BE-VWV": ("West-Vlaanderen", "West Flanders"),
    "BE-BRU": ("Brussels Hoofdstedelijk Gewest", "Brussels-Capital Region"),
    "BE-WBR": ("Waals-Brabant", "Walloon Brabant"),
    "BE-WHT": ("Henegouwen", "Hainaut"),
    "BE-WLG": ("Luik", "Liège"),
    "BE-WLX": ("Luxemburg", "Luxembourg"),
    "BE-WNA": ("Namen", "Namur"),
}
FLEMISH_PROVINCES = ("BE-VAN", "BE-VLI", "BE-VOV", "BE-VBR", "BE-VWV")

_RANGES = [
    (1000, 1299, "BE-BRU"),
    (1300, 1499, "BE-WBR"),
    (1500, 1999, "BE-VBR"),
    (2000, 2999, "BE-VAN"),
    (3000, 3499, "BE-VBR"),
    (3500, 3999, "BE-VLI"),
    (4000, 4999, "BE-WLG"),
    (5000, 5999, "BE-WNA"),
    (6000, 6599, "BE-WHT"),
    (6600, 6999, "BE-WLX"),
    (7000, 7999, "BE-WHT"),
    (8000, 8999, "BE-VWV"),
    (9000, 9999, "BE-VOV"),
]

REGIONS = ("flanders", "brussels", "wallonia")


def is_valid_postal_code(code: str | None) -> bool:
    return (
        code is not None and len(code.strip()) == 4 and code.strip().isdigit() and int(code) >= 1000
    )


def province_for(postal_code: str | None) -> str | None:
    if postal_code is None or not is_valid_postal_code(postal_code):
        return None
    n = int(postal_code.strip())
    for low, high, province in _RANGES:
        if low <= n <= high:
            return province
    return None


def region_for_province(province: str | None) -> str | None:
    if province is None:
        return None
    if province == "BE-BRU":
        return "brussels"
    return "flanders" if province.startswith("BE-V") else "wallonia"


def region_for(postal_code: str | None) -> str | None:
    return region_for_province(province_for(postal_code))
