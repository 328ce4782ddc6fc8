"""Words for statuses and notifications, in French and English."""
from __future__ import annotations

from typing import Any

STATUS_LABELS = {
    "fr": {"submitted": "envoyée", "acknowledged": "prise en compte", "in_progress": "en cours de traitement",
           "resolved": "résolue", "rejected": "refusée", "duplicate": "déjà signalée", "closed": "clôturée",
           "withdrawn": "retirée"},
    "en": {"submitted": "submitted", "acknowledged": "acknowledged", "in_progress": "in progress",
           "resolved": "resolved", "rejected": "rejected", "duplicate": "already reported", "closed": "closed",
           "withdrawn": "withdrawn"},
}
_SUBJECTS = {
    "fr": {"created": "Votre demande {ref} est bien reçue", "status": "Votre demande {ref} est {status}",
           "comment": "Nouveau message sur votre demande {ref}", "reopened": "Votre demande {ref} est rouverte",
           "merged": "Votre demande {ref} rejoint un signalement existant",
           "withdrawn": "Votre demande {ref} est retirée", "photo": "Nouvelle photo sur la demande {ref}",
           "moved": "Votre demande {ref} est transmise au service compétent",
           "appointment": "Votre rendez-vous ({ref}) est confirmé",
           "appointment_cancelled": "Votre rendez-vous ({ref}) est annulé",
           "reminder": "Rappel de votre rendez-vous ({ref})"},
    "en": {"created": "Your request {ref} was received", "status": "Your request {ref} is {status}",
           "comment": "New message about your request {ref}", "reopened": "Your request {ref} was reopened",
           "merged": "Your request {ref} joins an earlier report",
           "withdrawn": "Your request {ref} was withdrawn", "photo": "New photo on request {ref}",
           "moved": "Your request {ref} was passed to the right service",
           "appointment": "Your appointment ({ref}) is confirmed",
           "appointment_cancelled": "Your appointment ({ref}) is cancelled",
           "reminder": "Reminder of your appointment ({ref})"},
}


def status_label(status: str, language: str) -> str:
    return STATUS_LABELS.get(language, STATUS_LABELS["fr"]).get(status, status)


LINK_LABELS = {"fr": "Voir la demande", "en": "See the request"}
CHANNEL_LABELS = {
    "fr": {"app": "application", "web": "site web", "phone": "téléphone", "counter": "guichet", "mail": "courrier",
           "email": "e-mail", "open311": "Open311"},
    "en": {"app": "app", "web": "website", "phone": "phone", "counter": "counter", "mail": "post", "email": "e-mail",
           "open311": "Open311"},
}


def channel_label(channel: str, language: str) -> str:
    return CHANNEL_LABELS.get(language, CHANNEL_LABELS["fr"]).get(channel, channel)


def status_update_text(req: Any, kind: str, comment: str, language: str,
                       about: tuple[Any, Any] | None = None) -> tuple[str, str, str]:
    """(subject, short text, label of the link) of the notification of one event. `about`, the request's service
    and organisation, adds what and where ("Nid-de-poule · Rue du Midi 3, Commune de Brenles"): a reference
    alone says nothing to a person with several requests."""
    lang = language if language in _SUBJECTS else "fr"
    label = status_label(str(getattr(req.status, "value", req.status)), lang)
    subject = _SUBJECTS[lang].get(kind, _SUBJECTS[lang]["status"]).format(ref=req.ref, status=label)
    text = subject + "."
    if about:
        service, org = about
        name = lambda obj: (getattr(obj, "name_en", "") if lang == "en" else "") or obj.name_fr  # noqa: E731
        text += "\n" + name(service) + " · " + ", ".join(p for p in (req.address, name(org)) if p)
    if comment:
        text += "\n\n" + comment
    return subject, text, LINK_LABELS[lang]
