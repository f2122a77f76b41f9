"""Django admin for projects and their delegation rules. A project is checked and saved
by the same service as from the API and ``manage.py project`` (URL formats with one
``{}``, List-Id, addresses, regular expressions)."""

import copy

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from projects.models import DelegationRule, Project
from projects.services import field_problems, save_project


class ProjectAdminForm(forms.ModelForm):
    def clean(self) -> dict:
        cleaned = super().clean()
        candidate = copy.copy(self.instance)
        for name, value in cleaned.items():
            if name in {field.name for field in Project._meta.concrete_fields}:
                setattr(candidate, name, value)
        for name, message in field_problems(candidate):
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return cleaned


class DelegationRuleInline(admin.TabularInline):
    model = DelegationRule
    fields = ("path", "user", "priority")
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectAdminForm
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
        (
            "Behaviour",
            {"fields": ("use_tags", "send_notifications", "show_dependencies", "auto_supersede")},
        ),
    )

    def save_model(self, request: HttpRequest, obj: Project, form, change: bool) -> None:
        save_project(obj)


@admin.register(DelegationRule)
class DelegationRuleAdmin(admin.ModelAdmin):
    list_display = ("path", "project", "user", "priority")
    list_filter = ("project",)
    list_select_related = ("project", "user")
    search_fields = ("path", "user__username")
    raw_id_fields = ("user",)
