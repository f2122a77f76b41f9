"""The series list and detail: fields per version (dependencies from 1.4), embedded cover
letter and patches, filters (with the ``updated_since`` extension), ordering, query
counts and the browsable API."""

import datetime

import pytest
from django.urls import reverse

from patches.models import Patch
from series.models import Series
from tests.api.schema import validate_response
from tests.factories import (
    BASE_DATE,
    CoverFactory,
    PatchFactory,
    PersonFactory,
    ProjectFactory,
    SeriesFactory,
)

pytestmark = pytest.mark.django_db

VERSIONS = ["1.0", "1.1", "1.2", "1.3", "1.4", None]
REPEATABLE_VERSIONS = ["1.1", "1.2", "1.3", "1.4", None]


def api_url(name: str, version: str | None = None, **kwargs) -> str:
    if version:
        kwargs["version"] = version
    return reverse(name, kwargs=kwargs)


def get_json(client, url: str, params: dict | None = None):
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    validate_response(response)
    return response


def listed_ids(client, params: dict, version: str | None = None) -> list[int]:
    response = get_json(client, api_url("api-series-list", version), params)
    return [series["id"] for series in response.json()]


@pytest.fixture
def project():
    """A project that shows series dependencies (API 1.4)."""
    return ProjectFactory(linkname="netdev", show_dependencies=True)


def make_series(project=None, *, patches: int = 2, **kwargs) -> Series:
    """A series with a cover letter and ``patches`` patches (numbered 1..n)."""
    project = project or ProjectFactory()
    series = SeriesFactory(
        project=project,
        cover_letter=CoverFactory(project=project),
        total=patches,
        received_total=patches,
        **kwargs,
    )
    for number in range(1, patches + 1):
        PatchFactory(project=project, series=series, number=number)
    return series


@pytest.mark.parametrize("version", VERSIONS)
def test_list_empty(api_client, version):
    assert get_json(api_client, api_url("api-series-list", version)).json() == []


@pytest.mark.parametrize(
    ("version", "present", "absent"),
    [
        ("1.0", set(), {"web_url", "dependencies", "dependents"}),
        ("1.1", {"web_url"}, {"dependencies", "dependents"}),
        ("1.2", {"web_url"}, {"dependencies", "dependents"}),
        ("1.3", {"web_url"}, {"dependencies", "dependents"}),
        ("1.4", {"web_url", "dependencies", "dependents"}, set()),
        (None, {"web_url", "dependencies", "dependents"}, set()),
    ],
)
def test_fields_per_version(api_client, project, version, present, absent):
    series = make_series(project, version=3)
    for url in (
        api_url("api-series-list", version),
        api_url("api-series-detail", version, pk=series.pk),
    ):
        shown = get_json(api_client, url).json()
        shown = shown[0] if isinstance(shown, list) else shown
        assert shown["id"] == series.pk
        assert shown["version"] == 3
        assert shown["project"]["link_name"] == "netdev"
        assert present <= shown.keys()
        assert not absent & shown.keys()


def test_detail_shape(api_client, project):
    series = make_series(project, patches=2, name="[PATCH 0/2] netdev things")
    shown = get_json(api_client, api_url("api-series-detail", pk=series.pk)).json()
    assert shown["url"] == f"http://testserver/api/series/{series.pk}/"
    assert shown["web_url"] == f"http://testserver/project/netdev/list/?series={series.pk}"
    assert shown["mbox"] == f"http://testserver/series/{series.pk}/mbox/"
    assert shown["name"] == "[PATCH 0/2] netdev things"
    assert shown["submitter"]["id"] == series.submitter_id
    assert shown["total"] == 2
    assert shown["received_total"] == 2
    assert shown["received_all"] is True
    assert shown["cover_letter"]["id"] == series.cover_letter_id
    assert shown["cover_letter"]["mbox"].endswith("/mbox/")
    assert shown["dependencies"] == []
    assert shown["dependents"] == []


