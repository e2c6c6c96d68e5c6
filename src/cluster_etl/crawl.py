"""Walks the portal: overview -> cluster home -> directory pages -> member pages.

Fetching goes through `PortalClient`; reading a page goes through the pure `parse_*` functions.
What a page *means* for the run (a 404 member page is a finding, a failed directory page makes the
run incomplete, a cap on pagination) is decided here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from cluster_etl.fetch import FetchError, OffHost, Page, PortalClient, RobotsDisallowed
from cluster_etl.portal import (
    LayoutError,
    overview_url,
    parse_cluster_home,
    parse_directory_page,
    parse_member_page,
    parse_overview,
)
from cluster_etl.raw import ClusterLink, DirectoryEntry, MemberPage, Overview, RawCluster
from cluster_etl.schema import Check


class IncompleteRun(Exception):
    """Pages the run needs could not be fetched; nothing may be published."""

    def __init__(self, failures: list[FetchError]):
        self.failures = failures
        lines = [f"  {f.url}: {f.reason}" + (f" (last status {f.status})" if f.status else "")
                 for f in failures]
        super().__init__(f"run incomplete, {len(failures)} page(s) failed:\n" + "\n".join(lines))

    @property
    def transient(self) -> bool:
        """Worth another try later: the site was down or overloaded, not a missing or refused page."""
        return any(f.status is None or f.status == 429 or f.status >= 500
                   for f in self.failures if not isinstance(f, RobotsDisallowed))


def get_ok(client: PortalClient, url: str) -> Page:
    """A page the run cannot do without: anything but 200 makes the run incomplete."""
    client.stats.expect(1)
    try:
        page = client.get(url)
    except FetchError as exc:
        raise IncompleteRun([exc]) from None
    if page.status != 200:
        raise IncompleteRun([FetchError(url, f"HTTP {page.status}", page.status)])
    return page


def crawl_overview(client: PortalClient) -> tuple[Overview, list[Check]]:
    page = get_ok(client, overview_url(client.base_url))
    overview = parse_overview(page.text, page.url)
    return overview, off_host_findings(overview.get("off_host_links", []), page.url)


def off_host_findings(targets: list[str], page_url: str) -> list[Check]:
    return [Check("off_host_link", "warn", None, target,
                  f"{page_url} links to {target} on another host; not followed") for target in targets]


def crawl_cluster(client: PortalClient, link: ClusterLink) -> RawCluster:
    home_page = get_ok(client, link["url"])
    home = parse_cluster_home(home_page.text, home_page.url)
    directory, pages, findings = crawl_directory(client, home["directory_url"], link["cluster_id"])
    members, status, member_findings = crawl_member_pages(
        client, [e["detail_url"] for e in directory], link["cluster_id"])
    return RawCluster(link=link, home=home, directory=directory, directory_pages=pages,
                      members=members, member_status=status, findings=findings + member_findings)


def crawl_directory(client: PortalClient, first_url: str, cluster_id: str
                    ) -> tuple[list[DirectoryEntry], int, list[Check]]:
    """Follows `Suivant` links; every page is fetched fresh, since members move between pages."""
    entries: dict[str, DirectoryEntry] = {}
    findings: list[Check] = []
    seen: set[str] = set()
    url: str | None = first_url
    cap = client.settings.max_directory_pages
    while url:
        if url in seen:
            findings.append(Check(f"directory_pagination_loop:{cluster_id}", "warn", None, url,
                                  f"'Suivant' leads back to {url}; pagination stopped there"))
            break
        if len(seen) >= cap:
            findings.append(Check(f"directory_page_cap:{cluster_id}", "warn", cap, len(seen),
                                  f"more than {cap} directory pages; stopped before {url}"))
            break
        seen.add(url)
        page = get_ok(client, url)
        parsed = parse_directory_page(page.text, page.url)
        findings += off_host_findings(parsed.get("off_host_links", []), page.url)
        for entry in parsed["entries"]:
            if entry["detail_url"] in entries:
                findings.append(Check(f"directory_duplicate_entry:{cluster_id}", "warn", None,
                                      entry["detail_url"], f"listed again on {url}; counted once"))
                continue
            entries[entry["detail_url"]] = entry
        url = parsed["next_url"]
    return list(entries.values()), len(seen), findings


def crawl_member_pages(client: PortalClient, urls: list[str], cluster_id: str
                       ) -> tuple[dict[str, MemberPage | None], dict[str, int], list[Check]]:
    """Fetches detail pages concurrently (the client bounds requests in flight)."""
    client.stats.expect(len(urls))
    with ThreadPoolExecutor(max_workers=max(1, client.settings.concurrency)) as pool:
        outcomes = list(pool.map(lambda u: _fetch_member(client, u), urls))
    members: dict[str, MemberPage | None] = {}
    status: dict[str, int] = {}
    findings: list[Check] = []
    failures: list[FetchError] = []
    parsed_ok = fetched_ok = 0
    for url, outcome in zip(urls, outcomes):
        members[url] = None
        if isinstance(outcome, (RobotsDisallowed, OffHost)):
            status[url] = 0
            name = "member_page_disallowed" if isinstance(outcome, RobotsDisallowed) else "member_page_off_host"
            findings.append(Check(name, "warn", None, url,
                                  f"{outcome.reason}; member kept from the directory entry"))
        elif isinstance(outcome, FetchError):
            failures.append(outcome)
        elif outcome.status != 200:
            status[url] = outcome.status  # normalisation reports it (member_page_missing)
        else:
            status[url] = 200
            fetched_ok += 1
            try:
                members[url] = parse_member_page(outcome.text, outcome.url)
                parsed_ok += 1
            except LayoutError as exc:
                findings.append(Check("member_page_unparsed", "warn", None, url, str(exc)))
    if failures:
        raise IncompleteRun(failures)
    if fetched_ok and not parsed_ok:
        findings.append(Check(f"layout:member_pages:{cluster_id}", "fail", fetched_ok, 0,
                              "no member page of the cluster matched the expected layout",
                              layout_change=True))
    return members, status, findings


def _fetch_member(client: PortalClient, url: str) -> Page | FetchError:
    try:
        return client.get(url)
    except FetchError as exc:
        return exc
