"""Django admin for cover letters and their comments."""

from django.contrib import admin

from covers.models import Cover, CoverComment


@admin.register(Cover)
class CoverAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "project", "submitter", "date")
    list_select_related = ("project", "submitter")
    list_filter = ("project",)
    search_fields = ("name", "msgid", "submitter__email", "submitter__name")
    raw_id_fields = ("submitter",)
    show_full_result_count = False
    ordering = ("-id",)


@admin.register(CoverComment)
class CoverCommentAdmin(admin.ModelAdmin):
    list_display = ("id", "msgid", "cover", "submitter", "date", "addressed")
    list_select_related = ("cover", "submitter")
    list_filter = ("addressed",)
    search_fields = ("msgid", "submitter__email")
    raw_id_fields = ("cover", "submitter")
    show_full_result_count = False
    ordering = ("-id",)
