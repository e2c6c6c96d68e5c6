"""DCAT-AP 3 catalogue (catalog.ttl) of a release folder, and of the output folder's latest release.

One dcat:Dataset per table of schema.py, with one dcat:Distribution per file of that table
(`<table>.csv|json|parquet`). The whole-release files (`cluster-etl.xlsx`, `cluster-etl.sqlite`)
hold every table at once: a DCAT distribution is one representation of one dataset, and neither
file is a representation of, say, the clusters table alone; a distribution shared by several
datasets is not one either. So they are the distributions of a dataset of their own, "all
tables", whose parts (dct:hasPart) are the table datasets: each file is exactly one distribution.

IRIs: with metadata["base_url"] (the public URL of the output folder) every IRI is absolute.
Without it, the graph is built under PLACEHOLDER_BASE and written with IRIs relative to the
folder of catalog.ttl, so they resolve against wherever the file is served from.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from cluster_etl.publish.metadata import (
    DEFAULT_DESCRIPTION,
    DEFAULT_KEYWORDS,
    DEFAULT_LICENSE,
    DEFAULT_SOURCE_BODY,
    DEFAULT_TITLE,
    FORMAT_LABELS,
    MEDIATYPES,
    DATABASE,
    RELEASE_FILES,
    WORKBOOK,
    data_source,
    sha256,
)
from cluster_etl.publish.series import LATEST, RELEASES
from cluster_etl.publish.writers import FORMATS
from cluster_etl.schema import TABLES

CATALOG = "catalog.ttl"
PACKAGE = "datapackage.json"
PAGE = "index.html"
DEFAULT_PUBLISHER = "cluster-etl open-data pipeline"  # datapackage.json's default contributor
DEFAULT_NAME = "walloon-business-clusters"  # datapackage.json's default name
# Where the graph lives while no base_url is known; never written out (.invalid: RFC 2606).
PLACEHOLDER_BASE = "https://cluster-etl.invalid/"

SPDX = Namespace("http://spdx.org/rdf/terms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
AUTHORITY = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
WALLONIA = URIRef("http://data.europa.eu/nuts/code/BE3")
ECONOMY = URIRef(AUTHORITY + "data-theme/ECON")
# DCAT 3's dcat:version; rdflib's DCAT namespace (DCAT 2) lacks it.
DCAT_VERSION = URIRef(f"{DCAT}version")
FRENCH, ENGLISH = URIRef(AUTHORITY + "language/FRA"), URIRef(AUTHORITY + "language/ENG")
# A release folder's files stay as published; latest/'s are replaced by the next release.
STABLE = URIRef(AUTHORITY + "planned-availability/STABLE")
AVAILABLE = URIRef(AUTHORITY + "planned-availability/AVAILABLE")

# Extension -> EU file-type authority code. That list has no SQLite entry (its SQL means SQL
# text): BIN, "binary data"; the IANA media type says exactly what the file is.
EU_FILE_TYPES = {"csv": "CSV", "json": "JSON", "parquet": "PARQUET", "xlsx": "XLSX",
                 "sqlite": "BIN"}
# The files holding every table; their titles and media types are metadata.RELEASE_FILES'.
WHOLE_RELEASE_FILES = (WORKBOOK, DATABASE)
ALL_TABLES = "all-tables"


def _graph() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (("dcat", DCAT), ("dcatap", DCATAP), ("dct", DCTERMS), ("foaf", FOAF),
                              ("prov", PROV), ("rdfs", RDFS), ("skos", SKOS), ("spdx", SPDX),
                              ("xsd", XSD)):
        graph.bind(prefix, namespace)
    return graph


def _add(graph: Graph, subject: URIRef | BNode, *pairs: tuple[URIRef, Any]) -> None:
    for predicate, value in pairs:
        graph.add((subject, predicate, value))


def _typed(graph: Graph, iri: URIRef, cls: URIRef) -> URIRef:
    """A controlled-vocabulary IRI with its class: DCAT-AP's range shapes check the class."""
    graph.add((iri, RDF.type, cls))
    return iri


def _date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def _text(value: str | None, default: str) -> Literal:
    # The project's own texts are English; a text given in metadata keeps no language tag.
    return Literal(value) if value else Literal(default, lang="en")


def _agent(graph: Graph, iri: str, name: str) -> URIRef:
    agent = URIRef(iri)
    _add(graph, agent, (RDF.type, FOAF.Agent), (FOAF.name, Literal(name)))
    return agent


def _license(graph: Graph, metadata: dict[str, Any]) -> URIRef:
    declared = (metadata.get("licenses") or [DEFAULT_LICENSE])[0]
    license_ = URIRef(declared.get("path") or DEFAULT_LICENSE["path"])
    _add(graph, license_, (RDF.type, DCTERMS.LicenseDocument))
    if declared.get("title") or declared.get("name"):
        _add(graph, license_, (RDFS.label, Literal(declared.get("title") or declared["name"])))
    return license_


