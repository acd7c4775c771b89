from __future__ import annotations

from csgrants.core.postal import region_for


def enterprise_regions(enterprise) -> tuple[str | None, list[str]]:
    """(region of the seat, regions of the establishment units). The register data, when loaded,
    knows the establishment units; otherwise only the declared postal code is known."""
    return region_for(enterprise.postal_code), []
