"""A comment's ``subject`` is its Subject header as Patchwork reads it from the
stored headers: folding (line break and indentation) kept, as Patchwork's API shows it."""

import pytest

from tests.api.conftest import api_path, get_valid
from tests.factories import CoverCommentFactory, PatchCommentFactory

pytestmark = pytest.mark.django_db

FOLDED_HEADERS = (
    "Message-Id: <reply@example.org>\n"
    "Subject: Re: [PATCH git-pw 1/9] Use 'series' parameter instead of\n"
    " 'include_deps'\n"
)
FOLDED_SUBJECT = "Re: [PATCH git-pw 1/9] Use 'series' parameter instead of\n 'include_deps'"


def test_patch_comment_subject_keeps_the_folding(api_client):
    comment = PatchCommentFactory(headers=FOLDED_HEADERS)
    path = api_path("api-patch-comment-list", "1.3", patch_id=comment.patch_id)
    [item] = get_valid(api_client, path).json()
    assert item["subject"] == FOLDED_SUBJECT


def test_cover_comment_subject_keeps_the_folding(api_client):
    comment = CoverCommentFactory(headers=FOLDED_HEADERS)
    path = api_path("api-cover-comment-list", "1.3", cover_id=comment.cover_id)
    [item] = get_valid(api_client, path).json()
    assert item["subject"] == FOLDED_SUBJECT


def test_a_comment_without_subject_has_an_empty_one(api_client):
    comment = PatchCommentFactory(headers="Message-Id: <reply@example.org>\n")
    path = api_path("api-patch-comment-list", "1.3", patch_id=comment.patch_id)
    [item] = get_valid(api_client, path).json()
    assert item["subject"] == ""
