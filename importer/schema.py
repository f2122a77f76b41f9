"""Which Patchwork schema a source database has, and how to read each table from it.

Pure: the schema is decided from the names of the ``patchwork`` migrations recorded in
the source's ``django_migrations`` table, and each table is read with one SELECT whose
column names are this server's field names (``project_id``, ``user_id``...).
"""

from dataclasses import dataclass

# Migrations of Patchwork's main line, in order (releases 2.2 to 3.2 and main).
KNOWN_MIGRATIONS = (
    "0001_initial",
    "0002_fix_patch_state_default_values",
    "0003_add_check_model",
    "0004_add_delegation_rule_model",
    "0005_unselectable_maintainer_projects",
    "0006_add_patch_diff",
    "0007_move_comment_content_to_patch_content",
    "0008_add_email_mixin",
    "0009_add_submission_model",
    "0010_migrate_data_from_submission_to_patch",
    "0011_remove_temp_fields",
    "0012_add_coverletter_model",
    "0013_slug_check_context",
    "0014_remove_userprofile_primary_project",
    "0015_add_series_models",
    "0016_series_project",
    "0017_improved_delegation_rule_docs",
    "0018_add_event_model",
    "0019_userprofile_show_ids",
    "0020_tag_show_column",
    "0021_django_1_10_fixes",
    "0022_add_subject_match_to_project",
    "0023_timezone_unify",
    "0024_patch_patch_project",
    "0025_add_regex_validators",
    "0026_add_user_bundles_backref",
    "0027_remove_series_ordering",
    "0028_add_comment_date_index",
    "0029_add_list_covering_index",
    "0030_add_submission_covering_index",
    "0031_add_patch_series_fields",
    "0032_migrate_data_from_series_patch_to_patch",
    "0033_remove_patch_series_model",
    "0034_project_list_archive_url",
    "0035_project_list_archive_url_format",
    "0036_project_commit_url_format",
    "0037_event_actor",
    "0038_state_slug",
    "0039_unique_series_references",
    "0040_add_related_patches",
    "0041_python3",
    "0042_add_cover_model",
    "0043_merge_patch_submission",
    "0044_add_project_linkname_validation",
    "0045_addressed_fields",
    "0046_patch_comment_events",
    "0047_add_database_indexes",
    "0048_series_dependencies",
)
# A fresh installation of Patchwork 3.x records this one instead of 0001 to 0040.
SQUASHED = {"0001_squashed_0040_add_related_patches": KNOWN_MIGRATIONS[:40]}
OLDEST = "0038_state_slug"  # Patchwork 2.2: states have slugs, events have actors.

# The release that added each migration we tell apart, for messages and the summary.
RELEASES = (
    ("0048_series_dependencies", "main (after 3.2)"),
    ("0047_add_database_indexes", "3.2"),
    ("0045_addressed_fields", "3.1"),
    ("0040_add_related_patches", "3.0"),
    ("0038_state_slug", "2.2"),
)


class UnknownSchema(Exception):
    """The source's migrations are not a Patchwork schema this importer knows."""


@dataclass(frozen=True)
class Schema:
    """What a source database holds, decided from its applied migrations."""

    latest: str
    release: str
    # 2.2 and 3.0 before 0042/0043 keep patches and covers in patchwork_submission.
    submission_table: bool
    relations: bool
    addressed: bool
    comment_events: bool
    series_dependencies: bool

    def __str__(self) -> str:
        return f"Patchwork {self.release} (migration {self.latest})"


