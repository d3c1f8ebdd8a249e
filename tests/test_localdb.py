from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pymongo import AsyncMongoClient, MongoClient

from api.localdb import LocalDatabase, LocalDatabaseError


def test_data_survives_a_restart_of_the_embedded_database(tmp_path: Path) -> None:
    with LocalDatabase(tmp_path) as uri:
        writer: MongoClient[dict[str, Any]] = MongoClient(uri)
        writer.app.things.insert_one({"_id": "kept"})
        writer.close()

    with LocalDatabase(tmp_path) as uri:
        reader: MongoClient[dict[str, Any]] = MongoClient(uri)
        found = reader.app.things.find_one({"_id": "kept"})
        reader.close()

    assert found == {"_id": "kept"}


def test_stopping_leaves_no_process_behind(tmp_path: Path) -> None:
    database = LocalDatabase(tmp_path)
    database.start()
    process = database._process
    assert process is not None

    database.stop()

    assert process.poll() is not None


def test_the_launcher_exits_when_its_parent_goes_away(tmp_path: Path) -> None:
    # given a running launcher, when its stdin pipe closes (as when its parent is killed)
    with closing_launcher(tmp_path) as process:
        assert process.stdin is not None
        process.stdin.close()

        # then it exits by itself, without a signal
        assert process.wait(timeout=10) == 0


def test_an_interrupt_to_the_service_does_not_reach_the_database(tmp_path: Path) -> None:
    # given a launcher started by this process
    with closing_launcher(tmp_path) as process:
        # then a Ctrl-C, which goes to this process's group, is not sent to it: the service
        # drains its requests first, then closes the launcher's stdin
        assert os.getpgid(process.pid) != os.getpgid(0)


def test_a_missing_launcher_says_how_to_get_one(tmp_path: Path) -> None:
    database = LocalDatabase(tmp_path, binary=None)
    chosen = os.environ.get("LOCALDB_BIN")  # a launcher the run was given: the next tests use it
    os.environ["LOCALDB_BIN"] = str(tmp_path / "nope")
    try:
        with pytest.raises(LocalDatabaseError) as missing:
            database.start()
    finally:
        if chosen is None:
            del os.environ["LOCALDB_BIN"]
        else:
            os.environ["LOCALDB_BIN"] = chosen

    assert "MONGODB_URI" in str(missing.value)
    assert "make setup" in str(missing.value)


def test_a_launcher_that_dies_at_start_reports_its_error(tmp_path: Path) -> None:
    # given a port that is already taken by another embedded database
    with LocalDatabase(tmp_path / "first") as uri:
        taken = urlsplit(uri).netloc

        # then a second one on that port fails at once, with the launcher's own words
        with pytest.raises(LocalDatabaseError, match=r"exited at start.*address already in use"):
            LocalDatabase(tmp_path / "second", listen=taken).start()


def test_sigterm_stops_the_launcher_cleanly(tmp_path: Path) -> None:
    with closing_launcher(tmp_path) as process:
        process.send_signal(signal.SIGTERM)

        assert process.wait(timeout=10) == 0


@contextmanager
def closing_launcher(data_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A started launcher's process, stopped however the test ends."""
    database = LocalDatabase(data_dir)
    database.start()
    try:
        assert database._process is not None
        yield database._process
    finally:
        database.stop()


@pytest.mark.asyncio(loop_scope="session")
async def test_a_burst_of_updates_cannot_wedge_the_embedded_database(tmp_path: Path) -> None:
    # given 150 connections, each about to update a document it finds only by reading through
    # the collection: FerretDB's SQLite backend holds one pooled connection open while it reads
    # and takes a second to write, from a pool of 100, with no deadline
    with LocalDatabase(tmp_path) as uri:
        clients = [AsyncMongoClient[dict[str, Any]](uri, maxPoolSize=1) for _ in range(150)]
        try:
            things = clients[0].app.things
            await things.insert_many(
                [{"_id": f"t{n}", "n": n, "pad": "x" * 1000} for n in range(400)]
            )
            await asyncio.gather(*(client.admin.command("ping") for client in clients))

            # when they all update at once
            async with asyncio.timeout(60):  # a liveness bound: a wedged database never answers
                results = await asyncio.gather(
                    *(
                        client.app.things.update_one(
                            {"$and": [{"_id": "t399"}, {"n": 399}]}, {"$set": {"by": i}}
                        )
                        for i, client in enumerate(clients)
                    )
                )

                # then every update is answered, and a new client still reads
                fresh: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
                found = await fresh.app.things.find_one({"_id": "t0"})
                await fresh.close()
        finally:
            await asyncio.gather(*(client.close() for client in clients))

    assert [result.matched_count for result in results] == [1] * 150
    assert found is not None and found["n"] == 0


def id_lookup_plan(data_dir: Path, collection: str) -> str:
    """How SQLite answers FerretDB's lookup of a document by `_id` in `collection` of `app`."""
    with closing(sqlite3.connect(f"file:{data_dir / 'app.sqlite'}?mode=ro", uri=True)) as db:
        (table,) = db.execute(
            "SELECT table_name FROM _ferretdb_collections WHERE name = ?", (collection,)
        ).fetchone()
        plan = db.execute(
            f'EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "{table}" '
            "WHERE _ferretdb_sjson->'$._id' = ?",
            ('"t1"',),
        ).fetchall()
    return " ".join(str(row[-1]) for row in plan)


def test_a_lookup_by_id_is_answered_from_an_index(tmp_path: Path) -> None:
    # given a collection created by an insert through the launcher
    with LocalDatabase(tmp_path) as uri, MongoClient[dict[str, Any]](uri) as client:
        things = client.app.things
        things.insert_many([{"_id": f"t{n}", "n": n} for n in range(3)])

        # when FerretDB looks a document up by `_id` (the one filter it hands to SQLite)
        plan = id_lookup_plan(tmp_path, "things")

        # then SQLite searches an index instead of scanning the table, and FerretDB lists only
        # its own indexes and still finds, drops and re-creates the collection
        assert "USING INDEX" in plan, plan
        assert [index["name"] for index in things.list_indexes()] == ["_id_"]
        assert things.find_one({"_id": "t1"}) == {"_id": "t1", "n": 1}
        things.drop()
        things.insert_one({"_id": "t1", "n": 10})
        assert "USING INDEX" in id_lookup_plan(tmp_path, "things")
        assert things.find_one({"_id": "t1"}) == {"_id": "t1", "n": 10}


def test_tables_made_before_a_restart_are_indexed_at_start(tmp_path: Path) -> None:
    # given a collection whose table lost its lookup index while the launcher was stopped
    with LocalDatabase(tmp_path) as uri, MongoClient[dict[str, Any]](uri) as client:
        client.app.things.insert_one({"_id": "t1"})
    with closing(sqlite3.connect(tmp_path / "app.sqlite")) as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE name LIKE '%localdb%'"):
            db.execute(f'DROP INDEX "{name}"')
    assert "USING INDEX" not in id_lookup_plan(tmp_path, "things")

    # when the launcher starts again, before anything is written
    with LocalDatabase(tmp_path):
        # then the table has its index again
        assert "USING INDEX" in id_lookup_plan(tmp_path, "things")
