"""The portal's layout (layout.py) and the pure parse_* functions over its pages (parse.py)."""

from cluster_etl.portal.layout import (
    LayoutError,
    canonical_url,
    cluster_home_url,
    cluster_id_from_url,
    directory_page_url,
    directory_url,
    is_cluster_home_url,
    is_directory_url,
    is_member_page_url,
    overview_url,
    robots_url,
    same_host,
)
from cluster_etl.portal.parse import (
    one_strict,
    parse_cluster_home,
    parse_directory_page,
    parse_member_page,
    parse_overview,
    select_one_strict,
)

__all__ = [
    "LayoutError",
    "canonical_url",
    "cluster_home_url",
    "cluster_id_from_url",
    "directory_page_url",
    "directory_url",
    "is_cluster_home_url",
    "is_directory_url",
    "is_member_page_url",
    "one_strict",
    "overview_url",
    "parse_cluster_home",
    "parse_directory_page",
    "parse_member_page",
    "parse_overview",
    "robots_url",
    "same_host",
    "select_one_strict",
]
