"""cluster-etl: the Walloon business-clusters portal as clean, validated open data."""

__version__ = "0.1.0"
