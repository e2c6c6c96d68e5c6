"""Static data for the sample portal: real places, the 2008 clusters, invented name parts.

Places and postal codes are real (all five Walloon provinces, the German-speaking Community
around Eupen, a few Brussels and Flemish ones). The clusters and their fields of activity are the
14 of the 30 June 2008 overview page; their descriptions and websites are invented. Every
organisation name, street number, phone number, e-mail address and website built from the parts
below is invented: any resemblance to a real organisation is accidental.
"""

from __future__ import annotations

from typing import NamedTuple


class Place(NamedTuple):
    postal_code: str
    city: str
    province: str  # "" outside Wallonia
    region: str  # Wallonie, Bruxelles-Capitale, Flandre
    weight: int = 1  # how often organisations sit there


def _places(province: str, rows: str, region: str = "Wallonie") -> list[Place]:
    out = []
    for row in rows.strip().splitlines():
        code, city, *weight = (part.strip() for part in row.split("|"))
        out.append(Place(code, city, province, region, int(weight[0]) if weight else 1))
    return out


WALLOON_PLACES: list[Place] = [
    *_places("Brabant wallon", """
        1300|Wavre|4
        1310|La Hulpe
        1330|Rixensart
        1340|Ottignies
        1348|Louvain-la-Neuve|6
        1360|Perwez
        1370|Jodoigne
        1400|Nivelles|3
        1410|Waterloo|2
        1420|Braine-l'Alleud|2
        1435|Mont-Saint-Guibert|2
        1440|Braine-le-Château
        1470|Genappe
        1480|Tubize
        1490|Court-Saint-Étienne
    """),
    *_places("Liège", """
        4000|Liège|10
        4020|Liège|3
        4030|Grivegnée
        4031|Angleur|3
        4040|Herstal|3
        4100|Seraing|3
        4102|Ougrée
        4120|Neupré
        4140|Sprimont
        4300|Waremme
        4400|Flémalle|2
        4430|Ans|2
        4460|Grâce-Hollogne|2
        4500|Huy|2
        4540|Amay
        4600|Visé
        4620|Fléron
        4650|Herve
        4700|Eupen|3
        4720|Kelmis
        4730|Raeren
        4780|Sankt Vith
        4800|Verviers|3
        4820|Dison
        4840|Welkenraedt
        4900|Spa
        4920|Aywaille
        4960|Malmedy
        4970|Stavelot
    """),
    *_places("Namur", """
        5000|Namur|7
        5002|Saint-Servais
        5004|Bouge
        5030|Gembloux|3
        5060|Sambreville
        5100|Jambes|2
        5101|Erpent
        5140|Sombreffe
        5150|Floreffe
        5190|Jemeppe-sur-Sambre
        5300|Andenne
        5500|Dinant|2
        5530|Yvoir
        5580|Rochefort
        5590|Ciney
        5600|Philippeville
        5620|Florennes
        5660|Couvin
    """),
    *_places("Hainaut", """
        6000|Charleroi|8
        6001|Marcinelle
        6010|Couillet
        6030|Marchienne-au-Pont
        6040|Jumet
        6041|Gosselies|4
        6060|Gilly
        6180|Courcelles
        6200|Châtelet
        6220|Fleurus|2
        6280|Gerpinnes
        6530|Thuin
        7000|Mons|6
        7011|Ghlin
        7012|Jemappes
        7060|Soignies
        7080|Frameries
        7100|La Louvière|3
        7130|Binche
        7170|Manage
        7180|Seneffe|2
        7330|Saint-Ghislain
        7500|Tournai|4
        7600|Péruwelz
        7700|Mouscron|3
        7780|Comines
        7800|Ath
        7850|Enghien
        7860|Lessines
    """),
    *_places("Luxembourg", """
        6600|Bastogne|2
        6640|Vaux-sur-Sûre
        6660|Houffalize
        6690|Vielsalm
        6700|Arlon|3
        6720|Habay-la-Neuve
        6740|Étalle
        6760|Virton
        6780|Messancy
        6790|Aubange
        6800|Libramont-Chevigny|2
        6830|Bouillon
        6840|Neufchâteau
        6870|Saint-Hubert
        6880|Bertrix
        6890|Libin|2
        6900|Marche-en-Famenne|3
        6940|Durbuy
    """),
]

