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
    "account_exists": {
        "fr": ("Vous avez déjà un compte Guichet",
               "Bonjour {name},\n\nQuelqu'un (peut-être vous) a voulu créer un compte avec cette adresse, qui en a "
               "déjà un. Pour y entrer, connectez-vous ; si vous avez oublié le mot de passe, choisissez-en un "
               "nouveau ici :\n{link}\n\nSi ce n'était pas vous, ignorez ce message : rien n'a changé."),
        "en": ("You already have a Guichet account",
               "Hello {name},\n\nSomeone (perhaps you) tried to create an account with this address, which already "
               "has one. To get in, sign in; if you forgot the password, choose a new one here:\n{link}\n\n"
               "If this was not you, ignore this message: nothing changed."),
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
    "export_ready": {
        "fr": ("Vos données sont prêtes",
               "Bonjour {name},\n\nLe fichier de toutes vos données chez Guichet est prêt. Connectez-vous et "
               "téléchargez-le depuis « Compte », « Mes données » (il y reste {hours} heures) :\n{link}"),
        "en": ("Your data is ready",
               "Hello {name},\n\nThe file of all your data at Guichet is ready. Sign in and download it from "
               "\"Account\", \"My data\" (it stays there for {hours} hours):\n{link}"),
    },
    "password_changed": {
        "fr": ("Votre mot de passe a été modifié",
               "Bonjour {name},\n\nLe mot de passe de votre compte vient d'être modifié. Si ce n'était pas vous, "
               "réinitialisez-le tout de suite : {link}"),
        "en": ("Your password was changed",
               "Hello {name},\n\nThe password of your account was just changed. If this was not you, reset it "
               "at once: {link}"),
    },
    "new_device": {
        "fr": ("Nouvelle connexion à votre compte",
               "Bonjour {name},\n\nVotre compte Guichet vient d'être ouvert depuis un appareil qui ne l'avait "
               "jamais été : {device} (adresse {ip}).\n\nSi c'était vous, il n'y a rien à faire. Sinon, changez "
               "votre mot de passe tout de suite : {link}"),
        "en": ("New sign-in to your account",
               "Hello {name},\n\nYour Guichet account was just opened from a device it had never been opened "
               "from: {device} (address {ip}).\n\nIf this was you, there is nothing to do. If not, change your "
               "password at once: {link}"),
    },
    "access_waiting": {
        "fr": ("Une demande d'accès attend votre décision",
               "Bonjour {name},\n\n{who} demande : {what}.\n\nVérifiez son identité et décidez dans votre tableau "
               "de bord :\n{link}"),
        "en": ("An access request waits for your decision",
               "Hello {name},\n\n{who} asks for: {what}.\n\nCheck who they are and decide in your dashboard:\n{link}"),
    },
    "access_accepted": {
        "fr": ("Votre demande d'accès est acceptée",
               "Bonjour {name},\n\nVotre demande est acceptée : {what}.\n\nRetrouvez vos demandes et vos droits ici :\n{link}"),
        "en": ("Your access request was accepted",
               "Hello {name},\n\nYour request was accepted: {what}.\n\nYour requests and rights are here:\n{link}"),
    },
    "access_granted": {
        "fr": ("Un droit vous est donné",
               "Bonjour {name},\n\nLe responsable du service vous donne un droit : {what}.\n\nVos droits :\n{link}"),
        "en": ("You were given a right",
               "Hello {name},\n\nThe manager of the service gives you a right: {what}.\n\nYour rights:\n{link}"),
    },
    "access_held": {
        "fr": ("Votre demande d'accès est en attente",
               "Bonjour {name},\n\nVotre demande est en attente : {what}.\nCe qu'il manque : {reason}\n\n"
               "Vos demandes :\n{link}"),
        "en": ("Your access request is on hold",
               "Hello {name},\n\nYour request is on hold: {what}.\nWhat is missing: {reason}\n\nYour requests:\n{link}"),
    },
    "access_refused": {
        "fr": ("Votre demande d'accès est refusée",
               "Bonjour {name},\n\nVotre demande est refusée : {what}.\nMotif : {reason}\n\nVos demandes :\n{link}"),
        "en": ("Your access request was refused",
               "Hello {name},\n\nYour request was refused: {what}.\nReason: {reason}\n\nYour requests:\n{link}"),
    },
    "access_ended": {
        "fr": ("Votre rattachement a pris fin",
               "Bonjour {name},\n\nVotre rattachement à {what} a pris fin, avec les droits qui s'y rattachaient.\n"
               "Motif : {reason}\n\n{link}"),
        "en": ("Your attachment has ended",
               "Hello {name},\n\nYour attachment to {what} has ended, with the rights that came with it.\n"
               "Reason: {reason}\n\n{link}"),
    },
}

ROLE_NAMES = {
    "fr": {"agent": "Agent", "field_agent": "Agent de terrain", "dispatcher": "Répartiteur", "service_manager":
           "Responsable de service", "secretary": "Secrétaire communal", "deputy": "Suppléant du secrétaire",
           "member": "Titulaire d'un compte", "prefect": "Préfet", "admin": "Administrateur"},
    "en": {"agent": "Agent", "field_agent": "Field agent", "dispatcher": "Dispatcher", "service_manager":
           "Service manager", "secretary": "Municipal secretary", "deputy": "Deputy secretary",
           "member": "Account holder", "prefect": "Prefect", "admin": "Administrator"},
}
KIND_NAMES = {
    "fr": {"account": "Compte du personnel et rattachement", "attachment": "Rattachement à la commune",
           "secretary": "Secrétaire communal", "rights": "Droits sur un service"},
    "en": {"account": "Staff account and attachment", "attachment": "Attachment to the municipality",
           "secretary": "Municipal secretary", "rights": "Rights on a service"},
}


def role_name(role: object, language: str) -> str:
    return ROLE_NAMES.get(language, ROLE_NAMES["fr"]).get(str(getattr(role, "value", role)), str(role))


def kind_name(kind: object, language: str) -> str:
    return KIND_NAMES.get(language, KIND_NAMES["fr"]).get(str(getattr(kind, "value", kind)), str(kind))


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
