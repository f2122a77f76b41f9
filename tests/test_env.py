"""Reading the environment: booleans, lists and DATABASE_URL (patchwork_api.env)."""

from pathlib import Path

import pytest

from patchwork_api.env import (
    ConfigurationError,
    load_configuration,
    parse_bool,
    parse_config_file,
    parse_database_url,
    parse_list,
)

BASE_DIR = Path("/srv/patchwork")


@pytest.mark.parametrize("word", ["1", "true", "True", "YES", "on", " true "])
def test_parse_bool_accepts_true_words(word):
    assert parse_bool(word, name="DEBUG") is True


@pytest.mark.parametrize("word", ["0", "false", "False", "no", "off", ""])
def test_parse_bool_accepts_false_words(word):
    assert parse_bool(word, name="DEBUG") is False


def test_parse_bool_refuses_other_words_naming_the_variable():
    with pytest.raises(ConfigurationError, match="DEBUG"):
        parse_bool("maybe", name="DEBUG")


def test_parse_list_splits_on_commas_and_drops_blanks():
    assert parse_list(" a.example.org, ,b.example.org,") == ["a.example.org", "b.example.org"]


@pytest.mark.parametrize(
    ("url", "expected_name"),
    [
        ("sqlite:///data/patchwork.sqlite3", "/srv/patchwork/data/patchwork.sqlite3"),
        ("sqlite:///db.sqlite3", "/srv/patchwork/db.sqlite3"),
        ("sqlite:////var/lib/patchwork/db.sqlite3", "/var/lib/patchwork/db.sqlite3"),
        ("sqlite:///:memory:", ":memory:"),
        ("sqlite://:memory:", ":memory:"),
        ("sqlite:///with%20space.db", "/srv/patchwork/with space.db"),
    ],
)
def test_sqlite_urls(url, expected_name):
    database = parse_database_url(url, base_dir=BASE_DIR)

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == expected_name


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:////"])
def test_sqlite_url_without_a_file_is_refused(url):
    with pytest.raises(ConfigurationError, match="names no SQLite file"):
        parse_database_url(url, base_dir=BASE_DIR)


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql", "POSTGRES"])
def test_postgres_url_with_password_and_port(scheme):
    url = f"{scheme}://patchwork:s%40cret%2Fx@db.example.org:5433/patchwork"

    database = parse_database_url(url, base_dir=BASE_DIR)

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "patchwork"
    assert database["USER"] == "patchwork"
    assert database["PASSWORD"] == "s@cret/x"
    assert database["HOST"] == "db.example.org"
    assert database["PORT"] == "5433"
    assert database["OPTIONS"] == {"connect_timeout": "10"}


def test_postgres_url_without_port_or_password():
    database = parse_database_url("postgres://patchwork@127.0.0.1/pw", base_dir=BASE_DIR)

    assert (database["HOST"], database["PORT"], database["PASSWORD"]) == ("127.0.0.1", "", "")


def test_postgres_socket_directory_given_as_host_parameter():
    url = "postgres://patchwork@/patchwork?host=/var/run/postgresql"

    database = parse_database_url(url, base_dir=BASE_DIR)

    assert database["HOST"] == "/var/run/postgresql"
    assert database["OPTIONS"] == {"connect_timeout": "10"}


def test_postgres_socket_directory_given_percent_encoded():
    database = parse_database_url("postgres://%2Fvar%2Frun%2Fpostgresql/pw", base_dir=BASE_DIR)

    assert database["HOST"] == "/var/run/postgresql"


def test_postgres_ipv6_host():
    database = parse_database_url("postgres://[::1]:5432/pw", base_dir=BASE_DIR)

    assert (database["HOST"], database["PORT"]) == ("::1", "5432")


def test_postgres_query_parameters_become_connection_options():
    url = "postgres://patchwork@db.example.org/pw?sslmode=require&connect_timeout=5"

    database = parse_database_url(url, base_dir=BASE_DIR)

    assert database["OPTIONS"] == {"sslmode": "require", "connect_timeout": "5"}