def test_incomplete_series(api_client, project):
    series = make_series(project, patches=1)
    Series.objects.filter(pk=series.pk).update(total=3)
    shown = get_json(api_client, api_url("api-series-detail", pk=series.pk)).json()
    assert shown["total"] == 3
    assert shown["received_total"] == 1
    assert shown["received_all"] is False


def test_without_cover_letter(api_client, project):
    """A series without a cover letter shows ``cover_letter: null`` as Patchwork does
    (not validated: the spec forgot to make that field nullable)."""
    series = SeriesFactory(project=project, name=None)
    response = api_client.get(api_url("api-series-detail", pk=series.pk))
    assert response.status_code == 200
    assert response.json()["cover_letter"] is None
    assert response.json()["name"] is None
    assert response.json()["patches"] == []


def test_patches_in_number_order(api_client, project):
    series = SeriesFactory(project=project, cover_letter=CoverFactory(project=project))
    third = PatchFactory(project=project, series=series, number=3)
    first = PatchFactory(project=project, series=series, number=1)
    second = PatchFactory(project=project, series=series, number=2)
    shown = get_json(api_client, api_url("api-series-detail", pk=series.pk)).json()
    assert [patch["id"] for patch in shown["patches"]] == [first.pk, second.pk, third.pk]
    assert shown["patches"][0]["url"] == f"http://testserver/api/patches/{first.pk}/"
    assert shown["patches"][0]["mbox"].startswith("http://testserver/project/netdev/patch/")


@pytest.mark.parametrize("version", ["1.4", None])
def test_dependencies(api_client, project, version):
    base = make_series(project)
    middle = make_series(project)
    top = make_series(project)
    middle.dependencies.add(base)
    top.dependencies.add(middle, base)
    prefix = f"http://testserver/api/{version}/" if version else "http://testserver/api/"
    shown = get_json(api_client, api_url("api-series-detail", version, pk=middle.pk)).json()
    assert shown["dependencies"] == [f"{prefix}series/{base.pk}/"]
    assert shown["dependents"] == [f"{prefix}series/{top.pk}/"]
    listed = {
        series["id"]: series
        for series in get_json(api_client, api_url("api-series-list", version)).json()
    }
    assert listed[top.pk]["dependencies"] == [
        f"{prefix}series/{base.pk}/",
        f"{prefix}series/{middle.pk}/",
    ]
    assert listed[base.pk]["dependents"] == [
        f"{prefix}series/{middle.pk}/",
        f"{prefix}series/{top.pk}/",
    ]


