"""The demo's online procedures (issue 17, point 7): a dozen "démarches" of Brenles across the families a town
runs, without a place, with their pages in the catalogue. Added on every seed where missing, so that a demo
database made before them gains them too."""
from __future__ import annotations

from backend.accounts.models import Membership, Organisation, Role, ServiceGrant
from backend.appointments.models import Agenda
from backend.requests import procedures
from backend.requests.catalogue import check_attribute_definitions
from backend.requests.models import Service, ServiceKind

A = "singlevaluelist"
M = "multivaluelist"
IND, COMP, ASSO = "individuals", "companies", "associations"

FAMILIES_EN = {
    "Aides et subventions": "Aid and grants",
    "Espace public et réglementation": "Public space and regulation",
    "État civil et cadre de vie": "Civil status and living environment",
    "Petite enfance et éducation": "Early childhood and education",
    "Relations avec les usagers": "Contact and appointments",
    "Associations et entreprises": "Associations and companies",
}


def _q(code: str, datatype: str, fr: str, en: str, *, required: bool = False, values: list | None = None,
       help_fr: str = "", help_en: str = "", condition: dict | None = None, future: bool = False) -> dict:
    return {"code": code, "datatype": datatype, "required": required, "description": fr, "description_en": en,
            **({"future": True} if future else {}),
            **({"values": [{"key": k, "name": n, "name_en": e} for k, n, e in values]} if values else {}),
            **({"help": help_fr, "help_en": help_en} if help_fr else {}),
            **({"condition": condition} if condition else {})}


def _page(audience: list[str], who: tuple[str, str], documents: tuple[list[str], list[str]],
          duration: tuple[str, str], cost: tuple[str, str], keywords: tuple[str, str] = ("", "")) -> dict:
    return {"audience": audience, "who_fr": who[0], "who_en": who[1], "documents_fr": documents[0],
            "documents_en": documents[1], "duration_fr": duration[0], "duration_en": duration[1],
            "cost_fr": cost[0], "cost_en": cost[1], "keywords_fr": keywords[0], "keywords_en": keywords[1]}


FREE = ("Gratuit", "Free")
SCHOOLS = [("centre", "Collège du Centre", "Collège du Centre"), ("signal", "École du Signal", "École du Signal")]
DAYS = [("lu", "Lundi", "Monday"), ("ma", "Mardi", "Tuesday"), ("je", "Jeudi", "Thursday"), ("ve", "Vendredi", "Friday")]

