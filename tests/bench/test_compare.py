"""``make bench-compare`` (bench.compare): the ratios it reports are taken
round by round, each build keeps its own Redis database, an earlier commit is
served from its own files and settings, and PostgreSQL's CPU time is read
from the server's processes (the part of a request that RLS's policies cost)."""

from __future__ import annotations

import pytest
from django.db import connection

from bench import compare, run


def _round(base_rps, this_rps, base_cpu, this_cpu):
    def measured(rps, cpu):
        return {"rps": rps, "p95_ms": 50.0, "cpu_ms": cpu, "database_cpu_ms": cpu / 10}

    return {"base": measured(base_rps, base_cpu), "this": measured(this_rps, this_cpu)}


def test_ratios_are_medians_of_each_rounds_pair():
    """A round where the machine was busy for both builds moves both alike:
    its pair's ratio counts, not its absolute numbers."""
    costs = {"key": "post", "queries": 9, "sql_ms": 2.0, "bytes": 100, "who": "student"}
    builds = {
        name: compare.Build(name, run.ROOT, f"db_{name}", costs={"post": costs})
        for name in compare.BUILDS
    }
    rounds = [
        _round(200, 180, 10.0, 11.0),  # 0.90, 1.10
        _round(100, 95, 20.0, 21.0),  # a busy round: 0.95, 1.05
        _round(210, 168, 9.0, 10.8),  # 0.80, 1.20
    ]

    summary = compare.summarise("post", builds, rounds)

    assert summary["rps_ratio"] == 0.9
    assert summary["cpu_ratio"] == 1.1
    assert summary["base"]["rps"] == 200 and summary["this"]["rps"] == 168
    assert summary["label"] == "post" and summary["this"]["queries"] == 9
    assert "| post | 200 → 168 | 0.900 |" in compare.render(
        {"this_commit": "b", "base_commit": "a", "scale": "full", "rounds": 3, "seconds": 4,
         "pages": [summary]}
    )  # fmt: skip


def test_each_build_keeps_its_cache_in_its_own_redis_database():
    assert compare.redis_database("redis://127.0.0.1:6379/1", 1) == "redis://127.0.0.1:6379/2"
    assert compare.redis_database("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/1"


def test_an_earlier_commit_is_served_from_its_own_files(tmp_path):
    commit = compare.resolve("HEAD")
    tree = compare.export_tree(commit, work=tmp_path)

    assert (tree / "manage.py").exists()
    assert (tree / "bench" / "compare.py").exists()
    assert compare.knows_owner_url(tree)
    with pytest.raises(run.BenchError, match="no commit"):
        compare.resolve("no-such-commit-anywhere")


@pytest.mark.django_db
def test_postgresql_cpu_time_counts_what_its_backends_did():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        postmaster = compare.parent_of(cursor.fetchone()[0])
        assert postmaster is not None

        before = compare.database_cpu_seconds(postmaster)
        cursor.execute("SELECT count(*) FROM generate_series(1, 3000000)")
        after = compare.database_cpu_seconds(postmaster)

    assert after - before >= 0.05
