"""Run settings: from command-line options, then environment variables (`CLUSTER_ETL_*`), then an
optional TOML file (`--config`), then defaults; each checked before anything starts.

A bad value is a SettingsError with a one-line message naming where it came from
("--rate", "CLUSTER_ETL_RATE", "config.toml: rate"); the command line exits 2 on it.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

ENV_PREFIX = "CLUSTER_ETL_"
LOCAL_ZONE = ZoneInfo("Europe/Brussels")  # the administration's calendar, for "today"


class SettingsError(ValueError):
    """A setting that cannot be used; the message is one line and names its source."""


# --- value checks: text (or a TOML value) in, typed value out, ValueError with the reason ------

def http_url(value: Any) -> str:
    text = str(value).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL with a host: {text!r}")
    return text


def past_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(f"not a date (YYYY-MM-DD): {value!r}") from None
    today = max(dt.datetime.now(dt.timezone.utc).date(), dt.datetime.now(LOCAL_ZONE).date())
    if value > today:
        raise ValueError(f"{value.isoformat()} is in the future (today is {today.isoformat()})")
    return value


def any_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _number(value: Any, kind: type, minimum: float, strict: bool = False) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"not {'a whole number' if kind is int else 'a number'}: {value!r}") from None
    if number < minimum or (strict and number == minimum):
        raise ValueError(f"must be {'more than' if strict else 'at least'} {minimum:g}, not {value}")
    return number


def non_negative(value: Any) -> float:
    return _number(value, float, 0)


def positive(value: Any) -> float:
    return _number(value, float, 0, strict=True)


def count(value: Any) -> int:
    return _number(value, int, 0)


def at_least_one(value: Any) -> int:
    return _number(value, int, 1)


def percent(value: Any) -> int:
    number = _number(value, int, 0)
    if number > 100:
        raise ValueError(f"a percentage is at most 100, not {value}")
    return number


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not true or false: {value!r}")


def output_folder(value: Any) -> Path:
    path = Path(str(value)).expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path} is a file, not a folder")
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("."))
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{path} cannot be written (no write permission on {existing})")
    return path


def existing_path(value: Any) -> Path:
    path = Path(str(value)).expanduser()
    if not path.exists():
        raise ValueError(f"no such file or folder: {path}")
    return path


def text(value: Any) -> str:
    return str(value)


# --- the settings ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    name: str  # the option without dashes, underscores for dashes; CLUSTER_ETL_<NAME>; TOML key
    check: Callable[[Any], Any]

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS = {s.name: s for s in (
    Setting("portal", http_url), Setting("out", output_folder), Setting("archive", output_folder),
    Setting("release_date", past_date), Setting("as_of", any_date),
    Setting("rate", non_negative), Setting("concurrency", at_least_one),
    Setting("timeout", positive), Setting("retries", count), Setting("contact", text),
    Setting("allow_drop", flag), Setting("base_url", http_url), Setting("notify", http_url),
    Setting("rebuild", flag), Setting("task_runner", text), Setting("dask_address", text),
    Setting("dask_workers", at_least_one),
    Setting("expect_clusters", count), Setting("expect_members", count),
    Setting("expect_company_share", percent), Setting("expect_sme_share", percent),
    Setting("kbo", existing_path), Setting("kbo_cache", output_folder),
    Setting("verbose", flag),
)}


def read_config(path: Path | None) -> dict[str, Any]:
    """The TOML file's settings: top-level keys or a [cluster-etl] table, option names with - or _."""
    if path is None:
        return {}
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"--config: cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"--config: {path} is not valid TOML: {exc}") from None
    table = data.get("cluster-etl", data.get("cluster_etl", data))
    if not isinstance(table, dict):
        raise SettingsError(f"--config: {path}: [cluster-etl] is not a table")
    config = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in SETTINGS:
            raise SettingsError(f"--config: {path}: unknown setting {key!r} "
                                f"(known: {', '.join(sorted(SETTINGS))})")
        config[name] = value
    return config


def resolve(names: list[str], options: Mapping[str, Any], config_path: Path | None = None,
            environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The value of each named setting, checked: option, else CLUSTER_ETL_<NAME>, else the TOML
    file, else absent (the caller's default applies). Raises SettingsError naming the source."""
    environ = os.environ if environ is None else environ
    config = read_config(config_path)
    resolved: dict[str, Any] = {}
    for name in names:
        setting = SETTINGS[name]
        for source, value in ((setting.option, options.get(name)), (setting.env, environ.get(setting.env)),
                              (f"{config_path}: {name}", config.get(name))):
            if value is None or (isinstance(value, str) and value == "" and source == setting.env):
                continue
            try:
                resolved[name] = setting.check(value)
            except ValueError as exc:
                raise SettingsError(f"{source}: {exc}") from None
            break
    return resolved
