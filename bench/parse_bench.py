"""Benchmark: parsing the sample portal's member and directory pages, beside bare lxml on them.

The sample portal is written to a temporary folder and every member and directory page is decoded
as the pipeline does (fetch.decode.decode_body with the page's Content-Type). Each page is parsed
once per repetition, after a warm-up repetition, timed in CPU time of the parsing thread
(time.thread_time: parsing does no I/O, and on a shared machine the time other processes hold the
CPU does not count; on an idle machine it is the wall time):
  (a) ours: parse_member_page / parse_directory_page;
  (b) bare: lxml.html.fromstring and the few XPath queries that pull the same fields out
      (bench/bare.py; the bench checks that they do);
  (c) the ratio (a) / (b), measured in the same run, taking turns page by page, so that a loaded
      machine slows both.
A page's time is the median of its repetitions (a repetition the scheduler preempted is left
out); the table gives the mean and 95th percentile of those over the pages. Each repetition uses
another base URL (another port), so nothing cached per URL helps the next one: every page is
parsed as a crawl parses it, once. A second table times building the tree alone: bs4's stock
lxml builder, with and without the SoupStrainer, ours (portal/soup.py), and bare lxml.
Targets: a member page in at most 0.5 ms on average, a directory page in at most 2 ms.
Run with `.venv/bin/python bench/parse_bench.py [--reps N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html
from bare import bare_directory, bare_member
from bs4 import BeautifulSoup, SoupStrainer

from cluster_etl.fetch.decode import decode_body
from cluster_etl.portal import layout, parse_directory_page, parse_member_page
from cluster_etl.portal.directory_parts import directory_strainer
from cluster_etl.portal.parse_members import MEMBER_CONTENT
from cluster_etl.portal.soup import LxmlTreeBuilder
from cluster_etl.sample.generate import write_sample_portal
from cluster_etl.sample.server import HEADERS_FILE

TARGET_MS = {"member": 0.5, "directory": 2.0}
_DIRECTORY_FILE = re.compile(r"membres(?:\.page-(?P<n>\d+))?\.html$")

Page = tuple[str, str]  # (URL path with query, decoded HTML)


def load_pages(root: Path) -> dict[str, list[Page]]:
    """The sample portal's member and directory pages, decoded as fetch decodes them."""
    headers_file = root / HEADERS_FILE
    content_types = json.loads(headers_file.read_text("utf-8")) if headers_file.is_file() else {}
    pages: dict[str, list[Page]] = {"member": [], "directory": []}
    for file in sorted(root.rglob("*.html")):
        path = "/" + file.relative_to(root).as_posix()
        text = decode_body(file.read_bytes(), content_types.get(path, "text/html; charset=utf-8"))
        directory = _DIRECTORY_FILE.search(path)
        if layout.is_member_page_url(path):
            pages["member"].append((path, text))
        elif directory and "/home/" in path:
            query = f"?page={directory['n']}" if directory["n"] else ""
            pages["directory"].append((path[: directory.start()] + "membres.html" + query, text))
    return pages


def same_fields(kind: str, html: str, url: str) -> bool:
    """True when the bare baseline reads what our parser reads from the page (it must, to be one)."""
    if kind == "member":
        ours = {k: v for k, v in parse_member_page(html, url)["fields"].items() if v is not None}
        return ours == bare_member(html, url)
    page = parse_directory_page(html, url)
    entries, following = bare_directory(html, url)
    return following == page["next_url"] and [
        (e["detail_url"], e["name"], e["city"], e["member_type_label"]) for e in page["entries"]
    ] == [(target, name, *(pieces + [None, None])[:2]) for target, name, pieces in entries]


# --- timing --------------------------------------------------------------------------------------


