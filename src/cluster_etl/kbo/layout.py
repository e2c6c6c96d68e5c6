"""The KBO/BCE Open Data extract's format: its files, their columns and the codes we read.

One place for what the FPS Economy's "KBO Open Data" cookbook says, so that a change of format
means editing this module only. Values as the extract writes them: enterprise numbers
`0123.456.789`, establishment numbers `2.123.456.789`, dates `dd-mm-yyyy`.
"""

from __future__ import annotations

import datetime as dt
import re

# File -> the columns the enrichment reads (the extract may carry more: they are ignored).
COLUMNS: dict[str, tuple[str, ...]] = {
    "meta.csv": ("Variable", "Value"),
    "code.csv": ("Category", "Code", "Language", "Description"),
    "enterprise.csv": ("EnterpriseNumber", "Status", "JuridicalSituation", "TypeOfEnterprise",
                       "JuridicalForm", "StartDate"),
    "establishment.csv": ("EstablishmentNumber", "StartDate", "EnterpriseNumber"),
    "denomination.csv": ("EntityNumber", "Language", "TypeOfDenomination", "Denomination"),
    "address.csv": ("EntityNumber", "TypeOfAddress", "CountryFR", "Zipcode", "MunicipalityFR",
                    "StreetFR", "HouseNumber", "Box", "DateStrikingOff"),
    "activity.csv": ("EntityNumber", "ActivityGroup", "NaceVersion", "NaceCode", "Classification"),
}
REQUIRED_FILES = tuple(COLUMNS)
# The big files, read streaming and filtered: file -> the column holding the number to keep.
FILTERED_FILES: dict[str, str] = {
    "establishment.csv": "EnterpriseNumber",
    "enterprise.csv": "EnterpriseNumber",
    "denomination.csv": "EntityNumber",
    "address.csv": "EntityNumber",
    "activity.csv": "EntityNumber",
}

# meta.csv
META_KEYS = ("SnapshotDate", "ExtractTimestamp", "ExtractType", "ExtractNumber", "Version")
REQUIRED_META_KEYS = ("SnapshotDate", "ExtractType", "ExtractNumber")
FULL_EXTRACT = "full"
UPDATE_EXTRACT = "update"

# denomination.csv: the legal name, in French first, then the entity's other languages.
LEGAL_NAME = "001"
LANGUAGE_ORDER = ("1", "2", "3", "4", "0")  # FR, NL, DE, EN, unknown

# address.csv
REGISTERED_OFFICE = "REGO"
ESTABLISHMENT_ADDRESS = "BAET"

# activity.csv and code.csv
MAIN_ACTIVITY = "MAIN"
CLASSIFICATIONS = ("MAIN", "SECO", "ANCI")
NACE_CATEGORY = {"2003": "Nace2003", "2008": "Nace2008", "2025": "Nace2025"}
JURIDICAL_FORM = "JuridicalForm"
LABEL_LANGUAGE = "FR"
# code.csv rows worth keeping: the labels the enrichment publishes.
LABEL_CATEGORIES = (JURIDICAL_FORM, *NACE_CATEGORY.values())

_DATE = re.compile(r"(\d{2})-(\d{2})-(\d{4})")


def parse_date(text: str | None) -> dt.date | None:
    """`dd-mm-yyyy` -> date; None for an empty or impossible value."""
    match = _DATE.fullmatch((text or "").strip())
    if not match:
        return None
    day, month, year = map(int, match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def nace_version_key(version: str) -> int:
    """Newer NACE-BEL versions sort higher; an unknown version lowest."""
    return int(version) if version.isdigit() else -1
