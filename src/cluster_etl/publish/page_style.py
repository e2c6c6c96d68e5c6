"""What the release pages share: the stylesheet, the document shell and small HTML helpers.

Every value that comes from the data or the metadata goes through `esc` (text and attributes
alike); a URL from the data becomes a link only when it is http(s) (`external_link`), so a
`javascript:` address in the data stays text. The pages load nothing: no script, no font, no
stylesheet or image from elsewhere.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import urlsplit

CSS = """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #595959; --line: #d9d9d9;
        --accent: #1f5f99; --pass: #1e7b34; --warn: #8a5a00; --fail: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 1rem; max-width: 72rem; color: var(--ink); background: #fff;
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.5rem 0; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin-bottom: 0.25rem; }
a { color: var(--accent); overflow-wrap: anywhere; }
p, li { overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 1rem 0; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: 0.5rem 0 1rem; }
table { border-collapse: collapse; }
table.wide, table.files { width: 100%; }
@media (min-width: 48rem) {
  table.files th:nth-child(1) { width: 24%; }
  table.files th:nth-child(2) { width: 10%; }
  table.files th:nth-child(3) { width: 8%; }
}
th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.6rem;
         border-bottom: 1px solid var(--line); }
th { background: #f3f5f7; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
td a { overflow-wrap: normal; }
.nowrap { white-space: nowrap; }
code { font: 0.85em/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
code.sha { display: inline-block; max-width: 100%; overflow-wrap: anywhere; color: var(--muted); }
@media (max-width: 40rem) {
  code.sha { max-width: 9ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap;
             vertical-align: bottom; }
}
details { margin: 0.5rem 0; }
summary { cursor: pointer; color: var(--accent); }
.status { font-weight: 700; text-transform: uppercase; }
.status-pass { color: var(--pass); }
.status-warn { color: var(--warn); }
.status-fail { color: var(--fail); }
.latest { display: inline-block; margin: 0.5rem 0 1rem; padding: 0.6rem 1rem; border-radius: 0.4rem;
          background: var(--accent); color: #fff; font-weight: 700; text-decoration: none; }
figure { margin: 1rem 0; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); }
ul.compact { padding-left: 1.2rem; margin: 0.25rem 0; }
footer { margin-top: 2rem; font-size: 0.9rem; color: var(--muted); }
""".strip()


def esc(value: object) -> str:
    """Text from the data or the metadata, safe in element content and in quoted attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def is_web_url(url: object) -> bool:
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def link(href: str, text: object, **attrs: str) -> str:
    """A link to a file of ours (relative href) or an already checked URL."""
    extra = "".join(f' {k}="{esc(v)}"' for k, v in attrs.items())
    return f'<a href="{esc(href)}"{extra}>{esc(text)}</a>'


def file_link(name: str) -> str:
    """A link to a file of the release: on a phone its name may wrap after an underscore, never
    at a hyphen or a dot."""
    parts = name.split("_")
    shown = "<wbr>".join(f'<span class="nowrap">{esc(p)}{"_" if i < len(parts) - 1 else ""}</span>'
                         for i, p in enumerate(parts))
    return f'<a href="{esc(name)}">{shown}</a>'


def external_link(url: object, text: object | None = None) -> str:
    """A URL from the data: a link when it is http(s), otherwise plain text."""
    if is_web_url(url):
        return link(str(url).strip(), url if text is None else text)
    return esc(url if text is None else f"{text} ({url})")


def human_size(size: int) -> str:
    """Bytes in decimal units: 532 B, 12.3 kB, 4.1 MB."""
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        if value < 999.95 or unit == "TB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def status_badge(status: object) -> str:
    text = str(status) if status in ("pass", "warn", "fail") else "n/a"
    return f'<span class="status status-{esc(text)}">{esc(text)}</span>'


def table_html(headers: Iterable[str], rows: Iterable[Iterable[str]],
               numeric: Iterable[int] = (), css_class: str = "") -> str:
    """A table in a horizontally scrolling wrapper; cells are HTML already (escape before).
    css_class: "wide" fills the width; "files" also aligns the columns of file listings."""
    right = {i: ' class="num"' for i in numeric}
    head = "".join(f"<th{right.get(i, '')}>{esc(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{right.get(i, '')}>{cell}</td>" for i, cell in enumerate(row))
        + "</tr>\n"
        for row in rows)
    table = f'<table class="{esc(css_class)}">' if css_class else "<table>"
    return (f'<div class="scroll">{table}\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{body}</tbody></table></div>")


def document(title: str, body: str) -> str:
    """A whole HTML5 page: `title` is plain text, `body` is HTML."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n")
