"""Invented name parts for the sample portal: name roots and patterns, sector words, activities,
streets and e-mail local parts, used to build organisations that do not exist.

Every organisation name, street number, phone number, e-mail address and website built from these
parts is invented: any resemblance to a real organisation is accidental.
"""

from __future__ import annotations


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
