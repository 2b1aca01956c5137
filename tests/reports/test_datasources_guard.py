"""The SQL check in front of the read-only connection: one read-only statement, known parameters."""

from __future__ import annotations

import pytest

from reports.sources import UnsafeQuery, guard_query


@pytest.mark.parametrize("sql", [
    "select 1",
    "SELECT 1;",
    "  select 1 ;  ; -- done\n",
    "with t as (select 1 as a) select a from t",
    "values (1), (2)",
    "(select 1) union (select 2)",
    "select replace(name, 'a', 'b'), updated_at, inserted from t",
    "select ';' as semi, 'it''s' as quote, \"odd;name\" from t",
    "select $$ ; delete from t $$",
    "select $tag$;$tag$",
    "select E'\\'; drop table t; --'",
    "select 1 /* ; /* nested ; */ still comment ; */",
    "select \"update\" from t",
    "select a[1:2], b::date from t",
])
def test_single_read_statements_pass(sql):
    guarded = guard_query(sql)
    # Passed through as written (colons text() would misread escaped), less only trailing ";" and comments.
    kept = guarded.sql.replace("\\:", ":")
    assert kept and sql.strip().startswith(kept) and guarded.parameters == ()
    rest = sql.strip()[len(kept):].strip(" ;\n")
    assert rest == "" or rest.startswith(("--", "/*"))


@pytest.mark.parametrize(("sql", "message"), [
    ("delete from orders", "starts with DELETE"),
    ("insert into t values (1)", "starts with INSERT"),
    ("drop table t", "starts with DROP"),
    ("update t set a = 1", "starts with UPDATE"),
    ("pragma query_only = 0", "starts with PRAGMA"),
    ("attach database 'x' as y", "starts with ATTACH"),
    ("explain analyze delete from t", "starts with EXPLAIN"),
    ("select 1; delete from t", "Only one SQL statement"),
    ("select 1; select 2", "Only one SQL statement"),
    ("with d as (delete from t returning *) select * from d", "DELETE"),
    ("select * into backup from t", "INTO"),
    ("select * from t for update", "UPDATE"),
    ("select * from t for key share", "SHARE"),
    ("select * from t lock in share mode", "SHARE"),
    ("select 1) as q(c1) union all select repeat('x', 9) from (select 1", "parentheses do not match"),
    ("select count(*) from t where (a = 1", "parentheses do not match"),
    ("", "empty"),
    ("-- only a comment", "empty"),
    ("select 'unterminated", "unterminated"),
    ("select 1 /* open", "unterminated"),
])
def test_writes_and_several_statements_are_refused_before_running(sql, message):
    with pytest.raises(UnsafeQuery, match=message):
        guard_query(sql)


def test_window_parameters_are_kept_and_unknown_ones_named():
    guarded = guard_query("select * from t where at >= :window_start and at < :window_end and d < :window_end")
    assert guarded.parameters == ("window_start", "window_end")
    with pytest.raises(UnsafeQuery, match=":region, but the only parameters are :window_start, :window_end"):
        guard_query("select * from t where region = :region")


def test_colons_in_strings_and_comments_are_not_parameters():
    guarded = guard_query("select '10:30' as t, x::text -- at :noon\nfrom t")
    assert guarded.parameters == ()
    assert "'10\\:30'" in guarded.sql and "x::text" in guarded.sql
