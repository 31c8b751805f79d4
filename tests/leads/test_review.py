"""Reviews: statuses and notes per person, found by id or GitHub login, and the `review` command."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sourcing.review import STATUSES, get_review, list_reviews, resolve_person, set_status


@pytest.fixture
def people(engine, add_person):
    return {"ana": add_person(engine, "Ana-Dev", name="Ana"), "num": add_person(engine, "12345", name="Digits")}


def test_status_and_notes_accumulate(engine, people):
    pid = people["ana"]
    assert get_review(engine, pid)["status"] == "new"
    set_status(engine, pid, "shortlisted", note="strong reviews", reviewer="sam")
    r = set_status(engine, pid, "contacted", note="mailed on Monday", reviewer="kim")
    assert r["status"] == "contacted"
    lines = get_review(engine, pid)["note"].splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["sam: strong reviews", "kim: mailed on Monday"]
    set_status(engine, pid, None, note="only a note")  # the status stays
    assert get_review(engine, pid)["status"] == "contacted"
    set_status(engine, pid, "hired", note="", replace_note=True)
    assert get_review(engine, pid)["note"] is None
    assert [r["person_id"] for r in list_reviews(engine, "hired")] == [pid]
    assert list_reviews(engine, "rejected") == []


def test_bad_status_and_unknown_person_are_refused(engine, people):
    with pytest.raises(ValueError, match="unknown status 'maybe'"):
        set_status(engine, people["ana"], "maybe")
    with pytest.raises(LookupError, match="no person with id 999"):
        set_status(engine, 999, "shortlisted")
    assert set(STATUSES) == {"new", "shortlisted", "contacted", "rejected", "hired"}


def test_people_are_found_by_id_or_login(engine, people):
    assert resolve_person(engine, "ana-dev") == people["ana"]
    assert resolve_person(engine, "@Ana-Dev") == people["ana"]
    assert resolve_person(engine, "github:ANA-DEV") == people["ana"]
    assert resolve_person(engine, str(people["num"])) == people["num"]
    assert resolve_person(engine, "12345") == people["num"]  # not an id here: a login made of digits
    assert resolve_person(engine, f"id:{people['ana']}") == people["ana"]
    with pytest.raises(LookupError, match="no person with id or GitHub login 'ghost'"):
        resolve_person(engine, "ghost")


def test_review_command(engine, db_url, people, tmp_path, monkeypatch):
    from sourcing.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCING_CONFIG", raising=False)
    runner = CliRunner()
    r = runner.invoke(app, ["--db", db_url, "review", "ana-dev", "--status", "shortlisted", "--note", "[bold]x",
                            "--reviewer", "sam"])
    assert r.exit_code == 0, r.output
    assert "shortlisted" in r.output and "[bold]x" in r.output  # notes are shown as typed, not as markup
    r = runner.invoke(app, ["--db", db_url, "review", "ana-dev", "--json"])
    assert json.loads(r.output)["status"] == "shortlisted"
    r = runner.invoke(app, ["--db", db_url, "review", "--status", "shortlisted", "--json"])
    assert [x["github"] for x in json.loads(r.output)] == ["Ana-Dev"]
    r = runner.invoke(app, ["--db", db_url, "review", "ana-dev", "--status", "great"])
    assert r.exit_code == 2 and "unknown status 'great'" in r.output
    r = runner.invoke(app, ["--db", db_url, "review", "ghost", "--status", "rejected"])
    assert r.exit_code == 2 and "no person with id or GitHub login 'ghost'" in r.output
