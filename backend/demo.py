"""The demo town of Brenles: organisations, catalogue, one account per role and ~200 requests (idempotent)."""
from __future__ import annotations

import math
import random
from datetime import timedelta

from backend.accounts import sealing, service as accounts
from backend import demo_procedures
from backend.accounts.models import Organisation, OrganisationKind, Role, User
from backend.config import Settings
from backend.requests import service as requests
from backend.geo import service as geo
from backend.lostfound import service as lostfound
from backend.push.models import Message, Outbox
from backend.requests import catalogue
from backend.requests.catalogue import check_attribute_definitions
from backend.requests.models import Channel, Service, ServiceKind, Status

CENTER = (46.6725, 6.8535)  # Brenles (fictional), in the hills above the Broye


def _blob(lat: float, lon: float, radius_m: float, wobble: list[float]) -> dict:
    """An irregular closed polygon around a point: a real-looking municipal boundary."""
    ring = []
    n = len(wobble)
    for i, w in enumerate(wobble):
        angle = 2 * math.pi * i / n
        r = radius_m * w
        ring.append([round(lon + r * math.sin(angle) / (111_320 * math.cos(math.radians(lat))), 6),
                     round(lat + r * math.cos(angle) / 110_540, 6)])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


BRENLES = _blob(*CENTER, 1900, [1.0, 1.12, 0.93, 1.2, 1.05, 0.82, 0.9, 1.1, 1.18, 0.97, 0.86, 1.04, 0.95, 1.1])
CHESALLES_CENTER = (46.6960, 6.8160)
CHESALLES = _blob(*CHESALLES_CENTER, 1300, [1.0, 0.9, 1.1, 0.95, 1.05, 0.85, 1.0, 1.1])
DISTRICT = _blob(46.684, 6.838, 6500, [1.0] * 16)
CANTON = _blob(46.684, 6.838, 40000, [1.0] * 12)

A = "singlevaluelist"
COLOURS = [{"key": k, "name": fr, "name_en": en} for k, fr, en in [
    ("black", "Noir", "Black"), ("white", "Blanc", "White"), ("grey", "Gris", "Grey"), ("silver", "Argenté", "Silver"),
    ("gold", "Doré", "Gold"), ("red", "Rouge", "Red"), ("pink", "Rose", "Pink"), ("orange", "Orange", "Orange"),
    ("yellow", "Jaune", "Yellow"), ("green", "Vert", "Green"), ("blue", "Bleu", "Blue"), ("purple", "Violet", "Purple"),
    ("brown", "Brun", "Brown"), ("beige", "Beige", "Beige"), ("multicolour", "Multicolore", "Multicoloured")]]
RADII = [{"key": k, "name": fr, "name_en": en} for k, fr, en in [
    ("100", "À 100 m près", "Within 100 m"), ("500", "À 500 m près", "Within 500 m"),
    ("2000", "Dans un rayon de 2 km", "Within 2 km"), ("unknown", "Je ne sais pas où (toute la commune)",
                                                          "I don't know where (the whole municipality)")]]
SIZES = [{"key": "small", "name": "Petit (moins de 30 cm)", "name_en": "Small (under 30 cm)"},
         {"key": "medium", "name": "Moyen", "name_en": "Medium"},
         {"key": "large", "name": "Grand (plus d'un mètre)", "name_en": "Large (over a metre)"}]
# Identity documents and bank cards are kept two weeks, then sent back to their issuer; never shown.
LOST_CATEGORIES = [
    {"key": k, "name": fr, "name_en": en, "holding_days": 14 if k in ("id", "card") else 365,
     "sensitive": k in ("id", "card")} for k, fr, en in [
        ("keys", "Clés", "Keys"), ("wallet", "Portefeuille ou porte-monnaie", "Wallet or purse"),
        ("phone", "Téléphone", "Phone"), ("bag", "Sac", "Bag"), ("id", "Pièce d'identité", "Identity document"),
        ("card", "Carte bancaire", "Bank card"), ("bike", "Vélo", "Bike"), ("glasses", "Lunettes", "Glasses"),
        ("jewellery", "Bijou", "Jewellery"), ("clothing", "Vêtement", "Clothing"), ("toy", "Jouet", "Toy"),
        ("other", "Autre", "Other")]
]
# A lost or found object's questions: Open311 attributes, edited by the office like any service's.
CATEGORY = {"code": "categorie", "datatype": "singlevaluelist", "required": True, "description": "Catégorie",
            "description_en": "Category", "values": LOST_CATEGORIES}
