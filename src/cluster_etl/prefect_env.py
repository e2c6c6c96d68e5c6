"""How Prefect is set up for our runs, before it is imported.

`quiet_prefect()`: defaults so that no run phones home and a temporary server has time to start
on a loaded machine. The flow modules call it (so the CLI, the deployments and replay get it), as
do the tests and the benchmarks. Values already in the environment win.

`prefect_session()`: what a command of the command line runs its flow in. Without a Prefect
server (no PREFECT_API_URL), Prefect starts a temporary one when the flow first calls its API,
and waits: the server process imports Prefect's whole server, several seconds of CPU. The session
starts that same server first thing instead, on the other core while this process imports the
pipeline and prepares its input; Prefect's first request waits in the server's listening socket
until it answers. The temporary server runs only the services a run needs, and the flow sends no
heartbeats (nobody could act on them once the command has ended; each costs up to a second when
a flow ends). See bench/prefect_bench.py for what each part costs.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}

# A temporary server lives as long as one command: nobody reads its event feed, and automations
# (triggers and their actions) have nothing to react to, so the services that store, stream or
# react to events stay off. The task-run recorder stays on: it records the task runs, which the
# run's history in PREFECT_HOME keeps with the flow runs, logs and artifacts.
TEMPORARY_SERVER_SETTINGS = {
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
    "PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED": "false",
}

LOGGED = ("prefect.flow_runs", "prefect.task_runs", "cluster_etl")


def quiet_prefect(**extra: str) -> None:
    for key, value in {**PREFECT_DEFAULTS, **extra}.items():
        os.environ.setdefault(key, value)


class TemporaryServer:
    """Prefect's temporary API server in a child process, started as Prefect starts it (uvicorn
    serving `prefect.server.api.server:create_app` in ephemeral mode, no UI), on a socket bound
    here: it listens from the start, so requests wait for the server instead of failing, and no
    other process can take its port meanwhile."""

    def __init__(self, env: dict[str, str]):
        with socket.create_server(("127.0.0.1", 0)) as sock:
            host, port = sock.getsockname()[:2]
            self.api_url = f"http://{host}:{port}/api"
            app_dir = Path(importlib.util.find_spec("prefect").origin).parent.parent
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
                 "prefect.server.api.server:create_app", "--fd", str(sock.fileno()),
                 "--log-level", "error", "--lifespan", "on"],
                env={**TEMPORARY_SERVER_SETTINGS, **env, "PREFECT_UI_ENABLED": "0",
                     "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"},
                pass_fds=(sock.fileno(),))
        # The child holds the socket now: were it to die, requests are refused, not left waiting.

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_temporary_server() -> TemporaryServer | None:
    """Prefect's temporary server, started now; None when PREFECT_API_URL names a server, or when
    Prefect is imported already (it then starts its own, once per process, as usual). It stops
    when this process exits, whatever happens meanwhile, and after Prefect has sent what it still
    had to send (atexit runs last-in first-out, and Prefect registers its senders later)."""
    if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        return None
    server = TemporaryServer(dict(os.environ))
    atexit.register(server.stop)
    return server


_early: list[TemporaryServer] = []  # started by start_early, taken by prefect_session


def start_early() -> None:
    """Start the temporary server now, before the pipeline's imports (the command line calls
    this as soon as it knows the command runs a flow); the next prefect_session uses it."""
    quiet_prefect()
    server = start_temporary_server()
    if server is not None:
        _early.append(server)


def use_temporary_server(server: TemporaryServer | None) -> bool:
    """Points Prefect at `server`, unless its settings name a server after all (a profile,
    prefect.toml...) or forbid a temporary one: then `server` is stopped."""
    if server is None:
        return False
    from prefect.context import refresh_global_settings_context
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        server.stop()
        return False
    os.environ["PREFECT_API_URL"] = server.api_url  # for this process and what it starts (Dask)
    refresh_global_settings_context()
    return True


def log_to_file(log_file: Path) -> None:
    """Prefect's flow and task run lines, and ours, at INFO and up into `log_file` too."""
    from prefect.logging.configuration import PROCESS_LOGGING_CONFIG, setup_logging

    if not PROCESS_LOGGING_CONFIG:
        setup_logging()  # now, so that later set-ups are incremental and keep the file handler
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    for name in LOGGED:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)


@contextlib.contextmanager
def prefect_session(log_file: Path, verbose: bool) -> Iterator[None]:
    """Prefect for one command (see the module's docstring). Its INFO lines go to the run's log
    (the Prefect server, and `log_file`), not the operator's screen, unless `verbose`."""
    if not verbose:
        # Failed tasks log their tracebacks at ERROR: the operator gets the one-line summary,
        # the log file and the Prefect server keep the rest.
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    quiet_prefect()
    server = _early.pop() if _early else start_temporary_server()
    log_to_file(log_file)  # imports Prefect
    if not use_temporary_server(server):
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
