"""changes.json, CHANGES.md and membership_history, computed from tiny tables."""

import datetime as dt

from cluster_etl.publish import changes
from tests.tables_factory import CLUSTER_ROWS, MEMBER_ROWS, MEMBERSHIP_PAIRS, make_tables

D1, D2 = dt.date(2026, 11, 20), dt.date(2026, 11, 27)


def frames(tables):
    return {name: getattr(tables, name) for name in ("clusters", "members", "memberships", "member_types")}


def test_first_release_has_everything_added_and_no_before_counts():
    after = frames(make_tables())
    result = changes.compare_releases(None, after, D1, None)
    assert result["release"] == "2026-11-20" and result["previous_release"] is None
    assert result["members"]["added"] == sorted(m["member_id"] for m in MEMBER_ROWS)
    assert result["memberships"]["added"] == [{"cluster_id": c, "member_id": m}
                                              for c, m in sorted(MEMBERSHIP_PAIRS)]
    assert result["counts"]["members"] == {"before": None, "after": 4, "added": 4, "removed": 0,
                                           "changed": 0}


def test_only_real_changes_count_and_lists_are_sorted():
    before = frames(make_tables())
    members = [dict(MEMBER_ROWS[0], phone="+3242234567", street="Rue Neuve 2"), MEMBER_ROWS[1],
               MEMBER_ROWS[3], {"member_id": "zeta-5000", "name": "Zeta", "postal_code": "5000"},
               {"member_id": "alpha-5000", "name": "Alpha", "postal_code": "5000"}]
    pairs = [("tweed", "zeta-5000"), ("aresa", "BE0123456749"), ("tweed", "alpha-5000"),
             ("tweed", "BE0200000195"), ("aresa", "BE0200000195")]
    # the same portal served from another host and port: no change of portal_url
    clusters = [dict(CLUSTER_ROWS[0], portal_url="http://127.0.0.1:8123/sites/aresa/home.html"),
                dict(CLUSTER_ROWS[1], declared_member_count=3, listed_member_count=3)]
    after = frames(make_tables(pairs=pairs, member_rows=members, cluster_rows=clusters))
    result = changes.compare_releases(before, after, D2, D1)
    assert result["previous_release"] == "2026-11-20"
    assert result["members"]["added"] == ["alpha-5000", "zeta-5000"]
    assert result["members"]["removed"] == ["centre-de-recherche-5000"]
    assert result["members"]["changed"] == [{"member_id": "BE0123456749", "fields": {
        "street": ["Rue de l'Église 1", "Rue Neuve 2"], "phone": ["+32 4 123 45 67", "+3242234567"]}}]
    assert result["memberships"]["added"] == [
        {"cluster_id": "tweed", "member_id": "BE0200000195"},
        {"cluster_id": "tweed", "member_id": "alpha-5000"},
        {"cluster_id": "tweed", "member_id": "zeta-5000"}]
    assert result["memberships"]["removed"] == [
        {"cluster_id": "aresa", "member_id": "centre-de-recherche-5000"},
        {"cluster_id": "tweed", "member_id": "BE0123456749"},
        {"cluster_id": "tweed", "member_id": "petite-pme-1300"}]
    assert result["clusters"] == {"added": [], "removed": [], "changed": [{"cluster_id": "tweed", "fields": {
        "declared_member_count": [2, 3], "listed_member_count": [2, 3]}}]}
    assert result["counts"]["memberships"] == {"before": 5, "after": 5, "added": 3, "removed": 3}


def test_a_moved_portal_path_is_a_change():
    before = frames(make_tables())
    moved = [dict(CLUSTER_ROWS[0], portal_url="https://clusters.wallonie.be/sites/aresa/accueil.html"),
             CLUSTER_ROWS[1]]
    result = changes.compare_releases(before, frames(make_tables(cluster_rows=moved)), D2, D1)
    assert [c["cluster_id"] for c in result["clusters"]["changed"]] == ["aresa"]


def test_identical_releases_change_nothing():
    result = changes.compare_releases(frames(make_tables()), frames(make_tables()), D2, D1)
    assert all(not result[t][k] for t in ("members", "clusters") for k in ("added", "removed", "changed"))
    assert result["memberships"] == {"added": [], "removed": []}


def test_history_keeps_first_and_last_seen():
    first = changes.extend_history(changes.empty_history(), make_tables().memberships, D1)
    assert set(first["first_seen"]) == {D1} and set(first["last_seen"]) == {D1}
    fewer = make_tables(pairs=MEMBERSHIP_PAIRS[1:] + [("tweed", "BE0200000195")])
    second = changes.extend_history(first, fewer.memberships, D2)
    rows = {(c, m): (f, last) for c, m, f, last in second.itertuples(index=False)}
    assert rows[("aresa", "BE0123456749")] == (D1, D1)  # left: keeps its last release
    assert rows[("aresa", "BE0200000195")] == (D1, D2)
    assert rows[("tweed", "BE0200000195")] == (D2, D2)
    assert list(rows) == sorted(rows)


def test_changes_markdown_names_who_joined_and_left_which_cluster():
    before = frames(make_tables())
    after = frames(make_tables(pairs=MEMBERSHIP_PAIRS[1:] + [("tweed", "BE0200000195")]))
    result = changes.compare_releases(before, after, D2, D1)
    text = changes.changes_markdown(result, changes.release_names(after, before))
    assert "Compared with release 2026-11-20." in text
    assert "## Joined\n\n- TWEED: Grande Usine (BE0200000195)" in text
    assert "## Left\n\n- ARESA: Société Générale d'Électricité (BE0123456749)" in text
    assert "| memberships | 5 | 5 | 1 | 1 |" in text
