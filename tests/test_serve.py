from pathlib import Path

from flows.serve import build_deployment


def test_weekly_deployment_carries_schedule_and_parameters(tmp_path):
    deployment = build_deployment("https://clusters.wallonie.be", tmp_path, cron="0 5 * * 1")
    assert deployment.parameters == {"portal_url": "https://clusters.wallonie.be", "out_dir": str(tmp_path)}
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "0 5 * * 1"
    assert schedule.schedule.timezone == "Europe/Brussels"
    assert deployment.flow_name == "cluster-etl-refresh"
