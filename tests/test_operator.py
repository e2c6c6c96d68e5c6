"""What the operator meets: arguments checked before anything starts, settings from options,
environment and TOML, failures recorded in last-failure.json and sent to a webhook, exit statuses,
status / validate / diff, Prefect artifacts and progress."""

import datetime as dt
import io
import json
import logging
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cluster_etl import cli, outcomes, progress
from cluster_etl.fetch.types import FetchStats
from cluster_etl.sample.generate import write_sample_portal
from cluster_etl.sample.server import serve_portal
from cluster_etl.settings import SettingsError, resolve
from tests.test_end_to_end import _break_company_share, changed_portal

DAY = dt.date(2026, 2, 2)
CLI = [str(Path(sys.executable).with_name("cluster-etl"))]


# --- arguments and settings ----------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["refresh", "--portal", "notaurl"], "--portal: not an http(s) URL with a host: 'notaurl'"),
    (["refresh", "--portal", "ftp://example.org"], "not an http(s) URL"),
    (["refresh", "--sample", "--rate", "-1"], "--rate: must be at least 0, not -1"),
    (["refresh", "--sample", "--concurrency", "0"], "--concurrency: must be at least 1"),
    (["refresh", "--sample", "--release-date", "2999-01-01"], "is in the future"),
    (["refresh", "--sample", "--release-date", "2026-02-30"], "not a date (YYYY-MM-DD)"),
    (["refresh"], "--portal URL or --sample is required"),
    (["replay", "missing.warc.gz"], "no such archive: missing.warc.gz"),
    (["refresh", "--sample", "--no-such-option"], "unrecognized arguments: --no-such-option"),
])
def test_bad_arguments_are_one_line_and_exit_2_before_anything_starts(args, message, tmp_path):
    done = subprocess.run([*CLI, *args], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert done.stdout == ""  # no sample portal served, no Prefect started
    assert not (tmp_path / "output").exists()


def test_an_output_folder_that_is_a_file_or_unwritable_is_refused(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    done = subprocess.run([*CLI, "refresh", "--sample", "--out", str(afile)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "is a file, not a folder" in done.stderr
    with pytest.raises(SettingsError, match="cannot be written"):
        resolve(["out"], {"out": str(afile / "out")})  # its parent is a file


def test_settings_come_from_options_then_environment_then_toml(tmp_path):
    config = tmp_path / "settings.toml"
    config.write_text('[cluster-etl]\nrate = 0.5\nconcurrency = 3\nportal = "https://toml.example"\n'
                      'allow-drop = true\n')
    env = {"CLUSTER_ETL_CONCURRENCY": "5", "CLUSTER_ETL_PORTAL": "https://env.example"}
    got = resolve(["rate", "concurrency", "portal", "allow_drop", "retries"],
                  {"portal": "https://option.example"}, config, env)
    assert got == {"rate": 0.5, "concurrency": 5, "portal": "https://option.example", "allow_drop": True}


@pytest.mark.parametrize("toml, message", [
    ("rate = -2\n", ": rate: must be at least 0"),
    ("speed = 3\n", "unknown setting 'speed'"),
    ("rate = [\n", "is not valid TOML"),
])
def test_a_bad_config_file_is_a_clear_error(tmp_path, toml, message):
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    done = subprocess.run([*CLI, "refresh", "--sample", "--config", str(config)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_an_unexpected_error_shows_a_summary_then_the_traceback(monkeypatch, tmp_path, capsys):
    import flows.refresh

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(flows.refresh, "replay", broken)
    warc = tmp_path / "run.warc.gz"
    warc.write_bytes(b"")
    assert cli.main(["replay", str(warc), "--out", str(tmp_path / "out")]) == cli.EXIT_BUG
    err = capsys.readouterr().err
    assert err.index("unexpected error (RuntimeError: disk on fire)") < err.index("Traceback")


# --- failures: last-failure.json, webhook, exit statuses --------------------------------------

class Receiver(ThreadingHTTPServer):
    """A local webhook: records the JSON bodies POSTed to it; answers `status`."""

    def __init__(self, status: int = 200):
        self.bodies: list[dict] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hook"

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("portal")
    write_sample_portal(root)
    return root


def test_a_failed_check_writes_last_failure_and_notifies(sample, tmp_path, capsys):
    broken = changed_portal(sample, tmp_path, _break_company_share)
    out = tmp_path / "out"
    with Receiver() as hook, serve_portal(broken) as base:
        code = cli.main(["refresh", "--portal", base, "--out", str(out), "--rate", "0",
                         "--notify", hook.url])
    assert code == cli.EXIT_INVALID
    record = json.loads((out / outcomes.LAST_FAILURE).read_text())
    assert record["kind"] == "validation" and record["exit_status"] == 1
    assert [c["name"] for c in record["checks"]] == ["company_share"]
    assert record["archive"].endswith(".warc.gz") and Path(record["archive"]).is_file()
    assert dt.datetime.fromisoformat(record["when"]).tzinfo is not None
    assert hook.bodies == [record]
    assert "company_share" in capsys.readouterr().err


def test_a_failing_webhook_never_hides_the_runs_own_failure(sample, tmp_path, capsys, monkeypatch, caplog):
    broken = changed_portal(sample, tmp_path, _break_company_share)
    out = tmp_path / "out"
    with Receiver(status=500) as hook, serve_portal(broken) as base:
        monkeypatch.setenv(outcomes.NOTIFY_ENV, hook.url)
        with caplog.at_level(logging.WARNING, logger="cluster_etl.outcomes"):
            code = cli.main(["refresh", "--portal", base, "--out", str(out), "--rate", "0"])
    assert code == cli.EXIT_INVALID and len(hook.bodies) == 1
    assert "answered HTTP 500" in caplog.text
    assert not outcomes.notify("http://127.0.0.1:9/unreachable", {"x": 1})  # refused: logged only
    assert json.loads((out / outcomes.LAST_FAILURE).read_text())["kind"] == "validation"


def _break_member_pages(cluster: str):
    def edit(root: Path) -> None:
        for page in (root / "sites" / cluster / "home" / "membres" / "memberList").glob("*.html"):
            text = page.read_bytes().decode("utf-8", "replace")
            page.write_text(text.replace("<dl", "<table").replace("</dl>", "</table>")
                            .replace("<dt", "<th").replace("</dt>", "</th>")
                            .replace("<dd", "<td").replace("</dd>", "</td>"), "utf-8")
    return edit


def test_a_member_page_layout_change_exits_3(sample, tmp_path, capsys):
    root = changed_portal(sample, tmp_path, _break_member_pages("tweed"))
    out = tmp_path / "out"
    with serve_portal(root) as base:
        code = cli.main(["refresh", "--portal", base, "--out", str(out), "--rate", "0"])
    assert code == cli.EXIT_LAYOUT
    assert "layout changed: layout:member_pages:tweed" in capsys.readouterr().err
    assert json.loads((out / outcomes.LAST_FAILURE).read_text())["kind"] == "layout"
    assert not (out / "releases").exists()


# --- a published folder: status, validate, diff, artifacts --------------------------------------

@pytest.fixture(scope="module")
def published(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("published")
    with serve_portal(sample) as base:
        for day in (DAY, DAY + dt.timedelta(days=7)):
            assert cli.main(["refresh", "--portal", base, "--out", str(out), "--rate", "0",
                             "--concurrency", "8", "--release-date", day.isoformat()]) == 0
    return out


def test_status_shows_the_latest_release_and_a_newer_failure(published, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(published, out)
    capsys.readouterr()
    assert cli.main(["status", "--out", str(out)]) == cli.EXIT_OK
    text = capsys.readouterr().out
    assert "latest         2026-02-09" in text and "validation PASS" in text
    assert "releases       2: 2026-02-09, 2026-02-02" in text
    failure = outcomes.Failure("incomplete", 2, "run incomplete, 1 page(s) failed",
                               urls=[{"url": "https://x/a", "reason": "HTTP 503", "status": 503}])
    failure.when = dt.datetime.now(dt.timezone.utc).isoformat()
    outcomes.write_last_failure(out, failure)
    assert cli.main(["status", "--out", str(out)]) == cli.EXIT_INVALID
    text = capsys.readouterr().out
    assert "last failure" in text and "https://x/a: HTTP 503" in text


def test_validate_passes_a_release_and_catches_tampering(published, tmp_path, capsys):
    release = tmp_path / "release"
    shutil.copytree(published / "releases" / "2026-02-09", release)
    assert cli.main(["validate", str(release)]) == cli.EXIT_OK
    assert "OK" in capsys.readouterr().out
    csv = release / "members.csv"
    csv.write_bytes(csv.read_bytes().replace("Liège".encode(), b"Liege", 1))
    assert cli.main(["validate", str(release)]) != cli.EXIT_OK
    out = capsys.readouterr().out
    assert "checksums" in out and "members.csv: SHA-256 differs" in out
    assert "members differs between parquet and csv" in out


def test_validate_catches_a_consistent_forgery_by_the_totals(published, tmp_path, capsys):
    """Rows removed from every format and the checksums recomputed: only the totals can tell."""
    from cluster_etl import publish
    from cluster_etl.publish import release as release_module
    from cluster_etl.publish.changes import compare_releases, release_names

    folder = tmp_path / "release"
    shutil.copytree(published / "releases" / "2026-02-09", folder)
    frames = publish.read_release_parquet(folder)
    members = frames["members"]
    companies = set(members.loc[members["member_type"] == "company", "member_id"])
    memberships = frames["memberships"]
    frames["memberships"] = memberships[~memberships["member_id"].isin(companies)].reset_index(drop=True)
    for path in folder.iterdir():
        path.unlink()
    report = json.loads((published / "releases" / "2026-02-09" / "validation.json").read_text())
    changes = compare_releases(None, frames, dt.date(2026, 2, 9), None)
    release_module.write_release_files(frames, report, folder, dt.date(2026, 2, 9), {}, changes,
                                       release_names(frames, None))
    assert cli.main(["validate", str(folder)]) == cli.EXIT_INVALID
    assert "fail  company_share" in capsys.readouterr().out


def test_diff_is_changes_json(published, capsys):
    a, b = (published / "releases" / d for d in ("2026-02-02", "2026-02-09"))
    assert cli.main(["diff", str(a), str(b)]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out) == json.loads((b / "changes.json").read_text())


def test_each_run_leaves_prefect_artifacts(published):
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def artifacts(key):
        async with get_client() as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))

    def of_run(key, text):
        """The artifact of `key` that the run publishing 2026-02-09 left (the server keeps all)."""
        found = [a for a in asyncio.run(artifacts(key)) if text in json.dumps(a.data)]
        assert found, f"no {key} artifact holding {text!r}"
        return found[-1]

    summary = of_run("run-summary", "Published **2026-02-09**")
    assert summary.type == "markdown" and "Since release 2026-02-02" in summary.data
    assert "| memberships | 1050 | 1050 | 0 | 0 |" in summary.data
    table = [a for a in asyncio.run(artifacts("validation-checks")) if a.flow_run_id == summary.flow_run_id]
    assert table and table[0].type == "table"
    rows = json.loads(table[0].data) if isinstance(table[0].data, str) else table[0].data
    assert {"status": "pass", "name": "company_share"}.items() <= next(
        r for r in rows if r["name"] == "company_share").items()
    link = [a for a in asyncio.run(artifacts("release")) if a.flow_run_id == summary.flow_run_id]
    assert link and "releases/2026-02-09/index.html" in link[0].data


# --- progress ------------------------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_a_live_line_on_a_terminal():
    stats, screen = FetchStats(), Terminal()
    stats.expect(10)
    with progress.reporting(stats, stream=screen, interval=0.01):
        for status in (200, 200, 304):
            stats.record(1, status, 10)
        stats.record_error()
    assert screen.getvalue().startswith("\r\x1b[K")
    assert screen.getvalue().endswith("pages 4/10 (40%)  " + screen.getvalue().split("(40%)  ")[-1])
    assert "304: 1  errors: 1\n" in screen.getvalue()


def test_progress_is_log_lines_elsewhere(caplog):
    stats = FetchStats()
    stats.expect(3)
    with caplog.at_level(logging.INFO, logger="cluster_etl.progress"):
        with progress.reporting(stats, stream=io.StringIO(), interval=0.01):
            stats.record(1, 200, 10)
    assert caplog.records and caplog.records[-1].getMessage().startswith("pages 1/3 (33%)")


def test_prefect_chatter_goes_to_the_log_unless_verbose(tmp_path):
    env = {**__import__("os").environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    for name in ("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "PREFECT_LOGGING_LEVEL"):  # the test session quiets
        env.pop(name, None)  # them; an operator's shell does not
    quiet = subprocess.run([*CLI, "refresh", "--sample", "--out", str(tmp_path / "quiet")], env=env,
                           capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert "Finished in state" not in quiet.stdout + quiet.stderr
    assert "release published:" in quiet.stdout
    log = (tmp_path / "quiet" / "cluster-etl.log").read_text()
    assert "Finished in state Completed" in log and "pages 1114/1114 (100%)" in log
    loud = subprocess.run([*CLI, "refresh", "--sample", "--out", str(tmp_path / "loud"), "--verbose"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert loud.returncode == 0 and "Finished in state Completed" in loud.stdout + loud.stderr