# code, family, icon, fr, en, description fr, description en, due hours, questions, page
PROCEDURES = [
    ("occupation-demenagement", "Espace public et réglementation", "truck",
     "Occuper le domaine public pour un déménagement", "Use the street for a house move",
     "Réserver une place sur la voie publique pour le camion de déménagement ou un monte-meubles.",
     "Reserve a space on the street for the removal van or a furniture lift.", 120,
     [_q("debut", "date", "Premier jour", "First day", required=True, future=True),
      _q("fin", "date", "Dernier jour", "Last day", required=True, future=True,
         help_fr="Au plus 3 jours de suite.", help_en="At most 3 days in a row."),
      _q("adresse", "address", "Adresse du déménagement", "Address of the move", required=True),
      _q("surface", "number", "Surface occupée (m²)", "Area taken (m²)", required=True,
         help_fr="Un camion de 3,5 t occupe environ 15 m².", help_en="A 3.5 t van takes about 15 m²."),
      _q("vehicule", A, "Véhicule", "Vehicle", required=True, values=[
          ("camionnette", "Camionnette", "Van"), ("camion", "Camion", "Lorry"),
          ("monte-meubles", "Monte-meubles", "Furniture lift")]),
      _q("plaque", "string", "Plaque du véhicule", "Vehicle plate"),
      _q("plan", "file", "Plan ou croquis de l'emplacement", "Plan or sketch of the place",
         help_fr="PDF, JPEG ou PNG, 5 Mo au plus.", help_en="PDF, JPEG or PNG, 5 MB at most.")],
     _page([IND, COMP], ("Toute personne ou entreprise de déménagement.", "Anyone, or a removal company."),
           (["Plan ou croquis de l'emplacement (facultatif)"], ["Plan or sketch of the place (optional)"]),
           ("Réponse en 5 jours ouvrables ; demandez au moins 10 jours avant.",
            "Answer within 5 working days; ask at least 10 days before."),
           ("CHF 30.– par jour", "CHF 30 a day"), ("déménager camion parcage stationnement", "moving van parking"))),
    ("rappel", "Relations avec les usagers", "phone", "Être rappelé par la commune", "Ask to be called back",
     "Laissez votre numéro : un collaborateur vous rappelle au moment choisi.",
     "Leave your number: someone from the town calls you back at the time you choose.", 48,
     [_q("telephone", "phone", "Votre numéro", "Your number", required=True),
      _q("moment", A, "Quand vous rappeler ?", "When should we call?", required=True, values=[
          ("matin", "Le matin", "In the morning"), ("apres-midi", "L'après-midi", "In the afternoon")]),
      _q("sujet", "text", "À quel sujet ?", "About what?", required=True)],
     _page([IND, COMP, ASSO], ("Tout le monde.", "Everyone."), ([], []),
           ("Rappel dans les 2 jours ouvrables.", "A call within 2 working days."), FREE, ("téléphone", "phone"))),
    ("restaurant-scolaire", "Petite enfance et éducation", "school",
     "Inscrire un enfant au restaurant scolaire", "Enrol a child for school meals",
     "Les repas de midi pour les élèves des écoles de Brenles, de la rentrée aux vacances d'été.",
     "Lunch for pupils of the Brenles schools, from the start of the year to the summer holidays.", 240,
     [_q("enfant", "string", "Prénom et nom de l'enfant", "Child's first name and surname", required=True),
      _q("naissance", "date", "Date de naissance de l'enfant", "Child's date of birth", required=True),
      _q("ecole", A, "École", "School", required=True, values=SCHOOLS),
      _q("jours", M, "Jours de repas", "Days", required=True, values=DAYS),
      _q("allergies", "boolean", "L'enfant a-t-il une allergie ou un régime ?", "Has the child an allergy or a diet?",
         required=True),
      _q("allergies_detail", "text", "Lesquels ?", "Which?", required=True,
         condition={"code": "allergies", "equals": True},
         help_fr="Un certificat médical vous sera demandé pour une allergie.",
         help_en="A medical certificate will be asked for an allergy.")],
     _page([IND], ("Les parents d'élèves des écoles de Brenles.", "Parents of pupils of the Brenles schools."),
           (["Certificat médical en cas d'allergie"], ["Medical certificate for an allergy"]),
           ("Confirmation en 10 jours.", "Confirmed within 10 days."),
           ("CHF 9.– par repas, selon le revenu", "CHF 9 a meal, by income"), ("cantine repas midi", "canteen lunch"))),
    ("macaron-parking", "Espace public et réglementation", "car", "Macaron de stationnement pour résidents",
     "Resident parking badge", "Stationner sans limite de durée dans les zones bleues de votre quartier.",
     "Park with no time limit in the blue zones of your area.", 168,
     [_q("plaque", "string", "Plaque d'immatriculation", "Plate number", required=True),
      _q("adresse", "address", "Adresse de domicile", "Home address", required=True),
      _q("duree", A, "Durée", "Length", required=True, values=[
          ("mois", "Un mois", "One month"), ("annee", "Une année", "One year")]),
      _q("justificatif", "file", "Justificatif de domicile", "Proof of address", required=True,
         help_fr="Facture ou bail à votre nom, de moins de 3 mois : PDF, JPEG ou PNG, 5 Mo au plus.",
         help_en="A bill or lease in your name, under 3 months old: PDF, JPEG or PNG, 5 MB at most.")],
     _page([IND], ("Les habitants domiciliés à Brenles, un macaron par véhicule.",
                   "People living in Brenles, one badge per vehicle."),
           (["Permis de circulation", "Justificatif de domicile"], ["Vehicle registration", "Proof of address"]),
           ("Macaron envoyé en 7 jours.", "Badge sent within 7 days."),
           ("CHF 40.– par mois, CHF 400.– par année", "CHF 40 a month, CHF 400 a year"),
           ("stationnement zone bleue voiture", "parking blue zone car"))),
    ("rencontre-elu", "Relations avec les usagers", "people", "Rencontrer un élu", "Meet an elected official",
     "Demander un entretien avec le syndic ou un municipal.",
     "Ask for a meeting with the mayor or a member of the executive.", 120,
     [_q("elu", A, "Avec qui ?", "With whom?", required=True, values=[
         ("syndic", "Le syndic", "The mayor"), ("travaux", "Le municipal des travaux", "The councillor for works"),
         ("ecoles", "La municipale des écoles", "The councillor for schools")]),
      _q("sujet", "text", "Sujet de l'entretien", "What about?", required=True)],
     _page([IND, COMP, ASSO], ("Tout le monde.", "Everyone."), ([], []),
           ("Rendez-vous de 30 minutes, le mardi et le jeudi après-midi.",
            "A 30-minute meeting, on Tuesday and Thursday afternoons."), FREE,
           ("syndic municipal rendez-vous", "mayor appointment"))),
    ("passeport-identite", "État civil et cadre de vie", "id",
     "Rendez-vous passeport ou carte d'identité", "Passport or identity card appointment",
     "Prendre rendez-vous au guichet pour faire établir un passeport ou une carte d'identité.",
     "Book a time at the counter to apply for a passport or an identity card.", 72,
     [_q("document", A, "Quel document ?", "Which document?", required=True, values=[
         ("passeport", "Passeport", "Passport"), ("carte", "Carte d'identité", "Identity card"),
         ("combi", "Les deux", "Both")]),
      _q("personnes", "number", "Pour combien de personnes ?", "For how many people?", required=True)],
     _page([IND], ("Les ressortissants suisses domiciliés dans la commune.", "Swiss citizens living in the town."),
           (["Ancien passeport ou carte d'identité", "Pour un enfant : présence des deux parents"],
            ["Former passport or identity card", "For a child: both parents present"]),
           ("Document livré en 10 jours ouvrables après le rendez-vous.",
            "Document delivered 10 working days after the appointment."),
           ("Passeport CHF 145.–, carte CHF 70.–", "Passport CHF 145, card CHF 70"), ("rendez-vous", "appointment"))),
    ("velo-electrique", "Aides et subventions", "bike", "Subvention pour un vélo électrique",
     "Grant for an electric bike", "La commune prend en charge 15 % du prix d'un vélo électrique neuf, "
     "jusqu'à CHF 500.–.", "The town pays 15 % of the price of a new electric bike, up to CHF 500.", 240,
     [_q("prix", "number", "Prix d'achat (CHF)", "Purchase price (CHF)", required=True),
      _q("date_achat", "date", "Date d'achat", "Date of purchase", required=True),
      _q("iban", "string", "IBAN pour le versement", "IBAN for the payment", required=True)],
     _page([IND], ("Les habitants de Brenles, une fois tous les 5 ans.", "People of Brenles, once in 5 years."),
           (["Facture d'achat"], ["Invoice"]), ("Versement en 30 jours.", "Paid within 30 days."), FREE,
           ("vélo électrique aide énergie", "e-bike energy"))),
    ("subvention-manifestation", "Aides et subventions", "party", "Soutien à une manifestation",
     "Support for an event", "Une aide financière ou du matériel (tables, bancs, barrières) pour une fête "
     "ou une manifestation ouverte au public.", "Money or equipment (tables, benches, barriers) for a public event.",
     240,
     [_q("association", "string", "Nom de l'association", "Name of the association", required=True),
      _q("date", "date", "Date de la manifestation", "Date of the event", required=True),
      _q("besoin", M, "Votre demande", "What you ask for", required=True, values=[
          ("argent", "Une aide financière", "Money"), ("materiel", "Du matériel", "Equipment")]),
      _q("budget", "number", "Budget total (CHF)", "Total budget (CHF)", required=True,
         condition={"code": "besoin", "in": ["argent"]}),
      _q("materiel", "text", "Matériel souhaité", "Equipment wanted", required=True,
         condition={"code": "besoin", "in": ["materiel"]})],
     _page([ASSO], ("Les associations et sociétés locales.", "Local associations and clubs."),
           (["Budget de la manifestation", "Statuts de l'association"], ["Budget of the event", "Articles of association"]),
           ("Décision de la municipalité en 4 semaines.", "Decided by the executive within 4 weeks."), FREE,
           ("fête association matériel", "festival club"))),
    ("attestation-domicile", "État civil et cadre de vie", "house", "Attestation de domicile",
     "Certificate of residence", "Une attestation officielle de votre adresse à Brenles.",
     "An official certificate of your address in Brenles.", 72,
     [_q("exemplaires", "number", "Nombre d'exemplaires", "Number of copies", required=True),
      _q("envoi", A, "Comment la recevoir ?", "How do you want it?", required=True, values=[
          ("poste", "Par la poste", "By post"), ("guichet", "Au guichet", "At the counter")]),
      _q("adresse_envoi", "address", "Adresse d'envoi", "Postal address", required=True,
         condition={"code": "envoi", "equals": "poste"})],
     _page([IND], ("Les personnes domiciliées à Brenles.", "People living in Brenles."), ([], []),
           ("Envoyée en 3 jours ouvrables.", "Sent within 3 working days."), ("CHF 20.–", "CHF 20"),
           ("domicile résidence certificat", "residence address"))),
    ("annonce-chien", "État civil et cadre de vie", "paw", "Annoncer un chien", "Register a dog",
     "Tout chien de plus de 3 mois doit être annoncé à la commune.",
     "Every dog over 3 months old must be registered with the town.", 168,
     [_q("nom", "string", "Nom du chien", "Dog's name", required=True),
      _q("race", "string", "Race", "Breed"),
      _q("naissance", "date", "Date de naissance", "Date of birth", required=True),
      _q("puce", "string", "Numéro de puce", "Microchip number", required=True)],
     _page([IND], ("Les détenteurs de chiens domiciliés à Brenles.", "Dog owners living in Brenles."),
           (["Carnet de vaccination"], ["Vaccination record"]), ("Enregistré en 7 jours.", "Registered within 7 days."),
           ("Taxe annuelle CHF 100.–", "Yearly tax CHF 100"), ("chien taxe animal", "dog tax pet"))),
    ("enseigne", "Associations et entreprises", "sign", "Autorisation d'enseigne", "Permit for a shop sign",
     "Poser une enseigne, une vitrophanie ou un panneau publicitaire visible depuis la rue.",
     "Put up a sign or an advertisement seen from the street.", 336,
     [_q("entreprise", "string", "Entreprise", "Company", required=True),
      _q("adresse", "address", "Adresse de l'enseigne", "Address of the sign", required=True),
      _q("dimensions", "string", "Dimensions (largeur × hauteur)", "Size (width × height)", required=True),
      _q("lumineuse", "boolean", "Enseigne lumineuse ?", "Lit sign?", required=True)],
     _page([COMP, ASSO], ("Les entreprises et commerces.", "Companies and shops."),
           (["Photo-montage de l'enseigne", "Accord du propriétaire"], ["Mock-up of the sign", "Owner's consent"]),
           ("Décision en 30 jours.", "Decided within 30 days."), ("Émolument CHF 80.–", "Fee CHF 80"),
           ("publicité commerce réclame", "advertising shop"))),
]
# The pages of services that are in the catalogue already.
PAGES = {
    "contact": _page([IND, COMP, ASSO], ("Tout le monde.", "Everyone."), ([], []),
                     ("Réponse en 3 jours ouvrables.", "Answer within 3 working days."), FREE,
                     ("question message écrire", "question message write")),
    "tags": _page([IND, COMP, ASSO], ("Tout le monde ; sur un bâtiment privé, son propriétaire.",
                                      "Everyone; on a private building, its owner."),
                  (["Une photo du tag"], ["A photo of the tag"]),
                  ("Enlevé en 10 jours, en 24 heures s'il est injurieux.",
                   "Removed within 10 days, within 24 hours if offensive."),
                  ("Gratuit sur le domaine public", "Free on public property"), ("graffiti sprayage", "spray")),
}
FAMILY_OF = {"contact": "Relations avec les usagers"}
MANAGER = "services@brenles.example"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
# The agendas of the procedures with an appointment: passports at two counters, the elected officials' diary.
AGENDAS = {
    "passeport-identite": [
        {"name_fr": "Guichet 1 — Contrôle des habitants", "name_en": "Counter 1 — Residents' office",
         "place": "Hôtel de ville, rez-de-chaussée", "slot_minutes": 15, "capacity": 1, "days_ahead": 45,
         "hours": {d: [["08:00", "11:30"], ["13:30", "16:30"]] for d in WEEKDAYS}},
        {"name_fr": "Guichet 2 — Contrôle des habitants", "name_en": "Counter 2 — Residents' office",
         "place": "Hôtel de ville, rez-de-chaussée", "slot_minutes": 15, "capacity": 1, "days_ahead": 45,
         "hours": {"tue": [["08:00", "11:30"]], "thu": [["13:30", "18:30"]]}},
    ],
    "rencontre-elu": [
        {"name_fr": "Secrétariat municipal", "name_en": "Municipal secretariat", "place": "Hôtel de ville, 1er étage",
         "slot_minutes": 30, "capacity": 1, "days_ahead": 60,
         "hours": {"tue": [["14:00", "17:00"]], "thu": [["14:00", "17:00"]]}},
    ],
}


