"""Django admin for cover letters and their comments (``addressed`` changes go through
the service, with the API's permission rule)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from covers.models import Cover, CoverComment
from covers.services import can_update_cover_comment, update_cover_comment
from patchwork_api.adminforms import ServiceAdminMixin, ServiceCheckedForm


class CoverCommentAdminForm(ServiceCheckedForm):
    service_fields = ("addressed",)

    def service_check(self, changes: dict) -> None:
        if not can_update_cover_comment(self.actor, self.instance):
            raise PermissionDenied("You may not change this comment.")


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
class CoverCommentAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = CoverCommentAdminForm
    list_display = ("id", "msgid", "cover", "submitter", "date", "addressed")
    list_select_related = ("cover", "submitter")
    list_filter = ("addressed",)
    search_fields = ("msgid", "submitter__email")
    raw_id_fields = ("cover", "submitter")
    show_full_result_count = False
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # comments come from mail

    def save_service_changes(self, request, comment: CoverComment, changes: dict) -> None:
        update_cover_comment(comment, addressed=changes["addressed"])
