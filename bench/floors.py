"""The SQL floor of each read endpoint: the same rows, filters, page and joined data,
fetched directly through psycopg.  An endpoint cannot be faster than its floor; the ratio
endpoint/floor says how much the framework, serialization and extra queries cost.

Each floor is a function ``(connection, targets, index) -> None`` that runs every statement
the response needs (the page, the related rows the page embeds, the count behind the
``Link`` header's ``last``) and fetches all rows.  ``index`` picks which of the sampled
patches/series is fetched, in step with the load generator's round robin.
"""

import statistics
import time
from collections.abc import Callable

import psycopg

from bench.dataset import Targets

PER_PAGE = 30

PROJECT_COLUMNS = """project.id, project.linkname, project.name, project.listid,
    project.listemail, project.web_url, project.scm_url, project.webscm_url,
    project.list_archive_url, project.list_archive_url_format, project.commit_url_format"""

PATCH_BRIEF_COLUMNS = f"""patch.id, patch.msgid, patch.date, patch.name, patch.commit_ref,
    patch.pull_url, patch.archived, patch.hash, patch.related_id, state.slug,
    {PROJECT_COLUMNS},
    submitter.id, submitter.name, submitter.email,
    delegate.id, delegate.username, delegate.first_name, delegate.last_name, delegate.email,
    series.id, series.date, series.name, series.version"""

PATCH_JOINS = """FROM patches_patch AS patch
    JOIN patches_state AS state ON state.id = patch.state_id
    JOIN projects_project AS project ON project.id = patch.project_id
    JOIN people_person AS submitter ON submitter.id = patch.submitter_id
    LEFT JOIN auth_user AS delegate ON delegate.id = patch.delegate_id
    LEFT JOIN series_series AS series ON series.id = patch.series_id"""

PATCH_LIST_WHERE = """patch.project_id = %(project)s AND patch.state_id = %(state)s
    AND NOT patch.archived"""

PATCH_CHECKS_SQL = """SELECT patch_id, context, state, date FROM patches_check
    WHERE patch_id = ANY(%(ids)s) ORDER BY patch_id, context, date DESC"""

RELATED_SQL = """SELECT id, msgid, related_id FROM patches_patch
    WHERE related_id = ANY(%(relations)s)"""

SERIES_COLUMNS = f"""series.id, series.name, series.date, series.version, series.total,
    series.received_total, {PROJECT_COLUMNS}, submitter.id, submitter.name, submitter.email,
    cover.id, cover.msgid, cover.name, cover.date"""

SERIES_JOINS = """FROM series_series AS series
    JOIN projects_project AS project ON project.id = series.project_id
    JOIN people_person AS submitter ON submitter.id = series.submitter_id
    LEFT JOIN covers_cover AS cover ON cover.id = series.cover_letter_id"""

SERIES_PATCHES_SQL = """SELECT id, msgid, name, date, series_id FROM patches_patch
    WHERE series_id = ANY(%(ids)s) ORDER BY series_id, number, id"""

MBOX_PATCH_COLUMNS = """patch.id, patch.msgid, patch.name, patch.date, patch.headers,
    patch.content, patch.diff, patch.number, submitter.name, submitter.email,
    delegate.email, project.linkname, project.listid"""

MBOX_JOINS = """FROM patches_patch AS patch
    JOIN projects_project AS project ON project.id = patch.project_id
    JOIN people_person AS submitter ON submitter.id = patch.submitter_id
    LEFT JOIN auth_user AS delegate ON delegate.id = patch.delegate_id"""

COMMENT_TRAILERS_SQL = """SELECT patch_id, content FROM patches_patchcomment
    WHERE patch_id = ANY(%(ids)s) ORDER BY patch_id, date, id"""

FloorFunction = Callable[[psycopg.Connection, Targets, int], None]


def fetch(connection: psycopg.Connection, query: str, params: dict) -> list[tuple]:
    return connection.execute(query, params).fetchall()


def patch_checks_and_related(connection: psycopg.Connection, rows: list[tuple]) -> None:
    fetch(connection, PATCH_CHECKS_SQL, {"ids": [row[0] for row in rows]})
    relations = sorted({row[8] for row in rows if row[8] is not None})
    if relations:
        fetch(connection, RELATED_SQL, {"relations": relations})


def patch_list_floor(page: int) -> FloorFunction:
    def floor(connection: psycopg.Connection, targets: Targets, index: int) -> None:
        params = {
            "project": targets.project_id,
            "state": targets.list_state_id,
            "limit": PER_PAGE,
            "offset": (page_for(targets, page) - 1) * PER_PAGE,
        }
        # The page's keys first (an index-only scan), then its rows: joining only the 30
        # rows shown, not every row the offset skips.
        rows = fetch(
            connection,
            f"""SELECT {PATCH_BRIEF_COLUMNS} {PATCH_JOINS} WHERE patch.id IN (
                    SELECT patch.id FROM patches_patch AS patch WHERE {PATCH_LIST_WHERE}
                    ORDER BY patch.id LIMIT %(limit)s OFFSET %(offset)s)
                ORDER BY patch.id""",
            params,
        )
        patch_checks_and_related(connection, rows)
        fetch(
            connection,
            f"SELECT count(*) FROM patches_patch AS patch WHERE {PATCH_LIST_WHERE}",
            params,
        )

    return floor


def page_for(targets: Targets, page: int) -> int:
    """The page actually requested: page 200 only exists on a large enough list."""
    return min(page, targets.list_pages)


