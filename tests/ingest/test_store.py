"""The store step with hand-built parsed mails: what each kind of mail becomes."""

import datetime

import pytest
from django.db import DatabaseError

from covers.models import Cover, CoverComment
from events.models import Event
from ingest.message import Author
from ingest.models import UnattachedMail
from ingest.parser import parse_mail
from ingest.store import IngestContext, Outcome, flush_waiting, store_mail
from patches.models import Patch, PatchComment, PatchTag, State
from people.models import Person
from projects.models import DelegationRule
from series.models import Series
from tests.factories import SAMPLE_DIFF, ParsedMailFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_ID = "dev.example.org"


@pytest.fixture
def project():
    return ProjectFactory(listid=LIST_ID, linkname="dev", listemail="dev@example.org")


def reply_to(parent, **fields):
    """A reply to ``parent`` (a parsed mail), threaded as mail clients do."""
    fields.setdefault("subject", f"Re: {parent.subject}")
    fields.setdefault("diff", None)
    fields.setdefault("content", "Looks fine to me.")
    return ParsedMailFactory(
        in_reply_to=parent.msgid,
        references=[*parent.references, parent.msgid],
        **fields,
    )


def author(name, email):
    return Author(name=name, email=email)


def categories(project):
    return list(
        Event.objects.filter(project=project).order_by("id").values_list("category", flat=True)
    )


class TestClassification:
    def test_a_mail_with_a_diff_is_a_patch_in_a_series_of_its_own(self, project):
        mail = ParsedMailFactory(subject="[PATCH] fix the frobnicator")

        result = store_mail(mail)

        assert result.kind == Outcome.PATCH
        patch = Patch.objects.get()
        assert result.obj == patch
        assert (patch.msgid, patch.name, patch.project) == (
            mail.msgid,
            "fix the frobnicator",
            project,
        )
        assert (patch.diff, patch.hash, patch.content) == (mail.diff, mail.hash, mail.content)
        assert patch.state.slug == "new"
        assert (patch.series.total, patch.series.received_total, patch.number) == (1, 1, 1)
        assert patch.series.name == "fix the frobnicator"

    def test_a_pull_request_is_a_patch_without_diff(self, project):
        mail = ParsedMailFactory(
            subject="[GIT PULL] fixes",
            diff=None,
            pull_url="git://git.example.org/repo.git fixes",
            content="Please pull.",
        )

        assert store_mail(mail).kind == Outcome.PATCH
        patch = Patch.objects.get()
        assert (patch.pull_url, patch.diff, patch.name) == (
            mail.pull_url,
            None,
            "[GIT,PULL] fixes",
        )

    def test_a_reply_carrying_a_diff_is_a_comment(self, project):
        patch_mail = ParsedMailFactory()
        store_mail(patch_mail)
        reply = reply_to(patch_mail, diff=ParsedMailFactory().diff)

        result = store_mail(reply)

        assert result.kind == Outcome.COMMENT
        assert Patch.objects.count() == 1
        comment = PatchComment.objects.get()
        assert comment.patch.msgid == patch_mail.msgid
        assert reply.diff in comment.content

    def test_zero_of_n_is_a_cover_letter_named_without_its_prefixes(self, project):
        result = store_mail(ParsedMailFactory(subject="[PATCH v2 0/3] Big rework", diff=None))

        assert result.kind == Outcome.COVER
        cover = Cover.objects.get()
        assert cover.name == "[v2,0/3] Big rework"
        assert (cover.series.name, cover.series.total, cover.series.version) == (
            "Big rework",
            3,
            2,
        )

    def test_a_threaded_cover_letter_whose_name_exists_is_taken_for_a_reply(self, project):
        """Patchwork's rule: an In-Reply-To "0/N" mail named like an existing cover
        letter (in any project) is handled as a comment on the thread."""
        first = ParsedMailFactory(subject="[PATCH 0/2] Same name", diff=None)
        store_mail(first)
        again = ParsedMailFactory(
            subject="[PATCH 0/2] Same name", diff=None, in_reply_to=first.msgid
        )

        result = store_mail(again)

        assert result.kind == Outcome.COMMENT
        assert CoverComment.objects.get().cover.msgid == first.msgid

    def test_a_plain_mail_that_replies_to_nothing_known_is_dropped(self, project):
        result = store_mail(ParsedMailFactory(subject="[ANNOUNCE] release 1.0", diff=None))

        assert result.kind == Outcome.DROPPED
        assert not Patch.objects.exists()
        assert not Cover.objects.exists()

    def test_a_mail_without_text_or_diff_is_dropped(self, project):
        result = store_mail(ParsedMailFactory(diff=None, content=""))

        assert (result.kind, result.reason) == (Outcome.DROPPED, "no content")

    def test_the_project_linkname_prefix_is_dropped_from_the_name(self, project):
        store_mail(ParsedMailFactory(subject="[PATCH dev v2 1/1] tidy up"))

        assert Patch.objects.get().name == "[v2,1/1] tidy up"