OBJECT_DETAILS = [
    {"code": "couleur", "datatype": "singlevaluelist", "description": "Couleur", "description_en": "Colour",
     "values": COLOURS},
    {"code": "marque", "datatype": "string", "description": "Marque", "description_en": "Brand"},
    {"code": "signes", "datatype": "text", "description": "Signes distinctifs (restent privés : vous et la commune)",
     "description_en": "Distinguishing marks (kept private: you and the municipality)"},
]
# code, group, icon, fr, en, due hours, attributes, extra
SERVICES = [
    ("voirie", "Routes et trottoirs", "pothole", "Nid-de-poule, chaussée abîmée", "Pothole, damaged road", 120,
     [{"code": "taille", "datatype": A, "required": True, "description": "Taille du trou",
       "description_en": "Size of the hole", "values": SIZES}], {}),
    ("eclairage", "Éclairage", "light", "Éclairage public en panne", "Street light out", 72,
     [{"code": "etat", "datatype": A, "required": True, "description": "Que se passe-t-il ?",
       "description_en": "What is wrong?", "values": [
           {"key": "off", "name": "Éteint la nuit", "name_en": "Off at night"},
           {"key": "flicker", "name": "Clignote", "name_en": "Flickering"},
           {"key": "day", "name": "Allumé le jour", "name_en": "On by day"}]},
      {"code": "numero", "datatype": "string", "required": False, "description": "Numéro du candélabre",
       "description_en": "Number on the pole"}], {"team": "Éclairage"}),
    ("tags", "Propreté", "spray", "Tags et graffitis", "Tags and graffiti", 240,
     [{"code": "injurieux", "datatype": A, "required": False, "description": "Contenu injurieux ou haineux ?",
       "description_en": "Offensive or hateful content?", "values": [
           {"key": "yes", "name": "Oui", "name_en": "Yes"}, {"key": "no", "name": "Non", "name_en": "No"}]}], {}),
    ("depot-sauvage", "Propreté", "trash", "Dépôt sauvage de déchets", "Illegal dumping", 72,
     [{"code": "volume", "datatype": A, "required": True, "description": "Volume", "description_en": "Volume",
       "values": SIZES}], {}),
    ("proprete", "Propreté", "broom", "Propreté, poubelle pleine", "Litter, full bin", 48, [], {}),
    ("mobilier", "Routes et trottoirs", "bench", "Mobilier urbain abîmé", "Damaged street furniture", 240, [], {}),
    ("espaces-verts", "Espaces verts", "tree", "Espaces verts, parcs", "Parks and green spaces", 240, [], {}),
    ("signalisation", "Routes et trottoirs", "sign", "Panneau ou marquage", "Signs and road markings", 168, [], {}),
    ("fuite-eau", "Eau", "drop", "Fuite d'eau", "Water leak", 24, [], {}),
    ("animal-mort", "Propreté", "paw", "Animal mort", "Dead animal", 24, [], {}),
    ("stationnement", "Routes et trottoirs", "car", "Stationnement gênant", "Obstructive parking", 24,
     [{"code": "plaque", "datatype": "string", "required": False, "description": "Plaque d'immatriculation",
       "description_en": "Plate number"},
      {"code": "bloque", "datatype": "boolean", "required": True, "description": "Le véhicule bloque-t-il un accès ?",
       "description_en": "Does the vehicle block an access?",
       "help": "Une entrée de garage, un passage pour piétons, un arrêt de bus, un accès pompiers.",
       "help_en": "A garage entrance, a pedestrian crossing, a bus stop, a fire access."},
      {"code": "acces", "datatype": "singlevaluelist", "required": True, "description": "Quel accès ?",
       "description_en": "Which access?", "condition": {"code": "bloque", "equals": True}, "values": [
           {"key": "garage", "name": "Entrée de garage", "name_en": "Garage entrance"},
           {"key": "pietons", "name": "Passage pour piétons", "name_en": "Pedestrian crossing"},
           {"key": "bus", "name": "Arrêt de bus", "name_en": "Bus stop"},
           {"key": "pompiers", "name": "Accès pompiers", "name_en": "Fire access"}]},
      {"code": "depuis", "datatype": "date", "required": False, "description": "Depuis quel jour ?",
       "description_en": "Since which day?"},
      {"code": "telephone", "datatype": "phone", "required": False, "description": "Un numéro pour vous joindre sur place",
       "description_en": "A number to reach you on site"}], {}),
    ("arbre-dangereux", "Espaces verts", "alert", "Arbre dangereux", "Dangerous tree", 4, [],
     {"urgent": True, "emergency_phone": "118",
      "emergency_message_fr": "Danger immédiat pour des personnes ? Appelez le 117 (police), le 118 (pompiers) "
                              "ou le 144 (urgences) avant de faire un signalement.",
      "emergency_message_en": "Immediate danger to people? Call 117 (police), 118 (fire brigade) or 144 "
                              "(ambulance) before reporting."}),
    ("objet-perdu", "Objets perdus et trouvés", "search", "J'ai perdu un objet", "I lost something", 720,
     [CATEGORY, *OBJECT_DETAILS,
      {"code": "depuis", "datatype": "datetime", "description": "Au plus tôt, quand l'aviez-vous encore ?",
       "description_en": "When did you last have it?"},
      {"code": "quand", "datatype": "datetime", "required": True, "description": "Au plus tard, quand l'avez-vous perdu ?",
       "description_en": "When did you notice it was gone?"},
      {"code": "rayon", "datatype": A, "required": True, "description": "Où, autour du point de la carte ?",
       "description_en": "Where, around the point on the map?", "values": RADII}], {"kind": ServiceKind.LOST}),
    ("objet-trouve", "Objets perdus et trouvés", "hand", "J'ai trouvé un objet", "I found something", 720,
     [CATEGORY, *OBJECT_DETAILS,
      {"code": "quand", "datatype": "datetime", "required": True, "description": "Quand l'avez-vous trouvé ?",
       "description_en": "When did you find it?"},
      {"code": "garde", "datatype": A, "required": True, "description": "Où est l'objet ?",
       "description_en": "Where is the object?", "values": [
           {"key": "remis", "name": "Je l'apporte au bureau des objets trouvés", "name_en": "I bring it to the lost-property office"},
           {"key": "garde", "name": "Je le garde jusqu'à ce qu'on me contacte", "name_en": "I keep it until I am contacted"}]}],
     {"kind": ServiceKind.FOUND}),
    # A procedure without a place: what the town's e-mail address receives (INBOUND_SERVICE) lands here too.
    ("contact", "Relations avec les usagers", "mail", "Contacter la commune", "Contact the municipality", 72,
     [{"code": "sujet", "datatype": A, "required": False, "description": "À quel sujet ?",
       "description_en": "About what?", "values": [
           {"key": "dechets", "name": "Déchets et propreté", "name_en": "Waste and cleanliness"},
           {"key": "routes", "name": "Routes et circulation", "name_en": "Roads and traffic"},
           {"key": "administration", "name": "Démarches administratives", "name_en": "Administrative procedures"},
           {"key": "autre", "name": "Autre", "name_en": "Other"}]}], {"kind": ServiceKind.FORM}),
]
ACCOUNTS = [
    ("citizen", None, "citoyenne@brenles.example", "Léa Citoyenne", "Brenles-citoyenne-26"),
    ("agent", "brenles", "agent@brenles.example", "Marc Agent", "Brenles-agent-2026"),
    ("field_agent", "brenles", "terrain@brenles.example", "Nadia Terrain", "Brenles-terrain-26"),
    ("dispatcher", "brenles", "dispatch@brenles.example", "Paul Dispatch", "Brenles-dispatch-26"),
    ("service_manager", "brenles", "services@brenles.example", "Sofia Services", "Brenles-services-26"),
    ("secretary", "brenles", "secretaire@brenles.example", "Jean Secrétaire", "Brenles-secretaire-26"),
    ("deputy", "brenles", "adjointe@brenles.example", "Irène Adjointe", "Brenles-adjointe-26"),
    ("service_manager", "brenles", "proprete@brenles.example", "Luc Propreté", "Brenles-proprete-26"),
    ("prefect", "broye-jorat", "prefet@broye-jorat.example", "Anne Préfète", "Broye-prefete-2026"),
    ("admin", "lemanie", "admin@lemanie.example", "Admin Lémanie", "Lemanie-admin-2026"),
    # Applicants waiting for a decision: a new staff member of Brenles, and a secretary for Chesalles.
    ("applicant", None, "nouveau@brenles.example", "Léo Nouveau", "Brenles-nouveau-26"),
    ("applicant", None, "greffe@chesalles.example", "Claire Greffe", "Chesalles-greffe-26"),
]
# The two service managers of Brenles, each over a part of the catalogue only.
MANAGED = {"services@brenles.example": ["voirie", "eclairage", "mobilier", "signalisation", "stationnement"],
           "proprete@brenles.example": ["tags", "depot-sauvage", "proprete", "animal-mort", "objet-perdu",
                                        "objet-trouve"]}
