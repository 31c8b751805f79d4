"""`sourcing person ...`: show a person and why their identities are joined; review suggestions;
merge and split people by hand (decisions every later resolve honours)."""

from __future__ import annotations

import json
from typing import Optional

import typer

ORDER = 32

person_app = typer.Typer(
    help="One person: identities, why they are joined, manual merge/split.\n\nExample: sourcing person show octocat",
    no_args_is_help=True,
)


def _pid(engine, ref: str) -> int:
    from sourcing.cli import fail
    from sourcing.review import resolve_person

    try:
        return resolve_person(engine, ref)
    except LookupError as exc:
        fail(str(exc), code=2)
    raise AssertionError  # unreachable


def person_scores_hook(engine, person_id: int) -> Optional[list]:
    """Scores with evidence from the scoring stage (scoring.read.person_scores), when present."""
    try:
        from scoring.read import person_scores
    except ImportError:
        return None
    try:
        return person_scores(engine, person_id)
    except Exception:  # noqa: BLE001 — a scoring problem must not hide the identities
        return None


@person_app.command("show")
def show(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="Person id, or a GitHub login."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: person, identities, links, why, decisions, scores."),
) -> None:
    """Show a person's identities and why they are one person (and their scores).

    Example: sourcing person show octocat --json
    """
    from rich.table import Table

    from sourcing.cli import console, state
    from sourcing.identity import person_detail

    engine = state(ctx).engine()
    pid = _pid(engine, person)
    detail = person_detail(engine, pid)
    scores = person_scores_hook(engine, pid)
    if as_json:
        typer.echo(json.dumps({**detail, "scores": scores}, sort_keys=True, default=str))
        return
    p = detail["person"]
    head = f"[bold]{p['display_name'] or '(no name)'}[/] — person {p['id']}"
    extra = [x for x in (p["github_login"] and f"@{p['github_login']}", p["company"], p["location"]) if x]
    console.print(head + (f" ({', '.join(extra)})" if extra else "") + (" [yellow]bot[/]" if p["is_bot"] else ""), highlight=False)
    table = Table("id", "source", "external key", "name")
    for i in detail["identities"]:
        table.add_row(str(i["id"]), i["source"], i["external_key"], i["name"] or "")
    console.print(table)
    if detail["why"]:
        console.print("[bold]Why they are one person[/]")
        for w in detail["why"]:
            console.print(f"  • {w['text']} [dim]({w['confidence']:.2f})[/]", highlight=False, markup=True)
    elif len(detail["identities"]) == 1:
        console.print("[dim]A single identity.[/]")
    for s in detail["suggestions"]:
        console.print(f"[cyan]suggestion {s['id']}[/] ({s['confidence']:.2f}): {s['reason']}", highlight=False)
    if scores:
        console.print("[bold]Scores[/]")
        for s in scores[:12]:
            console.print(f"  {s['dimension']:<7} {s['name']:<24} {s['value']:6.1f}", highlight=False)
            for e in s.get("evidence", [])[:3]:
                console.print(f"      [dim]{e['text']}[/]", highlight=False)


@person_app.command("suggestions")
def suggestions_cmd(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", help="How many to list (most likely first)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List pairs of identities that may be one person, for a human to accept or dismiss.

    Example: sourcing person suggestions --limit 20
    """
    from rich.table import Table

    from sourcing.cli import console, state
    from sourcing.identity import suggestions

    got = suggestions(state(ctx).engine(), limit=limit)
    if as_json:
        typer.echo(json.dumps(got, sort_keys=True, default=str))
        return
    if not got:
        console.print("No suggestions to review.")
        return
    table = Table("id", "conf", "identity", "identity", "why")
    for s in got:
        a, b = s["a"], s["b"]
        table.add_row(
            str(s["id"]), f"{s['confidence']:.2f}",
            f"{a['source']}:{a['external_key']}\n{a['name'] or ''} (person {a['person_id']})",
            f"{b['source']}:{b['external_key']}\n{b['name'] or ''} (person {b['person_id']})",
            s["reason"],
        )
    console.print(table)
    console.print("accept: [cyan]sourcing person accept ID[/]   dismiss: [cyan]sourcing person dismiss ID[/]")


def _decide(fn, *args, **kwargs):
    from sourcing.cli import fail

    try:
        return fn(*args, **kwargs)
    except (LookupError, ValueError) as exc:
        fail(str(exc).strip("'\""), code=2)


@person_app.command("accept")
def accept_cmd(ctx: typer.Context, link_id: int = typer.Argument(..., help="Suggestion id.")) -> None:
    """Accept a suggestion: its two identities become one person, for good.

    Example: sourcing person accept 42
    """
    from sourcing.cli import console, state
    from sourcing.identity import accept

    got = _decide(accept, state(ctx).engine(), link_id, reviewer="cli")
    console.print(f"suggestion {link_id} accepted: now person {got['person']}")


@person_app.command("dismiss")
def dismiss_cmd(ctx: typer.Context, link_id: int = typer.Argument(..., help="Suggestion id.")) -> None:
    """Dismiss a suggestion: its two identities are never joined automatically.

    Example: sourcing person dismiss 42
    """
    from sourcing.cli import console, state
    from sourcing.identity import dismiss

    _decide(dismiss, state(ctx).engine(), link_id, reviewer="cli")
    console.print(f"suggestion {link_id} dismissed")


@person_app.command("merge")
def merge_cmd(
    ctx: typer.Context,
    a: str = typer.Argument(..., help="Person (id or GitHub login) that stays."),
    b: str = typer.Argument(..., help="Person (id or GitHub login) merged into A."),
) -> None:
    """Merge person B into person A (A keeps its id, reviews and lead history).

    Example: sourcing person merge 12 40
    """
    from sourcing.cli import console, state
    from sourcing.identity import merge

    engine = state(ctx).engine()
    got = _decide(merge, engine, _pid(engine, a), _pid(engine, b), reviewer="cli")
    console.print(f"merged: person {got['person']} now holds {got['identities']} identities")


@person_app.command("split")
def split_cmd(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="Person (id or GitHub login)."),
    identity: int = typer.Argument(..., help="Identity id to take out (see `person show`)."),
) -> None:
    """Take one identity out of a person, for good (the identity keeps all its details).

    Example: sourcing person split 12 3051
    """
    from sourcing.cli import console, state
    from sourcing.identity import split

    engine = state(ctx).engine()
    got = _decide(split, engine, _pid(engine, person), identity, reviewer="cli")
    console.print(f"identity {identity} is now person {got['new_person']}; person {got['person']} keeps the rest")


def register(app: typer.Typer) -> None:
    app.add_typer(person_app, name="person")
