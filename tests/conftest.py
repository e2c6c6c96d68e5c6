import os
import tempfile

# Prefect's temporary local server: keep its state out of the user's home, never phone home,
# and give it time to start on a loaded 2-core machine. Set before anything imports prefect.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="cluster-etl-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_UI_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
