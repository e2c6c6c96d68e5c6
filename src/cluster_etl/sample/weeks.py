"""Later weeks of the sample portal: members join, leave, move and change; pages are re-noised.

Week N (N >= 1) is week 0 followed by the mutations of weeks 1..N in turn, each drawn from its own
`random.Random(f"{seed}-week-{n}")`, so week 0's draws (and files) stay exactly as they were. Every
mutation touches organisations that are in ONE cluster, have a valid enterprise number and are
not the 404 entry or an ISO-8859-1 page, so the pipeline's member_id is `BE` + the ten digits; an
organisation touched one week is left alone the weeks after, so the ground truth versus week 0 is
the union of the weeks' changes. Per week:
- LEAVERS organisations leave (pages and directory entries gone), and as many new organisations of
  the same member types join (possibly other clusters), so the counts by type, the 75% / 64%
  shares and the total of memberships are those of week 0;
- MOVERS organisations leave their cluster for another, with the very same detail fields;
- CHANGED organisations get a new phone number and/or street (digits or street really differ);
- RENOISED_SHARE of the other entries are re-rendered with other whitespace in name, city and
  street (the pipeline collapses it) and another spelling of their member-type label, on the
  detail page and in the directory: changes that must change nothing in the clean tables.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cluster_etl.sample import names as N
from cluster_etl.sample import places as P
from cluster_etl.sample.model import (KINDS, Entry, Org, make_entry, member_href, new_organisation,
                                      phone_number)
from cluster_etl.sample.text import NBSP, esc, fold, slugify

LEAVERS, MOVERS, CHANGED = 5, 3, 4
RENOISED_SHARE = 0.10
CHANGE_COLUMNS = (["phone"], ["street"], ["phone", "street"])
GAPS = (" ", "  ", "\t", NBSP, " \n ", f"{NBSP} ")
PADS = ("", "", " ", "\n\t\t", NBSP, "\t ")


@dataclass
class WeekChanges:
    """What a week changed versus week 0, as the pipeline's clean tables will see it; all sorted."""

    joined: list[tuple[str, str]] = field(default_factory=list)  # (cluster_id, member_id)
    left: list[tuple[str, str]] = field(default_factory=list)
    members_added: list[str] = field(default_factory=list)
    members_removed: list[str] = field(default_factory=list)
    members_changed: dict[str, list[str]] = field(default_factory=dict)  # member_id -> columns
    renoised_paths: list[str] = field(default_factory=list)  # detail pages with noise only

    def sort(self) -> WeekChanges:
        for name in ("joined", "left", "members_added", "members_removed", "renoised_paths"):
            getattr(self, name).sort()
        self.members_changed = {m: sorted(cs) for m, cs in sorted(self.members_changed.items())}
        return self


def member_id(org: Org) -> str:
    """The pipeline's id of an organisation with a valid enterprise number."""
    return f"BE{org.number}"


def apply_weeks(seed: int, week: int, orgs: list[Org], by_cluster: dict[str, list[Entry]],
                frozen: Iterable[Entry]) -> WeekChanges:
    """Apply weeks 1..`week` to week 0's `orgs` and `by_cluster` in place; `frozen` entries stay as
    they are. Returns what changed versus week 0."""
    if week < 0:
        raise ValueError(f"week must be 0 or more, not {week}")
    state = _State(orgs, by_cluster, {e.path for e in frozen})
    for n in range(1, week + 1):
        state.apply_week(random.Random(f"{seed}-week-{n}"))
    for entries in by_cluster.values():
        entries.sort(key=lambda e: (fold(e.name), e.name))
    return state.changes.sort()


