"""Publication: one module per output, all driven by schema.py.

writers (the tables as CSV, JSON, Parquet), workbook (XLSX), database (SQLite), chart (SVG),
changes (changes.json, CHANGES.md, membership_history), page (index.html), catalog (DCAT-AP
catalog.ttl), metadata (datapackage.json, README.md, SHA256SUMS); series (the releases of an output
folder) and release (atomic releases, latest/) put them together.
"""

from cluster_etl.publish.metadata import (
    build_datapackage,
    table_schema,
    write_checksums,
    write_datapackage,
    write_readme,
    write_validation,
)
from cluster_etl.publish.release import (
    update_latest,
    verify_release,
    write_release,
    write_release_files,
)
from cluster_etl.publish.series import (
    DROP_LIMIT,
    DropRefused,
    PublishError,
    latest_date,
    previous_release,
    release_dates,
)
from cluster_etl.publish.writers import (
    FORMATS,
    arrow_table,
    column_values,
    read_csv,
    read_json,
    read_parquet,
    read_release,
    read_release_csv,
    read_release_json,
    read_release_parquet,
    to_frame,
    write_csv,
    write_json,
    write_parquet,
)

__all__ = [
    "DROP_LIMIT", "DropRefused", "FORMATS", "PublishError", "arrow_table", "build_datapackage",
    "column_values", "latest_date", "previous_release", "read_csv", "read_json", "read_parquet",
    "read_release", "read_release_csv", "read_release_json",
    "read_release_parquet", "release_dates", "table_schema", "to_frame", "update_latest",
    "verify_release", "write_checksums", "write_csv", "write_datapackage", "write_json",
    "write_parquet", "write_readme", "write_release", "write_release_files", "write_validation",
]
