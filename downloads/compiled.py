"""The patches of the plain mbox downloads, read by SQL compiled once.

A patch mbox (``/project/<linkname>/patch/<msgid>/mbox/``) and a series mbox read the same
columns on every request: the patch, its project's list address, its submitter, its
delegate's address and its replies' texts. Building and compiling those ORM queries (a
select_related and a prefetch) cost several times running them, so they are compiled
once (``PreparedQuery``, prepared on PostgreSQL) and the rows made into the models
``mbox`` renders (``Model.from_db``, the ORM's own constructor for rows). A field left
out here would still be read from the database when ``mbox`` asks for it (Django loads a
deferred field on access), never served wrong.
"""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import router

from downloads.mbox import collect_trailers
from downloads.queries import msgid_candidates
from patches.models import Patch, PatchComment
from patchwork_api.fastread.prepared import PreparedQuery
from people.models import Person
from projects.models import Project

PATCH_FIELDS = (
    "id",
    "msgid",
    "project_id",
    "name",
    "date",
    "submitter_id",
    "headers",
    "content",
    "diff",
    "delegate_id",
    "series_id",
    "number",
)
JOINED = ("project__listemail", "submitter__name", "submitter__email", "delegate__email")
COLUMNS = (*PATCH_FIELDS, *JOINED)


def _in_model_order(model, names: Sequence[str]) -> tuple[str, ...]:
    """``names`` in the order of the model's fields (``from_db`` takes them so)."""
    wanted = set(names)
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in wanted)


ORDERED_FIELDS = _in_model_order(Patch, PATCH_FIELDS)
FIELD_INDEX = [COLUMNS.index(name) for name in ORDERED_FIELDS]
JOINED_INDEX = {name: COLUMNS.index(name) for name in JOINED}

patches_by_msgid = PreparedQuery(
    lambda msgids, linkname: Patch.objects.filter(
        project__linkname=linkname, msgid__in=msgids
    ).values_list(*COLUMNS),
    arity=1,
    text=True,
)
patches_of_series = PreparedQuery(
    lambda series_ids: Patch.objects.filter(series_id__in=series_ids).values_list(*COLUMNS)
)
comments_of_patches = PreparedQuery(
    lambda patch_ids: PatchComment.objects.filter(patch_id__in=patch_ids).values_list(
        "patch_id", "date", "id", "content"
    )
)


def _instance(model, database: str, values: dict[str, Any]):
    """A model instance of some of its fields (``from_db`` takes them in field order)."""
    names = _in_model_order(model, values)
    return model.from_db(database, names, [values[name] for name in names])


def _patch(row: tuple[Any, ...], database: str) -> Patch:
    """The Patch of a row, with its project, submitter and delegate as ``mbox`` reads them."""
    patch = Patch.from_db(database, ORDERED_FIELDS, [row[i] for i in FIELD_INDEX])
    joined = {name: row[index] for name, index in JOINED_INDEX.items()}
    patch.project = _instance(
        Project, database, {"id": patch.project_id, "listemail": joined["project__listemail"]}
    )
    patch.submitter = _instance(
        Person,
        database,
        {
            "id": patch.submitter_id,
            "name": joined["submitter__name"],
            "email": joined["submitter__email"],
        },
    )
    if patch.delegate_id is not None:
        patch.delegate = _instance(
            User, database, {"id": patch.delegate_id, "email": joined["delegate__email"]}
        )
    return patch


def _trailers(patch_ids: list[int]) -> dict[int, list[str]]:
    """Each patch's trailers from its replies, in date order (ids break ties)."""
    texts: dict[int, list[tuple]] = {patch_id: [] for patch_id in patch_ids}
    for patch_id, date, comment_id, content in comments_of_patches(patch_ids):
        texts[patch_id].append((date, comment_id, content))
    return {
        patch_id: collect_trailers(content for _, _, content in sorted(replies))
        for patch_id, replies in texts.items()
    }


def mbox_patch(linkname: str, msgid: str) -> tuple[Patch, list[str]] | None:
    """A project's patch by its URL Message-ID, as ``queries.find_patch`` finds it, and
    its trailers; None when there is none."""
    candidates = msgid_candidates(msgid)
    if not candidates:
        return None
    rows = {row[1]: row for row in patches_by_msgid(candidates, linkname)}
    row = next((rows[candidate] for candidate in candidates if candidate in rows), None)
    if row is None:
        return None
    patch = _patch(row, router.db_for_read(Patch))
    return patch, _trailers([patch.id])[patch.id]


def mbox_series_patches(series_id: int) -> list[tuple[Patch, list[str]]]:
    """A series' patches in order (number, then id) and their trailers."""
    database = router.db_for_read(Patch)
    patches = [_patch(row, database) for row in patches_of_series([series_id])]
    patches.sort(key=lambda patch: (patch.number is None, patch.number or 0, patch.id))
    trailers = _trailers([patch.id for patch in patches]) if patches else {}
    return [(patch, trailers[patch.id]) for patch in patches]
