"""Scalar cleaners: one case per quirk of SPEC.md."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cluster_etl.normalise import (
    collapse_whitespace, fold, normalise_city, normalise_email, normalise_enterprise_number,
    normalise_member_type, normalise_phone, normalise_postal_code, normalise_text, normalise_website, province_for,
    region_for, split_legal_form)
from cluster_etl.schema import LEGAL_FORMS, MEMBER_TYPES, PROVINCES, REGIONS, SIZE_CLASSES


# --- whitespace and folding ----------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("  Thales\u00a0Belgium ", "Thales Belgium"),
    ("Thales\u202fBelgium", "Thales Belgium"),
    ("Thales\t\tBelgium\n", "Thales Belgium"),
    ("Thales \r\n Belgium", "Thales Belgium"),
    ("a\u200bb", "a b"),
    ("Thales\x01\x0bBelgium\x7f", "Thales Belgium"),  # control characters: no file can hold them
    ("", ""),
    (None, ""),
    (float("nan"), ""),
    (pd.NA, ""),
])
def test_collapse_whitespace(raw, expected):
    assert collapse_whitespace(raw) == expected


def test_phone_and_activities_are_whitespace_collapsed_only():
    assert normalise_text(" +32 (0)4\u00a0 366 12 34\n") == "+32 (0)4 366 12 34"
    assert normalise_text("Logiciels;\tSÉCURITÉ ") == "Logiciels; SÉCURITÉ"


@pytest.mark.parametrize("raw, expected", [
    ("Université / Haute École", "universite haute ecole"),
    ("  LIÈGE\u00a0", "liege"),
    ("Centre de recherche agréé", "centre de recherche agree"),
    ("Cœur-d'Industrie & Co.", "coeur d industrie co"),
    ("Entreprise (PME)", "entreprise pme"),
    (None, ""),
])
def test_fold(raw, expected):
    assert fold(raw) == expected


# --- legal forms ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("Thales Belgium SA", ("Thales Belgium", "SA")),
    ("Thales Belgium S.A.", ("Thales Belgium", "SA")),
    ("Thales Belgium s.a", ("Thales Belgium", "SA")),
    ("Thales Belgium S. A.", ("Thales Belgium", "SA")),
    ("Thales Belgium sa", ("Thales Belgium", "SA")),
    ("Dupont SPRL", ("Dupont", "SPRL")),
    ("Dupont s.p.r.l.", ("Dupont", "SPRL")),
    ("Dupont S.P.R.L.", ("Dupont", "SPRL")),
    ("Dupont SRL", ("Dupont", "SRL")),
    ("Dupont S.R.L.", ("Dupont", "SRL")),
    ("Coopérative SCRL", ("Coopérative", "SCRL")),
    ("Coopérative SCRL.", ("Coopérative", "SCRL")),
    ("Coopérative SC", ("Coopérative", "SC")),
    ("Les Amis ASBL", ("Les Amis", "ASBL")),
    ("Les Amis a.s.b.l.", ("Les Amis", "ASBL")),
    ("Les Amis asbl", ("Les Amis", "ASBL")),
    ("Bekaert NV", ("Bekaert", "NV")),
    ("Bekaert N.V.", ("Bekaert", "NV")),
    ("Vlaams Bedrijf BV", ("Vlaams Bedrijf", "BV")),
    ("Airbus SE", ("Airbus", "SE")),
    # after a comma, in parentheses, at the start
    ("Thales Belgium, SA", ("Thales Belgium", "SA")),
    ("Thales Belgium , s.a.", ("Thales Belgium", "SA")),
    ("Thales Belgium (SA)", ("Thales Belgium", "SA")),
    ("Dupont ( S.P.R.L. )", ("Dupont", "SPRL")),
    ("Thales Belgium - SA", ("Thales Belgium", "SA")),
    ("SA Thales Belgium", ("Thales Belgium", "SA")),
    ("S.A. Thales Belgium", ("Thales Belgium", "SA")),
    ("NV Bekaert", ("Bekaert", "NV")),
    ("ASBL Les Amis", ("Les Amis", "ASBL")),
    ("(ASBL) Les Amis", ("Les Amis", "ASBL")),
    ("SPRL, Dupont", ("Dupont", "SPRL")),
    ("  Thales\u00a0Belgium\u00a0SA ", ("Thales Belgium", "SA")),
])
def test_split_legal_form_recognises_every_spelling(raw, expected):
    assert split_legal_form(raw) == expected
    assert expected[1] in LEGAL_FORMS


@pytest.mark.parametrize("raw", [
    "Sabca",  # SA + bca: letters inside a word are not a legal form
    "Nasa Belgium",
    "Thales Belgium",
    "Sonaca",
    "Foo BVBA",  # not in the list: stays in the name
    "Foo S.A.R.L.",
    "Foo SPRLU",
    "Foo-SA",  # glued with a hyphen: part of the name
    "Sa Majesté",  # a title-case two-letter word at the start is a word
    "Se former ensemble",
    "SA",  # nothing left for a name
    "- SA",
    "(SA)",
    "",
])
def test_split_legal_form_leaves_words_alone(raw):
    assert split_legal_form(raw) == (raw, "")


def test_split_legal_form_strips_one_form_at_the_end_first():
    assert split_legal_form("SA Foo SPRL") == ("SA Foo", "SPRL")


# --- enterprise numbers --------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "0123.456.749", "BE 0123 456 749", "BE0123456749", "be 0123.456.749", "123456749",
    "0123456749", "BE 0123.456.749", "BE-0123.456.749", " 0123\u00a0456\u00a0749 ", "BE123456749",
])
def test_enterprise_number_forms(raw):
    assert normalise_enterprise_number(raw) == ("0123.456.749", "")


@pytest.mark.parametrize("raw, expected", [
    ("1000000021", "1000.000.021"),  # first digit 1
    ("BE 1000.000.021", "1000.000.021"),
    ("1000002197", "1000.002.197"),  # first eight divisible by 97: check digits are 97
    ("0000009797", "0000.009.797"),
])
def test_enterprise_number_edge_cases_valid(raw, expected):
    assert normalise_enterprise_number(raw) == (expected, "")


@pytest.mark.parametrize("raw, why", [
    ("0123.456.748", "check digits 48, expected 49"),
    ("BE 0123 456 750", "check digits 50, expected 49"),
    ("123456748", "check digits 48, expected 49"),  # 9-digit form with a wrong check
    # stdnum accepts 00 here ((x + 0) mod 97 == 0); SPEC's 97 - (x mod 97) says 97
    ("1000002100", "check digits 00, expected 97"),
    ("2000000021", "first digit 2, expected 0 or 1"),
    ("12345", "5 digits"),
    ("0123.456.749.1", "11 digits"),
    ("n.c.", "not an enterprise number"),
])
def test_enterprise_number_invalid(raw, why):
    number, problem = normalise_enterprise_number(raw)
    assert number == ""
    assert problem.startswith("invalid: ") and why in problem


@pytest.mark.parametrize("raw", [None, "", "  ", "\u00a0", float("nan")])
def test_enterprise_number_missing(raw):
    assert normalise_enterprise_number(raw) == ("", "missing")


# --- postal codes, provinces, regions ------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("4000", "4000"), ("B-4000", "4000"), ("B 4000", "4000"), ("B4000", "4000"),
    ("b-4000", "4000"), ("B\u00a04000", "4000"), (" 4000\u00a0", "4000"), ("B - 4000", "4000"),
    ("BE-4000", "4000"),
    ("400", ""), ("40000", ""), ("0999", ""), ("F-59000", ""), ("Liège", ""), ("4000 Liège", ""),
    ("", ""), (None, ""),
])
def test_postal_code(raw, expected):
    assert normalise_postal_code(raw) == expected


@pytest.mark.parametrize("postal, province, region", [
    ("1000", "", "Bruxelles-Capitale"),
    ("1299", "", "Bruxelles-Capitale"),
    ("1300", "Brabant wallon", "Wallonie"),
    ("1499", "Brabant wallon", "Wallonie"),
    ("1500", "", "Flandre"),
    ("3999", "", "Flandre"),
    ("4000", "Liège", "Wallonie"),
    ("4999", "Liège", "Wallonie"),
    ("5000", "Namur", "Wallonie"),
    ("5999", "Namur", "Wallonie"),
    ("6000", "Hainaut", "Wallonie"),
    ("6599", "Hainaut", "Wallonie"),
    ("6600", "Luxembourg", "Wallonie"),
    ("6999", "Luxembourg", "Wallonie"),
    ("7000", "Hainaut", "Wallonie"),
    ("7999", "Hainaut", "Wallonie"),
    ("8000", "", "Flandre"),
    ("9999", "", "Flandre"),
    ("B-4700", "Liège", "Wallonie"),  # German-speaking Community: in the province of Liège
    ("", "", ""),
    (None, "", ""),
    ("abc", "", ""),
])
def test_province_and_region_boundaries(postal, province, region):
    assert province_for(postal) == province
    assert region_for(postal) == region
    assert province in PROVINCES + ("",)
    assert region in REGIONS + ("",)


# --- contacts ------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("info@example.be", "info@example.be"),
    ("info [at] example.be", "info@example.be"),
    ("info[at]example.be", "info@example.be"),
    ("info(at)example.be", "info@example.be"),
    ("info (AT) example.be", "info@example.be"),
    ("info [arobase] example.be", "info@example.be"),
    ("info(a)example.be", "info@example.be"),
    ("info [@] example.be", "info@example.be"),
    ("info @ example.be", "info@example.be"),
    ("info at example.be", "info@example.be"),
    ("info [at] example [dot] be", "info@example.be"),
    ("info(at)example(point)be", "info@example.be"),
    ("mailto:info@example.be", "info@example.be"),
    ("MAILTO: info@example.be", "info@example.be"),
    ("Jean.Dupont@EXAMPLE.BE", "Jean.Dupont@example.be"),  # domain lowercased, local part kept
    ("\u00a0info@example.be\u00a0", "info@example.be"),
    ("info@example.be; contact@example.be", "info@example.be"),
    ("info at example dot be", ""),  # bare `dot` is not read as `.`
    ("pas d'adresse", ""),
    ("info@", ""),
    ("", ""),
    (None, ""),
])
def test_email(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("www.example.be", "http://www.example.be"),
    ("example.be", "http://example.be"),
    ("http://www.example.be", "http://www.example.be"),
    ("https://www.example.be/fr/Accueil", "https://www.example.be/fr/Accueil"),
    ("HTTPS://WWW.Example.BE/Fr", "https://www.example.be/Fr"),
    ("WWW.EXAMPLE.BE", "http://www.example.be"),
    ("  www.example.be\u00a0", "http://www.example.be"),
    ("www.example.be/", "http://www.example.be/"),
    ("//www.example.be", "http://www.example.be"),
    ("Site : www.example.be", "http://www.example.be"),
    ("info@example.be", ""),
    ("ftp://example.be", ""),
    ("n/a", ""),
    ("", ""),
    (None, ""),
])
def test_website(raw, expected):
    assert normalise_website(raw) == expected


# --- cities --------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("LIÈGE", "Liège"),
    ("liège", "Liège"),
    ("la louvière", "La Louvière"),
    ("LA LOUVIÈRE", "La Louvière"),
    ("braine-l'alleud", "Braine-l'Alleud"),
    ("BRAINE-L'ALLEUD", "Braine-l'Alleud"),
    ("BRAINE-LE-COMTE", "Braine-le-Comte"),
    ("ottignies-louvain-la-neuve", "Ottignies-Louvain-la-Neuve"),
    ("MARCHE-EN-FAMENNE", "Marche-en-Famenne"),
    ("MONT-SAINT-GUIBERT", "Mont-Saint-Guibert"),
    ("ÉCAUSSINNES-D'ENGHIEN", "Écaussinnes-d'Enghien"),
    ("LE ROEULX", "Le Roeulx"),
    ("LIÈGE (ANGLEUR)", "Liège (Angleur)"),
    ("SANKT VITH", "Sankt Vith"),
    # mixed case is kept as published
    ("Louvain-La-Neuve", "Louvain-La-Neuve"),
    ("Mons", "Mons"),
    (" Liège\u00a0 ", "Liège"),
    ("", ""),
    (None, ""),
])
def test_city(raw, expected):
    assert normalise_city(raw) == expected


# --- member types --------------------------------------------------------------------------------

@pytest.mark.parametrize("label, expected", [
    ("PME", ("company", "sme")),
    ("Entreprise (PME)", ("company", "sme")),
    ("Petite ou moyenne entreprise", ("company", "sme")),
    ("pme", ("company", "sme")),
    ("ENTREPRISE (PME)", ("company", "sme")),
    (" Petite\u00a0ou moyenne  entreprise ", ("company", "sme")),
    ("Grande entreprise", ("company", "large")),
    ("GE", ("company", "large")),
    ("Entreprise (grande)", ("company", "large")),
    ("Grande Entreprise", ("company", "large")),
    ("Centre de recherche", ("research_centre", "")),
    ("Centre de recherche agréé", ("research_centre", "")),
    ("Centre de recherche agree", ("research_centre", "")),
    ("Université", ("higher_education", "")),
    ("Haute école", ("higher_education", "")),
    ("Université / Haute école", ("higher_education", "")),
    ("Universite/Haute Ecole", ("higher_education", "")),
    ("Centre de formation", ("training_centre", "")),
    ("Autre", ("other", "")),
    ("Fédération", ("other", "")),
    ("Organisme public", ("other", "")),
])
def test_member_type_labels(label, expected):
    assert normalise_member_type(label) == expected
    assert expected[0] in MEMBER_TYPES and expected[1] in SIZE_CLASSES + ("",)


@pytest.mark.parametrize("label", ["Start-up", "Entreprise", "Laboratoire", "", None])
def test_member_type_unknown_is_none(label):
    assert normalise_member_type(label) is None


def test_nan_is_no_value_everywhere():
    nan = math.nan
    assert (normalise_email(nan), normalise_website(nan), normalise_city(nan),
            normalise_postal_code(nan), split_legal_form(nan)) == ("", "", "", "", ("", ""))


@pytest.mark.parametrize("raw, expected", [
    ("081 23 45 67", ("+3281234567", True)),
    ("081/23.45.67", ("+3281234567", True)),
    ("Tél. : 081-23 45 67", ("+3281234567", True)),
    ("+32 (0)4\u00a0366 12 34", ("+3243661234", True)),
    ("0475 12 34 56", ("+32475123456", True)),
    ("+33 1 23 45 67 89", ("+33123456789", True)),  # a French number stays French
    ("0032 81 23 45 67", ("+3281234567", True)),
    (None, ("", True)),
    ("  ", ("", True)),
    ("bureau  central", ("bureau central", False)),
    ("12", ("12", False)),
    ("02 123 45 67 ext 4", ("02 123 45 67 ext 4", False)),  # E.164 has no extension
])
def test_normalise_phone_gives_e164_or_the_published_text(raw, expected):
    assert normalise_phone(raw) == expected


def test_unparsable_phone_is_a_finding_naming_the_page():
    from cluster_etl.normalise import normalise_members
    from tests.normalise.test_normalise_members import frame, row

    members, _, findings = normalise_members(frame(row("a", "acme", name="Acme SA", phone="bureau")))
    assert members["phone"].tolist() == ["bureau"]
    [finding] = [f for f in findings if f.name == "phone_unparsed"]
    assert finding.status == "warn" and "acme" in finding.detail and "'bureau'" in finding.detail