DESCRIPTIONS = [
    "Trou profond au bord de la chaussée, dangereux pour les vélos.", "Lampadaire éteint depuis trois jours.",
    "Tag sur le mur de l'école.", "Sacs poubelles déposés au pied du conteneur.", "Poubelle qui déborde.",
    "Banc cassé près de la fontaine.", "Haie qui dépasse sur le trottoir.", "Panneau stop tordu.",
    "De l'eau coule sur la route depuis ce matin.", "Renard mort au bord de la route.",
    "Voiture garée sur le passage piéton.", "Grosse branche qui pend au-dessus du chemin.",
]


async def _organisations() -> dict[str, Organisation]:
    create = accounts.create_organisation
    canton = await create(slug="lemanie", kind=OrganisationKind.CANTON, name_fr="Canton de Lémanie",
                          name_en="Canton of Lemania", boundary=CANTON, ref_prefix="LEM")
    district = await create(slug="broye-jorat", kind=OrganisationKind.DISTRICT, parent=canton,
                            name_fr="Préfecture de la Broye-Jorat", name_en="Broye-Jorat prefecture",
                            boundary=DISTRICT, ref_prefix="BRJ")
    brenles = await create(slug="brenles", kind=OrganisationKind.MUNICIPALITY, parent=district,
                           name_fr="Commune de Brenles", name_en="Municipality of Brenles", boundary=BRENLES,
                           ref_prefix="BRN", contact_email="greffe@brenles.example", contact_phone="+41 21 555 01 00",
                           address="Place de l'Église 1, 1683 Brenles",
                           opening_hours="lu–ve 8 h–11 h 30, me 14 h–18 h")
    chesalles = await create(slug="chesalles", kind=OrganisationKind.MUNICIPALITY, parent=district,
                             name_fr="Commune de Chesalles", name_en="Municipality of Chesalles",
                             boundary=CHESALLES, ref_prefix="CHS", contact_email="greffe@chesalles.example")
    return {"lemanie": canton, "broye-jorat": district, "brenles": brenles, "chesalles": chesalles}