@pytest.mark.parametrize("path", ["/api/series/999999/", "/api/1.4/series/99999999999999999999"])
def test_detail_unknown(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 404
    assert "detail" in response.json()


def test_detail_without_slash(api_client, project):
    series = make_series(project)
    response = api_client.get(f"/api/1.2/series/{series.pk}")
    assert response.status_code == 200


def test_writes_not_allowed(api_client, project):
    """Patchwork's series are read-only; the unversioned /api/ adds PATCH of the series'
    patches (tests/api/test_triage.py), not of the series itself."""
    series = make_series(project)
    for version in ("1.0", "1.4"):
        response = api_client.patch(
            api_url("api-series-detail", version, pk=series.pk), {"name": "new"}
        )
        assert response.status_code == 405
    response = api_client.put(api_url("api-series-detail", pk=series.pk), {"name": "new"})
    assert response.status_code == 405
    response = api_client.post(api_url("api-series-list"), {"name": "new"})
    assert response.status_code == 405


@pytest.mark.parametrize("version", VERSIONS)
def test_filter_project(api_client, project, version):
    mine = make_series(project)
    make_series()
    assert listed_ids(api_client, {"project": "netdev"}, version) == [mine.pk]
    assert listed_ids(api_client, {"project": project.pk}, version) == [mine.pk]
    assert listed_ids(api_client, {"project": "unknown"}, version) == []


@pytest.mark.parametrize("version", REPEATABLE_VERSIONS)
def test_filter_repeated_submitters(api_client, version):
    first, second, _ = make_series(), make_series(), make_series()
    params = {"submitter": [first.submitter.email, str(second.submitter_id)]}
    assert listed_ids(api_client, params, version) == [first.pk, second.pk]


def test_filter_submitter(api_client, project):
    person = PersonFactory(email="Maint@Kernel.org")
    mine = make_series(project, submitter=person)
    make_series(project)
    assert listed_ids(api_client, {"submitter": "maint@kernel.org"}) == [mine.pk]
    assert listed_ids(api_client, {"submitter": person.pk}) == [mine.pk]
    assert listed_ids(api_client, {"submitter": "nobody@kernel.org"}) == []


def test_filter_search(api_client, project):
    wanted = make_series(project, name="[PATCH v2 0/3] bpf: verifier fixes")
    make_series(project, name="[PATCH 0/2] net: other")
    assert listed_ids(api_client, {"q": "verifier"}) == [wanted.pk]
    assert listed_ids(api_client, {"q": "BPF Fixes"}) == [wanted.pk]


def test_filter_dates(api_client, project):
    old = make_series(project, date=BASE_DATE)
    new = make_series(project, date=BASE_DATE + datetime.timedelta(days=1))
    assert listed_ids(api_client, {"since": "2024-01-02T12:00:00"}) == [new.pk]
    assert listed_ids(api_client, {"before": "2024-01-02T12:00:00"}) == [old.pk]
    assert listed_ids(api_client, {"since": "not a date"}) == []


def test_unknown_parameters_are_ignored(api_client, project):
    """pw-ci sends ``state`` to /series/: it is ignored."""
    series = make_series(project)
    assert listed_ids(api_client, {"state": "new"}) == [series.pk]


def test_filter_updated_since(api_client, project):
    """``updated_since`` (an extension) lists series changed since a date: the series
    itself (new patches, cover letter, comments) or one of its patches (state,
    delegate, comments, checks)."""
    untouched = make_series(project)
    series_touched = make_series(project)
    patch_touched = make_series(project)
    Series.objects.update(updated=BASE_DATE)
    Patch.objects.update(updated=BASE_DATE)
    later = BASE_DATE + datetime.timedelta(hours=5)
    Series.objects.filter(pk=series_touched.pk).update(updated=later)
    Patch.objects.filter(series=patch_touched, number=2).update(updated=later)
    changed = [series_touched.pk, patch_touched.pk]
    assert listed_ids(api_client, {"updated_since": "2024-01-01T14:00:00"}) == changed
    assert listed_ids(api_client, {"updated_since": "2024-01-01 17:00:00"}) == changed
    assert listed_ids(api_client, {"updated_since": "2024-01-01T17:00:01"}) == []
    assert untouched.pk in listed_ids(api_client, {"updated_since": "2024-01-01"})
    assert listed_ids(api_client, {"updated_since": "garbage"}) == []


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2", "1.3", "1.4"])
def test_filter_updated_since_only_unversioned(api_client, project, version):
    """Versioned URLs behave as Patchwork's: the extension is an unknown parameter there."""
    series = make_series(project)
    Series.objects.update(updated=BASE_DATE)
    Patch.objects.update(updated=BASE_DATE)
    params = {"updated_since": "2030-01-01"}
    assert listed_ids(api_client, params, version) == [series.pk]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("id", ["x", "b", "c"]),
        ("-id", ["c", "b", "x"]),
        ("name", ["b", "c", "x"]),
        ("-name", ["x", "c", "b"]),
        ("date", ["b", "c", "x"]),
        ("nonsense", ["x", "b", "c"]),
    ],
)
def test_ordering(api_client, project, order, expected):
    names = {}
    for name, days in (("x", 9), ("b", 1), ("c", 2)):
        series = make_series(project, name=name, date=BASE_DATE + datetime.timedelta(days=days))
        names[series.pk] = name
    assert [names[pk] for pk in listed_ids(api_client, {"order": order})] == expected


