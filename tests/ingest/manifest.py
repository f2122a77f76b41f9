"""The dev-list corpus and its manifest, and what an import of it must give."""

import json
import lzma
import random
import re
from collections import defaultdict
from pathlib import Path

from covers.models import Cover, CoverComment
from ingest.archives import Archive
from patches.models import Patch, PatchComment
from projects.models import Project
from tests.conftest import shared_path

MBOXRD_FROM = re.compile(rb"^>*From ")


def manifest() -> dict:
    with lzma.open(shared_path("corpus", "dev-list.manifest.json.xz"), "rt") as stream:
        return json.load(stream)


def corpus_mails() -> list[bytes]:
    return list(Archive(shared_path("corpus", "dev-list.mbox.xz")).messages())


def shuffled(raws: list[bytes], seed: int) -> list[bytes]:
    raws = list(raws)
    random.Random(seed).shuffle(raws)
    return raws


def write_mbox(path: Path, raws: list[bytes]) -> Path:
    """An mboxrd file of the mails (``From `` lines in bodies escaped again)."""
    with open(path, "wb") as stream:
        for raw in raws:
            stream.write(b"From mailer@example.org Thu Jan  1 00:00:00 1970\n")
            for line in raw.splitlines(keepends=True):
                stream.write(b">" + line if MBOXRD_FROM.match(line) else line)
            stream.write(b"\n")
    return path


def snapshot(project: Project) -> dict:
    """What an import produced, in Message-IDs only (comparable across databases)."""
    patches = dict(Patch.objects.filter(project=project).values_list("msgid", "series_id"))
    covers = dict(Cover.objects.filter(project=project).values_list("msgid", "series__id"))
    targets = dict(
        PatchComment.objects.filter(patch__project=project).values_list("msgid", "patch__msgid")
    )
    targets.update(
        CoverComment.objects.filter(cover__project=project).values_list("msgid", "cover__msgid")
    )
    groups: dict[int | None, set[str]] = defaultdict(set)
    for msgid, series_id in [*patches.items(), *covers.items()]:
        groups[series_id].add(msgid)
    return {
        "patches": set(patches),
        "covers": set(covers),
        "comments": targets,
        "series": {frozenset(group) for group in groups.values()},
        "without_series": groups.get(None, set()),
    }


def expected_snapshot(expected: dict, msgids: set[str] | None = None) -> dict:
    """The snapshot the manifest describes (for the mails in ``msgids``, default all)."""
    mails = [mail for mail in expected["mails"] if msgids is None or mail["msgid"] in msgids]
    kinds = {mail["msgid"]: mail for mail in mails}
    groups = {
        frozenset([*posting["patches"], *([posting["cover"]] if posting["cover"] else [])])
        for posting in expected["series"]
        if msgids is None or set(posting["patches"]) <= msgids
    }
    groups |= {frozenset([mail["msgid"]]) for mail in mails if mail["kind"] == "pull"}
    return {
        "patches": {msgid for msgid, mail in kinds.items() if mail["kind"] in ("patch", "pull")},
        "covers": {msgid for msgid, mail in kinds.items() if mail["kind"] == "cover"},
        "comments": {
            mail["msgid"]: mail["target"]
            for mail in mails
            if mail["kind"] == "reply" and mail["target_kind"] in ("patch", "cover", "pull")
        },
        "series": groups,
        "without_series": set(),
    }
