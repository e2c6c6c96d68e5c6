"""The sample portal's organisations, as the invented KBO extract must know them.

`portal_organisations(seed, weeks)` replays the draws of sample.generate.write_sample_portal (the
same seed, the same order: organisations, directory entries, the 404 entry, the two ISO-8859-1
pages, then weeks 1..`weeks`) without writing anything, and returns every organisation whose
page publishes a valid enterprise number: those of week 0 and those that join in later weeks,
so the one extract serves `--sample-week N` up to `weeks`. The organisation behind the 404 entry
is left out: its number is on no page. tests/kbo/test_sample_extract.py checks the numbers
against the pages write_sample_portal writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from cluster_etl.sample.generate import draw_sample
from cluster_etl.sample.model import Entry, Org
from cluster_etl.sample.weeks import apply_weeks

SAMPLE_WEEKS = 4


@dataclass
class PortalOrganisation:
    number: str  # canonical, 0123.456.749
    name: str  # without legal form, as on its first page (accents and case as drawn)
    form: str | None  # canonical legal form
    kind: str  # sample.model.KINDS key
    postal_code: str
    city: str
    region: str
    street: str
    clusters: list[str]
    has_postal_code: bool  # one of its pages publishes the postal code: the member has one
    joins_later: bool  # not on the portal of week 0: it joins in a later week


def canonical(digits: str) -> str:
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def portal_organisations(seed: int = 2008, weeks: int = SAMPLE_WEEKS) -> list[PortalOrganisation]:
    """Organisations with a valid published enterprise number, sorted by number."""
    draw = draw_sample(seed)
    orgs, by_cluster = draw.orgs, draw.by_cluster
    entries = [e for es in by_cluster.values() for e in es]
    pages: dict[int, list[Entry]] = defaultdict(list)
    for e in entries:
        pages[id(e.org)].append(e)
    week_0 = {id(o) for o in orgs}
    every_org = {id(o): o for o in orgs}
    apply_weeks(seed, weeks, orgs, by_cluster, frozen=draw.frozen)
    for e in (e for es in by_cluster.values() for e in es):
        if all(e is not seen for seen in pages[id(e.org)]):
            pages[id(e.org)].append(e)
    every_org.update({id(o): o for o in orgs})
    out = [_organisation(org, pages[key], key not in week_0) for key, org in every_org.items()
           if org.number and org.number_valid and org is not draw.missing.org]
    return sorted(out, key=lambda o: o.number)


def _organisation(org: Org, pages: list[Entry], joins_later: bool) -> PortalOrganisation:
    return PortalOrganisation(
        number=canonical(org.number), name=org.base, form=org.form, kind=org.kind,
        postal_code=org.place.postal_code, city=org.place.city, region=org.place.region,
        street=org.street, clusters=list(org.clusters),
        has_postal_code=any(label == "Code postal" for e in pages for label, _ in e.fields),
        joins_later=joins_later)