class _State:
    """Week 0's content being mutated, and what has changed since."""

    def __init__(self, orgs: list[Org], by_cluster: dict[str, list[Entry]], frozen: set[str]):
        self.orgs, self.by_cluster, self.frozen = orgs, by_cluster, frozen
        self.names = {slugify(o.base) for o in orgs}  # also keeps leavers' names and numbers taken
        self.numbers = {o.number for o in orgs if o.number}
        self.touched: set[str] = set()  # org.base (unique) of every organisation touched so far
        self.index = {c.cluster_id: i for i, c in enumerate(P.CLUSTERS)}
        self.changes = WeekChanges()

    def entries(self) -> list[Entry]:
        return [e for entries in self.by_cluster.values() for e in entries]

    def _untouched(self, e: Entry) -> bool:
        return e.path not in self.frozen and e.org.base not in self.touched

    def apply_week(self, rng: random.Random) -> None:
        mutable = [e for e in self.entries() if self._untouched(e) and len(e.org.clusters) == 1
                   and e.org.number and e.org.number_valid]
        with_both = [e for e in mutable if {"Adresse", "Téléphone"} <= {label for label, _ in e.fields}]
        changed = rng.sample(with_both, CHANGED)
        rest = [e for e in mutable if all(e is not c for c in changed)]
        picked = rng.sample(rest, LEAVERS + MOVERS)
        self.touched |= {e.org.base for e in changed + picked}
        for e in changed:
            self._change(rng, e)
        for e in picked[:LEAVERS]:
            self._leave(e)
            self._join(rng, KINDS[e.org.kind].type_key)
        for e in picked[LEAVERS:]:
            self._move(rng, e)
        self._renoise(rng)

    def _remove(self, e: Entry) -> None:
        self.by_cluster[e.cluster] = [x for x in self.by_cluster[e.cluster] if x is not e]
        self.changes.left.append((e.cluster, member_id(e.org)))

    def _add(self, e: Entry, rng: random.Random) -> None:
        e.slug = slugify(e.org.base)  # unique: names are unique by slug
        e.href = member_href(rng, self.index[e.cluster], e.cluster, e.slug)
        self.by_cluster[e.cluster].append(e)
        self.changes.joined.append((e.cluster, member_id(e.org)))

    def _leave(self, e: Entry) -> None:
        self._remove(e)
        self.orgs[:] = [o for o in self.orgs if o is not e.org]
        self.changes.members_removed.append(member_id(e.org))

    def _join(self, rng: random.Random, type_key: str) -> None:
        cluster = rng.choice(list(self.by_cluster))
        org = new_organisation(rng, type_key, [cluster], self.names, self.numbers, True)
        self.orgs.append(org)
        self.touched.add(org.base)
        self._add(make_entry(rng, org, cluster, False), rng)
        self.changes.members_added.append(member_id(org))

    def _move(self, rng: random.Random, e: Entry) -> None:
        target = rng.choice([c for c in self.by_cluster if c != e.cluster])
        self._remove(e)
        e.org.clusters = [target]
        self._add(Entry(e.org, target, e.name, e.city, e.label, e.dir_label, fields=list(e.fields)), rng)

    def _change(self, rng: random.Random, e: Entry) -> None:
        org, columns = e.org, rng.choice(CHANGE_COLUMNS)
        if "phone" in columns:
            old = _phone_digits(org.phone)
            while _phone_digits(org.phone) == old or not _in_landline_plan(org.phone):
                org.phone = phone_number(rng, org.place.postal_code)
            _set_field(e, "Téléphone", esc(org.phone))
        if "street" in columns:
            old = fold(org.street)
            while fold(org.street) == old:
                streets, top = (N.FLEMISH_STREETS, 180) if org.place.region == "Flandre" else (N.STREETS, 250)
                org.street = f"{rng.choice(streets)} {rng.randint(1, top)}"
            _set_field(e, "Adresse", esc(org.street))
        self.changes.members_changed[member_id(org)] = list(columns)

    def _renoise(self, rng: random.Random) -> None:
        candidates = [e for e in self.entries() if self._untouched(e)]
        chosen = rng.sample(candidates, round(RENOISED_SHARE * len(candidates)))
        for e in chosen:
            for label, value in list(e.fields):
                if label in ("Dénomination", "Localité", "Adresse"):
                    _set_field(e, label, respace(rng, value))
            e.label = respell(rng, e.org.kind, e.label)
            e.dir_label = respell(rng, e.org.kind, e.dir_label)
            _set_field(e, "Type de membre", esc(e.label))
            self.changes.renoised_paths.append(e.path)
        self.touched |= {e.org.base for e in chosen}


def _phone_digits(phone: str) -> str:
    """The national number, however written: `+32 81 ...` and `081 ...` are the same digits."""
    digits = re.sub(r"\D", "", phone)
    return "0" + digits[2:] if digits.startswith("32") else digits


def _in_landline_plan(phone: str) -> bool:
    """After a two-digit zone (02, 03, 04, 09) a landline starts with 2 or 3 (04 5.. to 04 9.. are
    mobile prefixes): week 0 draws any digit, a changed number is one the pipeline can read."""
    digits = _phone_digits(phone)
    return digits[:2] not in ("02", "03", "04", "09") or digits[2] in "23"


def _set_field(e: Entry, label: str, value: str) -> None:
    e.fields = [(lab, value if lab == label else old) for lab, old in e.fields]


def respace(rng: random.Random, text: str) -> str:
    """The same words with other whitespace between and around them (never the same text)."""
    words = text.split()  # str.split() splits on NBSP, tabs and newlines too
    if not words:
        return text
    while True:
        gaps = [rng.choice(GAPS) for _ in words[1:]]
        out = rng.choice(PADS) + words[0] + "".join(g + w for g, w in zip(gaps, words[1:])) + rng.choice(PADS)
        if out != text:
            return out


def respell(rng: random.Random, kind: str, label: str) -> str:
    """Another spelling of a member-type label of the same kind: another label, case or spacing."""
    spellings = []
    for known in KINDS[kind].labels:
        spellings += [known, known.upper(), known.lower(), f" {known}\t", known.replace(" ", NBSP, 1)]
    return rng.choice([s for s in dict.fromkeys(spellings) if s != label])