async def add(org: Organisation) -> int:
    """Adds the procedures the organisation lacks, and the pages of its services that have none; the count added."""
    existing = {s.code: s for s in await Service.filter(organisation=org)}
    manager = await Membership.filter(organisation=org, user__email=MANAGER, role=Role.MEMBER).first()
    last = max((s.position for s in existing.values()), default=0)
    added = 0
    for code, family, icon, fr, en, desc_fr, desc_en, due, questions, page in PROCEDURES:
        if code in existing:
            continue
        added += 1
        service = await Service.create(
            organisation=org, code=code, kind=ServiceKind.FORM, group=family, group_en=FAMILIES_EN[family], icon=icon,
            name_fr=fr, name_en=en, description_fr=desc_fr, description_en=desc_en, due_hours=due,
            attributes=check_attribute_definitions(questions), info=procedures.check_info(page),
            position=last + added)
        if manager is not None:  # the demo's service manager edits the procedures' questions (/agent/questions)
            await ServiceGrant.create(membership=manager, service=service, role=Role.SERVICE_MANAGER)
    for service in await Service.filter(organisation=org, code__in=list(AGENDAS)):
        if not await Agenda.exists(service_id=service.id):
            for agenda in AGENDAS[service.code]:
                await Agenda.create(service=service, **agenda)
    for code, page in PAGES.items():
        service = existing.get(code)
        if service is not None and not service.info:
            service.info = procedures.check_info(page)
            if code in FAMILY_OF:
                service.group, service.group_en = FAMILY_OF[code], FAMILIES_EN[FAMILY_OF[code]]
            await service.save(update_fields=["info", "group", "group_en"])
    return added
