"""Django admin for series and the Message-IDs that belong to them."""

from django.contrib import admin

from series.models import Series, SeriesReference


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "project", "submitter", "version", "received_total", "total")
    list_select_related = ("project", "submitter")
    list_filter = ("project",)
    search_fields = ("name", "submitter__email", "submitter__name")
    raw_id_fields = ("submitter", "cover_letter", "dependencies")
    show_full_result_count = False
    ordering = ("-id",)


@admin.register(SeriesReference)
class SeriesReferenceAdmin(admin.ModelAdmin):
    list_display = ("msgid", "series", "project")
    list_select_related = ("series", "project")
    list_filter = ("project",)
    search_fields = ("msgid",)
    raw_id_fields = ("series",)
    show_full_result_count = False
