"""Writes on registered users: accounts with their profile, linked person and API token."""

import re

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from rest_framework.authtoken.models import Token

from people.models import Person, UserProfile

# DRF generates 40 lowercase hex characters; Patchwork instances hand out the same.
TOKEN_KEY_PATTERN = re.compile(r"[0-9a-f]{40}")


def get_or_create_profile(user: AbstractUser) -> UserProfile:
    """The user's settings row, created with the defaults the first time it is needed."""
    profile, _created = UserProfile.objects.get_or_create(user=user)
    return profile


def validate_token_key(key: str) -> None:
    """Refuse a token key that is not 40 lowercase hexadecimal characters or is taken."""
    if not TOKEN_KEY_PATTERN.fullmatch(key):
        raise ValidationError(
            f"token {key!r} is not 40 hexadecimal characters (lowercase 0-9, a-f)"
        )
    if Token.objects.filter(key=key).exists():
        raise ValidationError("this token is already assigned to another user")


@transaction.atomic
def create_user(
    username: str,
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    superuser: bool = False,
    token_key: str | None = None,
) -> tuple[AbstractUser, Token]:
    """Create a user with its profile and API token, linked to the person of its e-mail
    when one exists.

    ``token_key`` keeps a key carried over from another instance; without it a new key is
    generated. Without ``password`` the account cannot log in with a password (the token
    still works).
    """
    user_model = get_user_model()
    _validate_new_user(user_model, username, email)
    if token_key is not None:
        validate_token_key(token_key)

    user = user_model(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=superuser,
        is_superuser=superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()

    get_or_create_profile(user)
    link_person(user)
    token = Token.objects.create(user=user, key=token_key or Token.generate_key())
    return user, token


def _validate_new_user(user_model: type[AbstractUser], username: str, email: str) -> None:
    user_model.username_validator(username)
    validate_email(email)
    if user_model.objects.filter(username=username).exists():
        raise ValidationError(f"user {username!r} already exists")


def link_person(user: AbstractUser) -> Person | None:
    """Attach the person who mailed from the user's address to the user, if there is one.

    No person is created (Patchwork creates none for an account made by an administrator):
    the person that a first mail from the address creates is linked to the user then
    (``ingest.store.people``)."""
    person = Person.objects.filter(email__iexact=user.email).order_by("id").first()
    if person is not None and person.user_id is None:
        person.user = user
        person.save(update_fields=["user"])
    return person


@transaction.atomic
def issue_token(user: AbstractUser, *, regenerate: bool = False) -> Token:
    """The user's API token: the existing one, or a new one when absent or ``regenerate``."""
    if regenerate:
        Token.objects.filter(user=user).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token


def find_user(username: str) -> AbstractUser:
    """The user named ``username``, or a ValidationError naming the unknown user."""
    user_model = get_user_model()
    try:
        return user_model.objects.get(username=username)
    except user_model.DoesNotExist:
        raise ValidationError(f"no user named {username!r}") from None


# Settings a user may change on their own account through the API (1.2 ``settings``).
USER_SETTINGS_FIELDS = ("send_email", "items_per_page", "show_ids")
USER_NAME_FIELDS = ("first_name", "last_name")


def can_edit_user(actor: AbstractUser, user: AbstractUser) -> bool:
    """Users change their own account only (as in Patchwork)."""
    return actor.is_authenticated and actor.pk == user.pk


@transaction.atomic
def update_own_account(
    user: AbstractUser,
    *,
    actor: AbstractUser,
    names: dict[str, str] | None = None,
    settings: dict | None = None,
) -> AbstractUser:
    """Change the first/last name and the settings of ``user`` on behalf of ``actor``.

    Raises PermissionDenied unless ``actor`` is ``user``, ValidationError for unknown
    fields or invalid values.
    """
    if not can_edit_user(actor, user):
        raise PermissionDenied("You do not have permission to perform this action.")
    names = names or {}
    settings = settings or {}
    unknown = sorted(
        (set(names) - set(USER_NAME_FIELDS)) | (set(settings) - set(USER_SETTINGS_FIELDS))
    )
    if unknown:
        raise ValidationError(f"unknown user fields: {', '.join(unknown)}")
    if names:
        for field_name, value in names.items():
            setattr(user, field_name, value)
        user.full_clean(exclude=["password", "username", "email"])
        user.save(update_fields=list(names))
    if settings:
        profile = get_or_create_profile(user)
        for field_name, value in settings.items():
            setattr(profile, field_name, value)
        profile.full_clean(exclude=["user"])
        profile.save(update_fields=list(settings))
    return user


def set_password(user: AbstractUser, password: str) -> None:
    """Give ``user`` a new login password, checked by the configured password validators
    (``AUTH_PASSWORD_VALIDATORS``); an empty password is refused."""
    if not password:
        raise ValidationError("the password is empty")
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


def can_unlink_person(actor: AbstractUser, person: Person) -> bool:
    """A user may detach the addresses linked to their account, except their own main
    address (as in Patchwork)."""
    return (
        actor.is_authenticated
        and person.user_id == actor.pk
        and person.email.lower() != actor.email.lower()
    )


@transaction.atomic
def unlink_person(person: Person, *, actor: AbstractUser) -> Person:
    """Detach ``person`` (a mail address) from the actor's account."""
    if not can_unlink_person(actor, person):
        raise PermissionDenied("You can only unlink the other addresses of your own account.")
    person.user = None
    person.save(update_fields=["user"])
    return person


@transaction.atomic
def link_address(user: AbstractUser, email: str) -> Person:
    """Attach the person of ``email`` to ``user`` once the user has shown they receive its
    mail (the web page's confirmation link), creating that person if needed."""
    validate_email(email)
    person = Person.objects.filter(email__iexact=email).order_by("id").first()
    if person is None:
        return Person.objects.create(email=email, user=user)
    person.user = user
    person.save(update_fields=["user"])
    return person