class TestProject:
    def test_unknown_list_is_dropped(self, project):
        result = store_mail(ParsedMailFactory(list_id="other.example.org"))

        assert result.kind == Outcome.DROPPED
        assert "other.example.org" in result.reason
        assert not Patch.objects.exists()

    def test_subject_match_picks_among_projects_sharing_a_list(self, project):
        tools = ProjectFactory(listid=LIST_ID, subject_match=r"\[PATCH tools")

        store_mail(ParsedMailFactory(subject="[PATCH tools] one"))
        store_mail(ParsedMailFactory(subject="[PATCH] two"))

        assert Patch.objects.get(name="[tools] one").project == tools
        assert Patch.objects.get(name="two").project == project

    def test_later_list_ids_are_tried_when_the_first_has_no_project(self, project):
        mail = ParsedMailFactory(list_id="unknown.example.org")
        mail.list_ids = ["unknown.example.org", LIST_ID]

        assert store_mail(mail).project == project

    def test_an_explicit_project_wins_over_the_list_id(self, project):
        other = ProjectFactory()

        result = store_mail(ParsedMailFactory(list_id="nowhere.example.org"), project=other)

        assert result.kind == Outcome.PATCH
        assert result.obj.project == other


class TestDuplicates:
    @pytest.mark.parametrize(
        "fields",
        [
            {},
            {"subject": "[PATCH 0/2] cover", "diff": None},
        ],
        ids=["patch", "cover"],
    )
    def test_the_same_message_id_twice_changes_nothing(self, project, fields):
        mail = ParsedMailFactory(**fields)
        store_mail(mail)
        counts = (Patch.objects.count(), Cover.objects.count(), Event.objects.count())

        result = store_mail(mail)

        assert result.kind == Outcome.DUPLICATE
        assert (Patch.objects.count(), Cover.objects.count(), Event.objects.count()) == counts

    def test_a_dropped_mail_delivered_again_is_dropped_again_not_a_duplicate(self, project):
        mail = ParsedMailFactory(subject="[ANNOUNCE] dropped", diff=None)
        store_mail(mail)

        result = store_mail(mail)

        assert result.kind == Outcome.DROPPED
        assert UnattachedMail.objects.get().status == "dropped"
        assert not Patch.objects.exists()
        assert not Cover.objects.exists()

    def test_a_dropped_reply_delivered_again_after_its_parent_is_stored(self, project):
        """Patchwork drops a reply whose parent is unknown and stores it when it comes again;
        ours waits, and a reply given up on is stored when delivered again (issue 10, 22)."""
        patch_mail = ParsedMailFactory()
        reply = reply_to(patch_mail)
        store_mail(reply)
        flush_waiting()
        assert UnattachedMail.objects.get().status == "dropped"
        store_mail(patch_mail)
        assert not PatchComment.objects.exists()

        result = store_mail(reply)

        assert result.kind == Outcome.COMMENT
        assert PatchComment.objects.get().patch.msgid == patch_mail.msgid
        assert not UnattachedMail.objects.exists()
        assert store_mail(reply).kind == Outcome.DUPLICATE

    def test_a_mail_dropped_for_want_of_a_project_is_stored_once_the_project_exists(self):
        mail = ParsedMailFactory(list_id="later.example.org")
        assert store_mail(mail).kind == Outcome.DROPPED
        ProjectFactory(listid="later.example.org")

        assert store_mail(mail).kind == Outcome.PATCH

    def test_a_reply_to_a_dropped_mail_delivered_again_after_the_mail_became_a_patch(
        self, project
    ):
        """A dropped mail's replies were dropped at once; both are stored when resent."""
        first = ParsedMailFactory(subject="[ANNOUNCE] dropped", diff=None)
        reply = reply_to(first)
        store_mail(first)
        assert store_mail(reply).kind == Outcome.DROPPED
        first.diff = SAMPLE_DIFF
        first.subject = "[PATCH] now with a diff"

        assert store_mail(first).kind == Outcome.PATCH
        assert store_mail(reply).kind == Outcome.COMMENT

    def test_a_comment_twice_is_stored_once(self, project):
        patch_mail = ParsedMailFactory()
        store_mail(patch_mail)
        reply = reply_to(patch_mail)
        store_mail(reply)

        assert store_mail(reply).kind == Outcome.DUPLICATE
        assert PatchComment.objects.count() == 1

    def test_the_same_mail_in_two_projects_is_stored_in_each(self, project):
        other = ProjectFactory()
        mail = ParsedMailFactory()

        store_mail(mail)
        store_mail(mail, project=other)

        assert Patch.objects.filter(msgid=mail.msgid).count() == 2


