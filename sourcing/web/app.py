"""The web application: lead lists, person pages, decisions, export, runs, fit.

Routes only gather what the stages return (leads, review, export, identity, scoring, fit) and
render it; decisions go through the same functions the CLI uses, so the records are the same.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlencode

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.background import BackgroundTask

from sourcing.web.charts import graph_svg, timeline_svg
from sourcing.web.security import CSRF_FIELD, SafetyMiddleware

HERE = Path(__file__).parent
PAGE_SIZE = 50
STATUSES = ("new", "shortlisted", "contacted", "rejected", "hired")


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html", "xml"], default=True),
    )
    env.filters["pct"] = lambda v: "" if v is None else f"{float(v):.0f}"
    env.globals["STATUSES"] = STATUSES
    return env


def _timeline(engine: Engine, person_id: int) -> list[dict]:
    """Code, papers and talks per quarter for one person (from its identities)."""
    q = """
    SELECT substr(t, 1, 4) || 'Q' || ((CAST(substr(t, 6, 2) AS INTEGER) + 2) / 3) AS quarter, kind, count(*)
    FROM (
      SELECT a.occurred_at AS t, 'code' AS kind FROM activity a JOIN identity i ON i.id = a.identity_id
        WHERE i.person_id = :p
      UNION ALL
      SELECT p.published, 'papers' FROM authorship au JOIN identity i ON i.id = au.identity_id
        JOIN paper p ON p.id = au.paper_id WHERE i.person_id = :p
      UNION ALL
      SELECT coalesce(t.starts_at, e.starts_on), 'talks' FROM speaking s JOIN identity i ON i.id = s.identity_id
        JOIN talk t ON t.id = s.talk_id LEFT JOIN event e ON e.id = t.event_id WHERE i.person_id = :p
    ) WHERE t IS NOT NULL GROUP BY quarter, kind ORDER BY quarter
    """
    by_q: dict[str, dict] = {}
    with engine.connect() as conn:
        for quarter, kind, n in conn.execute(text(q), {"p": person_id}):
            by_q.setdefault(quarter, {"quarter": quarter})[kind] = n
    if not by_q:
        return []
    # fill empty quarters so the time axis is honest
    first, last = min(by_q), max(by_q)
    y, qn = int(first[:4]), int(first[5])
    out = []
    while f"{y}Q{qn}" <= last:
        key = f"{y}Q{qn}"
        out.append(by_q.get(key, {"quarter": key}))
        qn += 1
        if qn == 5:
            y, qn = y + 1, 1
    return out


def create_app(engine: Engine, config, *, token: Optional[str] = None) -> FastAPI:
    """A FastAPI app over `engine`; `token` (when set) is required on every request."""
    from sourcing import export as export_stage
    from sourcing import leads as leads_stage
    from sourcing import review as review_stage

    app = FastAPI(title="sourcing", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SafetyMiddleware, token=token)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    env = _env()
    taxonomy = config.load_taxonomy()

    def render(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.update(request=request, csrf=request.state.csrf, csrf_field=CSRF_FIELD,
                   searches=[s.name for s in config.searches], taxonomy=taxonomy)
        return HTMLResponse(env.get_template(template).render(**ctx), status_code=status_code)

    def person_or_404(person_id: int) -> dict:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT * FROM person WHERE id = :p AND suppressed = 0"), {"p": person_id}
            ).mappings().first()
        if row is None:
            raise HTTPException(404, "no such person (forgotten people are gone)")
        return dict(row)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if not hasattr(request.state, "csrf"):
            request.state.csrf = ""
        return render(request, "error.html", status_code=exc.status_code, message=exc.detail, code=exc.status_code)

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request):
        lists = []
        for s in config.searches:
            lists.append({"name": s.name, "info": leads_stage.list_info(engine, s.name), "search": s})
        with engine.connect() as conn:
            last_run = conn.execute(text("SELECT * FROM run ORDER BY id DESC LIMIT 1")).mappings().first()
        return render(request, "index.html", lists=lists, last_run=last_run)

    def _filters(request: Request) -> dict:
        qp = request.query_params
        return {
            "role": qp.get("role") or None,
            "skills": [s for s in qp.getlist("skill") if s],
            "location": qp.get("location") or None,
            "status": qp.get("status") or None,
            "sort": qp.get("sort") or "score",
        }

    def _page(request: Request) -> int:
        try:
            return max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            return 1

    @app.get("/lists/{name}", response_class=HTMLResponse)
    def lead_list(request: Request, name: str):
        try:
            saved = config.search(name)
        except Exception:
            raise HTTPException(404, f"no saved search named '{name}'") from None
        f, page = _filters(request), _page(request)
        info = leads_stage.list_info(engine, name)
        offset = (page - 1) * PAGE_SIZE
        adhoc = bool(f["role"] or f["skills"] or f["location"] or f["sort"] != "score")
        try:
            if adhoc or info is None:
                # filters narrow the saved search; ranking comes straight from the stored scores
                search = {**saved.model_dump(), "name": name}
                for k in ("role", "location"):
                    if f[k]:
                        search[k] = f[k]
                if f["skills"]:
                    search["skills"] = sorted(set(saved.skills) | set(f["skills"]))
                rows = leads_stage.find_leads(engine, search, taxonomy=taxonomy, offset=offset, limit=PAGE_SIZE,
                                              status=f["status"], sort=f["sort"])
                total = leads_stage.count_leads(engine, search, taxonomy=taxonomy, status=f["status"])
            else:
                rows = leads_stage.latest_list(engine, name, taxonomy=taxonomy, status=f["status"],
                                               offset=offset, limit=PAGE_SIZE)
                total = info["leads"]
        except leads_stage.SearchError as exc:
            raise HTTPException(400, str(exc)) from None
        pages = max(1, -(-total // PAGE_SIZE))
        base = {k: v for k, v in request.query_params.multi_items() if k != "page"}
        return render(request, "list.html", name=name, saved=saved, rows=rows, info=info, filters=f, page=page,
                      pages=pages, total=total, adhoc=adhoc or info is None,
                      page_url=lambda n: f"/lists/{name}?" + urlencode([*base.items(), ("page", n)]),
                      export_url=f"/export.csv?search={name}")

    @app.get("/people/{person_id}", response_class=HTMLResponse)
    def person_page(request: Request, person_id: int):
        person = person_or_404(person_id)
        from scoring.graph import neighbourhood
        from scoring.read import person_scores
        from sourcing.identity import person_detail

        detail = person_detail(engine, person_id)
        scores = person_scores(engine, person_id)
        graph = neighbourhood(engine, person_id, depth=1, limit=40)
        centre = next((n for n, d in graph.nodes(data=True) if d.get("person_id") == person_id
                       or n in (f"person:{person_id}", person_id)), None)
        review = review_stage.get_review(engine, person_id)
        return render(
            request, "person.html", person=person, detail=detail,
            skills=[s for s in scores if s["dimension"] == "skill"],
            roles=[s for s in scores if s["dimension"] == "role"],
            overall=next((s for s in scores if s["dimension"] == "overall"), None),
            review=review, timeline=timeline_svg(_timeline(engine, person_id)),
            graph=graph_svg(graph, centre=centre),
        )

    @app.post("/people/{person_id}/review")
    def review(request: Request, person_id: int, status: str = Form(...), note: str = Form(""),
               back: str = Form("")):
        person_or_404(person_id)
        if status not in STATUSES:
            raise HTTPException(400, f"unknown status '{status}'")
        result = review_stage.set_status(engine, person_id, status, note=note.strip() or None, reviewer="web")
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"person_id": person_id, "status": result.get("status", status)})
        target = back if back.startswith("/") and not back.startswith("//") else f"/people/{person_id}"
        return RedirectResponse(target, status_code=303)

    @app.get("/suggestions", response_class=HTMLResponse)
    def suggestions(request: Request):
        from sourcing.identity import suggestions as list_suggestions

        return render(request, "suggestions.html", suggestions=list_suggestions(engine))

    @app.post("/suggestions/{link_id}/{action}")
    def decide(request: Request, link_id: int, action: str):
        from sourcing.identity import accept, dismiss

        if action not in ("accept", "dismiss"):
            raise HTTPException(404, "unknown action")
        (accept if action == "accept" else dismiss)(engine, link_id)
        return RedirectResponse("/suggestions", status_code=303)

    @app.get("/export.csv")
    def export_csv(request: Request, search: Optional[str] = None, status: Optional[str] = None):
        if bool(search) == bool(status):
            raise HTTPException(400, "choose one: ?search=NAME or ?status=shortlisted")
        if search:
            try:
                config.search(search)
            except Exception:
                raise HTTPException(404, f"no saved search named '{search}'") from None
        fd, tmp = tempfile.mkstemp(prefix="sourcing-export-", suffix=".csv")
        os.close(fd)
        query: Any = {"search": search} if search else {"status": status}
        if search and leads_stage.list_info(engine, search) is None:
            # no nightly list stored yet: rank it now, as the list page shows it
            query = leads_stage.find_leads(engine, config.search(search), taxonomy=taxonomy)
        n = export_stage.write_csv(engine, query, tmp, bom="excel" in request.query_params, taxonomy=taxonomy)
        name = f"shortlist-{search or status}.csv"
        return FileResponse(tmp, media_type="text/csv; charset=utf-8", filename=name,
                            headers={"X-Rows": str(n)}, background=BackgroundTask(os.unlink, tmp))

    @app.get("/runs", response_class=HTMLResponse)
    def runs(request: Request):
        from sqlalchemy import select

        from storage.models import Run, RunStep

        run_t, step_t = Run.__table__, RunStep.__table__
        with engine.connect() as conn:
            rows = conn.execute(select(run_t).order_by(run_t.c.id.desc()).limit(50)).mappings().all()
            ids = [r["id"] for r in rows]
            steps = conn.execute(select(step_t).where(step_t.c.run_id.in_(ids)).order_by(step_t.c.id)).mappings().all()
        by_run: dict[int, list] = {}
        for s in steps:
            by_run.setdefault(s["run_id"], []).append(s)
        return render(request, "runs.html", runs=rows, steps=by_run)

    @app.get("/fit", response_class=HTMLResponse)
    def fit_form(request: Request):
        return render(request, "fit.html", result=None, description="", error=None)

    @app.post("/fit", response_class=HTMLResponse)
    def fit_run(request: Request, description: str = Form(""), role: str = Form(""), location: str = Form("")):
        from sourcing.fit import FitError, fit

        try:
            result = fit(engine, description, taxonomy, role=role or None, location=location or None, top=50)
            error = None
        except FitError as exc:
            result, error = None, str(exc)
        return render(request, "fit.html", result=result, description=description, error=error,
                      status_code=400 if error else 200)

    return app