def test_pagination(api_client, project):
    series = [make_series(project, patches=1) for _ in range(3)]
    response = get_json(api_client, api_url("api-series-list"), {"per_page": 2})
    assert [shown["id"] for shown in response.json()] == [series[0].pk, series[1].pk]
    assert response["X-Total-Count"] == "3"
    assert response["Link"] == (
        '<http://testserver/api/series/?page=2&per_page=2>; rel="next", '
        '<http://testserver/api/series/?page=1&per_page=2>; rel="first", '
        '<http://testserver/api/series/?page=2&per_page=2>; rel="last"'
    )


@pytest.mark.parametrize(("version", "queries"), [("1.3", 3), ("1.4", 5)])
@pytest.mark.parametrize("count", [3, 100])
def test_list_query_count_is_constant(
    api_client, django_assert_num_queries, project, version, queries, count
):
    """The page's keys (every row on one page: they are the count too), its columns by
    key, patches and (1.4) dependencies and dependents: constant."""
    previous = None
    for _ in range(count):
        series = make_series(project, patches=2)
        if previous is not None:
            series.dependencies.add(previous)
        previous = series
    with django_assert_num_queries(queries):
        response = api_client.get(api_url("api-series-list", version), {"per_page": 250})
    assert len(response.json()) == count


def test_detail_query_count(api_client, django_assert_num_queries, project):
    series = make_series(project, patches=5)
    with django_assert_num_queries(4):
        api_client.get(api_url("api-series-detail", pk=series.pk))


@pytest.mark.parametrize("version", VERSIONS)
def test_browsable_api(api_client, project, version):
    series = make_series(project, name="browsable series")
    for url in (
        api_url("api-series-list", version),
        api_url("api-series-detail", version, pk=series.pk),
    ):
        response = api_client.get(url, {"format": "api"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "browsable series" in response.content.decode()


ODD_VALUES = ["\x00", "a\x00b", "99999999999999999999", "-1", "١٢", "%", "'", "<>", " "]


@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_filter_values_never_fail(api_client, project, value):
    """Odd values (NUL characters, huge or non-ASCII numbers, quotes) filter, or match
    nothing: never a server error."""
    make_series(project)
    for parameter in ("project", "submitter", "q", "since", "before", "updated_since", "order"):
        response = api_client.get(api_url("api-series-list"), {parameter: value})
        assert response.status_code == 200, (parameter, response.content)
        validate_response(response)


@pytest.mark.parametrize("version", ["1.4", None])
def test_dependencies_only_where_the_project_shows_them(api_client, project, version):
    """As Patchwork: ``dependencies``/``dependents`` are present only when the series'
    project has ``show_dependencies`` on, decided for each series of a list."""
    hidden_project = ProjectFactory(show_dependencies=False)
    shown_first = make_series(project)
    hidden = make_series(hidden_project)
    shown_last = make_series(project)
    listed = {
        series["id"]: series
        for series in get_json(api_client, api_url("api-series-list", version)).json()
    }
    assert listed[shown_first.pk]["dependencies"] == []
    assert "dependencies" not in listed[hidden.pk]
    assert "dependents" not in listed[hidden.pk]
    assert listed[shown_last.pk]["dependents"] == []
    detail = get_json(api_client, api_url("api-series-detail", version, pk=hidden.pk)).json()
    assert "dependencies" not in detail
    assert "dependents" not in detail


def test_embedded_series_keys_in_patchworks_order(api_client, project):
    """As Patchwork: an embedded series' keys are id, url, web_url, date, name, version,
    mbox (byte-for-byte clients compare them)."""
    series = make_series(project, patches=1)
    response = api_client.get(api_url("api-patch-list"))
    (patch,) = [item for item in response.json() if item["series"]]
    assert list(patch["series"][0]) == [
        "id",
        "url",
        "web_url",
        "date",
        "name",
        "version",
        "mbox",
    ]
    assert patch["series"][0]["id"] == series.pk
