"""The release page's "Changes" section, from changes.json: counts, then who joined and who left
which cluster, by name (`names` covers both releases; an id without a name shows as the id).
Long lists are cut (changes.json has them whole) so a first release does not flood the page."""

from __future__ import annotations

from typing import Any

from cluster_etl.publish.page_style import esc, link, table_html

NAMES_SHOWN = 25  # per list
COUNT_KEYS = ("before", "after", "added", "removed", "changed")


def _name(names: dict[str, dict[str, str]], kind: str, key: object) -> str:
    name = (names.get(kind) or {}).get(str(key))
    return f'<span title="{esc(key)}">{esc(name)}</span>' if name else f"<code>{esc(key)}</code>"


def _sorted_ids(names: dict[str, dict[str, str]], kind: str, ids: list[Any]) -> list[Any]:
    known = names.get(kind) or {}
    return sorted(ids, key=lambda i: (str(known.get(str(i), i)).casefold(), str(i)))


def _names_list(names: dict[str, dict[str, str]], kind: str, ids: list[Any]) -> str:
    ids = _sorted_ids(names, kind, ids)
    shown = ", ".join(_name(names, kind, i) for i in ids[:NAMES_SHOWN])
    more = len(ids) - NAMES_SHOWN
    return shown + (f" … and {more} more in {link('changes.json', 'changes.json')}" if more > 0
                    else "")


def _counts_table(counts: dict[str, Any]) -> str:
    rows = []
    for table, figures in counts.items():
        if isinstance(figures, dict):
            rows.append([esc(table), *(esc("n/a" if figures.get(k) is None else figures[k])
                                       if k in figures else "—" for k in COUNT_KEYS)])
    return table_html(["table", *COUNT_KEYS], rows, numeric=range(1, 6)) if rows else ""


def _memberships_by_cluster(changes: dict[str, Any], names: dict[str, dict[str, str]]) -> str:
    moves: dict[str, dict[str, list[Any]]] = {}
    for direction in ("added", "removed"):
        for pair in (changes.get("memberships") or {}).get(direction) or []:
            if isinstance(pair, dict):
                cluster = str(pair.get("cluster_id"))
                moves.setdefault(cluster, {"added": [], "removed": []})[direction].append(
                    pair.get("member_id"))
    items = []
    for cluster in _sorted_ids(names, "clusters", list(moves)):
        lines = [f"<li>{label}: {_names_list(names, 'members', moves[cluster][direction])}</li>\n"
                 for direction, label in (("added", "joined"), ("removed", "left"))
                 if moves[cluster][direction]]
        items.append(f"<li><strong>{_name(names, 'clusters', cluster)}</strong>\n"
                     f'<ul class="compact">\n{"".join(lines)}</ul></li>\n')
    return (f'<h3>Memberships</h3>\n<ul class="compact">\n{"".join(items)}\n</ul>' if items
            else "<p>No organisation joined or left a cluster.</p>")


def _clusters(changes: dict[str, Any], names: dict[str, dict[str, str]]) -> str:
    lines = []
    clusters = changes.get("clusters") or {}
    for direction, label in (("added", "New clusters"), ("removed", "Clusters gone")):
        if clusters.get(direction):
            lines.append(f"<p>{label}: {_names_list(names, 'clusters', clusters[direction])}</p>")
    return "\n".join(lines)


def _changed_members(changes: dict[str, Any], names: dict[str, dict[str, str]]) -> str:
    changed = [c for c in (changes.get("members") or {}).get("changed") or []
               if isinstance(c, dict)]
    if not changed:
        return ""
    changed.sort(key=lambda c: (str((names.get("members") or {}).get(str(c.get("member_id")), "")
                                    ).casefold(), str(c.get("member_id"))))
    items = "".join(
        f"<li>{_name(names, 'members', c.get('member_id'))}: "
        f"{esc(', '.join(map(str, (c.get('fields') or {}))))}</li>\n"
        for c in changed[:NAMES_SHOWN])
    more = len(changed) - NAMES_SHOWN
    rest = (f"<li>… and {more} more in {link('changes.json', 'changes.json')}</li>" if more > 0
            else "")
    return (f"<h3>Organisations whose details changed</h3>\n"
            f'<ul class="compact">{items}{rest}</ul>')


def changes_section(changes: dict[str, Any], names: dict[str, dict[str, str]]) -> str:
    head = '<section id="changes">\n<h2>Changes since the previous release</h2>\n'
    if not changes:
        return head + "<p>n/a: this release has no record of changes.</p>\n</section>"
    previous = changes.get("previous_release")
    counts = _counts_table(changes.get("counts") or {})
    if previous is None:
        return (head + "<p>First release in this folder: nothing to compare with.</p>\n"
                f"{counts}\n</section>")
    return (head + f"<p>Compared with the release of {esc(previous)} "
            f"({link('changes.json', 'changes.json')}, {link('CHANGES.md', 'CHANGES.md')}).</p>\n"
            f"{counts}\n{_clusters(changes, names)}\n{_memberships_by_cluster(changes, names)}\n"
            f"{_changed_members(changes, names)}\n</section>")
