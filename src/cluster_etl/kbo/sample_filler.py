"""Filler entities of the invented KBO extract: millions of rows, drawn and formatted with vectors.

`Filler(count, seed, taken)` draws `count` enterprise numbers (none of `taken`) and two
establishments per three enterprises; `Filler.tables(file)` then yields that file's rows as pyarrow
tables of CHUNK enterprises at a time, drawn with numpy and formatted with pyarrow.compute, so
the bench's 2 million enterprises and ~30 million activity rows are written in minutes with a
bounded memory. Each (file, chunk) has its own random generator: the files can be written one
after the other (a zip takes one member at a time) and still agree, and the same seed gives the
same rows. Like the real files, a file lists enterprises first, then establishments.
Ratios: half the enterprises are natural persons (no name in the open data); ~15 activity rows
per enterprise, its establishments' included (each activity in NACE-BEL 2008 and 2025, often
for two activity groups, sometimes in 2003 too).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cluster_etl.kbo import sample_codes as C
from cluster_etl.sample import names as N
from cluster_etl.sample import places as P

CHUNK = 100_000
FILES = ("enterprise.csv", "establishment.csv", "denomination.csv", "address.csv", "activity.csv",
         "contact.csv")
_PLACES = P.WALLOON_PLACES + P.BRUSSELS_PLACES + P.FLEMISH_PLACES
_ZIPCODES = pa.array([p.postal_code for p in _PLACES])
_CITIES = pa.array([p.city for p in _PLACES])
_STREETS = pa.array(N.STREETS + N.FLEMISH_STREETS)
_WORDS = pa.array([r + s for r in N.ROOTS for s in N.SUFFIXES])
_QUALIFIERS = pa.array(N.QUALIFIERS + N.SURNAMES)
_NACE = list(C.NACE.values())
_NACE_2008 = pa.array([n.code_2008 for n in _NACE])
_NACE_2025 = pa.array([n.code_2025 for n in _NACE])
_NACE_2003 = pa.array(sorted(C.NACE_2003_LABELS))
_FORMS = pa.array(["014", "610", "015", "017", "008", "706"])
_EPOCH_DAYS = (np.datetime64("1950-01-01") - np.datetime64("1970-01-01")).astype(int)


def check_digits(prefixes: np.ndarray) -> np.ndarray:
    """Ten-digit numbers: the eight-digit prefix and 97 - prefix mod 97."""
    return prefixes * 100 + (97 - prefixes % 97)


def _distinct(rng: np.random.Generator, low: int, high: int, size: int,
              taken: np.ndarray | None = None) -> np.ndarray:
    """`size` distinct sorted integers of [low, high), none of `taken`, without materialising
    the range (numpy's choice without replacement would permute all of it)."""
    drawn = np.zeros(0, np.int64)
    while len(drawn) < size:
        more = rng.integers(low, high, max(2 * (size - len(drawn)), size // 4) + 16)
        drawn = np.unique(np.concatenate([drawn, more]))
        if taken is not None:
            drawn = drawn[~np.isin(drawn, taken)]
    return np.sort(rng.choice(drawn, size, replace=False)) if len(drawn) > size else drawn


def format_numbers(numbers: np.ndarray, establishment: bool = False) -> pa.Array:
    """`0123456749` -> `0123.456.749`; establishments `2123456789` -> `2.123.456.789`."""
    digits = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), 10, "0")
    cuts = (0, 1, 4, 7, 10) if establishment else (0, 4, 7, 10)
    parts = [pc.utf8_slice_codeunits(digits, a, b) for a, b in zip(cuts, cuts[1:])]
    return pc.binary_join_element_wise(*parts, ".")


def format_dates(rng: np.random.Generator, size: int) -> pa.Array:
    days = rng.integers(0, 21_000, size) + _EPOCH_DAYS
    return pc.strftime(pa.array(days.astype("datetime64[D]")).cast(pa.timestamp("s")), "%d-%m-%Y")


def _pick(rng: np.random.Generator, values: pa.Array, size: int) -> pa.Array:
    return values.take(pa.array(rng.integers(0, len(values), size)))


def _const(value: str | None, size: int) -> pa.Array:
    return pa.array([value] * size, pa.string()) if value is None else pa.repeat(value, size)


class Filler:
    def __init__(self, count: int, seed: int, taken: set[str]):
        rng = np.random.default_rng([seed, 0])
        taken_prefixes = np.array(sorted({int(n.replace(".", "")[:8]) for n in taken}), np.int64)
        self.enterprises = check_digits(_distinct(rng, 2_000_000, 10_000_000, count, taken_prefixes))
        owners_per = rng.choice([0, 0, 0, 1, 1, 2], count)
        self.owner = np.repeat(np.arange(count), owners_per)  # sorted by owner
        self.establishments = check_digits(_distinct(rng, 20_000_000, 80_000_000, len(self.owner)))
        self.seed = seed

    def _rng(self, file: str, part: int, chunk: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, FILES.index(file) + 1, part, chunk])

    def _attributes(self, chunk: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        """(is a legal person, language 1 or 2) of the chunk's enterprises: shared by the files."""
        rng = np.random.default_rng([self.seed, 99, chunk])
        return rng.random(size) < 0.5, np.where(rng.random(size) < 0.6, "1", "2")

    def tables(self, file: str) -> Iterator[pa.Table]:
        for chunk, start in enumerate(range(0, len(self.enterprises), CHUNK)):
            numbers = self.enterprises[start:start + CHUNK]
            table = getattr(self, "_" + file.replace(".csv", ""))(self._rng(file, 0, chunk), chunk, numbers)
            if table is not None and table.num_rows:
                yield table
        if file in ("establishment.csv", "enterprise.csv"):
            return
        for chunk, start in enumerate(range(0, len(self.establishments), CHUNK)):
            rng = self._rng(file, 1, chunk)
            numbers = self.establishments[start:start + CHUNK]
            table = getattr(self, "_establishment_" + file.replace(".csv", ""))(rng, numbers)
            if table is not None and table.num_rows:
                yield table

    # --- enterprises -----------------------------------------------------------------------

    def _enterprise(self, rng, chunk, numbers):
        n = len(numbers)
        legal, _ = self._attributes(chunk, n)
        forms = pc.if_else(pa.array(legal), _pick(rng, _FORMS, n), _const("", n))
        return pa.table({"EnterpriseNumber": format_numbers(numbers), "Status": _const("AC", n),
                         "JuridicalSituation": _const("000", n),
                         "TypeOfEnterprise": pa.array(np.where(legal, "2", "1")), "JuridicalForm": forms,
                         "JuridicalFormCAC": _const(None, n), "StartDate": format_dates(rng, n)})

    def _establishment(self, rng, chunk, numbers):
        first = chunk * CHUNK
        lo, hi = np.searchsorted(self.owner, [first, first + len(numbers)])
        owners = self.enterprises[self.owner[lo:hi]]
        return pa.table({"EstablishmentNumber": format_numbers(self.establishments[lo:hi], True),
                         "StartDate": format_dates(rng, hi - lo), "EnterpriseNumber": format_numbers(owners)})

    def _denomination(self, rng, chunk, numbers):
        legal, language = self._attributes(chunk, len(numbers))
        numbers, language = numbers[legal], language[legal]
        n = len(numbers)
        names = pc.binary_join_element_wise(_pick(rng, _WORDS, n), _pick(rng, _QUALIFIERS, n), " ")
        return pa.table({"EntityNumber": format_numbers(numbers), "Language": pa.array(language),
                         "TypeOfDenomination": _const("001", n), "Denomination": names})

    def _address(self, rng, chunk, numbers):
        legal, _ = self._attributes(chunk, len(numbers))
        return _addresses(rng, format_numbers(numbers[legal]), "REGO")

    def _activity(self, rng, chunk, numbers):
        return _activities(rng, format_numbers(numbers), 1 + rng.poisson(3.0, len(numbers)))

    def _contact(self, rng, chunk, numbers):
        numbers = numbers[rng.random(len(numbers)) < 0.1]
        n = len(numbers)
        phones = pc.binary_join_element_wise(
            _const("0", n), pa.array(rng.integers(10_000_000, 99_999_999, n)).cast(pa.string()), "")
        return pa.table({"EntityNumber": format_numbers(numbers), "EntityContact": _const("ENT", n),
                         "ContactType": _const("TEL", n), "Value": phones})

    # --- establishments ----------------------------------------------------------------------

    def _establishment_denomination(self, rng, numbers):
        numbers = numbers[rng.random(len(numbers)) < 0.3]
        n = len(numbers)
        names = pc.binary_join_element_wise(_pick(rng, _WORDS, n), _pick(rng, _QUALIFIERS, n), " ")
        return pa.table({"EntityNumber": format_numbers(numbers, True), "Language": _const("1", n),
                         "TypeOfDenomination": _const("003", n), "Denomination": names})

    def _establishment_address(self, rng, numbers):
        return _addresses(rng, format_numbers(numbers, True), "BAET")

    def _establishment_activity(self, rng, numbers):
        return _activities(rng, format_numbers(numbers, True), 1 + rng.poisson(0.5, len(numbers)))

    def _establishment_contact(self, rng, numbers):
        return None


def _addresses(rng: np.random.Generator, numbers: pa.Array, kind: str) -> pa.Table:
    n = len(numbers)
    place = pa.array(rng.integers(0, len(_PLACES), n))
    cities, streets = _CITIES.take(place), _pick(rng, _STREETS, n)
    struck = rng.random(n) < 0.002
    return pa.table({
        "EntityNumber": numbers, "TypeOfAddress": _const(kind, n), "CountryNL": _const(None, n),
        "CountryFR": _const(None, n), "Zipcode": _ZIPCODES.take(place), "MunicipalityNL": cities,
        "MunicipalityFR": cities, "StreetNL": streets, "StreetFR": streets,
        "HouseNumber": pa.array(rng.integers(1, 250, n)).cast(pa.string()), "Box": _const("", n),
        "ExtraAddressInfo": _const("", n),
        "DateStrikingOff": pc.if_else(pa.array(struck), format_dates(rng, n), _const(None, n))})


def _activities(rng: np.random.Generator, numbers: pa.Array, codes_per_entity: np.ndarray) -> pa.Table:
    """Each entity's activities: the first MAIN, the others SECO (a few ANCI), each in 2008 and
    2025 for activity group 001, 45% also for group 006, 25% also in 2003."""
    entity = np.repeat(np.arange(len(numbers)), codes_per_entity)
    first = np.r_[True, entity[1:] != entity[:-1]] if len(entity) else np.zeros(0, bool)
    code = rng.integers(0, len(_NACE), len(entity))
    classification = np.where(first, "MAIN", np.where(rng.random(len(entity)) < 0.05, "ANCI", "SECO"))
    group_006 = rng.random(len(entity)) < 0.45
    with_2003 = rng.random(len(entity)) < 0.25
    parts = []
    for version, group, mask in (("2008", "001", None), ("2025", "001", None), ("2008", "006", group_006),
                                 ("2025", "006", group_006), ("2003", "001", with_2003)):
        rows = np.arange(len(entity)) if mask is None else np.flatnonzero(mask)
        codes = (_NACE_2003.take(pa.array(rng.integers(0, len(_NACE_2003), len(rows))))
                 if version == "2003" else
                 (_NACE_2008 if version == "2008" else _NACE_2025).take(pa.array(code[rows])))
        parts.append((rows, version, group, codes, classification[rows]))
    order = np.argsort(np.concatenate([p[0] for p in parts]), kind="stable")
    size = len(order)
    table = pa.table({
        "EntityNumber": numbers.take(pa.array(entity[np.concatenate([p[0] for p in parts])])),
        "ActivityGroup": pa.concat_arrays([_const(p[2], len(p[0])) for p in parts]) if size else _const("", 0),
        "NaceVersion": pa.concat_arrays([_const(p[1], len(p[0])) for p in parts]) if size else _const("", 0),
        "NaceCode": pa.concat_arrays([p[3] for p in parts]) if size else _const("", 0),
        "Classification": pa.array(np.concatenate([p[4] for p in parts])) if size else _const("", 0)})
    return table.take(pa.array(order))
