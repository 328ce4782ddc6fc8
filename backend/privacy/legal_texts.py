"""The built-in texts of the legal and information pages, shown until an organisation's administrator writes its own.

Written for a municipality under the GDPR: who is responsible, for what, how long (the retention settings in
force), who receives the data, the person's rights and whom to ask. `{…}` fields are filled from the organisation
and the settings. Format of every page: paragraphs apart by a blank line, `## ` a heading, `- ` a list item.
"""
from __future__ import annotations

TITLES = {
    "terms": ("Conditions d'utilisation", "Terms of use"),
    "privacy": ("Protection des données", "Privacy notice"),
    "accessibility": ("Déclaration d'accessibilité", "Accessibility statement"),
    "legal": ("Mentions légales", "Legal notice"),
    "help": ("Aide et questions fréquentes", "Help and frequently asked questions"),
}

FR = {
    "terms": """Guichet est le guichet en ligne de {org}. Il permet de signaler un problème sur l'espace public, de déclarer un objet perdu ou trouvé et de suivre ses demandes.

## Ce que vous vous engagez à faire
- Décrire des faits exacts, sans injure ni propos discriminatoire, sans donnée personnelle d'autrui (plaque, visage, nom).
- Ne pas envoyer de photo d'une personne reconnaissable ni d'un intérieur privé.
- Pour une urgence (danger immédiat, accident, incendie), appeler les numéros d'urgence : Guichet n'est pas suivi en permanence.

## Ce que fait la commune
- Elle lit chaque demande, peut la transmettre au service compétent, la fusionner avec une autre ou la refuser en disant pourquoi.
- Elle peut masquer une photo ou un texte qui ne respecte pas ces conditions.
- Les signalements sur l'espace public (catégorie, lieu, photos publiques, statut) sont visibles de tous sur la carte ; votre nom et vos coordonnées ne le sont jamais.

## Contact
{contact}""",
    "privacy": """{org} est responsable du traitement des données reçues par Guichet.

## Pourquoi nous traitons vos données
- Traiter vos signalements et vos demandes, vous tenir informé de leur suivi (mission d'intérêt public).
- Rendre les objets trouvés à leurs propriétaires.
- Assurer la sécurité du service (journaux, limitation des abus).

## Quelles données
Votre adresse e-mail, et si vous les donnez votre nom, votre téléphone et votre adresse postale ; le lieu, le texte, les réponses et les photos de vos demandes ; les appareils que vous abonnez aux notifications.

## Combien de temps
- Coordonnées liées à une demande : {contact_days} jours après sa clôture.
- Texte, réponses et photos non publiques d'une demande : {personal_days} jours après sa clôture.
- Objets perdus et trouvés : {lostfound_days} jours après le sort de l'objet.
- Journal des actions du personnel : {audit_days} jours.
- Traces techniques (envois, messages, sessions) : {log_days} jours.
Votre compte est gardé tant que vous ne le supprimez pas.

## Qui les reçoit
Les agents de {org} chargés de votre demande, et, quand la demande le nécessite, le service ou l'entreprise mandatée pour intervenir. Les données ne sont ni vendues ni transmises à des fins commerciales. Les notifications passent par le service de votre navigateur, sans leur contenu en clair.

## Vos droits
Vous pouvez obtenir une copie de vos données, les faire corriger ou supprimer, et vous opposer à leur traitement. Depuis l'application : « Compte », puis « Mes données » (copie en un fichier, correction, suppression du compte). Sans compte, ou par courrier : adressez-vous à l'administration communale, qui vous répond dans un délai d'un mois. Vous pouvez aussi saisir l'autorité de protection des données.

## Contact
{contact}""",
    "accessibility": """{org} s'engage à rendre Guichet accessible à tous, selon les Règles pour l'accessibilité des contenus Web (WCAG) 2.2, niveau AA.

## État de conformité
Guichet est testé à chaque version avec un outil automatique (axe-core), au clavier et sur un téléphone. Il vise la conformité au niveau AA.

## Limites connues
- La carte elle-même ne se lit pas à l'écran ; chaque étape qui la demande propose aussi une recherche d'adresse, et chaque demande donne son adresse en texte.

## Nous signaler un problème d'accès
Si une page ou une fonction vous est inaccessible, dites-le nous : nous vous répondons et vous aidons à faire votre démarche autrement.
{contact}""",
    "legal": """## Éditeur
{org}
{contact}

## Hébergement
Le service est hébergé pour le compte de {org}, qui en fixe les conditions.

## Cartes
Fonds de carte : {tiles}.

## Logiciel
Guichet, logiciel du guichet en ligne communal.""",
    "help": """## Comment signaler un problème ?
Touchez « Signaler un problème », choisissez ce qui ne va pas, placez le repère sur la carte (ou cherchez une adresse), ajoutez une photo si vous le pouvez, puis envoyez. Sans réseau, le signalement part dès le retour de la connexion.

## Faut-il un compte ?
Non : une adresse e-mail suffit, et un lien de suivi vous est envoyé. Un compte garde toutes vos demandes au même endroit, sur tous vos appareils.

## Comment suivre ma demande ?
Dans « Demandes ». Chaque changement vous est signalé par une notification ou un e-mail, selon vos réglages dans « Compte ».

## J'ai perdu un objet
Déclarez-le depuis l'accueil : la commune le compare aux objets trouvés et vous prévient.

## Qui répond ?
Les services de {org}.
{contact}""",
}

