"""Benchmark: the core stages (normalise -> validate -> publish, every format) on generated raw
records, no network, at 10k, 100k and 1M memberships; time per stage and peak RSS per size.

    .venv/bin/python bench/scale_bench.py [--sizes 10000,100000,1000000] [--findings-everywhere]

Raw records look like a crawl's: about 1.1 memberships per member (organisations in several
clusters under spellings that differ by case and legal form), enterprise numbers in several
written forms with a few percent invalid, one phone number per organisation in several forms,
obfuscated e-mail addresses, websites without scheme, postal codes as `B-4000`, member-type
labels with variants, and a few percent of 404 member pages.
`--findings-everywhere` gives every record a finding (an invalid enterprise number), the worst
case for the validation report. Each size runs in a fresh process, so the peak RSS is its own;
the RSS before normalise (interpreter, libraries and the raw records, which a crawl would hold
too) is printed beside it. Wall and CPU time per stage: on a shared machine, CPU time is the
steadier figure.
Target (issue 9): 1M memberships in under 60 s and under 2 GB peak RSS, time growing linearly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLUSTERS = 40
LABELS = ["PME", "Entreprise (PME)", "Petite ou moyenne entreprise", "Grande entreprise", "GE",
          "Centre de recherche", "Université", "Haute école", "Centre de formation", "Fédération"]
FORMS = ["SA", "S.A.", "SPRL", "s.p.r.l.", "SRL", "ASBL", ""]
WORDS = ["Mosa", "Tec", "Liège", "Namur", "Sambre", "Meuse", "Ardenne", "Hainaut", "Lumière", "Bio",
         "Nova", "Wallo", "Espace", "Logi", "Plast", "Eco", "Agro", "Info", "Data", "Solar"]
PLACES = [("4000", "Liège"), ("5000", "Namur"), ("6000", "Charleroi"), ("7000", "Mons"),
          ("1300", "Wavre"), ("6700", "Arlon"), ("1000", "Bruxelles"), ("9000", "Gent")]


def _number(i: int) -> str:
    n8 = f"0{200000000 + i * 7:09d}"[-8:]
    n8 = "0" + n8[1:]
    return f"{n8}{97 - int(n8) % 97:02d}"


def _phone(org: int, rng: random.Random) -> str:
    """One number per organisation (as real ones are: nothing to gain from caching), written the
    ways Belgian sites write them; one in 50 is not a valid number."""
    six = f"{org % 1_000_000:06d}"
    if org % 50 == 7:
        return f"081 {six[:2]} {six[2:4]}"  # too short
    return rng.choice([f"081 {six[:2]} {six[2:4]} {six[4:]}", f"071/{six[:2]}.{six[2:4]}.{six[4:]}",
                       f"+32 475 {six[:2]} {six[2:4]} {six[4:]}", f"02 5{six[:2]} {six[2:4]} {six[4:]}",
                       f"+32 (0)65 {six[:2]} {six[2:4]} {six[4:]}", f"0496{six}"])


def raw_portal(memberships: int, findings_everywhere: bool = False, seed: int = 9):
    """A RawPortal of `memberships` memberships in CLUSTERS clusters (about 1.1 per member)."""
    from cluster_etl.raw import MEMBER_FIELDS, RawCluster, RawPortal

    rng = random.Random(seed)
    members = int(memberships / 1.1)
    base = "https://portal.example"
    per_cluster: dict[int, list] = {c: [] for c in range(CLUSTERS)}
    for i in range(memberships):
        org = i if i < members else rng.randrange(members)
        cluster = (org * 7 + (i >= members) * (1 + i % (CLUSTERS - 1))) % CLUSTERS
        per_cluster[cluster].append((i, org))
    clusters = []
    for c, entries in per_cluster.items():
        cid = f"cluster-{c:02d}"
        directory, pages, status = [], {}, {}
        for i, org in entries:
            rng_org = random.Random(org)
            name = f"{rng_org.choice(WORDS)}{rng_org.choice(WORDS).lower()} {org}"
            form = rng_org.choice(FORMS)
            shown = name.upper() if i >= members else name
            code, city = rng_org.choice(PLACES)
            number = _number(org)
            if findings_everywhere or org % 40 == 0:
                number = number[:8] + f"{(int(number[8:]) + 1) % 100:02d}"
            written = rng_org.choice([f"{number[:4]}.{number[4:7]}.{number[7:]}", f"BE {number}",
                                      f"BE{number}", number[1:]])
            url = f"{base}/sites/{cid}/home/membres/memberList/m{i}.html"
            label = LABELS[org % len(LABELS)]
            directory.append({"name": f"{shown} {form}".strip(), "city": city,
                              "member_type_label": label, "detail_url": url})
            if i % 97 == 5:
                status[url] = 404
                pages[url] = None
                continue
            status[url] = 200
            fields = dict.fromkeys(MEMBER_FIELDS)
            fields.update(name=f"{shown}  {form}".strip(), member_type_label=label,
                          street=f"Rue {rng_org.choice(WORDS)} {org % 200}",
                          postal_code=f"B-{code}" if org % 3 == 0 else code, city=city.upper(),
                          phone=_phone(org, rng_org),
                          email=f"info [at] {name.split()[0].lower()}.be",
                          website=f"www.{name.split()[0].lower()}.be", enterprise_number=written,
                          activities=f"Activité {org % 13}, services")
            pages[url] = {"url": url, "fields": fields, "unknown_labels": []}
        link = {"cluster_id": cid, "name": f"Cluster {c}", "domain": "Domaine", "url": f"{base}/sites/{cid}/home.html"}
        home = {"url": link["url"], "cluster_id": cid, "name": link["name"], "domain": "Domaine",
                "description": "Un cluster", "website": f"www.{cid}.be",
                "declared_member_count": len(entries), "directory_url": f"{base}/sites/{cid}/home/membres.html"}
        clusters.append(RawCluster(link=link, home=home, directory=directory,
                                   directory_pages=len(entries) // 25 + 1, members=pages, member_status=status))
    overview = {"url": f"{base}/sites/federateur/home/les-clusters.html", "declared_cluster_count": CLUSTERS,
                "member_total": memberships - 1, "member_total_is_lower_bound": True,
                "company_share_pct": None, "sme_share_pct": None, "as_of": dt.date(2008, 6, 30),
                "source": "bench", "clusters": [c.link for c in clusters], "off_host_links": [],
                "figures_optional": True}
    return RawPortal(portal_url=base, overview=overview, clusters=clusters,
                     retrieved_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))


def run_one(memberships: int, findings_everywhere: bool) -> dict:
    """In this process: generate, then time each stage; returns the figures."""
    from cluster_etl import normalise, publish, run, validate
    from cluster_etl.schema import Report

    figures: dict = {"memberships": memberships}
    started = time.perf_counter()
    raw = raw_portal(memberships, findings_everywhere)
    figures["generate"] = time.perf_counter() - started
    figures["input_rss_mb"] = _peak_rss_mb()  # the interpreter, libraries and the raw records

    def timed(stage: str, work):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        figures[stage] = time.perf_counter() - wall
        figures[f"{stage}_cpu"] = time.process_time() - cpu
        return result

    with tempfile.TemporaryDirectory(prefix="cluster-etl-scale-") as out:
        tables = timed("normalise", lambda: normalise.normalise(raw))
        report = timed("validate", lambda: validate.validate(
            tables, raw.overview, run.collect_findings(raw, tables)))
        figures["findings"] = sum(c.status == "warn" for c in report.checks)
        figures["failed"] = [c.name for c in report.failed]
        timed("publish", lambda: publish.write_release(
            tables, Report([c for c in report.checks if c.status != "fail"]), Path(out),
            dt.date(2026, 1, 5), {"portal_url": raw.portal_url}))
        figures["members"] = len(tables.members)
    figures["peak_rss_mb"] = _peak_rss_mb()
    return figures


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--findings-everywhere", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.findings_everywhere)))
        return 0
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        cmd = [sys.executable, __file__, "--one", str(size)] + (["--findings-everywhere"] * args.findings_everywhere)
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return 1
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        total = r["normalise"] + r["validate"] + r["publish"]
        cpu = r["normalise_cpu"] + r["validate_cpu"] + r["publish_cpu"]
        stages = "  ".join(f"{s} {r[s]:.1f}s (cpu {r[s + '_cpu']:.1f}s)"
                           for s in ("normalise", "validate", "publish"))
        print(f"{size:>9,} memberships ({r['members']:,} members, {r['findings']:,} findings): "
              f"{stages}  total {total:.1f}s (cpu {cpu:.1f}s)  peak RSS {r['peak_rss_mb']:,.0f} MB, "
              f"of which {r['input_rss_mb']:,.0f} MB before normalise (interpreter and raw "
              f"records; generate {r['generate']:.1f}s)", flush=True)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        t = lambda r: r["normalise_cpu"] + r["validate_cpu"] + r["publish_cpu"]  # noqa: E731
        print(f"growth: {last['memberships'] / first['memberships']:.0f}x the rows -> "
              f"{t(last) / t(first):.1f}x the CPU time")
    big = next((r for r in rows if r["memberships"] >= 1_000_000), None)
    if big:
        total = big["normalise"] + big["validate"] + big["publish"]
        cpu = big["normalise_cpu"] + big["validate_cpu"] + big["publish_cpu"]
        print(f"target 1M: < 60 s and < 2 GB -> {total:.0f} s (cpu {cpu:.0f} s), "
              f"{big['peak_rss_mb']:,.0f} MB: "
              f"{'PASS' if total < 60 and big['peak_rss_mb'] < 2048 else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
