"""The list methods read their rows in a fixed number of queries, whatever their length."""

import pytest

from tests.factories import CheckFactory, PatchCommentFactory, PatchFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "params", "queries"),
    [
        ("patch_list", ({},), 1),
        ("check_list", ({},), 1),
        ("person_list", ("", 0), 1),
        ("project_list", ("", 0), 1),
        ("state_list", ("", 0), 1),
    ],
)
def test_list_query_count(rpc, django_assert_num_queries, method, params, queries):
    for _ in range(3):
        patch = PatchFactory(delegate=None)
        CheckFactory(patch=patch)
        PersonFactory()

    with django_assert_num_queries(queries):
        assert len(rpc(method, *params)) >= 3


def test_patch_get_mbox_query_count(rpc, django_assert_num_queries):
    patch = PatchFactory()
    for _ in range(3):
        PatchCommentFactory(patch=patch)

    with django_assert_num_queries(2):
        assert rpc("patch_get_mbox", patch.id).startswith("From ")
