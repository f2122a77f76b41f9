"""Changes to cover letters made through the API."""

from django.db import transaction
from django.utils import timezone

from covers.models import CoverComment
from series.models import Series


def can_update_cover_comment(user, comment: CoverComment) -> bool:
    """Patchwork's rule: the comment's author, the cover letter's author, a maintainer
    of the project (or a superuser) may mark a comment addressed."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if user.pk in (comment.submitter.user_id, comment.cover.submitter.user_id):
        return True
    return comment.cover.project.is_maintainer(user)


@transaction.atomic
def update_cover_comment(comment: CoverComment, *, addressed: bool | None) -> CoverComment:
    """Set whether a comment has been addressed.

    Patchwork records no event for this. The cover letter's series counts as updated
    (the ``updated_since`` filter of the series list).
    """
    comment.addressed = addressed
    comment.save(update_fields=["addressed"])
    Series.objects.filter(cover_letter_id=comment.cover_id).update(updated=timezone.now())
    return comment
