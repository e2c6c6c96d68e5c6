"""Defaults for Prefect, set before it is imported, so no run phones home and the temporary
server has time to start on a loaded machine. The flow module calls `quiet_prefect()` (so the
CLI, the deployment and replay get it), as do the tests and the benchmark. Values already in the
environment win."""

import os

PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def quiet_prefect(**extra: str) -> None:
    for key, value in {**PREFECT_DEFAULTS, **extra}.items():
        os.environ.setdefault(key, value)
