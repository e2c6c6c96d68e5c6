from cluster_etl.crawl import IncompleteRun
from cluster_etl.fetch import FetchError
from cluster_etl.fetch.client import RobotsDisallowed
from cluster_etl.run import _check_lines
from cluster_etl.schema import Check
from flows.refresh import _transient


class _State:
    def __init__(self, data):
        self.data = data


def test_fetch_tasks_retry_only_when_the_site_was_down():
    down = IncompleteRun([FetchError("http://p/a", "HTTP 503", 503)])
    timeout = IncompleteRun([FetchError("http://p/a", "ReadTimeout")])
    missing = IncompleteRun([FetchError("http://p/a", "HTTP 404", 404)])
    refused = IncompleteRun([RobotsDisallowed("http://p/a", "disallowed by robots.txt")])
    assert _transient(None, None, _State(down)) and _transient(None, None, _State(timeout))
    assert not _transient(None, None, _State(missing))
    assert not _transient(None, None, _State(refused))
    assert not _transient(None, None, _State(ValueError("layout")))


def test_summary_folds_check_families_and_shows_the_worst():
    checks = [Check("schema:a", "pass"), Check("schema:b", "pass"),
              Check("enterprise_number_invalid", "warn", detail="page 1"),
              Check("enterprise_number_invalid", "warn", detail="page 2"),
              Check("company_share", "fail", 75, 80, "80% observed")]
    lines = _check_lines(checks)
    assert lines == [
        "  pass  schema x2 (2 pass)",
        "  warn  enterprise_number_invalid x2 (2 warn); first: enterprise_number_invalid: page 1",
        "  fail  company_share: 80% observed",
    ]
