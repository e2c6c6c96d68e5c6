"""Codes of the invented KBO extract: NACE-BEL activities per cluster, legal forms, other labels.

The NACE-BEL 2008 codes and their French labels are those of the classification; the 2025 code
given beside each is the class it most plausibly became in NACE-BEL 2025 (several 2008 codes
may share one), with a label written for the sample: the invented extract needs codes that
look and behave like the register's (two versions, merges), not an authoritative mapping.
"""

from __future__ import annotations

from typing import NamedTuple


class Nace(NamedTuple):
    code_2008: str
    code_2025: str
    label_2008: str
    label_2025: str


def _table(rows: str) -> dict[str, Nace]:
    out = {}
    for row in rows.strip().splitlines():
        c08, c25, label08, label25 = (part.strip() for part in row.split("|"))
        out[c08] = Nace(c08, c25, label08, label25 or label08)
    return out


NACE = _table("""
    21201|21200|Fabrication de médicaments|Fabrication de préparations pharmaceutiques
    72110|72100|Recherche-développement en biotechnologie|Recherche-développement expérimental en sciences naturelles et ingénierie
    72190|72100|Recherche-développement en autres sciences physiques et naturelles|Recherche-développement expérimental en sciences naturelles et ingénierie
    71209|71209|Autres activités de contrôle et analyses techniques|
    86909|86990|Autres activités pour la santé humaine n.c.a.|Autres activités pour la santé humaine
    29320|29320|Fabrication d'autres équipements automobiles|
    25620|25620|Usinage|
    45201|95310|Entretien et réparation général de véhicules automobiles légers|Réparation et entretien de véhicules automobiles
    41201|41001|Construction générale de bâtiments résidentiels|Construction de bâtiments résidentiels
    43291|43291|Travaux d'isolation|
    43320|43320|Travaux de menuiserie|
    43222|43222|Installation de chauffage, de climatisation et de ventilation|
    71111|71111|Activités d'architecture|
    38110|38110|Collecte des déchets non dangereux|
    38210|38210|Traitement et élimination des déchets non dangereux|
    38320|38320|Récupération de déchets triés|Valorisation de matières triées
    16230|16230|Fabrication de charpentes et d'autres menuiseries|
    62010|62100|Programmation informatique|
    62020|62200|Conseil informatique|Conseil informatique et gestion d'installations informatiques
    62090|62900|Autres activités informatiques|
    58290|58290|Édition d'autres logiciels|
    63110|63100|Traitement de données, hébergement et activités connexes|Infrastructure informatique, traitement de données et hébergement
    49410|49410|Transports routiers de fret|
    52100|52100|Entreposage et stockage|
    52290|52290|Autres services auxiliaires des transports|
    46900|46900|Commerce de gros non spécialisé|
    28990|28990|Fabrication d'autres machines d'usage spécifique n.c.a.|
    26110|26110|Fabrication de composants électroniques|
    27900|27900|Fabrication d'autres matériels électriques|
    10710|10710|Fabrication de pain et de pâtisserie fraîche|
    10510|10510|Exploitation de laiteries et fabrication de fromage|
    10890|10890|Fabrication d'autres produits alimentaires n.c.a.|
    26700|26700|Fabrication de matériels optiques et photographiques|
    27400|27400|Fabrication d'appareils d'éclairage électrique|
    22210|22210|Fabrication de plaques, feuilles, tubes et profilés en matières plastiques|
    22290|22290|Fabrication d'autres articles en matières plastiques|
    25730|25730|Fabrication d'outillage|
    35110|35110|Production d'électricité|
    35300|35300|Production et distribution de vapeur et d'air conditionné|
    59110|59110|Production de films cinématographiques, de vidéo et de programmes de télévision|
    59120|59120|Post-production de films cinématographiques, de vidéo et de programmes de télévision|
    58110|58110|Édition de livres|
    30300|30300|Construction aéronautique et spatiale|
    70220|70200|Conseil pour les affaires et autres conseils de gestion|Conseil en gestion
    85421|85321|Enseignement supérieur universitaire|
    85592|85592|Formation professionnelle|
    94110|94110|Activités des organisations patronales et économiques|
    84130|84130|Administration publique (tutelle) des activités économiques|
""")

# The sector's activities per cluster: the first is the usual main activity.
CLUSTER_NACE: dict[str, tuple[str, ...]] = {
    "aresa": ("72110", "21201", "71209", "86909", "72190"),
    "auto-mobilite": ("29320", "25620", "45201", "28990"),
    "cap2020": ("41201", "43291", "43222", "71111"),
    "dechets-solides": ("38110", "38210", "38320", "49410"),
    "eco-construction": ("43320", "71111", "16230", "43291"),
    "infopole": ("62010", "62020", "62090", "58290", "63110"),
    "logistics-in-wallonia": ("52100", "49410", "52290", "46900"),
    "mitech": ("28990", "26110", "27900", "25620"),
    "nutrition": ("10890", "10710", "10510", "46900"),
    "photonique": ("26700", "27400", "26110", "72190"),
    "plastiwin": ("22290", "22210", "25730", "38320"),
    "tweed": ("35110", "35300", "43222", "71111"),
    "twist": ("59110", "59120", "58110", "62010"),
    "wallonie-espace": ("30300", "26110", "72190", "28990"),
}
# Main activity by the sample portal's kind of organisation, for those that are not companies.
KIND_NACE = {"research": "72190", "university": "85421", "high_school": "85421",
             "training": "85592", "federation": "94110", "public": "84130"}
