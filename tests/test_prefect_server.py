"""The served deployments against a real Prefect server: `prefect server start` on a free port of
127.0.0.1 (its own PREFECT_HOME), `python -m flows.serve` as the worker, the sample portal over
HTTP, runs triggered through the API as an operator would (README, *Scheduling*)."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cluster_etl.prefect_env import PREFECT_DEFAULTS
from cluster_etl.sample.generate import write_sample_portal
from cluster_etl.sample.server import serve_portal
from flows.serve import BACKFILL_DEPLOYMENT, DEFAULT_CRON, DEFAULT_TIMEZONE, REFRESH_DEPLOYMENT

pytestmark = pytest.mark.prefect_server

REPO = Path(__file__).resolve().parents[1]
PREFECT = Path(sys.executable).with_name("prefect")
REFRESH = f"cluster-etl-refresh/{REFRESH_DEPLOYMENT}"
BACKFILL = f"cluster-etl-backfill/{BACKFILL_DEPLOYMENT}"
RELEASE_DATE = "2026-01-05"
OVERVIEW = Path("sites/federateur/home/les-clusters.html")
STARTUP_TIMEOUT = 90  # seconds; generous, for a loaded 2-core machine
RUN_TIMEOUT = 150


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A subprocess whose output goes to a file, stopped (with whatever it started) at the end."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], logs: Path):
        self.name, self.log = name, logs / f"{name}.log"
        with self.log.open("wb") as out:
            # Its own process group, so stopping it also stops the flow runs it started.
            self.popen = subprocess.Popen(command, env=env, cwd=REPO, stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text("utf-8", errors="replace").splitlines()[-lines:]
        return f"--- last lines of {self.name} (exit {self.popen.poll()}) ---\n" + "\n".join(text)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()  # `serve` pauses its schedules on SIGTERM
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)  # the group of this child only
        self.popen.wait(timeout=20)


def wait_for(what: str, ready, process: Process, timeout: float = STARTUP_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = ready()
        if value:
            return value
        assert process.popen.poll() is None, f"{process.name} exited\n{process.tail()}"
        time.sleep(0.5)
    pytest.fail(f"{what} not ready after {timeout} s\n{process.tail()}")


def health(api_url: str) -> bool:
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1, never a proxy
    with contextlib.suppress(OSError):
        with direct.open(f"{api_url}/health", timeout=5) as response:
            return response.status == 200
    return False


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="module")
def prefect_env(tmp_path_factory) -> dict[str, str]:
    port = free_port()
    return {**os.environ, **PREFECT_DEFAULTS,
            "PREFECT_HOME": str(tmp_path_factory.mktemp("prefect-home")),
            "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "PREFECT_LOGGING_LEVEL": "INFO",  # the logs below are for diagnosis
            # The schedule is registered and checked, but the server makes no scheduled runs: a
            # test running at 06:00 on a Monday would otherwise start a refresh of its own.
            "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
            "PREFECT_RUNNER_POLL_FREQUENCY": "1"}


@pytest.fixture(scope="module")
def prefect_server(prefect_env, logs):
    api_url = prefect_env["PREFECT_API_URL"]
    port = api_url.split(":")[-1].split("/")[0]
    server = Process("prefect-server", [str(PREFECT), "server", "start", "--host", "127.0.0.1",
                                        "--port", port], prefect_env, logs)
    try:
        wait_for("prefect server", lambda: health(api_url), server)
        yield api_url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def client(prefect_server):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: prefect_server}), get_client(sync_client=True) as sync:
        yield sync


@pytest.fixture(scope="module")
def portals(tmp_path_factory):
    """(sample portal URL, URL of a copy whose overview declares 80% companies instead of 75%)."""
    good = tmp_path_factory.mktemp("portal")
    write_sample_portal(good)
    broken = tmp_path_factory.mktemp("broken") / "portal"
    shutil.copytree(good, broken)
    page = broken / OVERVIEW
    text = page.read_text("utf-8")
    assert "75% sont des entreprises" in text
    page.write_text(text.replace("75% sont des entreprises", "80% sont des entreprises"), "utf-8")
    with serve_portal(good) as good_url, serve_portal(broken) as broken_url:
        yield good_url, broken_url


def read_deployment(client, name: str):
    from prefect.exceptions import ObjectNotFound

    with contextlib.suppress(ObjectNotFound):
        return client.read_deployment_by_name(name)
    return None


@pytest.fixture(scope="module")
def served(prefect_server, prefect_env, client, portals, logs, tmp_path_factory):
    """`python -m flows.serve` with the default schedule; two runs at once (`--limit 2`) keep
    the test short, each writing its own folder."""
    out = tmp_path_factory.mktemp("out")
    serve = Process("serve", [sys.executable, "-m", "flows.serve", "--portal", portals[0],
                              "--out", str(out), "--rate", "0", "--concurrency", "8",
                              "--limit", "2"], prefect_env, logs)
    try:
        wait_for("deployment", lambda: read_deployment(client, REFRESH), serve)
        yield out, serve
    finally:
        serve.stop()


@pytest.fixture(scope="module")
def runs(served, prefect_env, client, portals, logs, tmp_path_factory):
    """Both runs are started before either is waited for: the operator's command for the
    sample portal, and a run of the broken portal through the client."""
    trigger = Process("deployment-run", [
        str(PREFECT), "deployment", "run", REFRESH, "-p", f"release_date={RELEASE_DATE}",
        "--watch", "--watch-interval", "1", "--watch-timeout", str(RUN_TIMEOUT)], prefect_env, logs)
    broken_out = tmp_path_factory.mktemp("broken-out")
    deployment = client.read_deployment_by_name(REFRESH)
    failing = client.create_flow_run_from_deployment(
        deployment.id, parameters={"portal_url": portals[1], "out_dir": str(broken_out)})
    try:
        yield trigger, (failing.id, broken_out)
    finally:
        trigger.stop()


def final_state(client, flow_run_id, serve: Process):
    def finished():
        state = client.read_flow_run(flow_run_id).state
        return state if state and state.is_final() else None

    return wait_for(f"flow run {flow_run_id}", finished, serve, timeout=RUN_TIMEOUT)


def test_refresh_deployment_is_registered_with_the_weekly_schedule(served, client, portals):
    out, serve = served
    deployment = client.read_deployment_by_name(REFRESH)
    assert deployment.parameters == {"portal_url": portals[0], "out_dir": str(out),
                                     "rate": 0, "concurrency": 8}
    assert not deployment.paused
    (schedule,) = deployment.schedules
    assert schedule.active
    assert (schedule.schedule.cron, schedule.schedule.timezone) == (DEFAULT_CRON, DEFAULT_TIMEZONE)
    assert (DEFAULT_CRON, DEFAULT_TIMEZONE) == ("0 6 * * 1", "Europe/Brussels")


def test_backfill_deployment_is_registered_without_schedule(served, client):
    out, serve = served
    if importlib.util.find_spec("flows.backfill") is None:
        pytest.skip("flows/backfill.py does not exist yet: serve.py serves the refresh only")
    deployment = wait_for("backfill deployment", lambda: read_deployment(client, BACKFILL), serve)
    assert deployment.schedules == []
    assert deployment.parameters == {"out_dir": str(out)}


def test_run_started_with_prefect_deployment_run_publishes_a_release(served, runs, portals):
    out, serve = served
    trigger, _ = runs
    try:
        trigger.popen.wait(timeout=RUN_TIMEOUT + 30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`prefect deployment run --watch` did not return\n{trigger.tail()}\n{serve.tail()}")
    assert trigger.popen.returncode == 0, f"{trigger.tail()}\n{serve.tail()}"
    assert "Completed" in trigger.log.read_text("utf-8")
    release = out / "releases" / RELEASE_DATE
    validation = json.loads((release / "validation.json").read_text("utf-8"))
    assert validation["status"] == "pass"
    package = json.loads((release / "datapackage.json").read_text("utf-8"))
    assert package["cluster_etl"]["portal_url"] == portals[0]  # the deployment's own parameter
    assert (out / "latest" / "members.parquet").is_file()


def test_run_that_fails_validation_ends_failed_naming_the_check(served, runs, client):
    out, serve = served
    _, (flow_run_id, broken_out) = runs
    state = final_state(client, flow_run_id, serve)
    assert state.is_failed(), f"{state.type}: {state.message}\n{serve.tail()}"
    assert "failed check(s): company_share" in state.message
    assert not (broken_out / "releases").exists() and not (broken_out / "latest").exists()
    assert list((broken_out / "archive").glob("*.warc.gz"))  # the run's pages, kept for audit
