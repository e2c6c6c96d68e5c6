"""How a command sets Prefect up (cluster_etl.prefect_env): its temporary server started before
Prefect is imported, with only the services a run needs; a server named in Prefect's settings
wins; flows run without heartbeats on it. Each case runs in a fresh interpreter, as a command
does (this test session has imported Prefect already)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from cluster_etl.prefect_env import TEMPORARY_SERVER_SETTINGS, start_temporary_server

SESSION = """
import json, os, sys
from pathlib import Path
from cluster_etl import prefect_env

with prefect_env.prefect_session(Path(sys.argv[1]) / "run.log", verbose=False):
    from prefect import flow
    from prefect.settings import get_current_settings

    @flow
    def probe():
        return get_current_settings().flows.heartbeat_frequency

    heartbeat = probe()
    print(json.dumps({"api_url": get_current_settings().api.url, "heartbeat": heartbeat,
                      "env_api_url": os.environ.get("PREFECT_API_URL")}))
"""

SERVER = """
import json, os, sys, urllib.request
from cluster_etl import prefect_env

server = prefect_env.start_temporary_server()
import prefect  # after the start, as a command does
used = prefect_env.use_temporary_server(server)
with urllib.request.urlopen(server.api_url + "/health", timeout=120) as response:
    healthy = response.status == 200
environ = open(f"/proc/{server.process.pid}/environ", "rb").read().decode().split("\\0")
print(json.dumps({"used": used, "healthy": healthy, "api_url": server.api_url,
                  "env_api_url": os.environ.get("PREFECT_API_URL"),
                  "prefect_api_url": str(prefect.settings.get_current_settings().api.url),
                  "server_env": dict(item.split("=", 1) for item in environ if "=" in item)}))
"""

CONFIGURED = """
import json, sys
from cluster_etl import prefect_env

server = prefect_env.start_temporary_server()
import prefect
used = prefect_env.use_temporary_server(server)
print(json.dumps({"used": used, "server_exit": server.process.poll()}))
"""


def run_python(code: str, tmp_path, **env: str) -> dict:
    environ = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), **env}
    environ.pop("PREFECT_API_URL", None)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), str(tmp_path)], env=environ,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_early_server_when_a_server_is_named_or_prefect_is_imported(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setitem(sys.modules, "prefect", sys.modules.get("prefect", sys))
    assert start_temporary_server() is None  # Prefect is imported: it starts its own, as usual
    monkeypatch.delitem(sys.modules, "prefect")
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert start_temporary_server() is None


def test_the_temporary_server_starts_first_with_only_the_services_a_run_needs(tmp_path):
    seen = run_python(SERVER, tmp_path)
    assert seen["used"] and seen["healthy"]
    assert seen["env_api_url"] == seen["prefect_api_url"] == seen["api_url"]
    assert seen["api_url"].startswith("http://127.0.0.1:")
    for name, value in TEMPORARY_SERVER_SETTINGS.items():
        assert seen["server_env"][name] == value
    assert seen["server_env"]["PREFECT__SERVER_EPHEMERAL"] == "1"  # no UI, ephemeral services
    assert seen["server_env"]["PREFECT_HOME"] == str(tmp_path / "prefect-home")


def test_a_server_named_in_prefects_settings_wins(tmp_path):
    profiles = tmp_path / "profiles.toml"
    profiles.write_text('active = "ops"\n'
                        '[profiles.ops]\nPREFECT_API_URL = "http://127.0.0.1:9/api"\n')
    seen = run_python(CONFIGURED, tmp_path, PREFECT_PROFILES_PATH=str(profiles))
    assert seen == {"used": False, "server_exit": seen["server_exit"]}
    assert seen["server_exit"] is not None  # stopped at once


def test_flows_of_a_command_run_on_its_server_without_heartbeats(tmp_path):
    seen = run_python(SESSION, tmp_path)
    assert seen["heartbeat"] is None
    assert seen["api_url"] == seen["env_api_url"]
    assert seen["api_url"].startswith("http://127.0.0.1:")
    assert (tmp_path / "run.log").is_file()


EARLY = """
import json, sys
from cluster_etl import cli, prefect_env

seen = []
prefect_env.start_temporary_server = lambda: seen.append(
    {"pandas": "pandas" in sys.modules, "prefect": "prefect" in sys.modules})
status = cli.main(sys.argv[2:])
print(json.dumps({"status": status, "seen": seen}))
"""


def test_a_flow_command_starts_the_server_before_importing_the_pipeline(tmp_path):
    # A refresh whose settings are refused still starts it first thing (and exits 2 as before)...
    code = EARLY.replace("sys.argv[2:]", '["refresh", "--sample", "--rate", "-1", "--out", sys.argv[1]]')
    got = run_python(code, tmp_path)
    assert got["status"] == 2
    assert got["seen"][:1] == [{"pandas": False, "prefect": False}]
    # ...and a command that runs no flow does not start one.
    code = EARLY.replace("sys.argv[2:]", '["status", "--out", sys.argv[1]]')
    assert run_python(code, tmp_path)["seen"] == []
