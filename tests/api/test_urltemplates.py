"""URL templates build exactly the URL a full reverse() builds, for any value."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from downloads import links
from patchwork_api.api.urltemplates import build_template

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
