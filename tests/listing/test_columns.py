from collections import defaultdict

import pytest

from cluster_etl.listing import (
    CLUSTER_FILE_COLUMNS, LISTING_COLUMNS, ListingError, Sheet, column_key, column_letter, map_columns)
from cluster_etl.listing.columns import LISTING_REQUIRED
from cluster_etl.portal import layout
from cluster_etl.raw import MEMBER_FIELDS

# SPEC.md's detail-page labels, as published.
SPEC_LABELS = {"name": "Dénomination", "member_type_label": "Type de membre", "street": "Adresse",
               "postal_code": "Code postal", "city": "Localité", "phone": "Téléphone",
               "email": "E-mail", "website": "Site web", "enterprise_number": "Numéro d'entreprise",
               "activities": "Activités"}


def sheet(*header: str) -> Sheet:
    return Sheet(name="membres.csv", sha256="0" * 64, header=header, header_row=1, rows=(),
                 format="csv")


def test_member_columns_are_the_layout_labels_plus_cluster():
    assert LISTING_COLUMNS["name"] is layout.MEMBER_FIELD_LABELS["name"]
    assert set(LISTING_COLUMNS) == {"cluster", *MEMBER_FIELDS}


@pytest.mark.parametrize("columns", [LISTING_COLUMNS, CLUSTER_FILE_COLUMNS])
def test_no_two_columns_share_a_folded_label(columns):
    fields_of = defaultdict(set)
    for field, labels in columns.items():
        for label in labels:
            fields_of[column_key(label)].add(field)
    assert {k: f for k, f in fields_of.items() if len(f) > 1} == {}


@pytest.mark.parametrize("label, spelled", [
    ("Dénomination", "DENOMINATION"), ("Dénomination", " dénomination "),
    ("Numéro d'entreprise", "Numéro d’entreprise"), ("Numéro d'entreprise", "NUMERO D'ENTREPRISE :"),
    ("N° d'entreprise", "Nº d'entreprise"), ("N° d'entreprise", "No d'entreprise"),
    ("Code postal", "Code\u00a0 postal"), ("E-mail", "E-MAIL"), ("Téléphone", "telephone"),
])
def test_column_key_folds_case_accents_spacing_and_punctuation(label, spelled):
    assert column_key(spelled) == column_key(label)


def test_column_key_keeps_different_labels_apart():
    assert column_key("Site web") != column_key("Site")
    assert column_key("Type de membre") != column_key("Type")


@pytest.mark.parametrize("index, letter", [(0, "A"), (11, "L"), (25, "Z"), (26, "AA"), (27, "AB"),
                                           (701, "ZZ"), (702, "AAA")])
def test_column_letter(index, letter):
    assert column_letter(index) == letter


def test_every_spec_label_is_recognised():
    found = map_columns(sheet("Cluster", *SPEC_LABELS.values()), LISTING_COLUMNS, LISTING_REQUIRED)
    assert found.positions == {"cluster": 0, **{key: i for i, key in enumerate(SPEC_LABELS, 1)}}
    assert found.findings == []


def test_unknown_and_repeated_columns_are_findings_and_ignored():
    found = map_columns(sheet("CLUSTER", "Remarques", "Dénomination", "", "Nom", "Remarques"),
                        LISTING_COLUMNS, LISTING_REQUIRED)
    assert found.positions == {"cluster": 0, "name": 2}
    assert [(c.name, c.status, c.observed) for c in found.findings] == [
        ("listing_column_unknown", "warn", "Remarques"), ("listing_column_unknown", "warn", ""),
        ("listing_column_unknown", "warn", "Nom"), ("listing_column_unknown", "warn", "Remarques")]
    details = [c.detail for c in found.findings]
    assert details[0] == "membres.csv: column B 'Remarques' is not a known column; ignored"
    assert details[1] == "membres.csv: column D has no label; ignored"
    assert details[2] == "membres.csv: column E 'Nom' repeats column C; ignored"


@pytest.mark.parametrize("header, missing", [
    (("Dénomination", "Localité"), "Cluster"),
    (("Cluster", "Localité"), "Dénomination"),
    (("Localité",), "Cluster, Dénomination"),
])
def test_missing_required_column_is_one_clear_error(header, missing):
    with pytest.raises(ListingError) as error:
        map_columns(sheet(*header), LISTING_COLUMNS, LISTING_REQUIRED)
    found = ", ".join(repr(label) for label in header)
    assert str(error.value) == (f"membres.csv: required column(s) missing: {missing} "
                                f"(header row 1 has: {found})")


def test_value_is_stripped_and_empty_is_none():
    found = map_columns(sheet("Cluster", "Dénomination", "Localité"), LISTING_COLUMNS,
                        LISTING_REQUIRED)
    cells = ("TWEED", "  Alpha SA\t", " ")
    assert found.value(cells, "name") == "Alpha SA"
    assert found.value(cells, "city") is None
    assert found.value(cells, "phone") is None  # no such column
    assert found.value(cells[:1], "name") is None  # a short row
