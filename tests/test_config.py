"""Config: defaults without a file, environment overrides, and one clear message per mistake."""

import pytest

from sourcing.config import ConfigError, DEFAULT_DB_URL, example_text, load


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for var in ("SOURCING_CONFIG", "SOURCING_DB_URL", "GITHUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


def write(tmp_path, text, name="sourcing.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_no_file_gives_sane_defaults():
    cfg = load()
    assert cfg.source is None
    assert cfg.database.url == DEFAULT_DB_URL
    assert "apache/airflow" in cfg.watchlist()
    assert cfg.arxiv.delay_seconds == 3.0
    assert cfg.github_tokens() == []


def test_example_file_is_valid_and_commented(tmp_path):
    p = write(tmp_path, example_text())
    cfg = load(p)
    assert [s.name for s in cfg.searches] == ["data-engineers-berlin", "mlops"]
    assert example_text().count("#") > 20


def test_environment_overrides(tmp_path, monkeypatch):
    p = write(tmp_path, '[database]\nurl = "sqlite:///from-file.db"\n', "other.toml")
    monkeypatch.setenv("SOURCING_CONFIG", str(p))
    assert load().database.url == "sqlite:///from-file.db"
    monkeypatch.setenv("SOURCING_DB_URL", "sqlite:///from-env.db")
    assert load().database.url == "sqlite:///from-env.db"
    assert load(db_url="sqlite:///from-flag.db").database.url == "sqlite:///from-flag.db"
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    assert load().github_tokens() == ["ghp_secret"]


def test_local_sourcing_toml_is_picked_up(tmp_path):
    write(tmp_path, "[github]\nhistory_days = 30\n")
    assert load().github.history_days == 30


@pytest.mark.parametrize(
    "text, message",
    [
        ("[github]\nrepoz = []\n", "github.repoz: unknown key"),
        ("[github]\nhistory_days = 'long'\n", "github.history_days: Input should be a valid integer"),
        ("[github]\nrepos = ['not-a-repo']\n", "github.repos: Value error, 'not-a-repo' is not an owner/name"),
        ("[schedule]\nnightly = '25:00'\n", "schedule.nightly: Value error, expected HH:MM"),
        ("[[searches]]\nname = 'x'\nrole = 'wizard'\n", "searches.0.role: unknown role 'wizard'"),
        ("[[searches]]\nname = 'x'\nskills = ['cobol']\n", "searches.0.skills: unknown skill 'cobol'"),
        ("[[searches]]\nname = 'x'\n[[searches]]\nname = 'x'\n", "name 'x' is used twice"),
        ("[github\n", "not valid TOML"),
        ("taxonomy = 'missing.toml'\n", "taxonomy file not found"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path, text, message):
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load(p)
    assert str(p) in str(exc.value)
    assert message in str(exc.value)


def test_missing_explicit_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load(tmp_path / "nope.toml")