def detect_schema(applied: list[str]) -> Schema:
    """The schema of a database whose ``patchwork`` app recorded ``applied`` migrations."""
    names = set(applied)
    for squashed, replaced in SQUASHED.items():
        if squashed in names:
            names.discard(squashed)
            names.update(replaced)
    if not names:
        raise UnknownSchema("the source has no Patchwork migrations (is it a Patchwork database?)")
    unknown = sorted(names - set(KNOWN_MIGRATIONS))
    if unknown:
        raise UnknownSchema(
            "the source's Patchwork schema has migrations this importer does not know: "
            + ", ".join(unknown)
            + " (a newer Patchwork or a modified one; supported: releases 2.2 to 3.2 and "
            f"main up to {KNOWN_MIGRATIONS[-1]})"
        )
    latest = max(names, key=KNOWN_MIGRATIONS.index)
    expected = set(KNOWN_MIGRATIONS[: KNOWN_MIGRATIONS.index(latest) + 1])
    missing = sorted(expected - names)
    if missing:
        raise UnknownSchema(
            f"the source's Patchwork schema is incomplete: {latest} is applied but not "
            + ", ".join(missing)
            + " (finish Patchwork's own migrations first)"
        )
    if KNOWN_MIGRATIONS.index(latest) < KNOWN_MIGRATIONS.index(OLDEST):
        raise UnknownSchema(
            f"the source's Patchwork schema ({latest}) is older than Patchwork 2.2 "
            f"({OLDEST}); upgrade it with Patchwork's migrations first"
        )
    if latest == "0042_add_cover_model":
        raise UnknownSchema(
            "the source stopped between Patchwork migrations 0042 and 0043 (a failed "
            "3.0 upgrade); finish Patchwork's migrations first"
        )
    position = KNOWN_MIGRATIONS.index
    release = next(name for key, name in RELEASES if position(latest) >= position(key))
    return Schema(
        latest=latest,
        release=release,
        submission_table=position(latest) < position("0043_merge_patch_submission"),
        relations=position(latest) >= position("0040_add_related_patches"),
        addressed=position(latest) >= position("0045_addressed_fields"),
        comment_events=position(latest) >= position("0046_patch_comment_events"),
        series_dependencies=position(latest) >= position("0048_series_dependencies"),
    )


@dataclass(frozen=True)
class SourceQuery:
    """How to read one table: a SELECT of rows after a key, in key order."""

    columns: str  # the SELECT list, named as this server's fields
    source: str  # the FROM clause
    key: str  # the SQL expression rows are ordered and resumed by
    key_field: str  # the column of a row that holds its key

    def select_after(self, has_last_key: bool) -> str:
        """The rows after a key (with one parameter) or all rows, in key order."""
        where = f" WHERE {self.key} > %s" if has_last_key else ""
        return f"SELECT {self.columns} FROM {self.source}{where} ORDER BY {self.key}"

    @property
    def count(self) -> str:
        return f"SELECT count(*) FROM {self.source}"


def _query(columns: str, source: str, key: str, key_field: str = "id") -> SourceQuery:
    return SourceQuery(columns=columns, source=source, key=key, key_field=key_field)


SUBMISSION = "s.id, s.msgid, s.date, s.headers, s.content, s.name, s.project_id, s.submitter_id"
PATCH_FIELDS = (
    "diff, commit_ref, pull_url, delegate_id, state_id, archived, hash, number, series_id"
)


