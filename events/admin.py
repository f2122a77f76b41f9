"""Django admin for the event log (read mostly: events are written by the services)."""

from django.contrib import admin

from events.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("id", "category", "project", "date", "actor", "patch", "series", "cover")
    list_select_related = ("project", "actor", "patch", "series", "cover")
    list_filter = ("category", "project")
    raw_id_fields = (
        "actor",
        "patch",
        "series",
        "cover",
        "previous_state",
        "current_state",
        "previous_delegate",
        "current_delegate",
        "previous_relation",
        "current_relation",
        "created_check",
        "cover_comment",
        "patch_comment",
    )
    show_full_result_count = False
    ordering = ("-date", "-id")
