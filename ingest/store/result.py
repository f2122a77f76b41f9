"""What storing one mail produced: its outcome, the object written and why."""

from dataclasses import dataclass, field
from enum import StrEnum

from covers.models import Cover, CoverComment
from patches.models import Patch, PatchComment
from projects.models import Project


class Outcome(StrEnum):
    PATCH = "patch"
    COVER = "cover"
    COMMENT = "comment"
    # A reply whose parent has not been stored yet; it becomes a comment when it is.
    WAITING = "waiting"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"
    DROPPED = "dropped"


StoredObject = Patch | Cover | PatchComment | CoverComment


@dataclass
class Settled:
    """A waiting reply that the mail just stored settled: now a comment, or dropped."""

    msgid: str
    kind: Outcome
    obj: PatchComment | CoverComment | None = None


@dataclass
class StoreResult:
    kind: Outcome
    obj: StoredObject | None = None
    reason: str = ""
    project: Project | None = None
    # Waiting replies this mail settled (it was their parent, or an ancestor of it).
    settled: list[Settled] = field(default_factory=list)

    def __str__(self) -> str:
        text = self.kind.value
        if self.reason:
            text += f" ({self.reason})"
        return text