def _distribution(graph: Graph, path: Path, title: str, description: str, media_type: str,
                  context: dict[str, Any]) -> URIRef:
    distribution = URIRef(f"{context['doc']}#distribution-{path.name}")
    url, checksum = URIRef(context["files_url"] + path.name), BNode()
    file_type = URIRef(f"{AUTHORITY}file-type/{EU_FILE_TYPES[path.suffix.lstrip('.')]}")
    _add(graph, distribution, (RDF.type, DCAT.Distribution),
         (DCTERMS.title, Literal(title, lang="en")),
         (DCTERMS.description, Literal(description, lang="en")),
         # A direct download only: DCAT-AP asks for its URL as both access and download URL.
         (DCAT.accessURL, url), (DCAT.downloadURL, url),
         (DCTERMS.format, _typed(graph, file_type, DCTERMS.MediaTypeOrExtent)),
         (DCAT.mediaType, _typed(graph, URIRef(IANA + media_type), DCTERMS.MediaType)),
         (DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)),
         (SPDX.checksum, checksum), (DCTERMS.license, context["license"]),
         (DCATAP.availability, context["availability"]),
         (DCTERMS.issued, context["released"]), (DCTERMS.modified, context["released"]))
    _add(graph, checksum, (RDF.type, SPDX.Checksum),
         (SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
         (SPDX.checksumValue, Literal(sha256(path), datatype=XSD.hexBinary)))
    return distribution


def _dataset(graph: Graph, iri: str, title: str, description: str, identifier: str,
             shared: list[tuple[URIRef, Any]], as_of: dt.date | None) -> URIRef:
    dataset = URIRef(iri)
    _add(graph, dataset, (RDF.type, DCAT.Dataset), (DCTERMS.title, Literal(title, lang="en")),
         (DCTERMS.description, Literal(description, lang="en")),
         (DCTERMS.identifier, Literal(identifier)), *shared)
    if as_of is not None:
        # The portal's figures describe one day: the period starts and ends on it.
        period = BNode()
        _add(graph, period, (RDF.type, DCTERMS.PeriodOfTime),
             (DCAT.startDate, _date(as_of)), (DCAT.endDate, _date(as_of)))
        _add(graph, dataset, (DCTERMS.temporal, period))
    return dataset


def _build(folder: Path, catalog_url: str, files_url: str, availability: URIRef,
           release_date: dt.date, as_of: dt.date | None, metadata: dict[str, Any]) -> Graph:
    """The catalogue at catalog_url + catalog.ttl of the files of `folder`, served at files_url."""
    md, graph = metadata, _graph()
    doc, released = catalog_url + CATALOG, _date(release_date)
    license_ = _license(graph, md)
    context = {"doc": doc, "files_url": files_url, "license": license_, "released": released,
               "availability": availability}
    source_text, portal = data_source(md)
    source_body = md.get("source") or DEFAULT_SOURCE_BODY
    provenance = URIRef(doc + "#provenance")
    how = (f"Scraped from {portal}, which publishes the figures of {source_body}; normalised and "
           "validated against the totals the portal declares before publication." if portal else
           f"Ingested from the {source_text} sent by {source_body}; normalised and validated "
           "before publication.")
    _add(graph, provenance, (RDF.type, DCTERMS.ProvenanceStatement), (RDFS.label, Literal(how, lang="en")))
    shared: list[tuple[URIRef, Any]] = [
        (DCTERMS.publisher,
         _agent(graph, doc + "#publisher", str(md.get("publisher") or DEFAULT_PUBLISHER))),
        # The body that compiles the figures the portal publishes made the data; this
        # pipeline publishes it.
        (DCTERMS.creator, _agent(graph, doc + "#source", source_body)),
        *([(PROV.wasDerivedFrom, URIRef(portal))] if portal else []),
        (DCTERMS.provenance, provenance),
        (DCAT.landingPage, _typed(graph, URIRef(files_url + PAGE), FOAF.Document)),
        (DCTERMS.issued, released), (DCTERMS.modified, released),
        (DCAT_VERSION, Literal(release_date.isoformat())),
        (DCTERMS.spatial, _typed(graph, WALLONIA, DCTERMS.Location)),
        (DCAT.theme, _typed(graph, ECONOMY, SKOS.Concept)),
        (DCTERMS.language, _typed(graph, FRENCH, DCTERMS.LinguisticSystem)),
        *((DCAT.keyword, Literal(k)) for k in md.get("keywords") or DEFAULT_KEYWORDS)]
    name = md.get("name") or DEFAULT_NAME

    datasets = []
    for table in TABLES.values():
        dataset = _dataset(graph, f"{doc}#dataset-{table.name}", table.title, table.description,
                           f"{name}/{table.name}", shared, as_of)
        for fmt in FORMATS:
            path = folder / f"{table.name}.{fmt}"
            if path.is_file():
                graph.add((dataset, DCAT.distribution, _distribution(
                    graph, path, f"{table.title} ({FORMAT_LABELS[fmt]})", table.description,
                    MEDIATYPES[fmt], context)))
        datasets.append(dataset)
    whole = [folder / n for n in WHOLE_RELEASE_FILES if (folder / n).is_file()]
    if whole:
        all_tables = _dataset(
            graph, f"{doc}#dataset-{ALL_TABLES}", "All tables",
            f"The tables {', '.join(TABLES)} of this release together in one file per format.",
            f"{name}/{ALL_TABLES}", shared, as_of)
        _add(graph, all_tables, *((DCTERMS.hasPart, d) for d in datasets))
        for path in whole:
            title, description, _, media_type = RELEASE_FILES[path.name]
            graph.add((all_tables, DCAT.distribution, _distribution(
                graph, path, title, description, media_type, context)))
        datasets.append(all_tables)

    catalog = URIRef(doc + "#catalog")
    _add(graph, catalog, (RDF.type, DCAT.Catalog),
         (DCTERMS.title, _text(md.get("title"), DEFAULT_TITLE)),
         (DCTERMS.description, _text(md.get("description"), DEFAULT_DESCRIPTION)),
         (DCTERMS.publisher, URIRef(doc + "#publisher")),
         (FOAF.homepage, _typed(graph, URIRef(catalog_url + PAGE), FOAF.Document)),
         (DCTERMS.language, FRENCH),
         (DCTERMS.language, _typed(graph, ENGLISH, DCTERMS.LinguisticSystem)),
         (DCTERMS.license, license_), (DCTERMS.issued, released), (DCTERMS.modified, released),
         (DCTERMS.spatial, WALLONIA),
         (DCAT.themeTaxonomy,
          _typed(graph, URIRef(AUTHORITY + "data-theme"), SKOS.ConceptScheme)),
         *((DCAT.dataset, d) for d in datasets))
    return graph


def _base(metadata: dict[str, Any]) -> str:
    base = metadata.get("base_url") or PLACEHOLDER_BASE
    return base if base.endswith("/") else base + "/"


def _release_url(metadata: dict[str, Any], release_date: dt.date) -> str:
    return f"{_base(metadata)}{RELEASES}/{release_date.isoformat()}/"


def build_release_catalog(folder: Path, release_date: dt.date, as_of: dt.date | None,
                          metadata: dict[str, Any]) -> Graph:
    """The DCAT-AP graph of a release folder; under PLACEHOLDER_BASE when no base_url is set."""
    url = _release_url(metadata, release_date)
    return _build(Path(folder), url, url, STABLE, release_date, as_of, metadata)


def _write(graph: Graph, path: Path, folder_url: str) -> Path:
    text = graph.serialize(format="turtle")
    if folder_url.startswith(PLACEHOLDER_BASE):
        # Relative IRIs: rdflib's base= leaves any IRI with a '/' or '#' after the base absolute,
        # so the folder's URL is taken off every IRI here (it only ever stands inside <...>).
        text = text.replace(f"<{folder_url}", "<")
        if PLACEHOLDER_BASE in text:
            raise ValueError(f"{path}: an IRI outside {folder_url} cannot be made relative")
    # Written aside then renamed: the root catalogue is replaced while it may be served.
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8", newline="")
    os.replace(temporary, path)
    return path


def write_release_catalog(folder: Path, release_date: dt.date, as_of: dt.date | None,
                          metadata: dict[str, Any]) -> Path:
    """folder/catalog.ttl describing the data files already written in the release folder."""
    graph = build_release_catalog(folder, release_date, as_of, metadata)
    return _write(graph, Path(folder) / CATALOG, _release_url(metadata, release_date))


def write_root_catalog(out_dir: Path) -> Path | None:
    """out_dir/catalog.ttl: the catalogue of latest/, its files under latest/. A catalogue with no
    dataset is not DCAT-AP: without a complete latest/ nothing is written and None returned."""
    package_path = Path(out_dir) / LATEST / PACKAGE
    if not package_path.is_file():
        return None
    package = json.loads(package_path.read_text(encoding="utf-8"))
    metadata = {"licenses": package.get("licenses"), **package.get("cluster_etl", {})}
    as_of = metadata.get("as_of") or (package.get("temporal") or {}).get("as_of")
    base = _base(metadata)
    graph = _build(package_path.parent, base, f"{base}{LATEST}/", AVAILABLE,
                   dt.date.fromisoformat(metadata["release_date"]),
                   dt.date.fromisoformat(as_of[:10]) if as_of else None, metadata)
    return _write(graph, Path(out_dir) / CATALOG, base)
