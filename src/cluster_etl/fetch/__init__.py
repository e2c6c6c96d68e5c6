"""Polite HTTP for the portal: one host, robots.txt, rate limit, bounded concurrency, retries,
a WARC archive of every response, conditional requests, and replay from an archive.

Nothing here parses HTML; it hands back pages (status, headers, body) for the parse stage.
"""

from cluster_etl.fetch.client import (
    FetchError,
    FetchSettings,
    OffHost,
    Page,
    PortalClient,
    RobotsDisallowed,
)
from cluster_etl.fetch.decode import DecodeError, decode_body
from cluster_etl.fetch.session import ReplayClient, recording_client, replay_client

__all__ = [
    "DecodeError", "FetchError", "FetchSettings", "OffHost", "Page", "PortalClient", "ReplayClient",
    "RobotsDisallowed", "decode_body", "recording_client", "replay_client",
]
