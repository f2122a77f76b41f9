"""What the admins of several apps share: changes made through the write services."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest


class ServiceCheckedForm(forms.ModelForm):
    """A model form that asks the service, in ``clean``, whether the admin user may make
    the change, so that a refusal shows on the form instead of failing the save.
    ``actor`` is set by the ModelAdmin's ``get_form`` (one form class per request)."""

    actor = None
    service_fields: tuple[str, ...] = ()

    def service_check(self, changes: dict) -> None:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        changes = {
            name: cleaned.get(name) for name in self.changed_data if name in self.service_fields
        }
        if changes and self.instance.pk is not None:
            try:
                self.service_check(changes)
            except PermissionDenied as error:
                raise forms.ValidationError(str(error)) from error
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    raise
                for field_name, messages in error.message_dict.items():
                    self.add_error(field_name if field_name in self.fields else None, messages)
        return cleaned


class ServiceAdminMixin:
    """Hands the request's user to the form, and saves the service fields through
    ``save_service_changes`` and the other changed fields as they are."""

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        service_changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in form.service_fields
        }
        other_fields = [
            name
            for name in form.changed_data
            if name not in form.service_fields and name in {f.name for f in obj._meta.fields}
        ]
        with transaction.atomic():
            if other_fields:
                obj.save(update_fields=other_fields)
            if service_changes:
                self.save_service_changes(request, obj, service_changes)
