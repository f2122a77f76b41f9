"""One mail on its way into a project, with everything the store steps share."""

from dataclasses import dataclass

from ingest.message import ParsedMail
from ingest.series import SeriesMail
from ingest.store.context import IngestContext
from ingest.store.events import EventLog
from ingest.store.knowledge import ThreadKnowledge
from ingest.store.people import get_or_create_person
from people.models import Person
from projects.models import Project


@dataclass
class Incoming:
    parsed: ParsedMail
    project: Project
    msgid: str
    references: list[str]  # closest first
    name: str  # as Patchwork names it in this project
    context: IngestContext
    knowledge: ThreadKnowledge
    events: EventLog

    def sender(self) -> tuple[str | None, str]:
        # The From sender, or the original one when the list rewrote From (DMARC).
        author = self.parsed.author_for_list(self.project.listemail)
        return author.name, author.email

    def submitter(self) -> Person:
        name, email = self.sender()
        return get_or_create_person(self.context, name, email)

    def submission_fields(self, submitter: Person) -> dict[str, object]:
        """The columns a patch and a cover letter share."""
        return {
            "msgid": self.msgid,
            "project_id": self.project.id,
            "name": self.name,
            "date": self.parsed.date,
            "submitter_id": submitter.id,
            "headers": self.parsed.headers,
            "content": self.parsed.content,
        }

    def series_mail(self, submitter: Person) -> SeriesMail:
        info = self.parsed.subject_info
        return SeriesMail(
            project_id=self.project.id,
            msgid=self.msgid,
            references=self.references,
            version=info.version,
            number=info.series_number,
            total=info.series_total,
            date=self.parsed.date,
            submitter_id=submitter.id,
            name=self.name,
        )
