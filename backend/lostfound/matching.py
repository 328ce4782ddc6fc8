"""Which found objects may be a lost one, how likely, and why.

A candidate must be of the same category, found after it was lost (and not months after), and where it
was lost (within the declared radius, with some slack; anywhere when the owner does not know where).
Among those, a score from 0 to 1 weighs how alike the descriptions are (RapidFuzz), colour, brand,
distance and time, and keeps the reasons so that staff see why a pair is offered.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz, utils

from backend.geo import service as geo

COLOURS = ("black", "white", "grey", "silver", "gold", "red", "pink", "orange", "yellow", "green", "blue",
           "purple", "brown", "beige", "multicolour")
_NEIGHBOURS = {frozenset(p) for p in (("black", "grey"), ("grey", "silver"), ("silver", "gold"), ("white", "beige"),
                                      ("beige", "brown"), ("brown", "orange"), ("red", "pink"), ("red", "orange"),
                                      ("orange", "yellow"), ("yellow", "gold"), ("green", "blue"), ("blue", "purple"),
                                      ("purple", "pink"), ("white", "grey"))}
FOUND_AFTER_DAYS = 60  # an object found later than this after its loss is no longer offered
SLACK_M = 250  # a place is never exact: the finder's pin, the owner's memory
WEIGHTS = {"description": 0.40, "colour": 0.20, "brand": 0.15, "place": 0.15, "time": 0.10}


@dataclass
class Side:
    """What matching knows of an object, lost or found."""

    id: int
    category: str
    colour: str
    brand: str
    description: str
    when_from: datetime
    when_to: datetime
    lat: float | None
    lon: float | None
    radius_m: int | None

    @classmethod
    def of(cls, row: Any) -> Side:
        get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
        return cls(get("id"), get("category"), get("colour") or "", get("brand") or "", get("description") or "",
                   get("when_from"), get("when_to"), get("lat"), get("lon"), get("radius_m"))


def colour_agreement(a: str, b: str) -> float | None:
    if not a or not b:
        return None
    if a == b or "multicolour" in (a, b):
        return 1.0 if a == b else 0.5
    return 0.6 if frozenset((a, b)) in _NEIGHBOURS else 0.0


def brand_agreement(a: str, b: str) -> float | None:
    if not a.strip() or not b.strip():
        return None
    return fuzz.ratio(a, b, processor=utils.default_process) / 100


def text_similarity(a: str, b: str) -> float | None:
    if not a.strip() or not b.strip():
        return None
    return fuzz.token_set_ratio(a, b, processor=utils.default_process) / 100


def time_window_ok(lost: Side, found: Side) -> bool:
    """Found after it was lost (the windows overlap or the finding comes later), and not too long after."""
    return found.when_to >= lost.when_from and found.when_from <= lost.when_to + timedelta(days=FOUND_AFTER_DAYS)


def place_score(lost: Side, found: Side) -> tuple[float | None, float | None]:
    """(score, distance in metres); (None, None) when either side has no place: it does not count."""
    if lost.lat is None or found.lat is None:
        return None, None
    distance = geo.near_distance_m((lost.lat, lost.lon), (found.lat, found.lon))
    reach = (lost.radius_m or 0) + (found.radius_m or 0) + SLACK_M
    if distance > reach:
        return 0.0, distance
    return 1 - distance / reach / 2, distance


def time_score(lost: Side, found: Side) -> float:
    gap = max(timedelta(0), found.when_from - lost.when_to)
    return max(0.0, 1 - gap / timedelta(days=FOUND_AFTER_DAYS))


def score(lost: Side, found: Side) -> tuple[float, list[dict]] | None:
    """The score of a pair and its reasons, or None when it is not a candidate at all."""
    if lost.category != found.category or not time_window_ok(lost, found):
        return None
    place, distance = place_score(lost, found)
    if place == 0.0:
        return None  # outside where it was lost
    parts = {"description": text_similarity(lost.description, found.description),
             "colour": colour_agreement(lost.colour, found.colour),
             "brand": brand_agreement(lost.brand, found.brand),
             "place": place, "time": time_score(lost, found)}
    known = {k: v for k, v in parts.items() if v is not None}
    total = sum(WEIGHTS[k] * v for k, v in known.items()) / sum(WEIGHTS[k] for k in known)
    reasons = [{"code": "category", "value": lost.category}]
    for name, value in known.items():
        reason: dict[str, Any] = {"code": name, "score": round(value, 2)}
        if name == "place":
            reason["distance_m"] = round(distance)
        if name == "colour":
            reason["value"] = f"{lost.colour} / {found.colour}"
        reasons.append(reason)
    return round(total, 3), reasons


def rank(lost: Side, found: list[Side], *, minimum: float, limit: int = 10) -> list[tuple[Side, float, list[dict]]]:
    """The best found candidates for a lost object, best first."""
    scored = []
    for item in found:
        result = score(lost, item)
        if result and result[0] >= minimum:
            scored.append((item, *result))
    scored.sort(key=lambda t: (-t[1], t[0].id))
    return scored[:limit]
