"""The full-text index of patches (name, commit message, diff), one per database vendor.

- PostgreSQL: a stored generated ``tsvector`` column ``patches_patch.search_vector``
  (configuration ``simple``: no stemming or stop words, so identifiers match as typed)
  with a GIN index; the database maintains it on every insert and update.
- SQLite: an FTS5 external-content table ``patch_search`` (tokenizer ``unicode61``) kept
  up to date by triggers on ``patches_patch``.
- Other vendors: no index; ``search`` falls back to ``icontains`` on the three columns.

Each text is cut before indexing (``INDEXED_CHARACTERS``) so that no patch can exceed
PostgreSQL's 1 MB ``tsvector`` limit and make its mail fail to store.
"""

TABLE = "patches_patch"
FTS_TABLE = "patch_search"
VECTOR_COLUMN = "search_vector"
TS_CONFIG = "simple"
# Characters of each column indexed: enough for every real commit message and most
# diffs; bounded so that a tsvector stays under 1 MB whatever the text.
INDEXED_CHARACTERS = {"name": 255, "content": 100_000, "diff": 200_000}


def postgresql_document() -> str:
    parts = [
        f"left(coalesce({column}, ''), {limit})" for column, limit in INDEXED_CHARACTERS.items()
    ]
    document = " || ' ' || ".join(parts)
    return f"to_tsvector('{TS_CONFIG}', {document})"


POSTGRESQL_CREATE = [
    f"ALTER TABLE {TABLE} ADD COLUMN {VECTOR_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({postgresql_document()}) STORED",
    f"CREATE INDEX patch_search_idx ON {TABLE} USING GIN ({VECTOR_COLUMN})",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS patch_search_idx",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {VECTOR_COLUMN}",
]

_COLUMNS = ", ".join(INDEXED_CHARACTERS)
_NEW = ", ".join(f"substr(new.{c}, 1, {n})" for c, n in INDEXED_CHARACTERS.items())
_OLD = ", ".join(f"substr(old.{c}, 1, {n})" for c, n in INDEXED_CHARACTERS.items())
_SOURCE = ", ".join(f"substr({c}, 1, {n})" for c, n in INDEXED_CHARACTERS.items())
_DELETE_OLD = (
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLUMNS}) VALUES ('delete', old.id, {_OLD});"
)
_INSERT_NEW = f"INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS}) VALUES (new.id, {_NEW});"

SQLITE_CREATE = [
    # contentless: the text stays in patches_patch only; a 'delete' command gives the
    # indexed (cut) values of the old row again.
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({_COLUMNS}, content='', tokenize='unicode61')",
    f"INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS}) SELECT id, {_SOURCE} FROM {TABLE}",
    f"CREATE TRIGGER patch_search_insert AFTER INSERT ON {TABLE} BEGIN {_INSERT_NEW} END",
    f"CREATE TRIGGER patch_search_delete AFTER DELETE ON {TABLE} BEGIN {_DELETE_OLD} END",
    f"CREATE TRIGGER patch_search_update AFTER UPDATE OF {_COLUMNS} ON {TABLE} BEGIN "
    f"{_DELETE_OLD} {_INSERT_NEW} END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS patch_search_insert",
    "DROP TRIGGER IF EXISTS patch_search_delete",
    "DROP TRIGGER IF EXISTS patch_search_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