def time_pages(parsers: dict[str, Callable[[str, str], object]], pages: list[Page],
               reps: int) -> dict[str, list[float]]:
    """Per parser, per page: the median of `reps` timings in ms, after one warm-up repetition.

    The parsers take turns on each page, so a burst of load on the machine hits them alike; the
    median per page leaves out a repetition the scheduler preempted.
    """
    samples: dict[str, list[list[float]]] = {label: [[] for _ in pages] for label in parsers}
    for rep in range(reps + 1):
        base = f"http://127.0.0.1:{20000 + rep}"  # a new base URL: no per-URL cache carries over
        for i, (path, html) in enumerate(pages):
            for label, parse in parsers.items():
                started = time.thread_time()
                parse(html, base + path)
                elapsed = (time.thread_time() - started) * 1000
                if rep:
                    samples[label][i].append(elapsed)
    return {label: [statistics.median(s) for s in per_page] for label, per_page in samples.items()}


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def row(label: str, samples: list[float]) -> str:
    return f"  {label:<52} {statistics.fmean(samples):8.3f} {p95(samples):8.3f}"


def tree_builders(strainer: SoupStrainer | None) -> dict[str, Callable[[str, str], object]]:
    """Ways to build a page's tree; `strainer` what its parser strains it with (None: the
    directory's TreeStrainer, which only our builder can apply)."""
    builders: dict[str, Callable[[str, str], object]] = {
        "bs4, stock 'lxml' builder": lambda html, url: BeautifulSoup(html, "lxml"),
        "bs4, ours (portal/soup.py)": (
            lambda html, url: BeautifulSoup(html, builder=LxmlTreeBuilder)),
    }
    if strainer is not None:
        name = strainer.name_rules[0].string
        builders[f"bs4, stock 'lxml' builder, SoupStrainer({name!r})"] = (
            lambda html, url: BeautifulSoup(html, "lxml", parse_only=strainer))
        builders[f"bs4, ours, SoupStrainer({name!r})"] = (
            lambda html, url: BeautifulSoup(html, builder=LxmlTreeBuilder, parse_only=strainer))
    else:
        builders["bs4, ours, the member list and links (directory_parts)"] = (
            lambda html, url: BeautifulSoup(html, builder=LxmlTreeBuilder,
                                            parse_only=directory_strainer(url)))
    builders["bare lxml.html.fromstring"] = lambda html, url: lxml.html.fromstring(html)
    return builders


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions (default 5)")
    reps = parser.parse_args().reps
    with tempfile.TemporaryDirectory(prefix="cluster-etl-parse-bench-") as tmp:
        write_sample_portal(Path(tmp))
        pages = load_pages(Path(tmp))
    parsers = {"member": (parse_member_page, bare_member, MEMBER_CONTENT),
               "directory": (parse_directory_page, bare_directory, None)}
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    print(f"Parsing the sample portal's pages, ms of CPU time per page: the median of {reps} "
          "repetitions after a warm-up,\nthen the mean and 95th percentile over the pages")
    print(f"  {'':<52} {'mean':>8} {'p95':>8}")
    missed = []
    for kind, (ours, bare, _) in parsers.items():
        timed = time_pages({"ours": ours, "bare": bare}, pages[kind], reps)
        mean, target = statistics.fmean(timed["ours"]), TARGET_MS[kind]
        verdict = "PASS" if mean <= target else "MISS"
        if verdict == "MISS":
            missed.append(kind)
        print(f"{kind} pages: {len(pages[kind])}")
        print(row(f"(a) ours: {ours.__name__}", timed["ours"]))
        print(row("(b) bare lxml.html + XPath, the same fields", timed["bare"]))
        print(f"  {'(c) ratio (a) / (b)':<52} {mean / statistics.fmean(timed['bare']):7.1f}x")
        agree = sum(same_fields(kind, html, "http://127.0.0.1:20000" + path)
                    for path, html in pages[kind])
        print(f"  (b) reads the same fields as (a) on {agree} of {len(pages[kind])} pages")
        print(f"  {f'target: (a) mean <= {target} ms':<52} {verdict:>8}")
    print("\nBuilding the tree alone, ms of CPU time per page (mean)")
    for kind, (_, _, strainer) in parsers.items():
        print(f"{kind} pages")
        for label, samples in time_pages(tree_builders(strainer), pages[kind], reps).items():
            print(f"  {label:<52} {statistics.fmean(samples):8.3f}")
    print("\n" + ("all targets met" if not missed else f"targets missed: {', '.join(missed)}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
