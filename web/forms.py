"""Forms of the web pages. They only read and check input; the services write."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator

from patches.models import Patch, State
from patches.services import COMMIT_REF_MAX_LENGTH
from projects.models import Project
from web.listing import MAX_PER_PAGE

NO_CHANGE = "*"
NOBODY = ""


def delegate_choices(project: Project, current=None):
    """Who a patch of the project may be delegated to: its maintainers (and the current
    delegate, so that an edit which leaves it alone stays valid)."""
    users = get_user_model().objects.filter(maintained_projects=project)
    if current is not None:
        users = users | get_user_model().objects.filter(pk=current.pk)
    return users.distinct().order_by("username")


class BulkPatchForm(forms.Form):
    """The list's bulk change: each field may be left at "No change"."""

    state = forms.ChoiceField(required=False, initial=NO_CHANGE)
    delegate = forms.ChoiceField(required=False, initial=NO_CHANGE)
    archived = forms.ChoiceField(
        required=False,
        initial=NO_CHANGE,
        choices=[(NO_CHANGE, "No change"), ("True", "Archive"), ("False", "Unarchive")],
    )

    def __init__(self, *args, project: Project, states: list[State], delegates, **kwargs):
        super().__init__(*args, **kwargs)
        self.states = {str(state.pk): state for state in states}
        self.delegates = {str(user.pk): user for user in delegates}
        self.fields["state"].choices = [(NO_CHANGE, "No change")] + [
            (key, state.name) for key, state in self.states.items()
        ]
        self.fields["delegate"].choices = [(NO_CHANGE, "No change"), (NOBODY, "Nobody")] + [
            (key, user.username) for key, user in self.delegates.items()
        ]

    def changes(self) -> dict[str, Any]:
        """The ``update_patches`` keywords of the fields that were changed."""
        data = self.cleaned_data
        changes: dict[str, Any] = {}
        if data.get("state") not in (None, "", NO_CHANGE):
            changes["state"] = self.states[data["state"]]
        # A delegate field left out of the request is no change; an empty one is Nobody.
        if "delegate" in self.data and data.get("delegate") != NO_CHANGE:
            changes["delegate"] = self.delegates.get(data["delegate"])
        if data.get("archived") in ("True", "False"):
            changes["archived"] = data["archived"] == "True"
        return changes


class PatchForm(forms.Form):
    """A patch's state, delegate, archived flag and commit, for those who may change it."""

    state = forms.ModelChoiceField(queryset=State.objects.order_by("ordering"), empty_label=None)
    delegate = forms.ModelChoiceField(queryset=None, required=False, empty_label="Nobody")
    archived = forms.BooleanField(required=False)
    commit_ref = forms.CharField(
        required=False, max_length=COMMIT_REF_MAX_LENGTH, label="Commit", strip=True
    )

    def __init__(self, *args, patch: Patch, **kwargs):
        initial = {
            "state": patch.state_id,
            "delegate": patch.delegate_id,
            "archived": patch.archived,
            "commit_ref": patch.commit_ref or "",
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.patch = patch
        self.fields["delegate"].queryset = delegate_choices(patch.project, patch.delegate)
        self.fields["delegate"].label_from_instance = lambda user: user.username

    def changes(self) -> dict[str, Any]:
        """``update_patch`` keywords of the fields whose value differs from the patch's."""
        data = self.cleaned_data
        changes: dict[str, Any] = {}
        if data["state"].pk != self.patch.state_id:
            changes["state"] = data["state"]
        delegate = data.get("delegate")
        if (delegate.pk if delegate else None) != self.patch.delegate_id:
            changes["delegate"] = delegate
        if data["archived"] != self.patch.archived:
            changes["archived"] = data["archived"]
        commit_ref = data.get("commit_ref") or None
        if commit_ref != (self.patch.commit_ref or None):
            changes["commit_ref"] = commit_ref
        return changes


bundle_name_validator = RegexValidator(r"^[^/]+$", "Bundle names can't contain slashes.")


class BundleNameForm(forms.Form):
    """A new bundle's name (the patches come from the page)."""

    name = forms.CharField(max_length=50, validators=[bundle_name_validator], strip=True)


class BundleSettingsForm(forms.Form):
    """Rename a bundle, make it public or private."""

    name = forms.CharField(max_length=50, validators=[bundle_name_validator], strip=True)
    public = forms.BooleanField(required=False)


class ProfileForm(forms.Form):
    """The user's settings (the API's ``settings`` of ``/api/users/<id>/``)."""

    items_per_page = forms.IntegerField(min_value=1, max_value=MAX_PER_PAGE)
    show_ids = forms.BooleanField(required=False, label="Show patch IDs")
    send_email = forms.BooleanField(required=False, label="Send me notification mail")


class LinkAddressForm(forms.Form):
    email = forms.EmailField(max_length=200, label="Address")
