"""Django admin for projects and their delegation rules."""

from django.contrib import admin

from projects.models import DelegationRule, Project


class DelegationRuleInline(admin.TabularInline):
    model = DelegationRule
    fields = ("path", "user", "priority")
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("linkname", "name", "listid", "subject_match", "listemail")
    search_fields = ("linkname", "name", "listid", "listemail")
    list_filter = ("use_tags", "show_dependencies", "send_notifications")
    filter_horizontal = ("maintainers",)
    inlines = [DelegationRuleInline]
    fieldsets = (
        (None, {"fields": ("linkname", "name", "maintainers")}),
        ("Mailing list", {"fields": ("listid", "listemail", "subject_match")}),
        (
            "Links",
            {
                "fields": (
                    "web_url",
                    "scm_url",
                    "webscm_url",
                    "list_archive_url",
                    "list_archive_url_format",
                    "commit_url_format",
                )
            },
        ),
        ("Behaviour", {"fields": ("use_tags", "send_notifications", "show_dependencies")}),
    )


@admin.register(DelegationRule)
class DelegationRuleAdmin(admin.ModelAdmin):
    list_display = ("path", "project", "user", "priority")
    list_filter = ("project",)
    list_select_related = ("project", "user")
    search_fields = ("path", "user__username")
    raw_id_fields = ("user",)
