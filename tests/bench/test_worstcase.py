"""bench/worstcase.py: which requests it times and against which budgets."""

from bench.worstcase import BUDGETS, Probe, probes, write_report
from patchwork_api import limits

FACTS = {
    "project_id": 1,
    "linkname": "alpha",
    "patch_linkname": "beta",
    "series_linkname": "gamma",
    "patches": 40_000,
    "series_id": 7,
    "patch_id": 12,
    "msgid": "a@b",
    "series_patch_msgid": "c@d",
    "events": 500_000,
    "bundle_owner": "owner",
    "bundle_id": 3,
}


def test_every_public_list_and_download_is_probed_with_a_budget():
    """Each anonymous list of the API index, the downloads, the web pages and XML-RPC
    have a probe, and each probe's kind has a budget."""
    chosen = probes(FACTS)
    endpoints = {probe.endpoint for probe in chosen}
    for name in ("patches", "covers", "series", "events", "projects", "bundles"):
        assert name in endpoints
    for name in ("series mbox", "bundle mbox", "patch mbox", "list page", "xmlrpc patch_list"):
        assert name in endpoints
    assert all(probe.kind in BUDGETS for probe in chosen)


def test_probes_reach_the_deepest_pages():
    paths = [probe.path for probe in probes(FACTS)]
    assert "/api/1.3/patches/?per_page=250&page=160" in paths  # 40,000 / 250
    deepest = limits.MAX_UNCOUNTED_OFFSET // 30
    assert any(path.startswith(f"/api/1.3/events/?page={deepest}") for path in paths)


def test_report_marks_results_over_budget(tmp_path):
    results = [
        {
            "endpoint": "patches",
            "request": "/x",
            "why": "w",
            "status": 200,
            "bytes": 10,
            "worst_s": 0.2,
            "budget_s": 1.0,
            "within_budget": True,
        },
        {
            "endpoint": "events",
            "request": "/y",
            "why": "w",
            "status": 200,
            "bytes": 10,
            "worst_s": 2.0,
            "budget_s": 1.0,
            "within_budget": False,
        },
    ]
    path = write_report(results, {"counts": {}, "load_average": [0, 0, 0]}, tmp_path)
    text = path.read_text()
    assert "| met |" in text
    assert "**OVER**" in text
    assert (tmp_path / "worstcase.json").exists()
    assert isinstance(Probe("a", "list", "/", "w"), Probe)