BRUSSELS_PLACES: list[Place] = _places("", """
    1000|Bruxelles|3
    1030|Schaerbeek
    1040|Etterbeek
    1050|Ixelles
    1070|Anderlecht
    1150|Woluwe-Saint-Pierre
    1180|Uccle
    1200|Woluwe-Saint-Lambert
""", region="Bruxelles-Capitale")

FLEMISH_PLACES: list[Place] = _places("", """
    2000|Antwerpen|2
    9000|Gent|2
    3000|Leuven|2
    8500|Kortrijk
    3500|Hasselt
    2800|Mechelen
    1930|Zaventem
""", region="Flandre")

# Phone prefix by the postal code's first digit (invented numbers follow it).
PHONE_ZONES = {"1": "010", "2": "03", "3": "016", "4": "04", "5": "081", "6": "071",
               "7": "065", "8": "056", "9": "09"}


class ClusterInfo(NamedTuple):
    cluster_id: str
    name: str  # as on the 2008 overview table
    domain: str  # DOMAINE D'ACTIVITÉS, as on the 2008 overview table
    description: str  # invented
    website: str | None  # invented; as published (some without scheme)
    size: int  # directory entries


CLUSTERS: list[ClusterInfo] = [
    ClusterInfo("aresa", "ARESA", "Recherche clinique",
                "Réseau des acteurs wallons de la recherche clinique et des essais cliniques.",
                None, 38),
    ClusterInfo("auto-mobilite", "AUTO-MOBILITÉ", "Industries de l'automobile et de la mobilité",
                "Sous-traitants, équipementiers et bureaux d'études de l'automobile et de la mobilité.",
                "www.auto-mobilite-cluster.be", 72),
    ClusterInfo("cap2020", "CAP 2020", "Construction durable et basse énergie",
                "Entreprises de la construction engagées dans la performance énergétique des bâtiments.",
                "http://www.cap2020-cluster.be", 81),
    ClusterInfo("dechets-solides", "DÉCHETS SOLIDES", "Collecte, traitement et valorisation des déchets",
                "Collecteurs, recycleurs et valorisateurs de déchets solides en Wallonie.", None, 55),
    ClusterInfo("eco-construction", "ECO-CONSTRUCTION", "Construction écologique",
                "Architectes, entrepreneurs et producteurs de matériaux écologiques.",
                "www.ecoconstruction-cluster.be", 104),
    ClusterInfo("infopole", "INFOPÔLE", "Technologies de l'Information et de la Communication (TIC)",
                "Éditeurs de logiciels, intégrateurs et sociétés de services informatiques.",
                "https://www.infopole-cluster.be", 118),
    ClusterInfo("logistics-in-wallonia", "LOGISTICS IN WALLONIA", "Transport et logistique",
                "Transporteurs, logisticiens, plates-formes multimodales et prestataires de services.",
                "http://www.logistics-cluster.be", 96),
    ClusterInfo("mitech", "MITECH",
                "Micro- et nanotechnologies, mécatronique, Intelligent manufacturing",
                "Entreprises et laboratoires des micro- et nanotechnologies et de la mécatronique.",
                None, 63),
    ClusterInfo("nutrition", "NUTRITION", "Nutrition et santé",
                "Industrie agroalimentaire et acteurs de la santé autour de l'alimentation.",
                "www.nutrition-cluster.be", 50),
    ClusterInfo("photonique", "PHOTONIQUE", "Photonique (lumière, laser, etc.)",
                "Concepteurs et utilisateurs de technologies optiques et laser.", None, 38),
    ClusterInfo("plastiwin", "PLASTIWIN", "Industrie plastique",
                "Transformateurs de matières plastiques, moulistes et fournisseurs.",
                "http://www.plastiwin-cluster.be", 70),
    ClusterInfo("tweed", "TWEED", "Energie durable",
                "Producteurs et fournisseurs de technologies de l'énergie durable.",
                "www.tweed-cluster.be", 92),
    ClusterInfo("twist", "TWIST", "Technologies de l'image, du son et du texte",
                "Studios, éditeurs et technologues de l'image, du son et du texte.",
                "https://www.twist-cluster.be", 89),
    ClusterInfo("wallonie-espace", "WALLONIE ESPACE", "Industrie spatiale",
                "Industriels et centres de recherche du secteur spatial wallon.", None, 84),
]

