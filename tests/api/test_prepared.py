"""Queries compiled once and run again with other values (patchwork_api.fastread.prepared)
answer as the ORM queries they were compiled from."""

import pytest

from patches.models import Patch
from patchwork_api.fastread.prepared import PreparedLookup, PreparedQuery
from projects.models import Project
from tests.factories import PatchFactory, ProjectFactory

pytestmark = pytest.mark.django_db

by_linkname = PreparedLookup(
    lambda linkname: Project.objects.filter(linkname__iexact=linkname).values_list("pk"),
    arity=1,
)
by_msgid = PreparedQuery(
    lambda msgids, linkname: Patch.objects.filter(
        project__linkname=linkname, msgid__in=msgids
    ).values_list("pk", "msgid"),
    arity=1,
    text=True,
)


def test_a_lookup_finds_what_the_orm_finds():
    wanted = ProjectFactory(linkname="net-next")
    ProjectFactory(linkname="net")

    assert by_linkname("NET-next") == [(wanted.pk,)]
    assert by_linkname("nope") == []


def test_like_characters_in_a_value_match_only_themselves():
    """On SQLite ``iexact`` is a LIKE whose value the ORM escapes: such a query is seen
    not to hold its argument as it is, and is left to the ORM."""
    wanted = ProjectFactory(linkname="a_b")
    ProjectFactory(linkname="axb")
    ProjectFactory(linkname="a%b%")

    assert by_linkname("a_b") == [(wanted.pk,)]
    assert by_linkname("a%") == []


def test_text_ids_and_an_argument():
    patch = PatchFactory(msgid="<one@example.org>")
    PatchFactory(msgid="<two@example.org>")
    other = ProjectFactory()

    rows = by_msgid(["<one@example.org>", "one@example.org"], patch.project.linkname)

    assert rows == [(patch.pk, "<one@example.org>")]
    assert by_msgid(["<one@example.org>"], other.linkname) == []
    assert by_msgid([], patch.project.linkname) == []