def test_postgres_url_without_database_name_is_refused():
    with pytest.raises(ConfigurationError, match="names no PostgreSQL database"):
        parse_database_url("postgres://patchwork@db.example.org/", base_dir=BASE_DIR)


@pytest.mark.parametrize("port", ["abc", "99999"])
def test_postgres_invalid_port_is_refused_without_echoing_the_password(port):
    url = f"postgres://patchwork:hunter2@db.example.org:{port}/pw"

    with pytest.raises(ConfigurationError, match="invalid port") as raised:
        parse_database_url(url, base_dir=BASE_DIR)

    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize("url", ["mysql://db/pw", "oracle://db/pw", "nonsense"])
def test_unsupported_database_schemes_are_refused(url):
    with pytest.raises(ConfigurationError, match="not supported"):
        parse_database_url(url, base_dir=BASE_DIR)


def test_sqlite_files_use_write_ahead_logging(tmp_path):
    """The API keeps reading while mail is written: SQLite files open in WAL mode."""
    import sqlite3

    database = parse_database_url(f"sqlite:///{tmp_path}/wal.sqlite3", base_dir=tmp_path)
    connection = sqlite3.connect(database["NAME"])
    connection.executescript(database["OPTIONS"]["init_command"])
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_a_server_that_does_not_answer_is_given_up_after_ten_seconds():
    """A delivery must not hang for minutes on an unreachable database: it is deferred."""
    database = parse_database_url("postgres://db.example.org/pw", base_dir=BASE_DIR)

    assert database["OPTIONS"]["connect_timeout"] == "10"


CONFIG_TEXT = """
# Patchwork API
SECRET_KEY=k3y=with=equals
export DATABASE_URL = postgres://patchwork@/patchwork?host=/run/postgresql
ALLOWED_HOSTS="patchwork.example.org, .example.net"
PATCHWORK_LOG='syslog'
EMPTY=

"""


def test_the_configuration_file_holds_key_value_lines():
    assert parse_config_file(CONFIG_TEXT) == {
        "SECRET_KEY": "k3y=with=equals",
        "DATABASE_URL": "postgres://patchwork@/patchwork?host=/run/postgresql",
        "ALLOWED_HOSTS": "patchwork.example.org, .example.net",
        "PATCHWORK_LOG": "syslog",
        "EMPTY": "",
    }


@pytest.mark.parametrize("line", ["SECRET_KEY", "1KEY=x", "KEY WITH SPACE=x", "=value"])
def test_a_line_that_is_not_key_value_names_the_file_and_line_not_the_value(line):
    with pytest.raises(ConfigurationError, match=r"^/etc/x/env:3: expected KEY=VALUE$"):
        parse_config_file(f"# one\nA=b\n{line}\n", source="/etc/x/env")


def test_the_environment_wins_over_the_file(tmp_path):
    path = tmp_path / "env"
    path.write_text("SECRET_KEY=from-file\nDATABASE_URL=sqlite:///file.db\n")
    environ = {"PATCHWORK_CONFIG": str(path), "DATABASE_URL": "sqlite:///env.db"}

    assert load_configuration(environ) == path
    assert environ["SECRET_KEY"] == "from-file"
    assert environ["DATABASE_URL"] == "sqlite:///env.db"


def test_without_patchwork_config_nothing_is_read():
    environ = {"PATCHWORK_CONFIG": ""}

    assert load_configuration(environ) is None
    assert environ == {"PATCHWORK_CONFIG": ""}


def test_an_unreadable_configuration_file_is_a_configuration_error(tmp_path):
    environ = {"PATCHWORK_CONFIG": str(tmp_path / "missing")}

    with pytest.raises(ConfigurationError, match=r"cannot read .*missing .No such file"):
        load_configuration(environ)
