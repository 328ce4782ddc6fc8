"""The audit trail in words: what each action is and what its target is, in French and English.

An entry keeps its action as a code (stable, for filters and scripts); people read these names, on screen and in
the exports. An action without a name here shows as its code.
"""
from __future__ import annotations

ACTIONS: dict[str, tuple[str, str]] = {
    "access.requested": ("Demande d'accès déposée", "Access requested"),
    "access.accepted": ("Demande d'accès acceptée", "Access request accepted"),
    "access.document_added": ("Pièce d'identité jointe à une demande d'accès", "Identity document attached to an access request"),
    "access.held": ("Demande d'accès suspendue", "Access request put on hold"),
    "access.refused": ("Demande d'accès refusée", "Access request refused"),
    "access.membership_ended": ("Rattachement à la commune terminé", "Attachment to the municipality ended"),
    "access.named": ("Personne nommée à une fonction", "Person named to a role"),
    "access.granted": ("Droit donné par le responsable du service", "Right given by the service's manager"),
    "access.right_end_changed": ("Échéance d'un droit modifiée", "End of a right changed"),
    "access.right_removed": ("Droit retiré", "Right removed"),
    "lostfound.claim_accepted": ("Réclamation d'un objet acceptée", "Claim of an object accepted"),
    "lostfound.claim_viewed": ("Réclamation d'un objet consultée", "Claim of an object viewed"),
    "lostfound.handed_over": ("Objet remis à son propriétaire", "Object handed over to its owner"),
    "lostfound.moved": ("Objet trouvé rangé ailleurs", "Found object stored elsewhere"),
    "lostfound.to_finder": ("Objet rendu à qui l'a trouvé", "Object given to its finder"),
    "lostfound.donated": ("Objet donné", "Object donated"),
    "lostfound.destroyed": ("Objet détruit", "Object destroyed"),
    "lostfound.to_issuer": ("Objet renvoyé à son émetteur", "Object sent back to its issuer"),
    "pages.updated": ("Page d'information modifiée", "Information page changed"),
    "pages.reset": ("Page d'information remise au texte d'origine", "Information page back to the built-in text"),
    "privacy.purged": ("Données arrivées au bout de leur durée de conservation supprimées", "Data past its retention period removed"),
    "privacy.anonymised": ("Données d'une personne anonymisées à sa demande", "A person's data anonymised at their request"),
    "privacy.erased": ("Compte supprimé et données anonymisées", "Account deleted and data anonymised"),
    "privacy.exported": ("Données d'une personne exportées", "A person's data exported"),
    "request.contact_viewed": ("Coordonnées du citoyen consultées", "Citizen's contact details viewed"),
    "request.moderated": ("Contenu d'une demande masqué ou rétabli", "Content of a request hidden or restored"),
    "request.moved": ("Demande transmise à un autre service", "Request passed to another service"),
    "request.split": ("Demande scindée en deux", "Request split in two"),
    "request.status": ("Statut d'une demande changé", "Status of a request changed"),
    "request.comment": ("Message public au citoyen", "Public message to the citizen"),
    "request.note": ("Note interne", "Internal note"),
    "request.assigned": ("Demande attribuée", "Request assigned"),
    "request.updated": ("Traitement modifié (équipe, priorité, échéance)", "Handling changed (team, priority, due date)"),
    "request.handed_back": ("Demande rendue à la répartition", "Request handed back to dispatch"),
    "request.merged": ("Demande fusionnée avec un doublon", "Request merged as a duplicate"),
    "request.reopened": ("Demande rouverte", "Request reopened"),
    "request.resolved": ("Demande résolue", "Request resolved"),
    "request.rejected": ("Demande refusée", "Request rejected"),
}
_TARGETS = {"access": ("Demande d'accès n° {}", "Access request no. {}"), "user": ("Compte {}", "Account {}")}


def action_name(action: str, language: str) -> str:
    names = ACTIONS.get(action)
    return (names[1] if language == "en" else names[0]) if names else action


def target_name(target: str, language: str) -> str:
    """"access:6" -> "Demande d'accès n° 6"; a request's reference stays as it is."""
    kind, _, rest = target.partition(":")
    names = _TARGETS.get(kind)
    if not names or not rest:
        return target
    return (names[1] if language == "en" else names[0]).format(rest)
