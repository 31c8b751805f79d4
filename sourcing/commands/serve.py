"""`sourcing serve`: the sourcer's web page over the same database and stages the CLI uses."""

from __future__ import annotations

import os
from typing import Optional

import typer

ORDER = 80


def serve(
    ctx: typer.Context,
    host: Optional[str] = typer.Option(None, "--host", help="Address to bind (default from config: 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", help="Port (default from config: 8000)."),
) -> None:
    """Serve the lead lists, person pages, decisions, export and run history in a browser.

    Beyond 127.0.0.1 a token is required: set the variable named by [web].token_env
    (default SOURCING_WEB_TOKEN) and open the printed link once.

    Example: sourcing serve --port 8000
    """
    import uvicorn

    from sourcing.cli import console, fail, state
    from sourcing.web.app import create_app
    from sourcing.web.security import is_loopback

    st = state(ctx)
    cfg = st.config
    host = host or cfg.web.host
    port = port or cfg.web.port
    token = os.environ.get(cfg.web.token_env) or None
    if not is_loopback(host) and not token:
        fail(
            f"refusing to serve on {host} without a token: set ${cfg.web.token_env} "
            "(or bind to 127.0.0.1)",
            code=2,
        )
    app = create_app(st.engine(), cfg, token=token)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(f"serving on http://{shown}:{port}/" + ("?token=…  (the token from the environment)" if token else ""))
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


def register(app: typer.Typer) -> None:
    app.command()(serve)
