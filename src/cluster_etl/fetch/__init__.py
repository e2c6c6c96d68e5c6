"""Polite HTTP for the portal: one host, robots.txt, rate limit, bounded concurrency, retries.

Nothing here parses HTML; it hands back pages (status, headers, body) for the parse stage.
"""

from cluster_etl.fetch.client import FetchError, FetchSettings, Page, PortalClient
from cluster_etl.fetch.decode import DecodeError, decode_body

__all__ = ["DecodeError", "FetchError", "FetchSettings", "Page", "PortalClient", "decode_body"]
