"""Storing a cover letter and attaching it to its series."""

from covers.models import Cover
from events.models import Event
from ingest import rows
from ingest.series import add_cover_letter, place_cover
from ingest.store.dependencies import add_dependencies
from ingest.store.incoming import Incoming
from triage.supersede import supersede_previous


def is_cover_letter(incoming: Incoming) -> bool:
    """Patchwork's rule: a "0/N" mail that is no reply is a cover letter, unless it was
    sent In-Reply-To something and a cover letter of the same name exists (in any
    project): then it is taken for a reply to that thread."""
    info = incoming.parsed.subject_info
    if info.is_reply or info.series_number != 0:
        return False
    if not incoming.references:
        return True
    return not Cover.objects.filter(name=incoming.name).exists()


def store_cover(incoming: Incoming) -> Cover:
    parsed = incoming.parsed
    submitter = incoming.submitter()
    series_mail = incoming.series_mail(submitter)
    series, _ = place_cover(series_mail, incoming.knowledge, incoming.events)
    cover = rows.insert_new(Cover, incoming.submission_fields(submitter))
    incoming.events.add(Event.Category.COVER_CREATED, cover_id=cover.id)
    add_cover_letter(series, cover, series_mail, incoming.knowledge)
    add_dependencies(series, parsed.depends_on)
    if incoming.project.auto_supersede:
        supersede_previous(series)
    return cover
