"""URL templates build exactly the URL a full reverse() builds, for any value."""

from urllib.parse import quote

import pytest
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from downloads import links
from patchwork_api.api.urltemplates import SAFE_PATH_CHARACTERS, build_template
from patchwork_api.fastread.engine import url_segment

ODD_MSGIDS = [
    "<plain@example.org>",
    "<with space and %percent@example.org>",
    "<slash/inside/id@example.org>",
    "<unicode-é-ü@example.org>",
    "<plus+and&amp;=?#hash@example.org>",
    "<quote'\"<x>@example.org>",
]


@pytest.mark.parametrize("msgid", ODD_MSGIDS)
def test_link_template_equals_full_reverse(msgid):
    request = RequestFactory().get("/api/patches/")
    expected = request.build_absolute_uri(
        reverse("patch-mbox", kwargs={"linkname": "proj", "msgid": links.strip_brackets(msgid)})
    )
    # twice: the second call fills the template cached on the request
    assert links.patch_mbox_url(request, "proj", msgid) == expected
    assert links.patch_mbox_url(request, "proj", msgid) == expected


def test_template_fills_several_values_in_order():
    template = build_template(
        lambda url_kwargs: reverse("api-check-detail", kwargs=url_kwargs),
        ["patch_id", "check_id"],
    )
    assert template.fill([12, 345]) == reverse(
        "api-check-detail", kwargs={"patch_id": 12, "check_id": 345}
    )


def test_without_request_links_are_paths():
    assert links.series_mbox_url(None, 7) == "/series/7/mbox/"


@given(st.text())
def test_the_compiled_path_quotes_a_segment_as_urllib(text):
    """``url_segment`` returns text that needs no quoting as it is, and quotes the rest as
    the URL templates do."""
    assert url_segment(text) == quote(text, safe=SAFE_PATH_CHARACTERS)