GROUPS_EN = {"Routes et trottoirs": "Roads and pavements", "Éclairage": "Street lighting", "Propreté": "Cleanliness",
             "Espaces verts": "Parks and green spaces", "Eau": "Water",
             "Objets perdus et trouvés": "Lost and found", "Relations avec les usagers": "Contact and appointments"}


async def _catalogue(org: Organisation) -> list[Service]:
    services = []
    for position, (code, group, icon, fr, en, due, attrs, extra) in enumerate(SERVICES):
        services.append(await Service.create(
            organisation=org, code=code, group=group, group_en=GROUPS_EN.get(group, ""), icon=icon, name_fr=fr,
            name_en=en, due_hours=due,
            attributes=check_attribute_definitions(attrs), position=position, **extra))
    return services


def _random_point(rng: random.Random, center: tuple[float, float], radius_m: float, boundary: dict):
    while True:
        r = radius_m * math.sqrt(rng.random())
        a = rng.random() * 2 * math.pi
        lat = center[0] + r * math.cos(a) / 110_540
        lon = center[1] + r * math.sin(a) / (111_320 * math.cos(math.radians(center[0])))
        if geo.contains(boundary, lat, lon):
            return round(lat, 6), round(lon, 6)


PATHS = {
    Status.SUBMITTED: [], Status.ACKNOWLEDGED: [Status.ACKNOWLEDGED],
    Status.IN_PROGRESS: [Status.ACKNOWLEDGED, Status.IN_PROGRESS],
    Status.RESOLVED: [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED],
    Status.REJECTED: [Status.REJECTED], Status.DUPLICATE: [Status.DUPLICATE],
    Status.CLOSED: [Status.ACKNOWLEDGED, Status.RESOLVED, Status.CLOSED],
}


