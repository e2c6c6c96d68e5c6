"""catalog.ttl: DCAT-AP 3 description of a release folder and of the output folder's latest/."""

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF

from cluster_etl.publish import writers
from cluster_etl.publish.catalog import write_release_catalog, write_root_catalog
from cluster_etl.schema import SNAPSHOT_TABLES, TABLES
from tests.tables_factory import frame, make_tables

# Open namespaces: rdflib's own DCAT and XSD warn on every unknown attribute pytest probes.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
AVAILABILITY = URIRef("http://data.europa.eu/r5r/availability")
PLANNED = "http://publications.europa.eu/resource/authority/planned-availability/"
RELEASE, AS_OF = dt.date(2026, 11, 27), dt.date(2008, 6, 30)
SERVED_AT = "https://example.org/x/"
RELEASE_URL = f"{SERVED_AT}releases/2026-11-27/"
WHOLE_FILES = {"cluster-etl.xlsx": b"PK\x03\x04 not really a workbook",
               "cluster-etl.sqlite": b"SQLite format 3\x00 not really a database"}
DATA_FILES = {f"{t}.{fmt}" for t in TABLES for fmt in ("csv", "json", "parquet")} | set(WHOLE_FILES)
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
METADATA = {"portal_url": "https://clusters.wallonie.be",
            "source": "DG Economie-Emploi-Recherche (Direction des réseaux d'entreprises) du SPW"}
# DCAT-AP 3 mandatory properties per class; PeriodOfTime has none, its start and end are
# what this catalogue promises.
MANDATORY = {
    DCAT.Catalog: (DCTERMS.description, DCTERMS.publisher, DCTERMS.title, DCAT.dataset),
    DCAT.Dataset: (DCTERMS.description, DCTERMS.title),
    DCAT.Distribution: (DCAT.accessURL,),
    FOAF.Agent: (FOAF.name,),
    SPDX.Checksum: (SPDX.algorithm, SPDX.checksumValue),
    DCTERMS.PeriodOfTime: (DCAT.startDate, DCAT.endDate),
}
# DCAT-AP 3 properties of at most one value.
AT_MOST_ONE = {
    DCAT.Catalog: (DCTERMS.publisher, DCTERMS.license, FOAF.homepage, DCTERMS.issued,
                   DCTERMS.modified),
    DCAT.Dataset: (DCTERMS.publisher, DCTERMS.issued, DCTERMS.modified, DCAT.version),
    DCAT.Distribution: (DCTERMS.format, DCTERMS.license, DCAT.mediaType, DCAT.byteSize,
                        SPDX.checksum, DCTERMS.issued, DCTERMS.modified),
    SPDX.Checksum: (SPDX.algorithm, SPDX.checksumValue),
    DCTERMS.PeriodOfTime: (DCAT.startDate, DCAT.endDate),
}


