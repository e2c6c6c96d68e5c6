"""Static data for the sample portal: real places and the 2008 clusters.

Places and postal codes are real (all five Walloon provinces, the German-speaking Community
around Eupen, a few Brussels and Flemish ones). The clusters and their fields of activity are the
14 of the 30 June 2008 overview page; their descriptions and websites are invented. The invented
name parts (streets, sectors, activities, e-mail local parts) are in names.py.
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