# The streets of the fictional Brenles, each at a point: a demo report takes the address of the nearest one, so
# that the address search (which knows the addresses of public reports) finds them.
STREETS = [("Rue du Four", (46.6731, 6.8542)), ("Place de l'Église", (46.6725, 6.8535)),
           ("Chemin des Lilas", (46.6745, 6.8570)), ("Route de Moudon", (46.6680, 6.8460)),
           ("Rue du Collège", (46.6712, 6.8515)), ("Chemin du Signal", (46.6775, 6.8605)),
           ("Route de la Gare", (46.6690, 6.8590)), ("Chemin des Vignes", (46.6760, 6.8480)),
           ("Rue du Midi", (46.6700, 6.8540)), ("Chemin de la Forêt", (46.6800, 6.8550))]


def _address(lat: float, lon: float, number: int) -> str:
    street = min(STREETS, key=lambda s: (s[1][0] - lat) ** 2 + ((s[1][1] - lon) * 0.69) ** 2)[0]
    return f"{street} {number}, 1683 Brenles"


async def _requests(brenles: Organisation, services: list[Service], citizen: User, agent: User, count: int) -> None:
    rng = random.Random(2026)
    incident = [s for s in services if s.kind == ServiceKind.INCIDENT]
    statuses = list(PATHS)
    weights = [30, 25, 20, 15, 4, 3, 3]
    now = requests.utcnow()
    for i in range(count):
        service = incident[i % len(incident)]
        lat, lon = _random_point(rng, CENTER, 1900, BRENLES)
        at = now - timedelta(days=rng.uniform(0, 60), minutes=rng.randint(0, 600))
        attrs: dict = {}
        for a in service.attributes:  # the required answers, in order, as the conditions ask them
            if a["required"] and catalogue.asked(a, attrs):
                attrs[a["code"]] = rng.choice([True, False]) if a["datatype"] == "boolean" \
                    else a["values"][rng.randrange(len(a["values"]))]["key"]
        author = citizen if i % 5 == 0 else None
        new = requests.NewRequest(service=service, lat=lat, lon=lon, attributes=attrs,
                                  address=_address(lat, lon, 1 + (i * 7) % 40),
                                  description=DESCRIPTIONS[i % len(DESCRIPTIONS)],
                                  contact_email="" if author else f"habitant{i}@brenles.example",
                                  channel=rng.choice([Channel.APP, Channel.APP, Channel.WEB, Channel.PHONE]))
        req, _ = await requests.create_request(new=new, author=author, at=at)
        target = rng.choices(statuses, weights)[0]
        step_at = at
        for step in PATHS[target]:
            step_at = step_at + timedelta(hours=rng.uniform(2, 48))
            if step_at > now:
                break
            await requests.change_status(req=req, to=step, actor=agent, at=step_at,
                                         comment="Merci, nous nous en occupons." if step == Status.ACKNOWLEDGED else "")


async def _lost_and_found(citizen: User) -> None:
    """The office holds a few found objects; the demo citizen lost a wallet that one of them may be."""
    now = requests.utcnow()
    found = [("wallet", "brown", "Portefeuille en cuir brun avec des cartes de fidélité", "Armoire A, casier 2", 30),
             ("keys", "silver", "Trousseau de trois clés avec un porte-clés rouge", "Armoire A, casier 5", 8),
             ("glasses", "black", "Lunettes de vue dans un étui noir", "Tiroir 1", 70),
             ("id", "", "Carte d'identité", "Coffre", 50)]
    for i, (category, colour, description, storage, hours_ago) in enumerate(found):
        at = now - timedelta(hours=hours_ago)
        await lostfound.declare(d=lostfound.Declaration(
            side=lostfound.Side.FOUND, category=category, description=description, when_from=at, when_to=at,
            colour=colour, lat=CENTER[0] + 0.001 * i, lon=CENTER[1] - 0.001 * i, storage_place=storage,
            marks="Initiales M.R." if category == "wallet" else ""), author=None, contact_email="",
            channel="counter")
    lost_at = now - timedelta(hours=40)
    await lostfound.declare(d=lostfound.Declaration(
        side=lostfound.Side.LOST, category="wallet", description="Portefeuille brun, cuir, cartes de fidélité",
        when_from=lost_at - timedelta(hours=4), when_to=lost_at, colour="brown", marks="Initiales M.R. au dos",
        lat=CENTER[0], lon=CENTER[1], radius_m=500), author=citizen, contact_email="")