class TestPeople:
    def test_one_person_per_address_whatever_its_case(self, project):
        store_mail(ParsedMailFactory(author=author("Jo Doe", "Jo@Example.org")))
        store_mail(ParsedMailFactory(author=author("Jo Doe", "jo@example.org")))

        person = Person.objects.get()
        assert person.email == "Jo@Example.org"
        assert Patch.objects.filter(submitter=person).count() == 2

    def test_the_latest_name_is_kept_and_no_name_erases_none(self, project):
        store_mail(ParsedMailFactory(author=author("Old Name", "jo@example.org")))
        store_mail(ParsedMailFactory(author=author("New Name", "jo@example.org")))
        store_mail(ParsedMailFactory(author=author(None, "jo@example.org")))

        assert Person.objects.get().name == "New Name"

    @pytest.mark.parametrize(
        ("sender", "name"),
        [
            ("jo@example.org", None),
            ("<jo@example.org>", ""),
            ('"" <jo@example.org>', ""),
            ("Jo Doe <jo@example.org>", "Jo Doe"),
        ],
    )
    def test_a_sender_without_display_name_is_stored_as_patchwork_stores_it(
        self, project, sender, name
    ):
        """Patchwork: a bare address gives the name None (null), an empty display part ""."""
        raw = (
            f"Message-Id: <n@example.org>\nFrom: {sender}\nSubject: [PATCH] x\n"
            f"List-Id: <{LIST_ID}>\n\nText.\n---\n{SAMPLE_DIFF}"
        ).encode()

        store_mail(parse_mail(raw))

        assert Person.objects.get().name == name

    def test_a_list_rewritten_from_is_traced_back_to_the_sender(self, project):
        mail = ParsedMailFactory(author=author("Jo via Dev", "dev@example.org"))
        mail.from_author = mail.author
        mail.unmunged_author = author("Jo", "jo@strict.example")

        store_mail(mail)

        assert Patch.objects.get().submitter.email == "jo@strict.example"


class TestStateAndDelegate:
    @pytest.mark.parametrize("header", ["Under Review", "under-review", "UNDER REVIEW"])
    def test_x_patchwork_state_by_name_or_slug(self, project, header):
        store_mail(ParsedMailFactory(state=header))

        assert Patch.objects.get().state.slug == "under-review"

    def test_an_unknown_state_falls_back_to_new(self, project):
        store_mail(ParsedMailFactory(state="Nonexistent Test State"))

        assert Patch.objects.get().state == State.objects.get(slug="new")

    @pytest.mark.parametrize("header", ["maint@example.org", "MAINT@example.org", "maint"])
    def test_x_patchwork_delegate_by_email_or_username(self, project, header):
        user = UserFactory(username="maint", email="maint@example.org")

        store_mail(ParsedMailFactory(delegate=header))

        assert Patch.objects.get().delegate == user

    def test_an_unknown_delegate_is_none(self, project):
        store_mail(ParsedMailFactory(delegate="nobody"))

        assert Patch.objects.get().delegate is None

    def test_delegation_rules_by_file_highest_priority_first(self, project):
        docs, core = UserFactory(), UserFactory()
        DelegationRule.objects.create(project=project, user=core, path="*", priority=0)
        DelegationRule.objects.create(project=project, user=docs, path="docs/*", priority=5)

        store_mail(ParsedMailFactory(files=["docs/index.rst", "docs/api.rst"]))
        store_mail(ParsedMailFactory(files=["src/main.c"]))

        assert [patch.delegate for patch in Patch.objects.order_by("id")] == [docs, core]

    def test_files_delegated_to_different_users_give_no_delegate(self, project):
        DelegationRule.objects.create(project=project, user=UserFactory(), path="docs/*")
        DelegationRule.objects.create(project=project, user=UserFactory(), path="src/*")

        store_mail(ParsedMailFactory(files=["docs/index.rst", "src/main.c"]))

        assert Patch.objects.get().delegate is None

    def test_a_file_without_rule_gives_no_delegate(self, project):
        DelegationRule.objects.create(project=project, user=UserFactory(), path="docs/*")

        store_mail(ParsedMailFactory(files=["docs/index.rst", "README"]))

        assert Patch.objects.get().delegate is None

    def test_the_header_wins_over_the_rules(self, project):
        named = UserFactory(email="named@example.org")
        DelegationRule.objects.create(project=project, user=UserFactory(), path="*")

        store_mail(ParsedMailFactory(delegate="named@example.org"))

        assert Patch.objects.get().delegate == named


