"""Django admin for bundles: created, changed and deleted by the bundle services (the same
rules as the API: one project, not empty, a name the owner has not used)."""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from bundles.models import Bundle
from bundles.services import bundle_problems, create_bundle, delete_bundle, update_bundle
from patches.models import Patch


class BundleAdminForm(forms.ModelForm):
    patch_ids = forms.CharField(
        label="Patches",
        help_text="Patch ids in the bundle's order, separated by spaces or commas.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Bundle
        fields = ("owner", "name", "public")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            ordered = self.instance.bundlepatch_set.order_by("order")
            self.initial["patch_ids"] = " ".join(
                str(patch_id) for patch_id in ordered.values_list("patch_id", flat=True)
            )

    def clean_patch_ids(self) -> list[Patch]:
        words = self.cleaned_data["patch_ids"].replace(",", " ").split()
        if not all(word.isascii() and word.isdigit() for word in words):
            raise forms.ValidationError("Give patch ids (numbers) only.")
        ids = list(dict.fromkeys(int(word) for word in words))
        found = Patch.objects.in_bulk(ids)
        missing = [str(patch_id) for patch_id in ids if patch_id not in found]
        if missing:
            raise forms.ValidationError(f"No patch with id {', '.join(missing)}.")
        return [found[patch_id] for patch_id in ids]

    def clean(self) -> dict:
        cleaned = super().clean()
        if "patch_ids" in cleaned and "name" in cleaned:
            owner = cleaned.get("owner") or getattr(self.instance, "owner", None)
            problems = bundle_problems(
                owner,
                cleaned["name"],
                cleaned["patch_ids"],
                excluding=self.instance if self.instance.pk else None,
            )
            for name, messages in problems.items():
                for message in messages:
                    self.add_error("patch_ids" if name == "patches" else name, message)
        return cleaned


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    form = BundleAdminForm
    list_display = ("name", "owner", "project", "public")
    list_select_related = ("owner", "project")
    list_filter = ("project", "public")
    search_fields = ("name", "owner__username")
    raw_id_fields = ("owner",)

    def get_readonly_fields(self, request: HttpRequest, obj: Bundle | None = None) -> tuple:
        # A bundle keeps its owner (the services have no owner change).
        return ("owner", "project") if obj is not None else ("project",)

    def get_fields(self, request: HttpRequest, obj: Bundle | None = None) -> tuple:
        return ("owner", "name", "public", "project", "patch_ids")

    def save_model(self, request: HttpRequest, obj: Bundle, form, change: bool) -> None:
        patches = form.cleaned_data["patch_ids"]
        if change:
            saved = update_bundle(
                Bundle.objects.get(pk=obj.pk), name=obj.name, public=obj.public, patches=patches
            )
        else:
            saved = create_bundle(
                owner=obj.owner, name=obj.name, patches=patches, public=obj.public
            )
        obj.pk, obj.project_id = saved.pk, saved.project_id

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """The bundle's patches were saved by the service (``save_model``)."""

    def delete_model(self, request: HttpRequest, obj: Bundle) -> None:
        delete_bundle(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for bundle in queryset:
            delete_bundle(bundle)
