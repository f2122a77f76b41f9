"""Django admin for the quarantine (failed mail, with a retry action) and unattached mail."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from ingest.models import FailedMail, UnattachedMail
from ingest.quarantine import UNRESOLVED
from ingest.recovery import retry
from ingest.services import Status
from ingest.store import IngestContext


@admin.register(FailedMail)
class FailedMailAdmin(admin.ModelAdmin):
    list_display = ("id", "received", "msgid", "list_id", "attempts", "state", "short_error")
    list_filter = ("state",)
    search_fields = ("msgid", "list_id", "error")
    readonly_fields = ("received", "msgid", "list_id", "error", "attempts", "state", "raw_text")
    exclude = ("raw",)
    actions = ("retry",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only ingest puts mail here

    @admin.display(description="error")
    def short_error(self, mail: FailedMail) -> str:
        return mail.error.splitlines()[0][:100] if mail.error else ""

    @admin.display(description="mail")
    def raw_text(self, mail: FailedMail) -> str:
        return bytes(mail.raw).decode("utf-8", "replace")

    @admin.action(description="Ingest the selected mails again")
    def retry(self, request: HttpRequest, queryset: QuerySet[FailedMail]) -> None:
        context = IngestContext()
        failures = 0
        for mail in queryset.filter(state__in=UNRESOLVED):
            failures += retry(mail, context).status == Status.FAILED
        level = messages.WARNING if failures else messages.SUCCESS
        self.message_user(request, f"Retried; {failures} failed again.", level)


@admin.register(UnattachedMail)
class UnattachedMailAdmin(admin.ModelAdmin):
    """Replies waiting for their parent, and mail that belongs to no patch thread."""

    list_display = ("msgid", "project", "status", "parent_msgid", "date", "received", "reason")
    list_select_related = ("project",)
    list_filter = ("status", "project")
    search_fields = ("msgid", "parent_msgid", "subject", "sender_email")
    readonly_fields = [field.name for field in UnattachedMail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
