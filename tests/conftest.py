import os
import tempfile

from cluster_etl.prefect_env import quiet_prefect

# Set before anything imports prefect: Prefect's state stays out of the user's home.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="cluster-etl-prefect-"))
quiet_prefect(PREFECT_LOGGING_LEVEL="WARNING")
