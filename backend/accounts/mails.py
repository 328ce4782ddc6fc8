"""The account e-mails, in French and English."""
from __future__ import annotations

from html import escape

TEXTS = {
    "verify": {
        "fr": ("Confirmez votre adresse e-mail",
               "Bonjour {name},\n\nPour confirmer votre adresse et activer le suivi de vos demandes, "
               "ouvrez ce lien (valable 48 heures) :\n{link}\n\nSi vous n'avez pas créé de compte, ignorez ce message."),
        "en": ("Confirm your e-mail address",
               "Hello {name},\n\nTo confirm your address and follow your requests, open this link "
               "(valid for 48 hours):\n{link}\n\nIf you did not create an account, ignore this message."),
    },
    "reset": {
        "fr": ("Réinitialiser votre mot de passe",
               "Bonjour {name},\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable 1 heure) :\n"
               "{link}\n\nSi vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé."),
        "en": ("Reset your password",
               "Hello {name},\n\nTo choose a new password, open this link (valid for 1 hour):\n{link}\n\n"
               "If you did not ask for this, ignore this message: your password stays as it is."),
    },
    "email_change": {
        "fr": ("Confirmez votre nouvelle adresse e-mail",
               "Bonjour {name},\n\nPour utiliser cette adresse avec votre compte Guichet, ouvrez ce lien "
               "(valable 48 heures) :\n{link}"),
        "en": ("Confirm your new e-mail address",
               "Hello {name},\n\nTo use this address with your Guichet account, open this link "
               "(valid for 48 hours):\n{link}"),
    },
    "password_changed": {
        "fr": ("Votre mot de passe a été modifié",
               "Bonjour {name},\n\nLe mot de passe de votre compte vient d'être modifié. Si ce n'était pas vous, "
               "réinitialisez-le tout de suite : {link}"),
        "en": ("Your password was changed",
               "Hello {name},\n\nThe password of your account was just changed. If this was not you, reset it "
               "at once: {link}"),
    },
}


def render(kind: str, language: str, **values: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of one account e-mail."""
    subject, template = TEXTS[kind].get(language) or TEXTS[kind]["fr"]
    text = template.format(**values)
    html_body = "".join(
        f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n")
    )
    link = values.get("link", "")
    if link:
        html_body = html_body.replace(escape(link), f'<a href="{escape(link)}">{escape(link)}</a>')
    html = f'<!doctype html><html lang="{language}"><body>{html_body}</body></html>'
    return subject, text, html