EN = {
    "terms": """Guichet is the online counter of {org}. It lets you report a problem in public space, declare an object lost or found, and follow your requests.

## What you agree to
- Describe facts accurately, without insults or discrimination, and without other people's personal data (number plates, faces, names).
- Do not send photos of a recognisable person or of a private interior.
- In an emergency (immediate danger, accident, fire), call the emergency numbers: Guichet is not watched around the clock.

## What the municipality does
- It reads every request, may pass it to the competent service, merge it with another or reject it, saying why.
- It may hide a photo or a text that does not respect these terms.
- Reports about public space (category, place, public photos, status) are visible to all on the map; your name and contact details never are.

## Contact
{contact}""",
    "privacy": """{org} is the controller of the data Guichet receives.

## Why we process your data
- To handle your reports and requests and keep you informed of their progress (a task in the public interest).
- To return found objects to their owners.
- To keep the service secure (logs, abuse limits).

## Which data
Your e-mail address, and if you give them your name, phone and postal address; the place, text, answers and photos of your requests; the devices you subscribe to notifications.

## How long
- Contact details given with a request: {contact_days} days after it is closed.
- Text, answers and non-public photos of a request: {personal_days} days after it is closed.
- Lost and found objects: {lostfound_days} days after the object's fate.
- Log of staff actions: {audit_days} days.
- Technical traces (deliveries, messages, sessions): {log_days} days.
Your account is kept until you delete it.

## Who receives them
The staff of {org} in charge of your request and, where the request needs it, the service or contractor sent to act. Data is never sold nor passed on for commercial purposes. Notifications go through your browser's push service, whose content is encrypted.

## Your rights
You may get a copy of your data, have it corrected or deleted, and object to its processing. In the app: "Account", then "My data" (a copy in one file, correction, deleting the account). Without an account, or by post: ask the municipal administration, which answers within one month. You may also complain to the data protection authority.

## Contact
{contact}""",
    "accessibility": """{org} is committed to making Guichet accessible to all, following the Web Content Accessibility Guidelines (WCAG) 2.2, level AA.

## Compliance status
Guichet is tested with every release with an automatic tool (axe-core), with the keyboard and on a phone. It aims at level AA compliance.

## Known limits
- The map itself cannot be read by a screen reader; every step that asks for it also offers an address search, and every request gives its address as text.

## Tell us about an access problem
If a page or a feature is out of your reach, tell us: we answer and help you complete your request another way.
{contact}""",
    "legal": """## Publisher
{org}
{contact}

## Hosting
The service is hosted on behalf of {org}, which sets its terms.

## Maps
Map tiles: {tiles}.

## Software
Guichet, the municipal online counter software.""",
    "help": """## How do I report a problem?
Tap "Report a problem", choose what is wrong, place the pin on the map (or search for an address), add a photo if you can, and send. Without a network, the report goes as soon as the connection is back.

## Do I need an account?
No: an e-mail address is enough, and a tracking link is sent to you. An account keeps all your requests in one place, on all your devices.

## How do I follow my request?
In "Requests". Every change is announced by a notification or an e-mail, as set in "Account".

## I lost an object
Declare it from the home page: the municipality compares it with the objects found and lets you know.

## Who answers?
The services of {org}.
{contact}""",
}

TEXTS = {"fr": FR, "en": EN}
