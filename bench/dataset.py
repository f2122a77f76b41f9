"""The benchmark database around the ingested archive: projects and users before ingest,
then the life a real instance has after it (states, archiving, CI checks), and the rows
each endpoint is measured on.

Users and projects go through the management commands operators use; the bulk changes
(states, checks) are single SQL statements, as a bot posting 200k checks through the API
would take far longer than the benchmark may.
"""

from dataclasses import asdict, dataclass
from urllib.parse import quote

from bench.config import BenchConfig
from bench.django_env import manage
from bench.postgres import connect

MAINTAINER = "bench-maintainer"
CI_BOT = "bench-ci"
# Share of each project's patches, oldest first, that are archived with a final state.
ARCHIVED_SHARE = 0.65
DETAIL_SAMPLE = 40
SERIES_SAMPLE = 20
SINCE_POLL_EVENTS = 20


def linkname_for(list_id: str) -> str:
    return list_id.split(".", 1)[0]


def create_projects(config: BenchConfig, database_url: str, list_ids: tuple[str, ...]) -> None:
    for list_id in list_ids:
        linkname = linkname_for(list_id)
        first_label, domain = list_id.split(".", 1)
        manage(
            config.python,
            database_url,
            "project",
            "add",
            linkname,
            "--name",
            f"Bench {linkname}",
            "--listid",
            list_id,
            "--listemail",
            f"{first_label}@{domain}",
            "--list-archive-url-format",
            "https://lore.example.org/r/{}",
        )


def create_users(
    config: BenchConfig, database_url: str, list_ids: tuple[str, ...], token: str
) -> None:
    """A maintainer of every project, with the given API token, and a CI bot user."""
    manage(
        config.python,
        database_url,
        "user",
        "add",
        MAINTAINER,
        "--email",
        "maintainer@bench.example.org",
        "--token",
        token,
    )
    for list_id in list_ids:
        manage(
            config.python, database_url, "project", "maintainer", linkname_for(list_id), MAINTAINER
        )
    manage(config.python, database_url, "user", "add", CI_BOT, "--email", "ci@bench.example.org")


SHAPE_STATES_SQL = f"""
WITH ranked AS (
    SELECT id,
           percent_rank() OVER (PARTITION BY project_id ORDER BY date, id) AS age_rank,
           (id::bigint * 2654435761) % 100 AS dice
    FROM patches_patch
)
UPDATE patches_patch AS patch SET
    archived = ranked.age_rank < {ARCHIVED_SHARE},
    state_id = CASE
        WHEN ranked.age_rank < {ARCHIVED_SHARE} THEN CASE
            WHEN dice < 55 THEN 3 WHEN dice < 80 THEN 9 WHEN dice < 90 THEN 4
            WHEN dice < 95 THEN 7 ELSE 6 END
        ELSE CASE WHEN dice < 75 THEN 1 WHEN dice < 90 THEN 2 ELSE 7 END
    END
FROM ranked
WHERE patch.id = ranked.id
"""

ADD_CHECKS_SQL = """
INSERT INTO patches_check (patch_id, user_id, date, state, target_url, description, context)
SELECT patch.id, %(bot)s, patch.date + run.delay,
       CASE WHEN (patch.id::bigint * 40503 + run.number) %% 100 < 80 THEN 1
            WHEN (patch.id::bigint * 40503 + run.number) %% 100 < 90 THEN 2
            WHEN (patch.id::bigint * 40503 + run.number) %% 100 < 97 THEN 3
            ELSE 0 END,
       'https://ci.bench.example.org/run/' || patch.id || '/' || run.context,
       run.context || ' finished', run.context
FROM patches_patch AS patch
CROSS JOIN (VALUES (1, 'build', interval '20 minutes'), (2, 'test', interval '50 minutes'))
    AS run(number, context, delay)
WHERE patch.diff IS NOT NULL
"""

ADD_CHECK_EVENTS_SQL = """
INSERT INTO events_event (project_id, category, date, patch_id, created_check_id, actor_id)
SELECT patch.project_id, 'check-created', checks.date, checks.patch_id, checks.id, checks.user_id
FROM patches_check AS checks JOIN patches_patch AS patch ON patch.id = checks.patch_id
WHERE checks.user_id = %(bot)s
"""


def shape_after_ingest(database_url: str) -> dict[str, int]:
    """Archive the older patches with final states, then give every patch two CI checks
    (and their check-created events) from the CI bot; return the rows touched."""
    with connect(database_url, autocommit=False) as connection:
        bot = connection.execute(
            "SELECT id FROM auth_user WHERE username = %s", (CI_BOT,)
        ).fetchone()[0]
        shaped = connection.execute(SHAPE_STATES_SQL).rowcount
        checks = connection.execute(ADD_CHECKS_SQL, {"bot": bot}).rowcount
        events = connection.execute(ADD_CHECK_EVENTS_SQL, {"bot": bot}).rowcount
        connection.commit()
    return {"patches_shaped": shaped, "checks_added": checks, "check_events_added": events}


