"""`sourcing graph export`: the contributor graph (or one person's neighbourhood) as GraphML or GEXF."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

ORDER = 42

graph_app = typer.Typer(
    help="The contributor graph: people, repos, papers, talks and events.\n\n"
    "Example: sourcing graph export --format gexf --out graph.gexf --around octocat --depth 2",
    no_args_is_help=True,
)


@graph_app.command("export")
def export(
    ctx: typer.Context,
    fmt: str = typer.Option("graphml", "--format", metavar="graphml|gexf", help="File format (Gephi reads both)."),
    out: Path = typer.Option(..., "--out", metavar="FILE", help="Where to write the graph."),
    around: Optional[str] = typer.Option(
        None, "--around", metavar="PERSON", help="Only the neighbourhood of this person (id or GitHub login)."
    ),
    depth: int = typer.Option(2, "--depth", min=1, max=6, help="Hops from PERSON (with --around)."),
    limit: int = typer.Option(200, "--limit", min=1, help="Strongest neighbours kept per node (with --around)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: {nodes, edges, path, format}."),
) -> None:
    """Write the contributor graph as GraphML or GEXF for Gephi, Cytoscape or NetworkX.

    Nodes person:<id>, repo:<id>, paper:<id>, talk:<id>, event:<id> carry a kind and a label;
    edges carry a kind (contributes, authored, spoke, at, code) and a weight.

    Example: sourcing graph export --format graphml --out graph.graphml --around 42 --depth 2
    """
    from scoring.graph import FORMATS
    from scoring.graph import export as export_graph
    from sourcing.cli import console, fail, state

    if fmt not in FORMATS:
        fail(f"--format: '{fmt}' is not one of {', '.join(FORMATS)}", code=2)
    engine = state(ctx).engine()
    pid = None
    if around is not None:
        from sourcing.review import resolve_person

        try:
            pid = resolve_person(engine, around)
        except LookupError as exc:
            fail(str(exc), code=2)
    try:
        info = export_graph(engine, out, fmt=fmt, around=pid, depth=depth, limit=limit)
    except OSError as exc:
        fail(f"--out: cannot write {out}: {exc.strerror or exc}", code=2)
    if as_json:
        typer.echo(json.dumps(info, sort_keys=True))
        return
    where = f" around person {pid} (depth {depth})" if pid is not None else ""
    console.print(f"wrote {info['nodes']:,} nodes and {info['edges']:,} edges{where} to {info['path']} ({fmt})")


def register(app: typer.Typer) -> None:
    app.add_typer(graph_app, name="graph")
