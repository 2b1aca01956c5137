"""Databases for the SQL data-source tests: a shop on PostgreSQL and on MariaDB, each read through a
limited login role the test creates (a superuser source is refused, as it would be in production)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import unavailable

UTC = dt.UTC
FIRST_ORDER = dt.datetime(2026, 11, 22, 12, tzinfo=UTC)
ORDERS = [(i + 1, FIRST_ORDER + dt.timedelta(hours=i), ("North", "South")[i % 2], 10 + i) for i in range(48)]
MARIADB_URL = os.environ.get("REPORTBOT_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/")
READER_PASSWORD = "reader-pw-not-real"


@dataclass(frozen=True)
class ShopDatabase:
    """A throwaway database with the 48-order shop, an admin URL and a read-only login's URL."""

    name: str
    admin_url: str   # the server's admin connected to this database (for setup and inspection)
    reader_url: str  # a login with SELECT only: what an admin should configure as a source
    reader: str


def _token() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def postgres_shop_db(postgres_server) -> Iterator[ShopDatabase]:
    """The shop in a fresh PostgreSQL database, with a SELECT-only role."""
    import psycopg

    name, reader = f"reportbot_src_{_token()}", f"rb_reader_{_token()}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
        conn.execute(f"create role {reader} login password '{READER_PASSWORD}'")
    admin_url = f"{postgres_server.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("create table orders (id integer primary key, paid_at timestamptz, region text, amount numeric)")
        with conn.cursor() as cur:
            cur.executemany("insert into orders values (%s, %s, %s, %s)", ORDERS)
        conn.execute("create sequence order_numbers")
        conn.execute("create table visits (id serial primary key)")
        conn.execute("create function log_visit() returns int language sql "
                     "as $$ insert into visits default values returning 1 $$")
        conn.execute(f"grant select on all tables in schema public to {reader}")
        conn.execute(f"grant usage, select, update on all sequences in schema public to {reader}")
        conn.execute(f"grant insert on visits to {reader}")  # the READ ONLY transaction must stop it anyway
    host = postgres_server.split("@", 1)[1].rsplit("/", 1)[0]
    try:
        yield ShopDatabase(name, admin_url, f"postgresql://{reader}:{READER_PASSWORD}@{host}/{name}", reader)
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
            conn.execute(f"drop role if exists {reader}")


@pytest.fixture(scope="session")
def mariadb_server() -> str:
    """The MariaDB server's admin URL (root), or a skip locally / a failure in CI."""
    import pymysql
    from sqlalchemy.engine import make_url

    url = make_url(MARIADB_URL)
    try:
        pymysql.connect(host=url.host, port=url.port or 3306, user=url.username, password=url.password or "",
                        connect_timeout=3).close()
    except Exception as exc:
        unavailable("MariaDB", exc)
    return MARIADB_URL


def mariadb_admin(server: str, database: str | None = None):
    """A root connection (autocommit) to the test server."""
    import pymysql
    from sqlalchemy.engine import make_url

    url = make_url(server)
    return pymysql.connect(host=url.host, port=url.port or 3306, user=url.username, password=url.password or "",
                           database=database, autocommit=True)


@pytest.fixture(scope="module")
def mariadb_shop_db(mariadb_server) -> Iterator[ShopDatabase]:
    """The shop in a fresh MariaDB database, with a login granted SELECT on it only."""
    name, reader = f"rbtest_{_token()}", f"rb_reader_{_token()}"
    with mariadb_admin(mariadb_server) as conn, conn.cursor() as cur:
        cur.execute(f"create database `{name}`")
        cur.execute(f"create user '{reader}'@'%' identified by '{READER_PASSWORD}'")
        cur.execute(f"grant select on `{name}`.* to '{reader}'@'%'")
        cur.execute(f"create table `{name}`.orders (id int primary key, paid_at datetime, region varchar(20), "
                    "amount decimal(10, 2))")
        cur.executemany(f"insert into `{name}`.orders values (%s, %s, %s, %s)",
                        [(i, at.replace(tzinfo=None), region, amount) for i, at, region, amount in ORDERS])
    host = mariadb_server.split("@", 1)[1].rstrip("/")
    admin = f"{mariadb_server.rstrip('/')}/{name}"
    try:
        yield ShopDatabase(name, admin, f"mysql+pymysql://{reader}:{READER_PASSWORD}@{host}/{name}", reader)
    finally:
        with mariadb_admin(mariadb_server) as conn, conn.cursor() as cur:
            cur.execute(f"drop database if exists `{name}`")
            cur.execute(f"drop user if exists '{reader}'@'%'")
