"""The organisation tree (canton > district > municipality) and routing a point to the deepest one."""
from __future__ import annotations

from backend.accounts.models import Organisation, OrganisationKind
from backend.errors import NotFound, OutsideArea
from backend.geo import service as geo


async def organisation_tree() -> list[Organisation]:
    return await Organisation.all().order_by("depth", "name_fr")


async def organisation_by_slug(slug: str) -> Organisation:
    org = await Organisation.get_or_none(slug=slug)
    if org is None:
        raise NotFound(f"No organisation is called {slug!r}.", code="unknown_organisation", field="organisation")
    return org


async def organisation_at(lat: float, lon: float) -> Organisation:
    """The deepest organisation whose boundary contains the point; 422 outside_area when none does."""
    candidates = await Organisation.filter(
        min_lat__lte=lat, max_lat__gte=lat, min_lon__lte=lon, max_lon__gte=lon
    ).order_by("-depth", "id")
    for org in candidates:
        if org.boundary and geo.contains(org.boundary, lat, lon):
            return org
    raise OutsideArea("This place is outside the municipalities served by Guichet. Move the pin inside the "
                      "municipality, or contact the municipality where the problem is.", field="lat")


async def create_organisation(*, slug: str, kind: OrganisationKind, name_fr: str, name_en: str,
                              parent: Organisation | None = None, boundary: dict | None = None,
                              **extra: str) -> Organisation:
    box: dict = {}
    if boundary:
        geo.validate_polygon(boundary)
        box = dict(zip(("min_lat", "min_lon", "max_lat", "max_lon"), geo.bounds(boundary)))
    return await Organisation.create(slug=slug, kind=kind, name_fr=name_fr, name_en=name_en, parent=parent,
                                     boundary=boundary, depth=(parent.depth + 1) if parent else 0, **box, **extra)


async def ancestors_and_self(org_id: int) -> list[int]:
    ids, current = [], await Organisation.get_or_none(id=org_id)
    while current is not None:
        ids.append(current.id)
        current = await Organisation.get_or_none(id=current.parent_id) if current.parent_id else None
    return ids


async def descendants_and_self(org_id: int) -> list[int]:
    ids, frontier = [org_id], [org_id]
    while frontier:
        frontier = await Organisation.filter(parent_id__in=frontier).values_list("id", flat=True)
        ids.extend(frontier)
    return ids