# --- invented name parts ------------------------------------------------------------------------

ROOTS = ["Ardena", "Mosa", "Sambra", "Condra", "Fagna", "Hesba", "Famena", "Gaumo", "Ourta",
         "Lessa", "Semo", "Vesdra", "Dyla", "Senna", "Ambla", "Haina", "Dendra", "Walo", "Ebura",
         "Namo", "Carolo", "Tourna", "Leodi", "Arlo", "Hoya", "Verva", "Thula", "Orna"]
SUFFIXES = ["tec", "tronic", "plast", "log", "bat", "lux", "med", "nov", "soft", "data", "pack",
            "chem", "form", "metal", "therm", "vision", "sat", "bio", "food", "cycle", "wood", "sys"]
QUALIFIERS = ["Belgium", "Engineering", "Solutions", "Industries", "Services", "Group",
              "Consulting", "Systems", "Wallonie", "International", "Technologies", "Europe"]
SURNAMES = ["Lambert", "Dubois", "Martin", "Dupont", "Leroy", "Lejeune", "Renard", "Collard",
            "Gilson", "Lemaire", "Henrard", "Jacquet", "Thiry", "Pirson", "Mathieu", "Lambotte",
            "Delhaye", "Goffin", "Hubert", "Dethier", "Wathelet", "Piette", "Closset", "Bodart",
            "Jadot", "Maréchal", "Lecomte", "Defays", "Noël", "Massart", "Rousseau", "François",
            "Hallet", "Warnier", "Denis", "Fontaine", "Laurent", "Simon", "Michel", "Gérard"]
FLEMISH_SURNAMES = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Claes", "Goossens",
                    "Wouters", "De Smet", "Verhoeven", "Van Damme", "Desmet"]
FLEMISH_SECTORS = ["Techniek", "Logistiek", "Engineering", "Kunststoffen", "Automatisering",
                   "Bouw", "Energie", "Voeding"]
AREAS = ["du Condroz", "de la Meuse", "des Ardennes", "de la Sambre", "de Famenne", "de Gaume",
         "de Hesbaye", "du Hainaut", "du Brabant", "du Pays de Herve", "de l'Ourthe", "de la Haine",
         "de l'Entre-Sambre", "de la Lesse"]
SAINTS = ["Saint-Lambert", "Sainte-Julienne", "Saint-Hubert", "Sainte-Waudru", "Saint-Remacle",
          "Sainte-Gertrude", "Saint-Feuillen", "Sainte-Begge", "Saint-Aubain", "Saint-Materne"]
COMPANY_PATTERNS = ["{root}{suffix}", "{root}{suffix} {qualifier}", "{surname} et Fils",
                    "Établissements {surname}", "Ateliers {surname}", "{surname} {sector}",
                    "{sector} {area}", "{surname} et {surname2}", "Bureau d'études {surname}"]
RESEARCH_PATTERNS = ["Centre de recherche {root}{suffix}", "Centre technologique {area}",
                     "Institut {root}{suffix}", "Laboratoire {sector} {area}",
                     "Centre d'excellence {root}{suffix}"]
UNIVERSITY_PATTERNS = ["Université {area}", "Faculté polytechnique {area}"]
HIGH_SCHOOL_PATTERNS = ["Haute École {saint}", "Haute École {surname}", "Haute École {area}",
                        "Institut supérieur {root}{suffix}"]
TRAINING_PATTERNS = ["Centre de formation {root}{suffix}", "Académie {sector} {area}",
                     "Centre de compétence {sector} {area}"]
FEDERATION_PATTERNS = ["Fédération {sector} {area}", "Union des entreprises {area}",
                       "Association des industriels {area}"]
PUBLIC_PATTERNS = ["Agence de développement {area}", "Intercommunale {root}{suffix}",
                   "Chambre de commerce {area}", "Office économique {area}"]