def write_data_files(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tables = make_tables()
    frames = {name: getattr(tables, name) for name in SNAPSHOT_TABLES}
    frames["membership_history"] = frame("membership_history", [
        {"cluster_id": "aresa", "member_id": "BE0123456749", "first_seen": dt.date(2026, 1, 5),
         "last_seen": RELEASE}])
    assert set(frames) == set(TABLES)
    for name, df in frames.items():
        writers.write_csv(df, TABLES[name], folder / f"{name}.csv")
        writers.write_json(df, TABLES[name], folder / f"{name}.json")
        writers.write_parquet(df, TABLES[name], folder / f"{name}.parquet")
    for name, data in WHOLE_FILES.items():
        (folder / name).write_bytes(data)
    (folder / "index.html").write_text("<!doctype html><title>release</title>", encoding="utf-8")
    return folder


@pytest.fixture
def release(tmp_path) -> Path:
    return write_data_files(tmp_path / "releases" / RELEASE.isoformat())


def parse(path: Path, public_id: str | None = None) -> Graph:
    return Graph().parse(path, format="turtle", publicID=public_id)


def release_graph(folder: Path, metadata=METADATA, as_of=AS_OF) -> Graph:
    path = write_release_catalog(folder, RELEASE, as_of, metadata)
    assert path == folder / "catalog.ttl"
    return parse(path, RELEASE_URL + "catalog.ttl")


def only(graph: Graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def the_catalog(graph: Graph) -> URIRef:
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1, catalogs
    return catalogs[0]


def downloads_by_dataset(graph: Graph) -> dict[str, set[str]]:
    """Dataset identifier -> names of its distributions' download files."""
    out = {}
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        urls = [only(graph, d, DCAT.downloadURL) for d in graph.objects(dataset, DCAT.distribution)]
        names = {str(u).rsplit("/", 1)[1] for u in urls}
        out[str(only(graph, dataset, DCTERMS.identifier))] = names
    return out


def test_every_class_has_its_mandatory_properties(release):
    graph = release_graph(release)
    for cls, properties in MANDATORY.items():
        nodes = set(graph.subjects(RDF.type, cls))
        assert nodes, f"no {cls}"
        for prop in properties:
            missing = [n for n in nodes if (n, prop, None) not in graph]
            assert not missing, f"{cls} without {prop}: {missing}"
    for cls, properties in AT_MOST_ONE.items():
        for node in graph.subjects(RDF.type, cls):
            for prop in properties:
                assert len(list(graph.objects(node, prop))) <= 1, (node, prop)
    texts = graph.query("""SELECT ?s WHERE { ?s a ?c ; dct:title|dct:description ?t .
                           VALUES ?c { dcat:Catalog dcat:Dataset } FILTER (!isLiteral(?t)) }""",
                        initNs={"dcat": DCAT, "dct": DCTERMS})
    assert not list(texts)
    publisher = only(graph, the_catalog(graph), DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert only(graph, publisher, FOAF.name) == Literal("cluster-etl open-data pipeline")


def test_a_dataset_per_table_and_a_distribution_per_file(release):
    graph = release_graph(release)
    catalog = the_catalog(graph)
    assert set(graph.objects(catalog, DCAT.dataset)) == set(graph.subjects(RDF.type, DCAT.Dataset))
    expected = {f"walloon-business-clusters/{t}": {f"{t}.csv", f"{t}.json", f"{t}.parquet"}
                for t in TABLES}
    expected["walloon-business-clusters/all-tables"] = set(WHOLE_FILES)
    assert downloads_by_dataset(graph) == expected
    distributions = list(graph.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) == len(DATA_FILES)
    for distribution in distributions:  # each belongs to exactly one dataset
        assert len(list(graph.subjects(DCAT.distribution, distribution))) == 1
    for table in TABLES.values():
        dataset = URIRef(f"{RELEASE_URL}catalog.ttl#dataset-{table.name}")
        assert only(graph, dataset, DCTERMS.title) == Literal(table.title, lang="en")
        assert only(graph, dataset, DCTERMS.description) == Literal(table.description, lang="en")
        assert (URIRef(f"{RELEASE_URL}catalog.ttl#dataset-all-tables"), DCTERMS.hasPart,
                dataset) in graph


def test_size_checksum_format_and_media_type_are_the_files(release):
    graph = release_graph(release)
    formats = {"csv": "CSV", "json": "JSON", "parquet": "PARQUET", "xlsx": "XLSX"}
    media = {"csv": "text/csv", "json": "application/json",
             "parquet": "application/vnd.apache.parquet", "sqlite": "application/vnd.sqlite3",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    for distribution in graph.subjects(RDF.type, DCAT.Distribution):
        url = only(graph, distribution, DCAT.downloadURL)
        assert only(graph, distribution, DCAT.accessURL) == url
        path = release / str(url).removeprefix(RELEASE_URL)
        data = path.read_bytes()
        size = only(graph, distribution, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and int(size) == len(data)
        checksum = only(graph, distribution, SPDX.checksum)
        assert (checksum, RDF.type, SPDX.Checksum) in graph
        assert only(graph, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = only(graph, checksum, SPDX.checksumValue)
        assert value.datatype == XSD.hexBinary
        assert str(value).lower() == hashlib.sha256(data).hexdigest()
        ext = path.suffix[1:]
        assert only(graph, distribution, DCAT.mediaType) == URIRef(
            f"https://www.iana.org/assignments/media-types/{media[ext]}")
        file_type = str(only(graph, distribution, DCTERMS.format))
        assert file_type.startswith("http://publications.europa.eu/resource/authority/file-type/")
        if ext in formats:
            assert file_type.endswith(f"/{formats[ext]}")
        assert only(graph, distribution, DCTERMS.issued) == Literal("2026-11-27", datatype=XSD.date)
        assert only(graph, distribution, DCTERMS.description).language == "en"
        # A release folder is kept as published.
        assert only(graph, distribution, AVAILABILITY) == URIRef(PLANNED + "STABLE")


def test_licence_defaults_to_cc_by_and_follows_metadata(release):
    graph = release_graph(release)
    assert (CC_BY, RDF.type, DCTERMS.LicenseDocument) in graph
    catalog = the_catalog(graph)
    assert only(graph, catalog, DCTERMS.license) == CC_BY
    for distribution in graph.subjects(RDF.type, DCAT.Distribution):
        assert only(graph, distribution, DCTERMS.license) == CC_BY
    odbl = "https://opendatacommons.org/licenses/odbl/1-0/"
    graph = release_graph(release, {**METADATA, "licenses": [
        {"name": "ODbL-1.0", "path": odbl, "title": "Open Data Commons ODbL"}]})
    assert set(graph.objects(None, DCTERMS.license)) == {URIRef(odbl)}
    assert (URIRef(odbl), RDF.type, DCTERMS.LicenseDocument) in graph


def test_temporal_coverage_is_the_as_of_day(release):
    graph = release_graph(release)
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    for dataset in datasets:
        period = only(graph, dataset, DCTERMS.temporal)
        assert (period, RDF.type, DCTERMS.PeriodOfTime) in graph
        day = Literal("2008-06-30", datatype=XSD.date)
        assert only(graph, period, DCAT.startDate) == day == only(graph, period, DCAT.endDate)
        assert only(graph, dataset, DCAT.version) == Literal("2026-11-27")
        assert only(graph, dataset, DCTERMS.issued) == Literal("2026-11-27", datatype=XSD.date)
    graph = release_graph(release, as_of=None)
    assert not list(graph.objects(None, DCTERMS.temporal))
    assert not list(graph.subjects(RDF.type, DCTERMS.PeriodOfTime))


def test_source_publisher_and_coverage_come_from_metadata(release):
    graph = release_graph(release, {**METADATA, "publisher": "Open data team",
                                    "portal_url": "https://portal.example.be",
                                    "title": "Clusters wallons"})
    catalog = the_catalog(graph)
    assert only(graph, catalog, DCTERMS.title) == Literal("Clusters wallons")
    publisher = only(graph, catalog, DCTERMS.publisher)
    assert only(graph, publisher, FOAF.name) == Literal("Open data team")
    assert set(graph.objects(catalog, DCTERMS.language)) == {
        URIRef("http://publications.europa.eu/resource/authority/language/FRA"),
        URIRef("http://publications.europa.eu/resource/authority/language/ENG")}
    assert only(graph, catalog, FOAF.homepage) == URIRef(RELEASE_URL + "index.html")
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        assert only(graph, dataset, PROV.wasDerivedFrom) == URIRef("https://portal.example.be")
        creator = only(graph, dataset, DCTERMS.creator)
        assert only(graph, creator, FOAF.name) == Literal(METADATA["source"])
        assert only(graph, dataset, DCTERMS.publisher) == publisher
        assert only(graph, dataset, DCTERMS.spatial) == URIRef(
            "http://data.europa.eu/nuts/code/BE3")
        assert only(graph, dataset, DCAT.theme) == URIRef(
            "http://publications.europa.eu/resource/authority/data-theme/ECON")
        assert Literal("Wallonie") in set(graph.objects(dataset, DCAT.keyword))
        assert only(graph, dataset, DCAT.landingPage) == URIRef(RELEASE_URL + "index.html")


def test_without_base_url_iris_are_relative_to_the_catalogue(release):
    path = write_release_catalog(release, RELEASE, AS_OF, METADATA)
    text = path.read_text(encoding="utf-8")
    assert "@base" not in text and "invalid" not in text
    assert "<clusters.csv>" in text
    for served_at in (RELEASE_URL, "http://127.0.0.1:8000/mirror/releases/2026-11-27/"):
        graph = parse(path, served_at + "catalog.ttl")
        urls = {str(u) for u in graph.objects(None, DCAT.downloadURL)}
        assert urls == {served_at + name for name in DATA_FILES}
        assert {str(c) for c in graph.subjects(RDF.type, DCAT.Catalog)} == {
            served_at + "catalog.ttl#catalog"}


def test_base_url_gives_absolute_iris(release):
    metadata = {**METADATA, "base_url": "https://data.example.be/clusters"}
    path = write_release_catalog(release, RELEASE, AS_OF, metadata)
    graph = parse(path, "https://elsewhere.example.com/catalog.ttl")  # must not matter
    base = "https://data.example.be/clusters/releases/2026-11-27/"
    urls = {str(u) for u in graph.objects(None, DCAT.downloadURL)}
    assert urls == {base + name for name in DATA_FILES}
    assert str(the_catalog(graph)) == base + "catalog.ttl#catalog"
    nodes = {str(n) for t in graph for n in t if isinstance(n, URIRef)}
    assert not [n for n in nodes if "elsewhere" in n]


def test_missing_files_are_not_described(release):
    (release / "members.parquet").unlink()
    (release / "cluster-etl.sqlite").unlink()
    found = downloads_by_dataset(release_graph(release))
    assert found["walloon-business-clusters/members"] == {"members.csv", "members.json"}
    assert found["walloon-business-clusters/all-tables"] == {"cluster-etl.xlsx"}
    (release / "cluster-etl.xlsx").unlink()
    found = downloads_by_dataset(release_graph(release))
    assert "walloon-business-clusters/all-tables" not in found
    assert len(found) == len(TABLES)


def test_same_folder_gives_the_same_bytes_in_any_process(release):
    first = write_release_catalog(release, RELEASE, AS_OF, METADATA).read_bytes()
    assert write_release_catalog(release, RELEASE, AS_OF, METADATA).read_bytes() == first
    # Another process: other blank-node ids and another string hash seed.
    script = ("import datetime as dt, sys; from pathlib import Path; "
              "from cluster_etl.publish.catalog import write_release_catalog; "
              "from tests.publish.test_catalog import METADATA; "
              "write_release_catalog(Path(sys.argv[1]), dt.date(2026, 11, 27), "
              "dt.date(2008, 6, 30), METADATA)")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(release)], check=True, env=env,
                   cwd=Path(__file__).parents[2])
    assert (release / "catalog.ttl").read_bytes() == first


def write_latest(out_dir: Path, cluster_etl: dict) -> Path:
    latest = write_data_files(out_dir / "latest")
    package = {"name": "walloon-business-clusters", "temporal": {"as_of": "2008-06-30"},
               "cluster_etl": {"release_date": "2026-11-27", **cluster_etl}}
    (latest / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    return latest


def test_root_catalogue_describes_latest(tmp_path):
    latest = write_latest(tmp_path, {**METADATA, "as_of": "2008-06-30"})
    path = write_root_catalog(tmp_path)
    assert path == tmp_path / "catalog.ttl"
    graph = parse(path, SERVED_AT + "catalog.ttl")
    urls = {str(u) for u in graph.objects(None, DCAT.downloadURL)}
    assert urls == {f"{SERVED_AT}latest/{name}" for name in DATA_FILES}
    catalog = the_catalog(graph)
    assert str(catalog) == SERVED_AT + "catalog.ttl#catalog"
    assert only(graph, catalog, FOAF.homepage) == URIRef(SERVED_AT + "index.html")
    assert len(list(graph.objects(catalog, DCAT.dataset))) == len(TABLES) + 1
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        assert only(graph, dataset, DCAT.version) == Literal("2026-11-27")
        assert only(graph, dataset, DCAT.landingPage) == URIRef(SERVED_AT + "latest/index.html")
        period = only(graph, dataset, DCTERMS.temporal)
        assert only(graph, period, DCAT.startDate) == Literal("2008-06-30", datatype=XSD.date)
    distribution = URIRef(SERVED_AT + "catalog.ttl#distribution-clusters.csv")
    assert int(only(graph, distribution, DCAT.byteSize)) == (latest / "clusters.csv").stat().st_size
    # latest/ is replaced by the next release.
    assert only(graph, distribution, AVAILABILITY) == URIRef(PLANNED + "AVAILABLE")


def test_root_catalogue_with_base_url_and_as_of_from_temporal(tmp_path):
    write_latest(tmp_path, {**METADATA, "base_url": "https://data.example.be/clusters/"})
    graph = parse(write_root_catalog(tmp_path))
    assert URIRef("https://data.example.be/clusters/latest/members.json") in set(
        graph.objects(None, DCAT.downloadURL))
    assert set(graph.objects(None, DCAT.startDate)) == {Literal("2008-06-30", datatype=XSD.date)}


def test_no_root_catalogue_without_latest(tmp_path):
    write_data_files(tmp_path / "releases" / RELEASE.isoformat())
    assert write_root_catalog(tmp_path) is None
    assert not (tmp_path / "catalog.ttl").exists()
    write_latest(tmp_path, METADATA)
    (tmp_path / "latest" / "datapackage.json").unlink()  # latest/ not complete yet
    assert write_root_catalog(tmp_path) is None
    assert not (tmp_path / "catalog.ttl").exists()
    shutil.rmtree(tmp_path / "latest")
    assert write_root_catalog(tmp_path) is None