class TestHint:
    def test_hint_ignore_stores_nothing(self, project):
        result = store_mail(ParsedMailFactory(hint="ignore"))

        assert result.kind == Outcome.IGNORED
        assert not Patch.objects.exists()
        assert not Event.objects.exists()

    def test_a_reply_to_an_ignored_mail_is_dropped_at_once(self, project):
        ignored = ParsedMailFactory(hint="ignore")
        store_mail(ignored)

        assert store_mail(reply_to(ignored)).kind == Outcome.DROPPED


class TestComments:
    def test_comments_on_a_patch_and_on_a_comment_attach_to_the_patch(self, project):
        patch_mail = ParsedMailFactory()
        store_mail(patch_mail)
        first = reply_to(patch_mail)
        second = reply_to(first)

        assert store_mail(first).kind == Outcome.COMMENT
        assert store_mail(second).kind == Outcome.COMMENT

        patch = Patch.objects.get()
        assert list(patch.comments.values_list("msgid", flat=True)) == [first.msgid, second.msgid]

    def test_a_reply_to_a_cover_letter_is_a_cover_comment(self, project):
        cover_mail = ParsedMailFactory(subject="[PATCH 0/1] cover", diff=None)
        store_mail(cover_mail)

        result = store_mail(reply_to(cover_mail))

        assert result.kind == Outcome.COMMENT
        assert CoverComment.objects.get().cover.msgid == cover_mail.msgid

    def test_a_patch_in_the_references_wins_over_a_closer_cover_letter(self, project):
        """Patchwork looks for a patch among all references before any cover letter."""
        cover_mail = ParsedMailFactory(subject="[PATCH 0/1] cover", diff=None)
        patch_mail = ParsedMailFactory(subject="[PATCH 1/1] one", in_reply_to=cover_mail.msgid)
        store_mail(cover_mail)
        store_mail(patch_mail)
        odd = ParsedMailFactory(
            subject="Re: cover",
            diff=None,
            in_reply_to=cover_mail.msgid,
            references=[patch_mail.msgid, cover_mail.msgid],
        )

        store_mail(odd)

        assert PatchComment.objects.get().msgid == odd.msgid

    @pytest.mark.parametrize("parent_subject", ["[PATCH] p", "[PATCH 0/1] c"])
    def test_action_required_marks_the_comment_unaddressed(self, project, parent_subject):
        parent = ParsedMailFactory(
            subject=parent_subject, diff=None if "0/1" in parent_subject else SAMPLE_DIFF
        )
        store_mail(parent)
        plain, flagged = reply_to(parent), reply_to(parent, action_required=True)

        store_mail(plain)
        store_mail(flagged)

        model = CoverComment if "0/1" in parent_subject else PatchComment
        assert model.objects.get(msgid=plain.msgid).addressed is None
        assert model.objects.get(msgid=flagged.msgid).addressed is False

    def test_a_comment_bumps_the_patch_and_series_updated_dates(self, project):
        patch_mail = ParsedMailFactory()
        store_mail(patch_mail)
        long_ago = datetime.datetime(2000, 1, 1)
        Patch.objects.update(updated=long_ago)
        Series.objects.update(updated=long_ago)

        store_mail(reply_to(patch_mail))

        assert Patch.objects.get().updated > long_ago
        assert Series.objects.get().updated > long_ago

    def test_a_cover_comment_bumps_the_series_updated_date(self, project):
        cover_mail = ParsedMailFactory(subject="[PATCH 0/1] cover", diff=None)
        store_mail(cover_mail)
        long_ago = datetime.datetime(2000, 1, 1)
        Series.objects.update(updated=long_ago)

        store_mail(reply_to(cover_mail))

        assert Series.objects.get().updated > long_ago


