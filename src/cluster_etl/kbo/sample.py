"""An invented KBO Open Data extract, consistent with the sample portal (`cluster-etl sample-kbo`).

`write_sample_extract(target, entities, seed)` writes `target/KboOpenData_0001_2008_06_Full.zip`
(or, with as_zip=False, the CSV files straight into `target`) in the format of the register's
extract: comma-separated, every value double-quoted, UTF-8, a header row, dates `dd-mm-yyyy`.
It holds the sample portal's organisations with a valid number (sample_portal.py) and
`entities` filler enterprises (sample_filler.py). Among the portal's organisations, on purpose:
ABSENT of them are not in the extract, RENAMED carry a registered name sharing no word with the
published one, MOVED have their registered office in another postal code (and no establishment
at the page's), one has its office elsewhere but an establishment at the page's postal code (no
finding), MAIN_VIA_ESTABLISHMENT have their main activity only on an establishment, some have
activities in NACE-BEL 2008 only, and names come in French, Dutch (Flanders, Brussels), German
(the German-speaking Community) or of unknown language. The manifest holds that ground truth.
Everything is invented except the codes' labels and the places; files are written streaming, so
the bench's 2 million enterprises fit in memory.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyarrow as pa
from pyarrow import csv as pacsv

from cluster_etl.kbo import sample_codes as C
from cluster_etl.kbo.names import name_words
from cluster_etl.kbo.sample_filler import Filler, check_digits
from cluster_etl.kbo.sample_portal import PortalOrganisation, portal_organisations
from cluster_etl.sample import names as N
from cluster_etl.sample import places as P

ABSENT, RENAMED, MOVED, MAIN_VIA_ESTABLISHMENT, ONLY_2008_SHARE = 5, 4, 4, 4, 0.05
SNAPSHOT = dt.date(2008, 6, 28)
EXTRACT_NUMBER = 1
HEADERS: dict[str, tuple[str, ...]] = {
    "meta.csv": ("Variable", "Value"),
    "code.csv": ("Category", "Code", "Language", "Description"),
    "enterprise.csv": ("EnterpriseNumber", "Status", "JuridicalSituation", "TypeOfEnterprise",
                       "JuridicalForm", "JuridicalFormCAC", "StartDate"),
    "establishment.csv": ("EstablishmentNumber", "StartDate", "EnterpriseNumber"),
    "denomination.csv": ("EntityNumber", "Language", "TypeOfDenomination", "Denomination"),
    "address.csv": ("EntityNumber", "TypeOfAddress", "CountryNL", "CountryFR", "Zipcode",
                    "MunicipalityNL", "MunicipalityFR", "StreetNL", "StreetFR", "HouseNumber", "Box",
                    "ExtraAddressInfo", "DateStrikingOff"),
    "activity.csv": ("EntityNumber", "ActivityGroup", "NaceVersion", "NaceCode", "Classification"),
    "contact.csv": ("EntityNumber", "EntityContact", "ContactType", "Value"),
}
GERMAN_SPEAKING = ("4700", "4720", "4730", "4780")
_PLACES = [p for p in P.WALLOON_PLACES]


@dataclass
class SampleExtractManifest:
    """What write_sample_extract wrote; numbers are canonical enterprise numbers."""

    path: Path  # the zip, or the folder of CSV files
    seed: int
    snapshot_date: dt.date
    extract_number: str
    portal_numbers: list[str]  # every valid number of the sample portal, weeks 0 to SAMPLE_WEEKS
    absent_numbers: list[str]
    renamed: dict[str, str]  # number -> the registered legal name
    moved: dict[str, tuple[str, str]]  # number -> (the page's postal code, the registered office's)
    office_elsewhere_establishment_here: list[str]  # office elsewhere, an establishment at the page's code
    main_via_establishment: list[str]
    only_2008: list[str]
    legal_names: dict[str, str] = field(default_factory=dict)  # number -> expected kbo_name
    legal_forms: dict[str, str] = field(default_factory=dict)  # number -> expected kbo_legal_form
    nace_main: dict[str, str] = field(default_factory=dict)  # number -> expected nace_main
    establishments: dict[str, list[str]] = field(default_factory=dict)  # number -> establishment numbers
    filler_entities: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # file -> data rows written


def write_sample_extract(target: Path, entities: int = 0, seed: int = 2008, as_zip: bool = True,
                         compresslevel: int = 6) -> SampleExtractManifest:
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    portal = _PortalRows(seed, portal_organisations(seed))
    filler = Filler(entities, seed, set(portal.manifest.portal_numbers))
    portal.manifest.filler_entities = entities
    name = f"KboOpenData_{EXTRACT_NUMBER:04d}_{SNAPSHOT:%Y_%m}_Full.zip"
    path = target / name if as_zip else target
    portal.manifest.path = path
    tables: dict[str, Callable[[], Iterable[pa.Table]]] = {
        "meta.csv": lambda: [_table("meta.csv", _meta_rows())],
        "code.csv": lambda: [_table("code.csv", C.code_rows())],
        **{f: (lambda f=f: [_table(f, portal.rows[f]), *filler.tables(f)]) for f in HEADERS
           if f not in ("meta.csv", "code.csv")}}
    if as_zip:
        partial = path.with_name(path.name + ".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
            for file, make in tables.items():
                with zf.open(file, "w", force_zip64=True) as stream:
                    portal.manifest.rows[file] = _write_csv(stream, file, make())
        os.replace(partial, path)
    else:
        for file, make in tables.items():
            with open(target / file, "wb") as stream:
                portal.manifest.rows[file] = _write_csv(stream, file, make())
    return portal.manifest


def _meta_rows() -> list[tuple[str, str]]:
    return [("SnapshotDate", f"{SNAPSHOT:%d-%m-%Y}"), ("ExtractTimestamp", f"{SNAPSHOT:%d-%m-%Y} 05:12:45"),
            ("ExtractType", "full"), ("ExtractNumber", str(EXTRACT_NUMBER)), ("Version", "1.0.0")]


def _table(file: str, rows: list[tuple]) -> pa.Table:
    columns = list(zip(*rows)) if rows else [[] for _ in HEADERS[file]]
    return pa.table({c: pa.array(list(v), pa.string()) for c, v in zip(HEADERS[file], columns)})


def _write_csv(stream: IO[bytes], file: str, tables: Iterable[pa.Table]) -> int:
    schema = pa.schema([(c, pa.string()) for c in HEADERS[file]])
    options = pacsv.WriteOptions(quoting_style="all_valid")
    count = 0
    with pacsv.CSVWriter(stream, schema, write_options=options) as writer:
        for table in tables:
            writer.write_table(table.select(list(HEADERS[file])).cast(schema))
            count += table.num_rows
    return count


class _PortalRows:
    """The rows of the sample portal's organisations, and the manifest of what they say."""

    def __init__(self, seed: int, orgs: list[PortalOrganisation]):
        self.rng = rng = random.Random(f"{seed}-kbo")
        self.rows: dict[str, list[tuple]] = {f: [] for f in HEADERS}
        self.establishment_numbers: set[int] = set()
        # The cases to find are drawn among the organisations of week 0: all show from week 0 on.
        week_0 = [o for o in orgs if not o.joins_later]
        absent = rng.sample(week_0, ABSENT)
        present = [o for o in orgs if o not in absent]
        renamed = rng.sample([o for o in week_0 if o not in absent], RENAMED)
        with_code = [o for o in week_0 if o.has_postal_code and o.region == "Wallonie"
                     and o not in absent and o not in renamed]
        moved_and_local = rng.sample(with_code, MOVED + 1)
        moved, local = moved_and_local[:MOVED], moved_and_local[MOVED]
        via = rng.sample([o for o in week_0 if o not in absent and o not in moved_and_local],
                         MAIN_VIA_ESTABLISHMENT)
        only_2008 = [o for o in present if o not in via and rng.random() < ONLY_2008_SHARE]
        self.manifest = SampleExtractManifest(
            path=Path(), seed=seed, snapshot_date=SNAPSHOT, extract_number=str(EXTRACT_NUMBER),
            portal_numbers=[o.number for o in orgs], absent_numbers=sorted(o.number for o in absent),
            renamed={}, moved={}, office_elsewhere_establishment_here=[local.number],
            main_via_establishment=sorted(o.number for o in via),
            only_2008=sorted(o.number for o in only_2008))
        for org in present:
            office = self._other_place(org.postal_code) if org in moved_and_local else None
            if org in moved:
                self.manifest.moved[org.number] = (org.postal_code, office.postal_code)
            self._enterprise(org, org in renamed)
            self._address(org.number, "REGO", office or P.Place(org.postal_code, org.city, "", org.region),
                          org.street)
            main = self._activities(org, org in via, org in only_2008)
            self._establishments(org, main, org in via, org is local, org in only_2008)

    def _other_place(self, postal_code: str) -> P.Place:
        return self.rng.choice([p for p in _PLACES if p.postal_code != postal_code])

    def _enterprise(self, org: PortalOrganisation, renamed: bool) -> None:
        rng, number = self.rng, org.number
        form = C.FORM_CODES[org.form] if org.form or org.kind in ("university", "public") else "610"
        start = SNAPSHOT - dt.timedelta(days=rng.randint(400, 20_000))
        self.rows["enterprise.csv"].append((number, "AC", "000", "2", form, "", f"{start:%d-%m-%Y}"))
        self.manifest.legal_forms[number] = C.JURIDICAL_FORMS[form][0]
        name = self._registered_name(org) if renamed else rng.choice(
            [org.name, org.name, org.name.upper(), f"{org.name} {org.form or ''}".strip()])
        if renamed:
            self.manifest.renamed[number] = name
        if org.region == "Flandre":
            languages = ["2"]
        elif org.region == "Bruxelles-Capitale":
            languages = ["2", "1"]  # the file order must not decide: French still comes first
        elif org.postal_code in GERMAN_SPEAKING:
            languages = ["3"]
        else:
            languages = ["0"] if rng.random() < 0.05 else ["1"]
        for language in languages:
            self.rows["denomination.csv"].append((number, language, "001", name))
        self.manifest.legal_names[number] = name
        if not renamed and rng.random() < 0.15:
            initials = "".join(w[0] for w in org.name.split() if w[0].isalpha()).upper()
            self.rows["denomination.csv"].append((number, languages[-1], "002", initials or org.name))

    def _registered_name(self, org: PortalOrganisation) -> str:
        while True:
            name = f"{self.rng.choice(N.SURNAMES)} & {self.rng.choice(N.SURNAMES)} Participations"
            if not name_words(name) & name_words(org.name):
                return name

    def _address(self, number: str, kind: str, place: P.Place, street: str) -> None:
        match = re.fullmatch(r"(.*?)\s+(\d+)\s*(\S*)(?:\s+bte\s+(\d+))?", street)
        name, house, box = (match[1], match[2] + match[3], match[4] or "") if match else (street, "", "")
        self.rows["address.csv"].append((number, kind, "", "", place.postal_code, place.city, place.city,
                                         name, name, house, box, "", ""))

    def _activity(self, number: str, code: str, classification: str, only_2008: bool) -> None:
        nace = C.NACE[code]
        groups = ("001", "006") if self.rng.random() < 0.5 else ("001",)
        for group in groups:
            self.rows["activity.csv"].append((number, group, "2008", code, classification))
            if not only_2008:
                self.rows["activity.csv"].append((number, group, "2025", nace.code_2025, classification))
        if code in C.NACE_2003 and self.rng.random() < 0.3:
            self.rows["activity.csv"].append((number, "001", "2003", C.NACE_2003[code], classification))

    def _activities(self, org: PortalOrganisation, via: bool, only_2008: bool) -> str:
        """The enterprise's own activities; returns its main 2008 code."""
        rng, sector = self.rng, C.CLUSTER_NACE[org.clusters[0]]
        main = C.KIND_NACE.get(org.kind) or (sector[0] if rng.random() < 0.6 else rng.choice(sector))
        others = [c for c in (*sector, *C.GENERIC_NACE) if c != main]
        for code in rng.sample(others, rng.randint(0 if via else 1, 3)):
            self._activity(org.number, code, "ANCI" if rng.random() < 0.05 else "SECO", only_2008)
        if not via:
            self._activity(org.number, main, "MAIN", only_2008)
            self.manifest.nace_main[org.number] = main if only_2008 else C.NACE[main].code_2025
        return main

    def _establishments(self, org: PortalOrganisation, main: str, via: bool, local: bool,
                        only_2008: bool) -> None:
        rng = self.rng
        count = max(via or local, rng.choices([0, 1, 2], [60, 30, 10])[0])
        for k in range(count):
            number = self._establishment_number()
            start = SNAPSHOT - dt.timedelta(days=rng.randint(100, 15_000))
            self.rows["establishment.csv"].append((number, f"{start:%d-%m-%Y}", org.number))
            self.manifest.establishments.setdefault(org.number, []).append(number)
            here = local and k == 0
            place = (P.Place(org.postal_code, org.city, "", org.region) if here
                     else self._other_place(org.postal_code))
            self._address(number, "BAET", place, f"{rng.choice(N.STREETS)} {rng.randint(1, 200)}")
            if rng.random() < 0.4:  # a commercial name: the registered name and the place
                name = self.manifest.legal_names[org.number]
                self.rows["denomination.csv"].append((number, "1", "003", f"{name} {place.city}"))
            # Its main activity: the enterprise's, or another (the enterprise's own still wins),
            # or (via) the enterprise's only one.
            other = [c for c in C.CLUSTER_NACE[org.clusters[0]] if c != main]
            self._activity(number, main if via or rng.random() < 0.7 else rng.choice(other), "MAIN",
                           only_2008)
            if via and k == 0:
                self.manifest.nace_main[org.number] = main if only_2008 else C.NACE[main].code_2025

    def _establishment_number(self) -> str:
        while True:
            prefix = self.rng.randint(80_000_000, 89_999_999)
            if prefix not in self.establishment_numbers:
                self.establishment_numbers.add(prefix)
                digits = f"{int(check_digits(prefix)):010d}"
                return f"{digits[0]}.{digits[1:4]}.{digits[4:7]}.{digits[7:]}"