def source_queries(schema: Schema) -> dict[str, SourceQuery]:
    """Each table to import, in an order where every foreign key points to rows already
    imported, with the query that reads it from a source of this schema."""
    related = "p.related_id" if schema.relations else "NULL::integer AS related_id"
    addressed = "addressed" if schema.addressed else "NULL::boolean AS addressed"
    queries = {
        "users": _query(
            "id, password, last_login, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined",
            "auth_user",
            "id",
        ),
        "projects": _query(
            "id, linkname, name, listid, listemail, subject_match, web_url, scm_url, "
            "webscm_url, list_archive_url, list_archive_url_format, commit_url_format, "
            "send_notifications, use_tags, "
            + ("show_dependencies" if schema.series_dependencies else "false")
            + " AS show_dependencies",
            "patchwork_project",
            "id",
        ),
        "profiles": _query(
            "id, user_id, send_email, items_per_page, show_ids", "patchwork_userprofile", "id"
        ),
        "maintainers": _query(
            "m.id, m.project_id, p.user_id",
            "patchwork_userprofile_maintainer_projects m "
            "JOIN patchwork_userprofile p ON p.id = m.userprofile_id",
            "m.id",
        ),
        "tokens": _query(
            "key, user_id, created", "authtoken_token", 'key COLLATE "C"', key_field="key"
        ),
        "people": _query("id, email, name, user_id", "patchwork_person", "id"),
        "states": _query("id, name, slug, ordering, action_required", "patchwork_state", "id"),
        "tags": _query("id, name, pattern, abbrev, show_column", "patchwork_tag", "id"),
        "delegation rules": _query(
            "id, project_id, user_id, path, priority", "patchwork_delegationrule", "id"
        ),
    }
    if schema.relations:
        queries["relations"] = _query("id", "patchwork_patchrelation", "id")
    if schema.submission_table:
        queries["covers"] = _query(
            SUBMISSION,
            "patchwork_coverletter c JOIN patchwork_submission s ON s.id = c.submission_ptr_id",
            "s.id",
        )
    else:
        queries["covers"] = _query(
            "id, msgid, date, headers, content, name, project_id, submitter_id",
            "patchwork_cover",
            "id",
        )
    # updated: the latest of the mail's date and what happened to it since.
    queries["series"] = _query(
        "s.id, s.project_id, s.cover_letter_id, s.name, s.date, s.submitter_id, s.version, "
        "s.total, (SELECT count(*) FROM patchwork_patch p WHERE p.series_id = s.id) "
        "AS received_total, GREATEST(s.date, (SELECT max(e.date) FROM patchwork_event e "
        "WHERE e.series_id = s.id)) AS updated",
        "patchwork_series s",
        "s.id",
    )
    if schema.series_dependencies:
        queries["series dependencies"] = _query(
            "id, from_series_id, to_series_id", "patchwork_series_dependencies", "id"
        )
    queries["series references"] = _query(
        "id, project_id, series_id, msgid", "patchwork_seriesreference", "id"
    )
    patch_updated = (
        "GREATEST({date}, (SELECT max(e.date) FROM patchwork_event e "
        "WHERE e.patch_id = {id})) AS updated"
    )
    if schema.submission_table:
        queries["patches"] = _query(
            f"{SUBMISSION}, p.diff, p.commit_ref, p.pull_url, p.delegate_id, p.state_id, "
            f"p.archived, p.hash, p.number, p.series_id, {related}, "
            + patch_updated.format(date="s.date", id="s.id"),
            "patchwork_patch p JOIN patchwork_submission s ON s.id = p.submission_ptr_id",
            "s.id",
        )
        comment = (
            "c.id, c.msgid, c.date, c.headers, c.content, c.submission_id AS {parent}_id, "
            "c.submitter_id, NULL::boolean AS addressed"
        )
        queries["patch comments"] = _query(
            comment.format(parent="patch"),
            "patchwork_comment c JOIN patchwork_patch p ON p.submission_ptr_id = c.submission_id",
            "c.id",
        )
        queries["cover comments"] = _query(
            comment.format(parent="cover"),
            "patchwork_comment c "
            "JOIN patchwork_coverletter v ON v.submission_ptr_id = c.submission_id",
            "c.id",
        )
    else:
        queries["patches"] = _query(
            "p.id, p.msgid, p.date, p.headers, p.content, p.name, p.project_id, "
            f"p.submitter_id, p.{PATCH_FIELDS.replace(', ', ', p.')}, {related}, "
            + patch_updated.format(date="p.date", id="p.id"),
            "patchwork_patch p",
            "p.id",
        )
        queries["patch comments"] = _query(
            f"id, msgid, date, headers, content, patch_id, submitter_id, {addressed}",
            "patchwork_patchcomment",
            "id",
        )
        queries["cover comments"] = _query(
            f"id, msgid, date, headers, content, cover_id, submitter_id, {addressed}",
            "patchwork_covercomment",
            "id",
        )
    queries["patch tags"] = _query("id, patch_id, tag_id, count", "patchwork_patchtag", "id")
    queries["checks"] = _query(
        "id, patch_id, user_id, date, state, target_url, description, context",
        "patchwork_check",
        "id",
    )
    queries["bundles"] = _query("id, owner_id, project_id, name, public", "patchwork_bundle", "id")
    queries["bundle patches"] = _query(
        'id, bundle_id, patch_id, "order"', "patchwork_bundlepatch", "id"
    )
    comment_events = (
        "cover_comment_id, patch_comment_id"
        if schema.comment_events
        else "NULL::integer AS cover_comment_id, NULL::integer AS patch_comment_id"
    )
    relation_events = (
        "previous_relation_id, current_relation_id"
        if schema.relations
        else "NULL::integer AS previous_relation_id, NULL::integer AS current_relation_id"
    )
    queries["events"] = _query(
        "id, project_id, category, actor_id, date, patch_id, series_id, cover_id, "
        "previous_state_id, current_state_id, previous_delegate_id, current_delegate_id, "
        f"{relation_events}, created_check_id, {comment_events}",
        "patchwork_event",
        "id",
    )
    return queries