class TestWaitingReplies:
    def test_a_reply_before_its_patch_waits_and_becomes_a_comment(self, project):
        patch_mail = ParsedMailFactory()
        reply = reply_to(patch_mail)
        reply_of_reply = reply_to(reply)

        assert store_mail(reply).kind == Outcome.WAITING
        assert store_mail(reply_of_reply).kind == Outcome.WAITING
        assert not PatchComment.objects.exists()

        result = store_mail(patch_mail)

        assert [settled.msgid for settled in result.settled] == [reply.msgid, reply_of_reply.msgid]
        assert all(settled.kind == Outcome.COMMENT for settled in result.settled)
        assert PatchComment.objects.filter(patch__msgid=patch_mail.msgid).count() == 2
        assert not UnattachedMail.objects.exists()

    def test_a_waiting_reply_equals_the_comment_it_would_have_been(self, project):
        patch_mail = ParsedMailFactory()
        reply = reply_to(patch_mail, content="Acked-by: A <a@example.org>", action_required=True)
        store_mail(reply)

        store_mail(patch_mail)

        comment = PatchComment.objects.get()
        assert (comment.msgid, comment.date, comment.content) == (
            reply.msgid,
            reply.date,
            reply.content,
        )
        assert (comment.headers, comment.addressed) == (reply.headers, False)
        assert comment.submitter.email == reply.author.email
        assert PatchTag.objects.get(patch=comment.patch).count == 1
        assert "patch-comment-created" in categories(project)

    def test_flushing_drops_a_reply_whose_parent_never_came(self, project):
        orphan = reply_to(ParsedMailFactory())
        store_mail(orphan)

        settled = flush_waiting()

        assert [(item.msgid, item.kind) for item in settled] == [(orphan.msgid, Outcome.DROPPED)]
        row = UnattachedMail.objects.get()
        assert (row.status, row.content) == ("dropped", "")

    def test_flushing_attaches_to_a_known_ancestor(self, project):
        """A reply to a lost mail still reaches the patch further up its References."""
        patch_mail = ParsedMailFactory()
        store_mail(patch_mail)
        lost = reply_to(patch_mail)
        reply = reply_to(lost)
        assert store_mail(reply).kind == Outcome.WAITING

        flush_waiting()

        assert PatchComment.objects.get().msgid == reply.msgid

    def test_flushing_can_be_limited_to_old_replies(self, project):
        store_mail(reply_to(ParsedMailFactory()))

        assert flush_waiting(received_before=datetime.datetime(2000, 1, 1)) == []
        assert UnattachedMail.objects.get().status == "waiting"


class TestTags:
    def test_tags_are_counted_in_the_patch_and_in_its_comments(self, project):
        patch_mail = ParsedMailFactory(
            content="Fix.\n\nReviewed-by: R <r@example.org>\nTested-by: T <t@example.org>\n"
        )
        store_mail(patch_mail)
        store_mail(reply_to(patch_mail, content="> Acked-by: quoted\nAcked-by: A <a@x.org>"))
        store_mail(reply_to(patch_mail, content="Reviewed-by: S <s@example.org>"))

        counts = dict(PatchTag.objects.values_list("tag__name", "count"))
        assert counts == {"Acked-by": 1, "Reviewed-by": 2, "Tested-by": 1}

    def test_no_tags_for_a_project_that_does_not_use_them(self, project):
        project.use_tags = False
        project.save()

        store_mail(ParsedMailFactory(content="Acked-by: A <a@example.org>"))

        assert not PatchTag.objects.exists()