# Per cluster: sector words for names and activity phrases for detail pages.
SECTORS: dict[str, list[str]] = {
    "aresa": ["Pharma", "Clinique", "Biotech", "Diagnostic"],
    "auto-mobilite": ["Automotive", "Mécanique", "Carrosserie", "Mobilité"],
    "cap2020": ["Construction", "Isolation", "Énergie Bâtiment", "Menuiserie"],
    "dechets-solides": ["Recyclage", "Environnement", "Collecte", "Valorisation"],
    "eco-construction": ["Éco-Bâtiment", "Bois", "Chanvre", "Architecture"],
    "infopole": ["Informatique", "Software", "Réseaux", "Multimédia"],
    "logistics-in-wallonia": ["Logistique", "Transports", "Distribution", "Fret"],
    "mitech": ["Mécatronique", "Microtechnique", "Automation", "Précision"],
    "nutrition": ["Alimentation", "Diététique", "Boulangerie", "Laiterie"],
    "photonique": ["Optique", "Laser", "Photonique", "Lumière"],
    "plastiwin": ["Plasturgie", "Moulage", "Polymères", "Extrusion"],
    "tweed": ["Énergie", "Solaire", "Éolien", "Biomasse"],
    "twist": ["Image", "Audiovisuel", "Studio", "Édition"],
    "wallonie-espace": ["Spatial", "Aérospatiale", "Satellites", "Électronique"],
}
ACTIVITIES: dict[str, list[str]] = {
    "aresa": ["essais cliniques de phase I à III", "monitoring d'études", "biostatistique",
              "analyses de laboratoire", "affaires réglementaires"],
    "auto-mobilite": ["sous-traitance automobile", "pièces mécaniques", "traitement de surface",
                      "véhicules électriques", "bureau d'études"],
    "cap2020": ["rénovation énergétique", "maisons passives", "audit énergétique",
                "techniques spéciales", "isolation thermique"],
    "dechets-solides": ["collecte sélective", "tri et recyclage", "compostage",
                        "valorisation énergétique", "gestion de conteneurs"],
    "eco-construction": ["matériaux naturels", "ossature bois", "enduits à la chaux",
                         "toitures vertes", "conseil en éco-construction"],
    "infopole": ["développement de logiciels", "intégration de systèmes", "hébergement",
                 "sécurité informatique", "conseil TIC", "applications web"],
    "logistics-in-wallonia": ["transport routier", "entreposage", "logistique multimodale",
                              "commission de transport", "distribution urbaine"],
    "mitech": ["usinage de précision", "capteurs", "automatisation industrielle",
               "microsystèmes", "robotique"],
    "nutrition": ["produits laitiers", "aliments fonctionnels", "analyses nutritionnelles",
                  "boulangerie industrielle", "compléments alimentaires"],
    "photonique": ["découpe laser", "systèmes optiques", "métrologie optique", "fibres optiques",
                   "éclairage LED"],
    "plastiwin": ["injection plastique", "thermoformage", "extrusion", "moules et outillages",
                  "recyclage des plastiques"],
    "tweed": ["photovoltaïque", "éolien", "cogénération", "biomasse", "efficacité énergétique"],
    "twist": ["post-production", "effets spéciaux", "édition numérique", "son et musique",
              "reconnaissance de texte"],
    "wallonie-espace": ["structures de lanceurs", "équipements de satellites", "essais spatiaux",
                        "télédétection", "électronique embarquée"],
}
STREETS = ["Rue de la Station", "Avenue des Industries", "Rue du Parc Industriel",
           "Chaussée de Namur", "Rue Saint-Georges", "Boulevard de l'Europe", "Rue de l'Expansion",
           "Allée des Artisans", "Rue du Commerce", "Avenue Jean Mermoz", "Rue des Fabriques",
           "Place du Marché", "Rue de la Science", "Zoning des Hauts-Sarts", "Rue de l'Avenir",
           "Chemin du Stocquoy", "Rue des Français", "Avenue de la Résistance", "Grand-Route",
           "Rue du Moulin", "Parc d'activités économiques", "Rue Haute", "Rue de Liège"]
FLEMISH_STREETS = ["Industrieweg", "Kerkstraat", "Stationsstraat", "Nijverheidslaan",
                   "Kortrijksesteenweg"]
EMAIL_LOCALS = ["info", "contact", "secretariat", "direction", "admin", "accueil"]
