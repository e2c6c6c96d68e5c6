"""Raw records -> clean tables: names, legal forms, enterprise numbers, places, types, dedup.

- `text`, `identifiers`, `contacts`, `phones`: pure scalar cleaners (str in, str out, "" = no
  value), with fast paths for the common ways of writing a value that give exactly what the
  general code gives;
- `members`: directory entries + detail pages -> members and memberships, deduplicated (`dedup`);
  `entries` cleans the entries column by column;
- `tables`: the clusters and member_types tables and `normalise`, the stage's entry point;
- `frames`: `conform`, which gives a DataFrame exactly the columns, order and dtypes of schema.TABLES.
"""

from cluster_etl.normalise.contacts import normalise_email, normalise_website
from cluster_etl.normalise.phones import normalise_phone
from cluster_etl.normalise.frames import conform, empty_table, frame_from_records
from cluster_etl.normalise.identifiers import (
    format_enterprise_number, normalise_enterprise_number, normalise_postal_code, province_for,
    region_for)
from cluster_etl.normalise.members import FRAME_COLUMNS, normalise_members, raw_members_frame
from cluster_etl.normalise.tables import (
    NormalisedTables, build_member_types, normalise, normalise_clusters)
from cluster_etl.normalise.text import (
    collapse_whitespace, fold, normalise_city, normalise_member_type, normalise_text,
    split_legal_form)

__all__ = [
    "FRAME_COLUMNS", "NormalisedTables", "build_member_types", "collapse_whitespace", "conform",
    "empty_table", "fold", "format_enterprise_number", "frame_from_records", "normalise",
    "normalise_city", "normalise_clusters", "normalise_email", "normalise_enterprise_number",
    "normalise_member_type", "normalise_members", "normalise_phone", "normalise_postal_code", "normalise_text",
    "normalise_website", "province_for", "raw_members_frame", "region_for", "split_legal_form",
]
