"""member-types.svg: figures recomputed from the rows, valid escaped SVG, the same bytes twice."""

import datetime as dt
import xml.etree.ElementTree as ET

from cluster_etl.publish import chart
from tests.tables_factory import AS_OF, frame, make_tables

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode("utf-8"))
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def all_clusters(counts: dict[tuple, int], cluster_rows: dict[tuple, int] | None = None):
    """A member_types frame: `counts` over all clusters, `cluster_rows` for the cluster "aresa"."""
    rows = []
    for scope, figures in ((None, counts), ("aresa", cluster_rows or {})):
        total = sum(figures.values())
        rows += [{"cluster_id": scope, "member_type": t, "size_class": s, "member_count": n,
                  "share": n / total} for (t, s), n in figures.items()]
    return frame("member_types", rows)


def test_bars_carry_french_labels_counts_and_percents():
    svg = chart.member_type_chart_svg(make_tables().member_types, AS_OF)
    lines = texts(svg)
    assert "Ventilation par type de membre - 30 juin 2008" in lines
    for label, caption in (("Entreprises (PME)", "3 (60 %)"), ("Grandes entreprises", "1 (20 %)"),
                           ("Centres de recherche", "1 (20 %)"),
                           ("Universités et hautes écoles", "0 (0 %)"),
                           ("Centres de formation", "0 (0 %)"), ("Autres", "0 (0 %)")):
        assert label in lines and caption in lines
    assert "Type inconnu" not in lines  # no unknown type in these rows
    assert "80 % sont des entreprises" in lines and "PME : 60 %" in lines


def test_headline_shares_are_recomputed_over_all_clusters_rounded_half_up():
    # 149 companies of 200 memberships = 74.5 % -> 75 (half up; round() would give 74);
    # 127 SMEs = 63.5 % -> 64. The per-cluster rows must not count.
    member_types = all_clusters(
        {("company", "sme"): 127, ("company", "large"): 22, ("research_centre", None): 30,
         ("higher_education", None): 11, ("training_centre", None): 5, ("other", None): 3,
         (None, None): 2},
        cluster_rows={("company", "sme"): 500, ("other", None): 7})
    assert chart.headline_shares(member_types) == (200, 75, 64)
    lines = texts(chart.member_type_chart_svg(member_types, None))
    assert "75 % sont des entreprises" in lines and "PME : 64 %" in lines
    assert "Ventilation par type de membre" in lines  # no date without as_of
    assert "127 (64 %)" in lines and "Type inconnu" in lines and "2 (1 %)" in lines
    assert "200 adhésions, tous clusters confondus" in lines


def test_chart_is_scalable_accessible_svg_without_script_or_external_resource():
    svg = chart.member_type_chart_svg(make_tables().member_types, AS_OF)
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg" and root.get("version") == "1.1"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert root.find(f"{SVG}title").text == "Ventilation par type de membre - 30 juin 2008"
    assert "Entreprises (PME) : 3 (60 %)" in root.find(f"{SVG}desc").text
    for el in root.iter():
        assert el.tag.removeprefix(SVG) not in ("script", "image", "use", "foreignObject", "style")
        assert not any("href" in name or name.startswith("on") for name in el.attrib)
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_odd_labels_are_escaped_and_the_svg_still_parses():
    odd = '<b onclick="x()">R&D</b>'
    member_types = all_clusters({("company", "sme"): 3, (odd, None): 1})
    svg = chart.member_type_chart_svg(member_types, AS_OF)
    assert odd not in svg and "&lt;b onclick=" in svg
    assert odd in texts(svg)  # the parsed text is the label as published
    root = ET.fromstring(svg.encode("utf-8"))
    assert not [el for el in root.iter() if el.tag.removeprefix(SVG) == "b"]


def test_same_rows_give_the_same_bytes_and_the_file_is_member_types_svg(tmp_path):
    member_types = make_tables().member_types
    path = chart.write_member_type_chart(member_types, tmp_path, AS_OF)
    assert path == tmp_path / "member-types.svg"
    again = chart.write_member_type_chart(member_types.iloc[::-1], tmp_path / "again.svg", AS_OF)
    assert path.read_bytes() == again.read_bytes()
    assert path.read_text(encoding="utf-8") == chart.member_type_chart_svg(member_types, AS_OF)


def test_no_memberships_draws_empty_bars_without_dividing_by_zero():
    svg = chart.member_type_chart_svg(frame("member_types", []), AS_OF)
    assert "0 (0 %)" in texts(svg) and "0 % sont des entreprises" in texts(svg)


def test_french_dates():
    assert chart.french_date(dt.date(2008, 6, 30)) == "30 juin 2008"
    assert chart.french_date(dt.date(2026, 8, 1)) == "1er août 2026"