async def _staff(orgs: dict[str, Organisation], secret_key: str) -> dict[str, User]:
    """One account per role, each staff account with its authenticator secret; the municipality's staff are its
    identified account holders, the managers hold their services, and requests of every kind wait."""
    from backend.accounts import access
    from backend.accounts.models import AccessKind, ServiceGrant
    from backend.accounts.totp import new_secret

    users: dict[str, User] = {}
    now = requests.utcnow()
    for role, org_slug, email, name, password in ACCOUNTS:
        user = users[email] = await accounts.create_user(email=email, name=name, password=password)
        if not org_slug:
            continue
        user.totp_secret, user.identity_verified_at = sealing.seal(new_secret(), secret_key=secret_key), now
        await user.save(update_fields=["totp_secret", "identity_verified_at"])
        if role == "service_manager":
            member = await accounts.grant_role(user=user, organisation_id=orgs[org_slug].id, role=Role.MEMBER)
            services = {s.code: s for s in await requests.services_of(orgs[org_slug], include_inactive=True)}
            for code in MANAGED[email]:
                await ServiceGrant.create(membership=member, service=services[code], role=Role.SERVICE_MANAGER)
            continue
        await accounts.grant_role(user=user, organisation_id=orgs[org_slug].id, role=Role(role),
                                  team="Éclairage" if role == "field_agent" else "")
        if orgs[org_slug].kind == OrganisationKind.MUNICIPALITY:
            await accounts.grant_role(user=user, organisation_id=orgs[org_slug].id, role=Role.MEMBER)
    viewer = await accounts.viewer_of(users["nouveau@brenles.example"], session=None, via="token")
    await access.apply(viewer=viewer, application=access.Application(
        kind=AccessKind.ACCOUNT, organisation="brenles", message="Engagé au service des travaux au 1er décembre.",
        identity={"civility": "monsieur", "surname": "Nouveau", "first_names": "Léo", "function": "Électricien",
                  "department": "Travaux", "phone": "021 555 01 32"}))
    viewer = await accounts.viewer_of(users["greffe@chesalles.example"], session=None, via="token")
    await access.apply(viewer=viewer, application=access.Application(
        kind=AccessKind.SECRETARY, organisation="chesalles",
        identity={"civility": "madame", "surname": "Greffe", "first_names": "Claire", "function": "Secrétaire municipale"}))
    for email, kind, org, role, services in [
            ("terrain@brenles.example", AccessKind.ATTACHMENT, "chesalles", None, None),
            ("terrain@brenles.example", AccessKind.RIGHTS, "brenles", Role.AGENT, ["tags"]),
            ("agent@brenles.example", AccessKind.RIGHTS, "brenles", Role.DISPATCHER, ["eclairage"])]:
        viewer = await accounts.viewer_of(users[email], session=None, via="token")
        await access.apply(viewer=viewer, application=access.Application(
            kind=kind, organisation=org, role=role, services=services, identity={}))
    return users


async def seed(settings: Settings, *, request_count: int = 200) -> None:
    """Creates the demo town once; prints the logins every time, with each staff account's TOTP secret."""
    requests.configure(base_url=settings.base_url, secret=settings.secret_key)
    if not await Organisation.exists(slug="brenles"):
        orgs = await _organisations()
        services = await _catalogue(orgs["brenles"])
        await _catalogue(orgs["chesalles"])
        users = await _staff(orgs, settings.secret_key)
        citizen = users["citoyenne@brenles.example"]
        await _requests(orgs["brenles"], services, citizen, users["agent@brenles.example"], request_count)
        await _lost_and_found(citizen)
        # The demo sends no mail for its own history; the citizen's inbox keeps it, the last three unread.
        await Outbox.all().delete()
        newest = await Message.all().order_by("-id").limit(3).values_list("id", flat=True)
        await Message.exclude(id__in=newest).update(read_at=requests.utcnow())
        print(f"demo town of Brenles created with {request_count} requests")
    for slug in ("brenles", "chesalles"):  # the online procedures, also into a demo made before them
        if await demo_procedures.add(await Organisation.get(slug=slug)):
            print(f"online procedures added to {slug}")
    secrets = dict(await User.filter(email__in=[a[2] for a in ACCOUNTS]).values_list("email", "totp_secret"))
    print(f"\nGuichet demo: {settings.base_url}\n\n{'role':<16} {'e-mail':<30} {'password':<22} TOTP secret "
          "(add it to an authenticator app)")
    for role, _, email, _, password in ACCOUNTS:
        secret = sealing.unseal(secrets[email], secret_key=settings.secret_key) if secrets.get(email) else "-"
        print(f"{role:<16} {email:<30} {password:<22} {secret}")
    print()
