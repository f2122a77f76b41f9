"""factory_boy factories for every model, shared by the whole test suite."""

import datetime
import hashlib

import factory
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from bundles.models import Bundle, BundlePatch
from covers.models import Cover, CoverComment
from events.models import Event
from ingest.message import Author, ParsedMail
from ingest.parsing.subject import parse_subject
from patches.models import Check, Patch, PatchComment, State
from people.models import Person, UserProfile
from projects.models import Project
from series.models import Series, SeriesReference

BASE_DATE = datetime.datetime(2024, 1, 1, 12, 0, 0)

SAMPLE_DIFF = """\
diff --git a/README b/README
index 1111111..2222222 100644
--- a/README
+++ b/README
@@ -1 +1,2 @@
 hello
+world
"""


def _date(sequence: int) -> datetime.datetime:
    return BASE_DATE + datetime.timedelta(minutes=sequence)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def profile(user, create, extracted, **kwargs):
        if create:
            UserProfile.objects.get_or_create(user=user)
            user.save()


class TokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Token

    user = factory.SubFactory(UserFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ("email",)

    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    linkname = factory.Sequence(lambda n: f"project{n}")
    name = factory.Sequence(lambda n: f"Project {n}")
    listid = factory.Sequence(lambda n: f"list{n}.example.org")
    listemail = factory.Sequence(lambda n: f"list{n}@example.org")
    web_url = "https://example.org/web"
    scm_url = "git://example.org/repo.git"
    webscm_url = "https://example.org/cgit"

    @factory.post_generation
    def maintainers(project, create, extracted, **kwargs):
        if create and extracted:
            project.maintainers.add(*extracted)


def _state_new():
    return State.objects.get(slug="new")


class CoverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cover

    msgid = factory.Sequence(lambda n: f"<cover-{n}@example.org>")
    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"[PATCH 0/2] cover letter {n}")
    date = factory.Sequence(_date)
    submitter = factory.SubFactory(PersonFactory)
    headers = factory.LazyAttribute(lambda cover: f"Message-Id: {cover.msgid}\n")
    content = "This series does things.\n"


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"series {n}")
    date = factory.Sequence(_date)
    submitter = factory.SubFactory(PersonFactory)
    version = 1
    total = 1
    received_total = 0


class PatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patch

    msgid = factory.Sequence(lambda n: f"<patch-{n}@example.org>")
    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"[PATCH] change number {n}")
    date = factory.Sequence(_date)
    submitter = factory.SubFactory(PersonFactory)
    headers = factory.LazyAttribute(lambda patch: f"Message-Id: {patch.msgid}\n")
    content = "Commit message.\n\nSigned-off-by: Someone <someone@example.org>\n"
    diff = SAMPLE_DIFF
    hash = factory.Sequence(lambda n: hashlib.sha1(str(n).encode()).hexdigest())
    state = factory.LazyFunction(_state_new)
    updated = factory.LazyAttribute(lambda patch: patch.date)


class SeriesReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeriesReference

    series = factory.SubFactory(SeriesFactory)
    project = factory.LazyAttribute(lambda reference: reference.series.project)
    msgid = factory.Sequence(lambda n: f"<reference-{n}@example.org>")


class PatchCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatchComment

    patch = factory.SubFactory(PatchFactory)
    msgid = factory.Sequence(lambda n: f"<patch-comment-{n}@example.org>")
    date = factory.Sequence(_date)
    submitter = factory.SubFactory(PersonFactory)
    headers = factory.LazyAttribute(lambda comment: f"Message-Id: {comment.msgid}\n")
    content = "Looks good.\n\nReviewed-by: Reviewer <reviewer@example.org>\n"


class CoverCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoverComment

    cover = factory.SubFactory(CoverFactory)
    msgid = factory.Sequence(lambda n: f"<cover-comment-{n}@example.org>")
    date = factory.Sequence(_date)
    submitter = factory.SubFactory(PersonFactory)
    headers = factory.LazyAttribute(lambda comment: f"Message-Id: {comment.msgid}\n")
    content = "Thanks for the series.\n"


class CheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Check

    patch = factory.SubFactory(PatchFactory)
    user = factory.SubFactory(UserFactory)
    date = factory.Sequence(_date)
    state = Check.State.SUCCESS
    target_url = "https://ci.example.org/build/1"
    description = "build passed"
    context = "build"


class BundleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bundle
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"bundle{n}")
    public = False

    @factory.post_generation
    def patches(bundle, create, extracted, **kwargs):
        if create and extracted:
            for order, patch in enumerate(extracted, start=1):
                BundlePatch.objects.create(bundle=bundle, patch=patch, order=order)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    project = factory.SubFactory(ProjectFactory)
    category = Event.Category.PATCH_CREATED
    date = factory.Sequence(_date)


class ParsedMailFactory(factory.Factory):
    """A parsed mail as ``ingest.parser.parse_mail`` returns it, for store-step tests.

    The subject is parsed with the parser's own subject rules, so ``subject_info`` always
    agrees with ``subject``; ``in_reply_to`` also ends ``references`` unless given.
    """

    class Meta:
        model = ParsedMail

    msgid = factory.Sequence(lambda n: f"<mail-{n}@example.org>")
    list_id = "dev.example.org"
    subject = factory.Sequence(lambda n: f"[PATCH] change number {n}")
    subject_info = factory.LazyAttribute(lambda mail: parse_subject(mail.subject))
    author = factory.LazyFunction(lambda: Author(name="Sender Name", email="sender@example.org"))
    date = factory.Sequence(_date)
    headers = factory.LazyAttribute(
        lambda mail: f"Message-Id: {mail.msgid}\nSubject: {mail.subject}"
    )
    content = "Commit message.\n\nSigned-off-by: Sender Name <sender@example.org>"
    diff = SAMPLE_DIFF
    pull_url = None
    hash = factory.LazyAttribute(
        lambda mail: hashlib.sha1(mail.diff.encode()).hexdigest() if mail.diff else None
    )
    in_reply_to = None
    references = factory.LazyAttribute(lambda mail: [mail.in_reply_to] if mail.in_reply_to else [])
    files = factory.LazyAttribute(lambda mail: ["README"] if mail.diff else [])
    list_ids = factory.LazyAttribute(lambda mail: [mail.list_id] if mail.list_id else [])