@dataclass
class Targets:
    """The rows the endpoints are measured on, chosen from the data."""

    project_id: int
    linkname: str
    list_state: str
    list_state_id: int
    list_pages: int
    detail_patch_ids: list[int]
    detail_patch_msgids: list[str]
    ten_patch_series_ids: list[int]
    people_query: str
    events_since: str
    writable_patch_ids: list[int]
    token: str

    def as_dict(self) -> dict:
        data = asdict(self)
        data["token"] = "<redacted>"
        return data


def busiest_project(connection) -> tuple[int, str]:
    return connection.execute(
        """SELECT project.id, project.linkname FROM projects_project AS project
           JOIN patches_patch AS patch ON patch.project_id = project.id
           GROUP BY project.id ORDER BY count(*) DESC, project.id LIMIT 1"""
    ).fetchone()


def sample_patches(connection, project_id: int) -> list[tuple[int, str]]:
    return connection.execute(
        """SELECT id, msgid FROM patches_patch WHERE project_id = %s AND diff IS NOT NULL
           ORDER BY md5(id::text) LIMIT %s""",
        (project_id, DETAIL_SAMPLE),
    ).fetchall()


def ten_patch_series(connection, project_id: int) -> list[int]:
    """Series of exactly ten patches (the nearest sizes when a small corpus has none)."""
    rows = connection.execute(
        """SELECT series_id FROM patches_patch WHERE project_id = %s AND series_id IS NOT NULL
           GROUP BY series_id ORDER BY abs(count(*) - 10), md5(series_id::text) LIMIT %s""",
        (project_id, SERIES_SAMPLE),
    ).fetchall()
    return [row[0] for row in rows]


def people_query(connection) -> str:
    """A surname shared by a middling number of people, as someone would search for."""
    rows = connection.execute(
        """SELECT lower(split_part(name, ' ', 2)) AS surname, count(*) FROM people_person
           WHERE name LIKE '%% %%' GROUP BY 1 HAVING count(*) > 1 ORDER BY 2, 1"""
    ).fetchall()
    ascii_rows = [row[0] for row in rows if row[0].isascii() and row[0].isalpha()]
    return ascii_rows[len(ascii_rows) // 2] if ascii_rows else "a"


def events_since(connection) -> str:
    """The date a bot polling series-completed events last saw, ~20 events ago."""
    row = connection.execute(
        """SELECT date FROM events_event WHERE category = 'series-completed'
           ORDER BY date DESC OFFSET %s LIMIT 1""",
        (SINCE_POLL_EVENTS,),
    ).fetchone()
    if row is None:
        row = connection.execute("SELECT min(date) FROM events_event").fetchone()
    return row[0].isoformat(timespec="seconds") if row and row[0] else "2000-01-01T00:00:00"


def writable_patches(connection, project_id: int) -> list[int]:
    rows = connection.execute(
        """SELECT id FROM patches_patch WHERE project_id = %s AND NOT archived AND state_id = 1
           ORDER BY md5(id::text) LIMIT %s""",
        (project_id, DETAIL_SAMPLE),
    ).fetchall()
    return [row[0] for row in rows]


def list_page_count(connection, project_id: int, state_id: int, per_page: int) -> int:
    matching = connection.execute(
        """SELECT count(*) FROM patches_patch
           WHERE project_id = %s AND state_id = %s AND NOT archived""",
        (project_id, state_id),
    ).fetchone()[0]
    return max(1, -(-matching // per_page))


def select_targets(database_url: str, token: str, per_page: int) -> Targets:
    with connect(database_url) as connection:
        project_id, linkname = busiest_project(connection)
        patches = sample_patches(connection, project_id)
        return Targets(
            project_id=project_id,
            linkname=linkname,
            list_state="new",
            list_state_id=1,
            list_pages=list_page_count(connection, project_id, 1, per_page),
            detail_patch_ids=[patch_id for patch_id, _ in patches],
            detail_patch_msgids=[msgid for _, msgid in patches],
            ten_patch_series_ids=ten_patch_series(connection, project_id),
            people_query=people_query(connection),
            events_since=events_since(connection),
            writable_patch_ids=writable_patches(connection, project_id),
            token=token,
        )


def quoted_msgid(msgid: str) -> str:
    """A Message-ID as the download URLs take it: without <>, path-quoted."""
    bare = msgid[1:-1] if msgid.startswith("<") and msgid.endswith(">") else msgid
    return quote(bare, safe="@!$&'()*+,;=:-._~")
