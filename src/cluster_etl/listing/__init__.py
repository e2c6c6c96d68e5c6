"""A member listing as an administration sends it (CSV or XLSX) -> the raw records of a crawl.

- `read`: file -> rows of text (encoding and delimiter sniffed, XLSX first sheet);
- `columns`: French column labels (those of portal/layout.py), folded;
- `clusters`: the cluster file (one row per cluster);
- `build`: rows -> RawPortal (`load_listing`), for normalise, validate and publish unchanged.
"""

from cluster_etl.listing.build import (
    DeclaredFigures, ListingStats, LoadedListing, listing_overview, load_listing, row_reference,
    without_member_page_urls)
from cluster_etl.listing.clusters import ClusterFile, ClusterRow, read_cluster_file, slugify
from cluster_etl.listing.columns import (
    CLUSTER_FILE_COLUMNS, LISTING_COLUMNS, column_key, column_letter, map_columns)
from cluster_etl.listing.read import ListingError, Sheet, SheetRow, cell_text, read_sheet, sniff_delimiter

__all__ = [
    "CLUSTER_FILE_COLUMNS", "ClusterFile", "ClusterRow", "DeclaredFigures", "LISTING_COLUMNS",
    "ListingError", "ListingStats", "LoadedListing", "Sheet", "SheetRow", "cell_text", "column_key",
    "column_letter", "listing_overview", "load_listing", "map_columns", "read_cluster_file",
    "read_sheet", "row_reference", "slugify", "sniff_delimiter", "without_member_page_urls",
]
