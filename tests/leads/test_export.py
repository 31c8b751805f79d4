"""CSV export: every column present, hostile cells neutralised, atomic writes, the `export` command."""

from __future__ import annotations

import csv
import os

import pytest
from typer.testing import CliRunner

from sourcing.export import COLUMNS, export_rows, neutralise, split_name, write_csv, write_rows
from sourcing.leads import Search, find_leads
from sourcing.review import set_status

HOSTILE = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR",
           "  =1+1"]


@pytest.fixture
def people(engine, add_person):
    ids = {
        "ana": add_person(engine, "ana", name="Ana María Lima", location="Berlin", company="Zalando",
                          email="ana@lima.dev", homepage="https://ana.dev",
                          roles={"data-engineer": 91.6, "ml-engineer": 40}, skills={"airflow": 80, "kafka": 70}),
        "bad": add_person(engine, "bad", name=HOSTILE[0], location=HOSTILE[1], company=HOSTILE[2],
                          email="123+bad@users.noreply.github.com", homepage=HOSTILE[3],
                          roles={"data-engineer": 50}, skills={"airflow": 30}),
    }
    set_status(engine, ids["ana"], "shortlisted", note="great airflow reviews", reviewer="sam")
    set_status(engine, ids["bad"], "shortlisted", note=HOSTILE[4])
    set_status(engine, ids["bad"], None, note="-" + HOSTILE[5], replace_note=True)
    return ids


def read(path, encoding="utf-8"):
    with open(path, newline="", encoding=encoding) as f:
        return list(csv.DictReader(f))


def test_status_export_reads_back_with_every_column(engine, people, tmp_path):
    out = tmp_path / "shortlist.csv"
    assert write_csv(engine, {"status": "shortlisted"}, out) == 2
    rows = read(out)
    assert list(rows[0]) == list(COLUMNS)
    ana = next(r for r in rows if r["person_id"] == str(people["ana"]))
    assert ana == {
        "full_name": "Ana María Lima", "first_name": "Ana María", "last_name": "Lima",
        "github": "https://github.com/ana", "homepage": "https://ana.dev", "public_email": "ana@lima.dev",
        "location": "Berlin", "company": "Zalando", "role": "Data engineer", "role_score": "92",
        "top_skills": "Airflow 80; Kafka 70",
        "evidence": ("data-engineer: 12 merged PRs to apache/data-engineer by ana "
                     "<https://github.com/apache/data-engineer/pulls?q=author:ana> | data-engineer: reviewed 3 PRs"),
        "status": "shortlisted", "notes": ana["notes"], "person_id": str(people["ana"]),
    }
    assert ana["notes"].endswith("sam: great airflow reviews")


def test_every_hostile_cell_is_neutralised(engine, people, tmp_path):
    out = tmp_path / "s.csv"
    write_csv(engine, [people["bad"]], out)
    (bad,) = read(out)
    assert bad["public_email"] == ""  # a noreply address is not a public email
    for col in COLUMNS:
        cell = bad[col]
        assert not cell or cell[0] not in "=+-@\t\r", (col, cell)
        assert not cell.lstrip(" ")[:1] in ("=", "+", "-", "@") or cell.startswith("'"), (col, cell)
    assert bad["full_name"] == "'" + HOSTILE[0] and bad["location"] == "'" + HOSTILE[1]
    assert bad["company"] == "'-2+3" and bad["homepage"] == "'@SUM(A1:A2)" and bad["notes"] == "'-\rCR"
    assert [neutralise(h)[0] for h in HOSTILE] == ["'"] * len(HOSTILE)
    assert neutralise("Ana") == "Ana" and neutralise(None) == "" and neutralise(3) == "3"


def test_lead_rows_keep_their_order_and_role_and_bom(engine, people, taxonomy, tmp_path):
    leads = find_leads(engine, Search(role="ml-engineer"), taxonomy=taxonomy)
    rows = export_rows(engine, leads)
    assert [r["role"] for r in rows] == ["ML engineer"] and rows[0]["role_score"] == 40
    out = tmp_path / "bom.csv"
    write_csv(engine, [people["bad"], people["ana"]], out, bom=True)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    back = read(out, "utf-8-sig")
    assert [r["person_id"] for r in back] == [str(people["bad"]), str(people["ana"])]  # the order given
    assert back[0]["last_name"].startswith("'=") and back[1]["last_name"] == "Lima"


def test_names_split_sensibly():
    assert split_name("Ada Lovelace") == ("Ada", "Lovelace")
    assert split_name("Lovelace, Ada") == ("Ada", "Lovelace")
    assert split_name("  Jean  Claude van Damme ") == ("Jean Claude van", "Damme")
    assert split_name("李小龙") == ("李小龙", "")
    assert split_name(None) == ("", "")


def test_a_crash_during_export_leaves_the_previous_file_intact(tmp_path):
    out = tmp_path / "shortlist.csv"
    out.write_text("previous,file\n1,2\n", encoding="utf-8")
    os.chmod(out, 0o640)

    def rows():
        for i in range(1000):
            if i == 500:
                raise RuntimeError("disk on fire")
            yield {"full_name": f"Person {i}", "person_id": i}

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_rows(rows(), out)
    assert out.read_text(encoding="utf-8") == "previous,file\n1,2\n"
    assert os.listdir(tmp_path) == ["shortlist.csv"]  # no half-written temporary file left behind
    assert write_rows(({"full_name": f"P{i}", "person_id": i} for i in range(3)), out) == 3
    assert len(read(out)) == 3 and (os.stat(out).st_mode & 0o777) == 0o640


def test_export_command(engine, db_url, people, tmp_path, monkeypatch):
    from sourcing.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCING_CONFIG", raising=False)
    (tmp_path / "sourcing.toml").write_text('[[searches]]\nname = "de"\nrole = "data-engineer"\n', encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["--db", db_url, "export", "--status", "shortlisted", "--out", "s.csv", "--bom"])
    assert r.exit_code == 0, r.output
    assert "wrote 2 people" in r.output and len(read(tmp_path / "s.csv", "utf-8-sig")) == 2
    r = runner.invoke(app, ["--db", db_url, "leads", "--refresh"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--db", db_url, "export", "--search", "de", "--out", "de.csv"])
    assert r.exit_code == 0, r.output
    assert [row["github"] for row in read(tmp_path / "de.csv")] == ["https://github.com/ana", "https://github.com/bad"]
    r = runner.invoke(app, ["--db", db_url, "export", "--out", "x.csv"])
    assert r.exit_code == 2 and "--search NAME or --status" in r.output
    r = runner.invoke(app, ["--db", db_url, "export", "--status", "maybe", "--out", "x.csv"])
    assert r.exit_code == 2 and "unknown status 'maybe'" in r.output
    r = runner.invoke(app, ["--db", db_url, "export", "--status", "hired", "--out", "no/such/dir/x.csv"])
    assert r.exit_code == 2 and "does not exist" in r.output
