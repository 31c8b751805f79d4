"""`sourcing resolve` records a run and prints a summary; `sourcing person ...` shows and corrects."""

import json

from sqlalchemy import text
from typer.testing import CliRunner

from sourcing.cli import app

from .conftest import person_of

runner = CliRunner()


def test_resolve_and_person_commands(engine, db_url, world, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for var in ("SOURCING_CONFIG", "SOURCING_DB_URL"):
        monkeypatch.delenv(var, raising=False)
    acct = world.github("jdoe", "Jane Doe", emails=["jane@doe.dev"])
    (spk,) = world.talk("ev-2025/A", [{"name": "Jane Doe", "emails": ["jane@doe.dev"]}])
    world.github("jdoe-work", "Jane Doe", emails=["jane@doe.dev"])
    world.store(engine)
    db = ["--db", db_url]

    got = runner.invoke(app, [*db, "resolve"])
    assert got.exit_code == 0, got.output
    assert "people from 3 identities" in got.output and "1 suggestions" in got.output
    with engine.connect() as conn:
        kind, status = conn.execute(text("SELECT kind, status FROM run ORDER BY id DESC")).first()
    assert (kind, status) == ("resolve", "ok")

    got = runner.invoke(app, [*db, "person", "show", "jdoe", "--json"])
    assert got.exit_code == 0, got.output
    detail = json.loads(got.output)
    assert {i["external_key"] for i in detail["identities"]} == {"jdoe", "ev-2025/A#0"}
    # the email is shared by two GitHub accounts, so it is not decisive; name + its domain are
    assert any("doe.dev" in w["text"] for w in detail["why"])
    assert "scores" in detail

    got = runner.invoke(app, [*db, "person", "suggestions", "--json"])
    (sug,) = json.loads(got.output)
    assert runner.invoke(app, [*db, "person", "dismiss", str(sug["id"])]).exit_code == 0
    assert json.loads(runner.invoke(app, [*db, "person", "suggestions", "--json"]).output) == []

    pid = person_of(engine, acct)
    got = runner.invoke(app, [*db, "person", "split", str(pid), "999999"])
    assert got.exit_code == 2 and "does not belong" in got.output
    got = runner.invoke(app, [*db, "person", "show", "nobody-here"])
    assert got.exit_code == 2 and "no person" in got.output
    assert person_of(engine, spk) == pid
