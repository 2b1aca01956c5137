"""Data sources are admin configuration: a YAML/JSON file and environment variables, with access rules."""

from __future__ import annotations

import json

import pytest

from reports.sources import (
    AccessDenied,
    DataSourceConfigError,
    DataSourceError,
    load_data_sources,
)

SECRET_URL = "postgresql://reader:s3cret-not-real@db.internal:5432/warehouse"


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_a_yaml_file_defines_sources_with_limits_rules_and_saved_queries(tmp_path):
    path = write(tmp_path, "sources.yaml", """
sources:
  Warehouse:
    url_env: WAREHOUSE_URL
    description: Sales warehouse
    allowed_teams: [T1]
    allowed_users: ["*"]
    max_rows: 5_000
    timeout_seconds: 2.5
    queries:
      daily: select 1
  local:
    url: sqlite:////tmp/local.db
    allowed_users: U1, U2
""")
    sources = load_data_sources({"REPORTBOT_DATA_SOURCES": path, "WAREHOUSE_URL": SECRET_URL})
    assert list(sources) == ["local", "warehouse"]
    warehouse = sources["warehouse"]
    assert warehouse.backend == "postgresql" and warehouse.url.drivername == "postgresql+psycopg"
    assert (warehouse.max_rows, warehouse.timeout_seconds, warehouse.queries) == (5000, 2.5, {"daily": "select 1"})
    assert sources.may_use(warehouse, "T1", "U9") and not sources.may_use(warehouse, "T2", "U9")
    local = sources["local"]
    assert sources.may_use(local, "T7", "U1") and not sources.may_use(local, "T7", "U3")
    assert not sources.may_use(local, "T7", None)


def test_the_password_never_shows(tmp_path):
    sources = load_data_sources({"REPORTBOT_SOURCE_WAREHOUSE": SECRET_URL, "REPORTBOT_SOURCE_WAREHOUSE__TEAMS": "T1"})
    source = sources["warehouse"]
    assert "s3cret" not in repr(source) and "s3cret" not in source.safe_url and "***" in source.safe_url
    with pytest.raises(AccessDenied) as denied:
        sources.check_access(source, "T2", "U1")
    assert "s3cret" not in str(denied.value)


def test_environment_variables_define_sources_and_override_a_file_url(tmp_path):
    path = write(tmp_path, "sources.json", json.dumps({"shop": {"url": "sqlite:////tmp/old.db",
                                                                 "allowed_users": ["U1"]}}))
    sources = load_data_sources({
        "REPORTBOT_DATA_SOURCES": path,
        "REPORTBOT_SOURCE_SHOP": "sqlite:////tmp/new.db",
        "REPORTBOT_SOURCE_METRICS": "postgres://u@h/db",
        "REPORTBOT_SOURCE_METRICS__USERS": "*",
        "REPORTBOT_SOURCE_METRICS__MAX_ROWS": "10",
        "REPORTBOT_SOURCE_METRICS__TIMEOUT": "1",
        "UNRELATED": "x",
    })
    assert sources["shop"].url.database == "/tmp/new.db" and sources["shop"].allowed_users == {"U1"}
    assert (sources["metrics"].max_rows, sources["metrics"].timeout_seconds) == (10, 1.0)
    assert sources.may_use(sources["metrics"], "anywhere", "anyone")
    assert sources["metrics"].url.drivername == "postgresql+psycopg"


def test_a_source_nobody_was_granted_is_refused():
    sources = load_data_sources({"REPORTBOT_SOURCE_OPEN": "sqlite:////tmp/x.db"})
    assert not sources.may_use(sources["open"], "T1", "U1")
    with pytest.raises(AccessDenied, match="<@U1> may not use the data source “open” in this workspace. Ask a "
                                           "reportbot admin"):
        sources.check_access(sources["open"], "T1", "U1")


def test_usable_by_lists_only_what_the_user_may_read():
    sources = load_data_sources({"REPORTBOT_SOURCE_A": "sqlite:////tmp/a.db", "REPORTBOT_SOURCE_A__USERS": "U1",
                                 "REPORTBOT_SOURCE_B": "sqlite:////tmp/b.db", "REPORTBOT_SOURCE_B__TEAMS": "T1"})
    assert [s.name for s in sources.usable_by("T2", "U1")] == ["a"]
    assert [s.name for s in sources.usable_by("T1", "U2")] == ["b"]
    with pytest.raises(DataSourceError, match="no data source “c” \\(available: a, b\\)"):
        sources.get_source("c")


@pytest.mark.parametrize(("text", "message"), [
    ("shop: {url: 'oracle://u@h/db', allowed_users: ['*']}", "oracle is not supported"),
    ("shop: {url: 'mysql://u@h', allowed_users: ['*']}", "must name a database"),
    ("shop: {url: 'sqlite:////x.db', max_cell_bytes: 10}", "max_cell_bytes must be between"),
    ("shop: {url: 'sqlite:///:memory:', allowed_users: ['*']}", "must name a database file"),
    ("shop: {url: 'not a url'}", "not a SQLAlchemy URL"),
    ("shop: {allowed_users: ['*']}", "no url"),
    ("shop: {url_env: NOPE}", "url_env names NOPE, which is not set"),
    ("shop: {url: 'sqlite:////x.db', max_rows: 0}", "max_rows must be between"),
    ("shop: {url: 'sqlite:////x.db', timeout_seconds: soon}", "timeout_seconds must be a number"),
    ("shop: {url: 'sqlite:////x.db', colour: red}", "unknown setting colour"),
    ("Bad-Name: {url: 'sqlite:////x.db'}", "lower_snake_case"),
    ("[1, 2]", "must map source names"),
    ("shop: {url: [", "not valid YAML/JSON"),
])
def test_configuration_mistakes_are_explained_without_the_url(tmp_path, text, message):
    path = write(tmp_path, "sources.yaml", text)
    with pytest.raises(DataSourceConfigError, match=message) as error:
        load_data_sources({"REPORTBOT_DATA_SOURCES": path})
    assert "u@h" not in str(error.value)


def test_a_missing_file_is_explained(tmp_path):
    with pytest.raises(DataSourceConfigError, match="cannot be read"):
        load_data_sources({"REPORTBOT_DATA_SOURCES": str(tmp_path / "absent.yaml")})


def test_no_configuration_means_no_sources():
    assert len(load_data_sources({})) == 0


def test_mysql_and_mariadb_urls_use_the_shipped_driver_and_byte_caps_come_from_the_environment():
    sources = load_data_sources({"REPORTBOT_SOURCE_SHOP": "mysql://u:pw-not-real@db/shop",
                                 "REPORTBOT_SOURCE_MARIA": "mariadb://u:pw-not-real@db/maria",
                                 "REPORTBOT_SOURCE_MARIA__MAX_CELL_BYTES": "65536",
                                 "REPORTBOT_SOURCE_MARIA__MAX_RESULT_BYTES": "10_000_000"})
    assert (sources["shop"].url.drivername, sources["shop"].family) == ("mysql+pymysql", "mysql")
    assert (sources["maria"].url.drivername, sources["maria"].family) == ("mariadb+pymysql", "mysql")
    assert (sources["maria"].max_cell_bytes, sources["maria"].max_result_bytes) == (65_536, 10_000_000)
    assert (sources["shop"].max_cell_bytes, sources["shop"].max_result_bytes) == (1 << 20, 256 << 20)