class TestEvents:
    def test_a_single_patch(self, project):
        store_mail(ParsedMailFactory())

        assert categories(project) == [
            "patch-created",
            "series-created",
            "patch-completed",
            "series-completed",
        ]
        assert not Event.objects.exclude(actor=None).exists()

    def test_events_of_a_mail_have_distinct_increasing_dates(self, project):
        """As Patchwork records them: each event of a mail has its own date, increasing
        in creation order (patch-created, series-created, patch-completed,
        series-completed), so ordering by date alone lists them in that order."""
        store_mail(ParsedMailFactory())

        by_id = list(Event.objects.filter(project=project).order_by("id"))
        dates = [event.date for event in by_id]
        assert dates == sorted(dates)
        assert len(set(dates)) == len(dates)
        by_date = Event.objects.filter(project=project).order_by("date")
        assert [event.category for event in by_date] == [event.category for event in by_id]

    def test_a_series_with_its_cover_letter(self, project):
        cover = ParsedMailFactory(subject="[PATCH 0/2] two", diff=None)
        first = ParsedMailFactory(subject="[PATCH 1/2] one", in_reply_to=cover.msgid)
        second = ParsedMailFactory(subject="[PATCH 2/2] two", in_reply_to=cover.msgid)
        for mail in (cover, first, second):
            store_mail(mail)

        assert categories(project) == [
            "series-created",
            "cover-created",
            "patch-created",
            "patch-completed",
            "patch-created",
            "patch-completed",
            "series-completed",
        ]

    def test_patch_completed_waits_for_the_predecessors(self, project):
        """Patchwork raises patch-completed for a patch once all lower numbers are in,
        and then for the successors that were waiting for it."""
        first = ParsedMailFactory(subject="[PATCH 1/3] a")
        later = [
            ParsedMailFactory(subject=f"[PATCH {k}/3] x", in_reply_to=first.msgid) for k in (2, 3)
        ]
        for mail in [*later, first]:
            store_mail(mail)

        completed = Event.objects.filter(category="patch-completed").order_by("id")
        assert [event.patch.number for event in completed] == [1, 2, 3]
        assert Event.objects.filter(category="series-completed").count() == 1

    def test_comment_events_name_the_comment(self, project):
        cover = ParsedMailFactory(subject="[PATCH 0/1] c", diff=None)
        patch_mail = ParsedMailFactory(subject="[PATCH 1/1] p", in_reply_to=cover.msgid)
        for mail in (cover, patch_mail, reply_to(cover), reply_to(patch_mail)):
            store_mail(mail)

        cover_event = Event.objects.get(category="cover-comment-created")
        patch_event = Event.objects.get(category="patch-comment-created")
        assert cover_event.cover_comment == CoverComment.objects.get()
        assert cover_event.cover.msgid == cover.msgid
        assert patch_event.patch_comment == PatchComment.objects.get()
        assert patch_event.patch.msgid == patch_mail.msgid


class TestDependencies:
    def test_depends_on_by_message_id_and_by_urls(self, project):
        base = ParsedMailFactory()
        other = ParsedMailFactory()
        store_mail(base)
        store_mail(other)
        base_series = Patch.objects.get(msgid=base.msgid).series
        other_series = Patch.objects.get(msgid=other.msgid).series
        dependent = ParsedMailFactory(
            depends_on=[
                base.msgid,
                f"https://pw.example.org/project/dev/list/?series={other_series.id}",
                "https://pw.example.org/api/1.4/series/999999/",
            ]
        )

        store_mail(dependent)

        series = Patch.objects.get(msgid=dependent.msgid).series
        assert set(series.dependencies.all()) == {base_series, other_series}
        assert base_series.dependents.get() == series

    def test_no_dependency_on_itself_or_another_project(self, project):
        elsewhere = ParsedMailFactory()
        store_mail(elsewhere, project=ProjectFactory())
        own = ParsedMailFactory(subject="[PATCH 1/2] a")
        second = ParsedMailFactory(
            subject="[PATCH 2/2] b", in_reply_to=own.msgid, depends_on=[own.msgid, elsewhere.msgid]
        )
        store_mail(own)

        store_mail(second)

        assert not Series.objects.get(project=project).dependencies.exists()


class TestAtomicity:
    def test_a_failure_half_way_leaves_nothing_behind(self, project, monkeypatch):
        def broken(*args, **kwargs):
            raise DatabaseError("disk full")

        monkeypatch.setattr("ingest.store.patches.add_tag_counts", broken)

        with pytest.raises(DatabaseError):
            store_mail(ParsedMailFactory())

        assert not Patch.objects.exists()
        assert not Series.objects.exists()
        assert not Person.objects.exists()
        assert not Event.objects.exists()


class TestContext:
    def test_a_shared_context_caches_projects(self, project, django_assert_max_num_queries):
        context = IngestContext()
        store_mail(ParsedMailFactory(), context=context)

        with django_assert_max_num_queries(14):
            store_mail(ParsedMailFactory(), context=context)
