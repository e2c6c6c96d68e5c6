"""The deployments flows/serve.py builds (served against a real server: test_prefect_server.py)."""

import importlib.util
import sys

import pytest

from flows.serve import (build_backfill_deployment, build_deployment, build_parser, deployments_from,
                         main)


def test_weekly_deployment_carries_schedule_and_parameters(tmp_path):
    deployment = build_deployment("https://clusters.wallonie.be", tmp_path, cron="0 5 * * 1")
    assert deployment.parameters == {"portal_url": "https://clusters.wallonie.be", "out_dir": str(tmp_path)}
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "0 5 * * 1"
    assert schedule.schedule.timezone == "Europe/Brussels"
    assert deployment.flow_name == "cluster-etl-refresh"
    assert deployment.entrypoint == "flows.refresh.refresh"  # loadable whatever the working directory


def test_command_line_defaults_are_mondays_six_in_brussels_one_run_at_a_time(tmp_path):
    args = build_parser().parse_args(["--out", str(tmp_path)])
    refresh = deployments_from(args)[0]
    (schedule,) = refresh.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 6 * * 1", "Europe/Brussels")
    assert refresh.name == "weekly-refresh"
    assert refresh.parameters == {"portal_url": "https://clusters.wallonie.be", "out_dir": str(tmp_path)}
    assert args.limit == 1


def test_command_line_options_become_the_refresh_parameters(tmp_path):
    args = build_parser().parse_args([
        "--portal", "http://127.0.0.1:8000", "--out", str(tmp_path), "--no-schedule", "--rate", "0",
        "--concurrency", "8", "--contact", "mailto:ops@example.be", "--base-url", "https://d.example/"])
    refresh = deployments_from(args)[0]
    assert refresh.schedules == []
    assert refresh.parameters == {"portal_url": "http://127.0.0.1:8000", "out_dir": str(tmp_path),
                                  "rate": 0.0, "concurrency": 8, "contact_url": "mailto:ops@example.be",
                                  "base_url": "https://d.example/"}


def test_cron_and_no_schedule_exclude_each_other(tmp_path, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--out", str(tmp_path), "--cron", "0 5 * * 1", "--no-schedule"])
    assert "not allowed with" in capsys.readouterr().err


def test_without_the_backfill_module_only_the_refresh_is_served(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "flows.backfill", None)  # import fails as if the file were absent
    assert build_backfill_deployment(tmp_path) is None
    deployments = deployments_from(build_parser().parse_args(["--out", str(tmp_path)]))
    assert [d.name for d in deployments] == ["weekly-refresh"]
    assert "flows/backfill.py not found" in capsys.readouterr().err


@pytest.mark.skipif(importlib.util.find_spec("flows.backfill") is None,
                    reason="flows/backfill.py does not exist yet")
def test_backfill_deployment_runs_on_demand_into_the_same_folder(tmp_path):
    refresh, backfill = deployments_from(build_parser().parse_args(["--out", str(tmp_path)]))
    assert backfill.flow_name == "cluster-etl-backfill" and backfill.name == "backfill"
    assert backfill.schedules == []
    assert backfill.parameters == {"out_dir": refresh.parameters["out_dir"]}
    assert backfill.entrypoint == "flows.backfill.backfill"


def test_serving_without_a_prefect_server_is_refused(tmp_path, capsys):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(restore_defaults={PREFECT_API_URL}), pytest.raises(SystemExit) as exit_:
        main(["--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert "PREFECT_API_URL" in capsys.readouterr().err