GENERIC_NACE = ("70220", "46900", "62020")  # secondary activities of every sector
# NACE-BEL 2003 codes of a few 2008 ones: old registrations keep them as a third version.
NACE_2003 = {"62010": "72220", "62020": "72210", "49410": "60240", "41201": "45211",
             "52100": "63120", "72190": "73100", "22290": "25240", "70220": "74141"}
NACE_2003_LABELS = {"72220": "Autre réalisation de logiciels", "72210": "Édition de logiciels",
                    "60240": "Transports routiers de marchandises",
                    "45211": "Construction de bâtiments", "63120": "Entreposage",
                    "73100": "Recherche-développement en sciences physiques et naturelles",
                    "25240": "Fabrication d'autres articles en matières plastiques",
                    "74141": "Conseil pour les affaires et le management"}

# JuridicalForm code -> (French label, Dutch label), and the code of each canonical form the
# sample portal uses (NV and BV are the Dutch names of SA and SRL).
JURIDICAL_FORMS = {
    "014": ("Société anonyme", "Naamloze vennootschap"),
    "015": ("Société privée à responsabilité limitée", "Besloten vennootschap met beperkte aansprakelijkheid"),
    "610": ("Société à responsabilité limitée", "Besloten vennootschap"),
    "008": ("Société coopérative à responsabilité limitée", "Coöperatieve vennootschap met beperkte aansprakelijkheid"),
    "706": ("Société coopérative", "Coöperatieve vennootschap"),
    "017": ("Association sans but lucratif", "Vereniging zonder winstoogmerk"),
    "025": ("Société européenne", "Europese vennootschap"),
    "124": ("Etablissement public", "Openbare instelling"),
    "030": ("Société étrangère", "Buitenlandse vennootschap"),
}
FORM_CODES = {"SA": "014", "NV": "014", "SPRL": "015", "SRL": "610", "BV": "610", "SCRL": "008",
              "SC": "706", "ASBL": "017", "SE": "025", None: "124"}

# The other categories of code.csv, a few labels each, so the file looks like the register's.
OTHER_CODES = (
    ("Status", "AC", "Actif", "Actief"),
    ("JuridicalSituation", "000", "Situation normale", "Normale toestand"),
    ("JuridicalSituation", "012", "Ouverture de faillite", "Opening faillissement"),
    ("TypeOfEnterprise", "1", "Personne physique", "Natuurlijk persoon"),
    ("TypeOfEnterprise", "2", "Personne morale", "Rechtspersoon"),
    ("TypeOfAddress", "REGO", "Siège", "Zetel"),
    ("TypeOfAddress", "BAET", "Unité d'établissement", "Vestigingseenheid"),
    ("TypeOfDenomination", "001", "Dénomination", "Naam"),
    ("TypeOfDenomination", "002", "Abréviation", "Afkorting"),
    ("TypeOfDenomination", "003", "Dénomination commerciale", "Commerciële naam"),
    ("Language", "0", "inconnu", "Onbekend"),
    ("Language", "1", "français", "Frans"),
    ("Language", "2", "néerlandais", "Nederlands"),
    ("Language", "3", "allemand", "Duits"),
    ("Language", "4", "anglais", "Engels"),
    ("ActivityGroup", "001", "Activités TVA", "BTW-activiteiten"),
    ("ActivityGroup", "006", "Activités ONSS", "RSZ-activiteiten"),
    ("Classification", "MAIN", "Activité principale", "Hoofdactiviteit"),
    ("Classification", "SECO", "Activité secondaire", "Nevenactiviteit"),
    ("Classification", "ANCI", "Activité auxiliaire", "Hulpactiviteit"),
    ("ContactType", "TEL", "Numéro de téléphone", "Telefoonnummer"),
    ("ContactType", "EMAIL", "Adresse e-mail", "E-mailadres"),
    ("ContactType", "WEB", "Adresse web", "Webadres"),
    ("EntityContact", "ENT", "Entreprise", "Onderneming"),
    ("EntityContact", "EST", "Unité d'établissement", "Vestigingseenheid"),
)


def code_rows() -> list[tuple[str, str, str, str]]:
    """Every (Category, Code, Language, Description) row of the sample's code.csv."""
    rows = []
    for category, code, fr, nl in OTHER_CODES:
        rows += [(category, code, "FR", fr), (category, code, "NL", nl)]
    for code, (fr, nl) in JURIDICAL_FORMS.items():
        rows += [("JuridicalForm", code, "FR", fr), ("JuridicalForm", code, "NL", nl)]
    seen_2025 = set()
    for nace in NACE.values():
        rows.append(("Nace2008", nace.code_2008, "FR", nace.label_2008))
        if nace.code_2025 not in seen_2025:
            seen_2025.add(nace.code_2025)
            rows.append(("Nace2025", nace.code_2025, "FR", nace.label_2025))
    rows += [("Nace2003", code, "FR", label) for code, label in NACE_2003_LABELS.items()]
    return rows
