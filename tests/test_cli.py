"""The CLI: every command documents itself with an example; db status; init; clear config errors."""

import json

import pytest
from typer.testing import CliRunner

from sourcing.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for var in ("SOURCING_CONFIG", "SOURCING_DB_URL", "GITHUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        path = prefix + (name,)
        yield path, cmd
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, path)


def test_every_command_help_has_an_example():
    import typer.main

    root = typer.main.get_command(app)
    paths = list(_commands(root))
    assert ("db", "status") in [p for p, _ in paths]
    for path, _cmd in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example" in result.output, f"`sourcing {' '.join(path)} --help` has no example"


def test_db_status_json_counts_every_table(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    result = runner.invoke(app, ["--db", url, "db", "status", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["schema_version"]
    assert info["tables"]["identity"] == 0 and "score" in info["tables"]


def test_db_status_table(tmp_path):
    result = runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 's.db'}", "db", "status"])
    assert result.exit_code == 0
    assert "activity" in result.output and "schema" in result.output


def test_init_writes_a_config_and_will_not_overwrite(tmp_path):
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0
    assert (tmp_path / "sourcing.toml").read_text().startswith("# sourcing.toml")
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 2
    assert "already exists" in again.output
    # the written file is the config every command now reads
    status = runner.invoke(app, ["db", "status", "--json"])
    assert status.exit_code == 0
    assert (tmp_path / "sourcing.db").exists()


def test_bad_config_is_one_clear_line_and_exit_2(tmp_path):
    (tmp_path / "sourcing.toml").write_text("[github]\nrepoz = 1\n")
    result = runner.invoke(app, ["db", "status"])
    assert result.exit_code == 2
    assert "sourcing.toml: github.repoz: unknown key" in result.output
    assert "Traceback" not in result.output


def test_newer_database_refused_by_commands(tmp_path):
    import sqlite3

    db = tmp_path / "n.db"
    assert runner.invoke(app, ["--db", f"sqlite:///{db}", "db", "status"]).exit_code == 0
    with sqlite3.connect(db) as c:
        c.execute("UPDATE alembic_version SET version_num='zzzz'")
    result = runner.invoke(app, ["--db", f"sqlite:///{db}", "db", "status"])
    assert result.exit_code == 2
    assert "newer sourcing" in result.output
