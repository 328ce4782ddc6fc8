"""Legal and information pages: terms of use, privacy notice, accessibility statement, legal notice, help.

Each organisation's administrators write their own, in French and in English; until they do, a built-in text
(legal_texts.py) fills in the organisation's contact details and the retention periods in force. Every change is
audited.
"""
from __future__ import annotations

from typing import Any

from backend.accounts.models import Organisation, OrganisationKind, Role
from backend.audit import service as audit
from backend.config import Settings
from backend.errors import Forbidden, NotFound, ValidationFailed
from backend.privacy.legal_texts import TEXTS, TITLES
from backend.privacy.models import LegalPage

KINDS = tuple(TITLES)
LANGUAGES = ("fr", "en")


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound(f"No page is called {kind!r}; pages: {', '.join(KINDS)}.", code="unknown_page")
    return kind


async def home_organisation() -> Organisation:
    """The town this server is for: the first municipality set up (as the maps open on it)."""
    org = await Organisation.filter(kind=OrganisationKind.MUNICIPALITY).exclude(boundary=None).order_by("depth", "id").first() \
        or await Organisation.all().order_by("depth", "id").first()
    if org is None:
        raise NotFound("No organisation is set up yet.", code="unknown_organisation", field="organisation")
    return org


def _contact(org: Organisation, language: str) -> str:
    labels = {"fr": ("Adresse", "Téléphone", "E-mail", "Horaires"), "en": ("Address", "Phone", "E-mail", "Hours")}
    values = (org.address, org.contact_phone, org.contact_email, org.opening_hours)
    lines = [f"- {label} : {value}" if language == "fr" else f"- {label}: {value}"
             for label, value in zip(labels[language], values) if value]
    return "\n".join([org.name_fr if language == "fr" else org.name_en, *lines])


def default_page(org: Organisation, kind: str, language: str, settings: Settings) -> tuple[str, str]:
    """(title, body) of the built-in text, filled in."""
    name = org.name_fr if language == "fr" else org.name_en
    body = TEXTS[language][kind].format(
        org=name, contact=_contact(org, language), tiles=settings.tile_attribution,
        contact_days=settings.retention_contact_days, personal_days=settings.retention_personal_days,
        lostfound_days=settings.retention_lostfound_days, audit_days=settings.retention_audit_days,
        log_days=settings.retention_log_days)
    return TITLES[kind][0 if language == "fr" else 1], body


async def page(org: Organisation, kind: str, language: str, settings: Settings) -> dict[str, Any]:
    """The page as the public reads it: the organisation's text in that language, else the built-in one."""
    check_kind(kind)
    row = await LegalPage.get_or_none(organisation_id=org.id, kind=kind, language=language)
    if row is None:
        title, body = default_page(org, kind, language, settings)
        return {"kind": kind, "organisation": org.slug, "language": language, "title": title, "body": body,
                "edited": False, "updated_at": None}
    return {"kind": kind, "organisation": org.slug, "language": language, "title": row.title, "body": row.body,
            "edited": True, "updated_at": row.updated_at.isoformat()}


async def _require_admin(viewer: Any, org: Organisation) -> Any:
    """An administrator of the organisation or of one above it (the canton's write for its municipalities)."""
    user = viewer.require_user()
    current: Organisation | None = org
    while current is not None:
        if viewer.has_role(current.id, Role.ADMIN):
            return user
        current = await Organisation.get_or_none(id=current.parent_id) if current.parent_id else None
    raise Forbidden("Only the administrators of this organisation (or of one above it) write its pages.")


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValidationFailed("language is fr or en.", code="invalid_choice", field="language")
    return language


async def save(*, viewer: Any, org: Organisation, kind: str, language: str, title: str, body: str,
               settings: Settings) -> dict[str, Any]:
    user = await _require_admin(viewer, org)
    check_kind(kind)
    _check_language(language)
    row, created = await LegalPage.get_or_create(organisation_id=org.id, kind=kind, language=language,
                                                 defaults={"title": title, "body": body, "updated_by": user})
    if not created:
        row.title, row.body, row.updated_by = title, body, user
        await row.save(update_fields=["title", "body", "updated_by_id", "updated_at"])
    await audit.record(action="pages.updated", actor=user, organisation_id=org.id, target=f"page:{kind}",
                       detail={"language": language, "title": title, "characters": len(body)})
    return await page(org, kind, language, settings)


async def reset(*, viewer: Any, org: Organisation, kind: str, language: str, settings: Settings) -> dict[str, Any]:
    """Back to the built-in text."""
    user = await _require_admin(viewer, org)
    check_kind(kind)
    _check_language(language)
    deleted = await LegalPage.filter(organisation_id=org.id, kind=kind, language=language).delete()
    if deleted:
        await audit.record(action="pages.reset", actor=user, organisation_id=org.id, target=f"page:{kind}",
                           detail={"language": language})
    return await page(org, kind, language, settings)
