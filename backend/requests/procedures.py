"""The catalogue of procedures ("démarches"): what each service is for, who may ask, the documents needed, how long
it takes, what it costs (issue 17, point 1), and the search over them by words, family and audience."""
from __future__ import annotations

import unicodedata
from typing import Any

from backend.errors import ValidationFailed
from backend.requests.models import Service

AUDIENCES = ("individuals", "companies", "associations")
TEXTS = ("who", "duration", "cost", "keywords")  # each in French and English: who_fr, who_en, ...
TEXT_MAX = 500
DOCUMENTS_MAX = 20


def check_info(info: Any) -> dict:
    """A procedure's page, checked and normalised: `audience` (a list of AUDIENCES), `who_fr`/`who_en`,
    `duration_*`, `cost_*`, `keywords_*` (text) and `documents_fr`/`documents_en` (lists of short texts)."""
    if info is None:
        return {}
    if not isinstance(info, dict):
        raise ValidationFailed("info must be an object.", code="invalid_type", field="info")
    allowed = {"audience", "documents_fr", "documents_en", *(f"{t}_{lang}" for t in TEXTS for lang in ("fr", "en"))}
    unknown = sorted(set(info) - allowed)
    if unknown:
        raise ValidationFailed(f"Unknown field: info.{unknown[0]}.", code="unknown_field", field=f"info.{unknown[0]}")
    out: dict[str, Any] = {}
    audience = info.get("audience", list(AUDIENCES))
    if not isinstance(audience, list) or not audience or not all(a in AUDIENCES for a in audience):
        raise ValidationFailed(f"info.audience lists some of: {', '.join(AUDIENCES)}.", code="invalid_choice",
                               field="info.audience")
    out["audience"] = [a for a in AUDIENCES if a in audience]
    for key in sorted(allowed - {"audience"}):
        value = info.get(key)
        if value in (None, "", []):
            continue
        if key.startswith("documents"):
            if not isinstance(value, list) or len(value) > DOCUMENTS_MAX \
                    or not all(isinstance(d, str) and 0 < len(d.strip()) <= 200 for d in value):
                raise ValidationFailed(f"info.{key} is a list of at most {DOCUMENTS_MAX} short texts.",
                                       code="invalid_type", field=f"info.{key}", params={"max": DOCUMENTS_MAX})
            out[key] = [d.strip() for d in value]
        elif not isinstance(value, str) or len(value) > TEXT_MAX:
            raise ValidationFailed(f"info.{key} is text of at most {TEXT_MAX} characters.", code="too_long",
                                   field=f"info.{key}", params={"max": TEXT_MAX})
        else:
            out[key] = value.strip()
    return out


def audience_of(service: Service) -> list[str]:
    """Who the procedure is for; everyone when its page does not say."""
    return (service.info or {}).get("audience") or list(AUDIENCES)


def page(service: Service, language: str) -> dict:
    """The procedure's page in one language (English falls back to French where a text is missing)."""
    info = service.info or {}

    def text(name: str) -> Any:
        return info.get(f"{name}_{language}") or info.get(f"{name}_fr") or ("" if name != "documents" else [])

    return {"audience": audience_of(service), "who": text("who"), "documents": text("documents"),
            "duration": text("duration"), "cost": text("cost")}


def folded(text: str) -> str:
    """Lowercase, without accents: "Télé" finds "tele", "passeport" finds "Passeport"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _haystack(service: Service) -> str:
    info = service.info or {}
    parts = [service.name_fr, service.name_en, service.description_fr, service.description_en, service.group,
             service.group_en, service.code, *(str(v) if not isinstance(v, list) else " ".join(v)
                                               for k, v in info.items() if k != "audience")]
    return folded(" ".join(p for p in parts if p))


def search(services: list[Service], *, words: str = "", family: str = "", audience: str = "") -> list[Service]:
    """The services that match every word (in either language, accents ignored), of that family (the group's
    French name) and for that audience; in the catalogue's order."""
    if audience and audience not in AUDIENCES:
        raise ValidationFailed(f"audience is one of: {', '.join(AUDIENCES)}.", code="invalid_choice",
                               field="audience")
    if len(words) > 200:
        raise ValidationFailed("q is too long.", code="too_long", field="q", params={"max": 200})
    wanted = folded(words).split()
    out = []
    for service in services:
        if family and service.group != family:
            continue
        if audience and audience not in audience_of(service):
            continue
        haystack = _haystack(service)
        if all(word in haystack for word in wanted):
            out.append(service)
    return out


def families(services: list[Service], language: str) -> list[dict]:
    """The families of a catalogue, in its order: `{key, name, count}`."""
    seen: dict[str, dict] = {}
    for service in services:
        if service.group not in seen:
            seen[service.group] = {"key": service.group, "name": (service.group_en if language == "en" else "")
                                   or service.group, "count": 0}
        seen[service.group]["count"] += 1
    return list(seen.values())
