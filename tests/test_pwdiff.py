"""tools/pwdiff's pure logic: ids mapped through natural keys, then answers compared.

Two servers that hold the same data but number their rows differently must compare
identical; a real difference (a field, a status, a header) must be reported at its path.
"""

import importlib.machinery
import importlib.util
import json
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parent.parent / "tools" / "pwdiff"


@pytest.fixture(scope="module")
def pwdiff():
    loader = importlib.machinery.SourceFileLoader("pwdiff", str(TOOL))
    spec = importlib.util.spec_from_loader("pwdiff", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["pwdiff"] = module  # dataclasses look their module up
    loader.exec_module(module)
    yield module
    del sys.modules["pwdiff"]


def catalogues(pwdiff):
    a, b = pwdiff.Catalogue(), pwdiff.Catalogue()
    a.add("patch", 364, "<p364@x>")
    b.add("patch", 12, "<p364@x>")
    a.add("patch", 11, "<p11@x>")
    b.add("patch", 13, "<p11@x>")
    a.add("project", 1, "dev")
    b.add("project", 7, "dev")
    a.add("person", 16, "s@x")
    b.add("person", 3, "s@x")
    a.add("pcomment", 232, "<c232@x>")
    b.add("pcomment", 9, "<c232@x>")
    a.add("check", 1, "<p364@x> check#1")
    b.add("check", 5, "<p364@x> check#1")
    return a, b


def patch(base, pid, project, related, comment=None):
    return {
        "id": pid,
        "url": f"{base}/api/1.3/patches/{pid}/",
        "project": {"id": project, "url": f"{base}/api/1.3/projects/{project}/"},
        "comments": f"{base}/api/patches/{pid}/comments/",
        "related": [{"id": r, "url": f"{base}/api/1.3/patches/{r}/"} for r in related],
        "name": "rest: pass request to hooks",
    }


def capture(pwdiff, path, status, body, ctype="application/json", **headers):
    return pwdiff.Capture(
        "1:anon",
        "patches detail",
        "patch",
        "GET",
        path,
        "anon",
        status,
        {"Content-Type": ctype, **headers},
        body if isinstance(body, str) else json.dumps(body),
    )


def contexts(pwdiff):
    a, b = catalogues(pwdiff)
    return (
        pwdiff.Context("http://ref:1", a, "patch"),
        pwdiff.Context("http://ours:2", b, "patch"),
    )


def test_same_objects_under_other_ids_compare_identical(pwdiff):
    ref_ctx, ours_ctx = contexts(pwdiff)
    ref = capture(pwdiff, "/api/1.3/patches/364/", 200, patch("http://ref:1", 364, 1, [11]))
    ours = capture(pwdiff, "/api/1.3/patches/12/", 200, patch("http://ours:2", 12, 7, [13]))
    assert pwdiff.compare(ref, ours, ref_ctx, ours_ctx) == []


def test_a_differing_field_is_reported_at_its_path(pwdiff):
    ref_ctx, ours_ctx = contexts(pwdiff)
    body = patch("http://ours:2", 12, 7, [13])
    body["comments"] = "http://ours:2/api/1.3/patches/12/comments/"
    ref = capture(pwdiff, "/p", 200, patch("http://ref:1", 364, 1, [11]))
    ours = capture(pwdiff, "/p", 200, body)
    diffs = pwdiff.compare(ref, ours, ref_ctx, ours_ctx)
    assert [d[0] for d in diffs] == ["body comments"]
    assert diffs[0][1] == "{base}/api/patches/<<p364@x>>/comments/"
    assert diffs[0][2] == "{base}/api/1.3/patches/<<p364@x>>/comments/"


def test_a_related_patch_that_maps_to_another_key_differs(pwdiff):
    ref_ctx, ours_ctx = contexts(pwdiff)
    ref = capture(pwdiff, "/p", 200, patch("http://ref:1", 364, 1, [11]))
    ours = capture(pwdiff, "/p", 200, patch("http://ours:2", 12, 7, [12]))
    paths = {d[0] for d in pwdiff.compare(ref, ours, ref_ctx, ours_ctx)}
    assert paths == {"body related[].id", "body related[].url"}


def test_status_headers_and_list_lengths_are_compared(pwdiff):
    ref_ctx, ours_ctx = contexts(pwdiff)
    link_ref = '<http://ref:1/api/1.3/patches/?page=1>; rel="first"'
    ref = capture(pwdiff, "/l", 200, [1, 2], Link=link_ref, Allow="GET")
    ours = capture(pwdiff, "/l", 404, [1], ctype="text/html; charset=utf-8", Allow="GET")
    paths = [d[0] for d in pwdiff.compare(ref, ours, ref_ctx, ours_ctx)]
    assert paths == ["status", "header Content-Type", "header Link", "body"]
    same = capture(pwdiff, "/l", 200, [1, 2], Link=link_ref.replace("ref:1", "ours:2"))
    ref_same = capture(pwdiff, "/l", 200, [1, 2], Link=link_ref)
    assert pwdiff.compare(ref_same, same, ref_ctx, ours_ctx) == []


def test_json_diff_reports_absent_keys_and_key_order(pwdiff):
    assert pwdiff.json_diff({"a": 1}, {"a": 1, "b": None}) == [("b", "<absent>", None)]
    assert pwdiff.json_diff({"a": 1, "b": 2}, {"b": 2, "a": 1}) == [
        (".<key order>", ["a", "b"], ["b", "a"])
    ]
    assert pwdiff.json_diff([1, 2], [1, 2, 3]) == [("[].<length>", 2, 3)]
    assert pwdiff.json_diff(1, True) == [("<body>", 1, True)]


def test_event_and_check_dates_are_masked_but_mail_dates_are_not(pwdiff):
    ref_ctx, _ = contexts(pwdiff)
    event = {
        "id": 1,
        "category": "check-created",
        "date": "2026-12-06T09:32:49",
        "payload": {
            "patch": {"id": 364, "url": "http://ref:1/api/1.3/patches/364/", "date": "2018"},
            "check": {"id": 1, "date": "2026-12-06T09:32:48"},
        },
    }
    ctx = pwdiff.Context(ref_ctx.base, ref_ctx.catalogue, "event")
    out = pwdiff.normalize(event, ctx)
    assert out["date"] == pwdiff.MASK
    assert out["payload"]["check"] == {"id": "<<p364@x> check#1>", "date": pwdiff.MASK}
    assert out["payload"]["patch"]["date"] == "2018"


def test_placeholders_resolve_to_each_servers_id(pwdiff):
    a, b = catalogues(pwdiff)
    path = "/api/1.3/patches/{patch=<p364@x>}/?project={project=dev}"
    assert pwdiff.resolve(path, a) == "/api/1.3/patches/364/?project=1"
    assert pwdiff.resolve(path, b) == "/api/1.3/patches/12/?project=7"
    assert pwdiff.resolve("/api/1.3/patches/{patch=<none@x>}/", b) == "/api/1.3/patches/999999/"


def test_locations_and_mbox_ids_are_mapped(pwdiff):
    ref_ctx, ours_ctx = contexts(pwdiff)
    a = pwdiff.normalize_header("Location", "/project/dev/patch/p364@x/#232", ref_ctx)
    b = pwdiff.normalize_header("Location", "/project/dev/patch/p364@x/#9", ours_ctx)
    assert a == b == "/project/dev/patch/p364@x/#<<c232@x>>"
    mbox_ref = "X-Patchwork-Id: 364\nSubject: x\n"
    mbox_ours = "X-Patchwork-Id: 12\nSubject: x\n"
    assert pwdiff.normalize_text(mbox_ref, ref_ctx) == pwdiff.normalize_text(mbox_ours, ours_ctx)


def test_series_and_events_get_natural_keys(pwdiff):
    series = {
        "cover_letter": None,
        "patches": [{"id": 9, "msgid": "<b>"}, {"id": 3, "msgid": "<a>"}],
    }
    assert pwdiff.series_key(series) == "patch <a>"
    assert pwdiff.series_key({"cover_letter": {"msgid": "<c>"}, "patches": []}) == "cover <c>"
    cat, _ = catalogues(pwdiff)
    events = [
        {"id": 7, "category": "patch-state-changed", "payload": {"patch": {"id": 364}}},
        {"id": 5, "category": "patch-state-changed", "payload": {"patch": {"id": 364}}},
    ]
    assert list(pwdiff.event_keys(events, cat)) == [
        (5, "patch-state-changed patch=<p364@x> #1"),
        (7, "patch-state-changed patch=<p364@x> #2"),
    ]


def test_a_comment_url_is_read_as_the_kind_of_comment_it_is_found_in(pwdiff):
    a, _ = catalogues(pwdiff)
    a.add("ccomment", 232, "<cover-comment@x>")
    ctx = pwdiff.Context("http://ref:1", a, "ccomment")
    comment = {"id": 232, "web_url": "http://ref:1/comment/232/"}
    assert pwdiff.normalize(comment, ctx)["web_url"] == "{base}/comment/<<cover-comment@x>>/"
    ctx = pwdiff.Context("http://ref:1", a, "pcomment")
    assert pwdiff.normalize(comment, ctx)["web_url"] == "{base}/comment/<<c232@x>>/"


def test_html_404_pages_compare_by_status_and_type_not_by_template(pwdiff):
    ref_ctx, ours_ctx = contexts(pwdiff)
    html = "text/html; charset=utf-8"
    ref = capture(pwdiff, "/x", 404, "<!DOCTYPE html><title>404</title>", ctype=html)
    ours = capture(pwdiff, "/x", 404, "<!doctype html><h1>Not Found</h1>", ctype=html)
    assert pwdiff.compare(ref, ours, ref_ctx, ours_ctx) == []
    empty = capture(pwdiff, "/x", 404, "", ctype=html)
    assert [d[0] for d in pwdiff.compare(ref, empty, ref_ctx, ours_ctx)] == ["body"]
    json_404 = capture(pwdiff, "/x", 404, {"detail": "Not found."})
    assert "header Content-Type" in [
        d[0] for d in pwdiff.compare(ref, json_404, ref_ctx, ours_ctx)
    ]
