"""Route tests through FastAPI's test client: pages, escaping, decisions, CSRF, tokens, export."""

import csv
import io

import pytest
from fastapi.testclient import TestClient

from sourcing.review import get_review
from sourcing.web.app import create_app

from .conftest import HOSTILE, csrf_of


def test_index_lists_saved_searches_and_security_headers(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "airflow-people" in r.text and "de" in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY"


def test_lead_list_is_escaped_and_paginated(client):
    r = client.get("/lists/airflow-people")
    assert r.status_code == 200
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in r.text
    assert r.text.count('<tr data-person=') == 25  # the stored list is the saved size
    live = client.get("/lists/airflow-people?location=Berlin&page=2")
    assert live.status_code == 200
    assert live.text.count('<tr data-person=') == 10  # 60 match, 50 a page
    assert "page 2 of 2" in live.text


def test_unknown_list_and_bad_filter(client):
    assert client.get("/lists/nope").status_code == 404
    assert client.get("/lists/de?skill=cobol").status_code == 400


def test_review_needs_csrf(client, scored):
    refused = client.post("/people/3/review", data={"status": "shortlisted"})
    assert refused.status_code == 403
    assert get_review(scored, 3).get("status") in (None, "new")
    token = csrf_of(client)
    ok = client.post("/people/3/review", data={"status": "shortlisted", "note": "great DAGs", "csrf": token},
                     follow_redirects=False)
    assert ok.status_code == 303
    assert get_review(scored, 3)["status"] == "shortlisted"
    js = client.post("/people/4/review", data={"status": "rejected"},
                     headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert js.json() == {"person_id": 4, "status": "rejected"}
    # rejected people leave the list
    assert 'data-person="4"' not in client.get("/lists/airflow-people").text


def test_export_csv_download(client):
    token = csrf_of(client)
    client.post("/people/2/review", data={"status": "shortlisted", "csrf": token})
    r = client.get("/export.csv?status=shortlisted")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["person_id"] for row in rows] == ["2"]
    whole = client.get("/export.csv?search=airflow-people")
    names = [row["full_name"] for row in csv.DictReader(io.StringIO(whole.text))]
    assert len(names) == 25
    assert all(not n.startswith(("=", "+", "-", "@")) for n in names)
    assert client.get("/export.csv").status_code == 400


def test_runs_page(client, scored):
    from sourcing.runs import record_run

    with record_run(scored, kind="run") as run:
        with run.step("github") as step:
            step.counts["records"] = 5
        with run.step("arxiv"):
            raise RuntimeError("feed was malformed <b>")
    r = client.get("/runs")
    assert r.status_code == 200
    assert "partial" in r.text and "feed was malformed &lt;b&gt;" in r.text and "records 5" in r.text


def test_token_required_beyond_loopback(scored, web_config):
    with TestClient(create_app(scored, web_config, token="s3cret")) as c:
        assert c.get("/").status_code == 401
        assert c.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        r = c.get("/?token=s3cret", follow_redirects=False)
        assert r.status_code == 303 and "token" not in r.headers["location"]
        assert c.get("/").status_code == 200  # the cookie now carries it


def test_serve_refuses_public_bind_without_token(db_url, monkeypatch):
    from typer.testing import CliRunner

    from sourcing.cli import app

    monkeypatch.delenv("SOURCING_WEB_TOKEN", raising=False)
    r = CliRunner().invoke(app, ["--db", db_url, "serve", "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "without a token" in r.output


def test_fit_box(client):
    token = csrf_of(client)
    r = client.post("/fit", data={"description": "", "csrf": token})
    assert r.status_code == 400 and "empty" in r.text
    assert client.post("/fit", data={"description": "airflow"}).status_code == 403


@pytest.mark.parametrize("path", ["/people/1", "/people/5"])
def test_person_page(client, path):
    r = client.get(path)
    assert r.status_code == 200, r.text[:500]
    assert "<script>alert" not in r.text
    assert "merged PRs to apache/airflow" in r.text  # evidence lines
    assert "<svg" in r.text and 'class="graph"' in r.text  # the neighbourhood picture
    assert 'class="timeline"' in r.text


def test_forgotten_person_is_gone(client, scored):
    from sourcing.forget import forget

    forget(scored, 7)
    assert client.get("/people/7").status_code == 404
    assert 'data-person="7"' not in client.get("/lists/airflow-people").text
