"""The extract's rows that concern the members: what select() returns and the cache keeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cluster_etl.kbo.stream import InvalidRows

TABLES = ("enterprises", "establishments", "denominations", "addresses", "activities", "labels")


@dataclass(frozen=True)
class ExtractMeta:
    """What names the extract: meta.csv's values, the SHA-256 of the zip (of the folder's files)."""

    snapshot_date: dt.date | None
    extract_timestamp: str
    extract_type: str
    extract_number: str
    version: str
    sha256: str
    file_name: str

    def to_dict(self) -> dict[str, Any]:
        return {"file_name": self.file_name, "sha256": self.sha256,
                "snapshot_date": self.snapshot_date.isoformat() if self.snapshot_date else None,
                "extract_timestamp": self.extract_timestamp, "extract_type": self.extract_type,
                "extract_number": self.extract_number, "version": self.version}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExtractMeta:
        date = data.get("snapshot_date")
        return cls(snapshot_date=dt.date.fromisoformat(date) if date else None,
                   **{k: data[k] for k in ("extract_timestamp", "extract_type", "extract_number",
                                           "version", "sha256", "file_name")})


@dataclass
class KboRows:
    """Rows of the enterprises asked for (`requested`) and of their establishments, every value a
    string as the extract writes it. Tables (columns as in layout.COLUMNS):
    enterprises (enterprise.csv), establishments (establishment.csv), denominations, addresses
    and activities (of the enterprises and of their establishments), labels (code.csv's French
    labels of legal forms and NACE codes). An enterprise requested but absent from `enterprises`
    is not in the extract."""

    meta: ExtractMeta
    requested: frozenset[str]
    enterprises: pa.Table
    establishments: pa.Table
    denominations: pa.Table
    addresses: pa.Table
    activities: pa.Table
    labels: pa.Table
    invalid_rows: list[InvalidRows] = field(default_factory=list)

    def subset(self, numbers: Iterable[str]) -> KboRows:
        """The rows of `numbers` only (each of them must have been requested)."""
        wanted = frozenset(numbers)
        if not wanted <= self.requested:
            raise ValueError(f"{len(wanted - self.requested)} enterprise numbers were not selected")
        if wanted == self.requested:
            return self
        establishments = _keep(self.establishments, "EnterpriseNumber", wanted)
        entities = wanted | set(establishments.column("EstablishmentNumber").to_pylist())
        return replace(
            self, requested=wanted, enterprises=_keep(self.enterprises, "EnterpriseNumber", wanted),
            establishments=establishments,
            denominations=_keep(self.denominations, "EntityNumber", entities),
            addresses=_keep(self.addresses, "EntityNumber", entities),
            activities=_keep(self.activities, "EntityNumber", entities))


def _keep(table: pa.Table, column: str, numbers: Iterable[str]) -> pa.Table:
    return table.filter(pc.is_in(table.column(column), value_set=pa.array(sorted(numbers), pa.string())))
