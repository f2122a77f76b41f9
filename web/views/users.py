"""The user's own pages: profile (settings, API token, linked addresses) and the
confirmation of a new address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from bundles.models import Bundle
from people.models import Person
from people.services import (
    get_or_create_profile,
    issue_token,
    link_address,
    unlink_person,
    update_own_account,
)
from web.forms import LinkAddressForm, ProfileForm
from web.views.common import REFUSALS, report_refusal, web_page
from web.views.lists import todo_patches

LINK_SALT = "web.link-address"
LINK_MAX_AGE = 7 * 24 * 3600  # a confirmation link works for a week


@login_required
@web_page
def profile(request: HttpRequest) -> HttpResponse:
    """``/user/``: settings, API token, linked addresses, bundles, maintained projects."""
    user = request.user
    user_profile = get_or_create_profile(user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                update_own_account(user, actor=user, settings=form.cleaned_data)
            except REFUSALS as error:
                report_refusal(request, error)
            else:
                messages.success(request, "Settings saved.")
                return redirect("user-profile")
    else:
        form = ProfileForm(
            initial={
                "items_per_page": user_profile.items_per_page,
                "show_ids": user_profile.show_ids,
                "send_email": user_profile.send_email,
            }
        )
    maintained = list(user.maintained_projects.order_by("linkname"))
    context = {
        "profile_form": form,
        "link_form": LinkAddressForm(),
        "token": Token.objects.filter(user=user).first(),
        "linked_people": Person.objects.filter(user=user).order_by("email"),
        "bundles": Bundle.objects.filter(owner=user).select_related("project", "owner"),
        "maintained": maintained,
        "todo_count": sum(todo_patches(user, project).count() for project in maintained),
    }
    return render(request, "web/profile.html", context)


@login_required
@require_POST
def generate_token(request: HttpRequest) -> HttpResponse:
    """``/user/generate-token/``: replace the user's API token with a new one."""
    issue_token(request.user, regenerate=True)
    messages.success(request, "A new API token was generated; the old one no longer works.")
    return redirect("user-profile")


@login_required
@require_POST
def link(request: HttpRequest) -> HttpResponse:
    """``/user/link/``: mail a confirmation link to an address to add to the account."""
    form = LinkAddressForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect("user-profile")
    email = form.cleaned_data["email"]
    key = signing.dumps({"user": request.user.pk, "email": email}, salt=LINK_SALT)
    confirm_url = request.build_absolute_uri(reverse("user-link-confirm", kwargs={"key": key}))
    context = {"user": request.user, "email": email, "confirm_url": confirm_url}
    send_mail(
        render_to_string("web/mail/link_subject.txt", context).strip(),
        render_to_string("web/mail/link.txt", context),
        None,
        [email],
    )
    messages.success(request, f"A confirmation link was mailed to {email}.")
    return redirect("user-profile")


@login_required
@web_page
def link_confirm(request: HttpRequest, key: str) -> HttpResponse:
    """``/user/link/<key>/``: the mailed link; GET asks, POST links the address."""
    try:
        data = signing.loads(key, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        raise Http404("This confirmation link is invalid or has expired.") from None
    if data.get("user") != request.user.pk:
        raise Http404("This confirmation link is for another account.")
    if request.method == "POST":
        try:
            link_address(request.user, data["email"])
        except ValidationError as error:
            report_refusal(request, error)
        else:
            messages.success(request, f"{data['email']} is now linked to your account.")
        return redirect("user-profile")
    return render(request, "web/link_confirm.html", {"email": data["email"]})


@login_required
@require_POST
def unlink(request: HttpRequest, person_id: int) -> HttpResponse:
    """``/user/unlink/<id>/``: detach one of the user's other addresses."""
    person = get_object_or_404(Person, pk=person_id)
    try:
        unlink_person(person, actor=request.user)
    except REFUSALS as error:
        report_refusal(request, error)
    else:
        messages.success(request, f"{person.email} is no longer linked to your account.")
    return redirect("user-profile")