def patch_detail_floor(connection: psycopg.Connection, targets: Targets, index: int) -> None:
    patch_id = targets.detail_patch_ids[index % len(targets.detail_patch_ids)]
    rows = fetch(
        connection,
        f"""SELECT {PATCH_BRIEF_COLUMNS}, patch.headers, patch.content, patch.diff
            {PATCH_JOINS} WHERE patch.id = %(id)s""",
        {"id": patch_id},
    )
    patch_checks_and_related(connection, rows)


def series_rows_and_patches(connection: psycopg.Connection, where: str, params: dict) -> None:
    rows = fetch(connection, f"SELECT {SERIES_COLUMNS} {SERIES_JOINS} WHERE {where}", params)
    fetch(connection, SERIES_PATCHES_SQL, {"ids": [row[0] for row in rows]})


def series_list_floor(connection: psycopg.Connection, targets: Targets, index: int) -> None:
    params = {"project": targets.project_id, "limit": PER_PAGE}
    series_rows_and_patches(
        connection, "series.project_id = %(project)s ORDER BY series.id LIMIT %(limit)s", params
    )
    fetch(connection, "SELECT count(*) FROM series_series WHERE project_id = %(project)s", params)


def series_detail_floor(connection: psycopg.Connection, targets: Targets, index: int) -> None:
    series_id = targets.ten_patch_series_ids[index % len(targets.ten_patch_series_ids)]
    series_rows_and_patches(connection, "series.id = %(id)s", {"id": series_id})


EVENTS_WHERE = "event.category = 'series-completed' AND event.date >= %(since)s"


def events_floor(connection: psycopg.Connection, targets: Targets, index: int) -> None:
    params = {"since": targets.events_since, "limit": PER_PAGE}
    fetch(
        connection,
        f"""SELECT event.id, event.category, event.date, {PROJECT_COLUMNS},
                   series.id, series.name, series.date, series.version
            FROM events_event AS event
            JOIN projects_project AS project ON project.id = event.project_id
            LEFT JOIN series_series AS series ON series.id = event.series_id
            WHERE {EVENTS_WHERE} ORDER BY event.date DESC, event.id DESC LIMIT %(limit)s""",
        params,
    )
    fetch(connection, f"SELECT count(*) FROM events_event AS event WHERE {EVENTS_WHERE}", params)


def checks_floor(connection: psycopg.Connection, targets: Targets, index: int) -> None:
    params = {"id": targets.detail_patch_ids[index % len(targets.detail_patch_ids)]}
    fetch(
        connection,
        """SELECT checks.id, checks.date, checks.state, checks.target_url,
                  checks.description, checks.context, account.id, account.username,
                  account.first_name, account.last_name, account.email
           FROM patches_check AS checks JOIN auth_user AS account ON account.id = checks.user_id
           WHERE checks.patch_id = %(id)s ORDER BY checks.date, checks.id LIMIT 30""",
        params,
    )
    fetch(connection, "SELECT count(*) FROM patches_check WHERE patch_id = %(id)s", params)


def patch_mbox_floor(connection: psycopg.Connection, targets: Targets, index: int) -> None:
    msgid = targets.detail_patch_msgids[index % len(targets.detail_patch_msgids)]
    rows = fetch(
        connection,
        f"""SELECT {MBOX_PATCH_COLUMNS} {MBOX_JOINS}
            WHERE project.linkname = %(linkname)s AND patch.msgid = %(msgid)s""",
        {"linkname": targets.linkname, "msgid": msgid},
    )
    fetch(connection, COMMENT_TRAILERS_SQL, {"ids": [row[0] for row in rows]})


def series_mbox_floor(connection: psycopg.Connection, targets: Targets, index: int) -> None:
    series_id = targets.ten_patch_series_ids[index % len(targets.ten_patch_series_ids)]
    rows = fetch(
        connection,
        f"""SELECT {MBOX_PATCH_COLUMNS} {MBOX_JOINS} WHERE patch.series_id = %(id)s
            ORDER BY patch.number, patch.id""",
        {"id": series_id},
    )
    fetch(connection, COMMENT_TRAILERS_SQL, {"ids": [row[0] for row in rows]})


PEOPLE_WHERE = "person.name ILIKE %(pattern)s OR person.email ILIKE %(pattern)s"


def people_floor(connection: psycopg.Connection, targets: Targets, index: int) -> None:
    params = {"pattern": f"%{targets.people_query}%", "limit": PER_PAGE}
    fetch(
        connection,
        f"""SELECT person.id, person.name, person.email, account.id, account.username,
                   account.first_name, account.last_name, account.email
            FROM people_person AS person LEFT JOIN auth_user AS account
                ON account.id = person.user_id
            WHERE {PEOPLE_WHERE} ORDER BY person.id LIMIT %(limit)s""",
        params,
    )
    fetch(connection, f"SELECT count(*) FROM people_person AS person WHERE {PEOPLE_WHERE}", params)


def measure_floor(
    connection: psycopg.Connection, floor: FloorFunction, targets: Targets, repeats: int
) -> dict[str, float]:
    """Median and minimum time of the floor over ``repeats`` runs (after one warm-up)."""
    floor(connection, targets, 0)
    timings_ms = []
    for index in range(repeats):
        started = time.perf_counter()
        floor(connection, targets, index)
        timings_ms.append((time.perf_counter() - started) * 1000.0)
    return {
        "p50_ms": round(statistics.median(timings_ms), 3),
        "min_ms": round(min(timings_ms), 3),
        "runs": repeats,
    }
