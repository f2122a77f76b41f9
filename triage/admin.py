from django.contrib import admin

from triage.models import Supersession


@admin.register(Supersession)
class SupersessionAdmin(admin.ModelAdmin):
    """Why patches were superseded automatically (read-only: ingest writes them)."""

    list_display = ("patch", "superseded_by", "reason")
    raw_id_fields = ("event", "patch", "superseded_by")
    readonly_fields = ("event", "patch", "superseded_by", "reason")

    def has_add_permission(self, request) -> bool:
        return False
