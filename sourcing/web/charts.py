"""Small server-side SVG pictures: an activity timeline and a contributor-graph neighbourhood.

Every label is escaped here: names and titles come from public profiles.
"""

from __future__ import annotations

from markupsafe import Markup, escape

SERIES = (("code", "#3b6fb6"), ("papers", "#c0692b"), ("talks", "#4c9a5b"))
KIND_COLOURS = {"person": "#3b6fb6", "repo": "#888888", "paper": "#c0692b", "talk": "#4c9a5b", "event": "#7a5aa8"}


def timeline_svg(quarters: list[dict], width: int = 640, height: int = 140) -> Markup:
    """Stacked bars per quarter: [{"quarter": "2025Q3", "code": n, "papers": n, "talks": n}]."""
    if not quarters:
        return Markup('<p class="muted">No dated activity stored.</p>')
    pad_l, pad_b, pad_t = 28, 22, 8
    n = len(quarters)
    pad_r = 36  # the last quarter's label
    bw = max(2.0, (width - pad_l - pad_r) / n)
    peak = max(sum(q.get(k, 0) for k, _ in SERIES) for q in quarters) or 1
    scale = (height - pad_b - pad_t) / peak
    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-label="activity per quarter">',
        f'<text x="2" y="{pad_t + 8}" class="axis">{peak}</text>',
        f'<line x1="{pad_l}" y1="{height - pad_b}" x2="{width}" y2="{height - pad_b}" class="axis"/>',
    ]
    for i, q in enumerate(quarters):
        x = pad_l + i * bw
        y = height - pad_b
        tip = ", ".join(f"{q.get(k, 0)} {k}" for k, _ in SERIES)
        for key, colour in SERIES:
            h = q.get(key, 0) * scale
            if h > 0:
                y -= h
                parts.append(
                    f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{bw - 2:.1f}" height="{h:.1f}" fill="{colour}">'
                    f"<title>{escape(q['quarter'])}: {escape(tip)}</title></rect>"
                )
        if i % max(1, n // 8) == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - 6}" class="axis">{escape(q["quarter"])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _kind(node, data: dict) -> str:
    return str(data.get("kind") or (str(node).split(":", 1)[0] if ":" in str(node) else "person"))


def _label(node, data: dict) -> str:
    return str(data.get("label") or data.get("name") or data.get("title") or node)


def graph_svg(graph, centre=None, width: int = 640, height: int = 420, seed: int = 7) -> Markup:
    """The neighbourhood as a picture: NetworkX spring layout, drawn as SVG (no JavaScript)."""
    import networkx as nx

    if graph is None or graph.number_of_nodes() == 0:
        return Markup('<p class="muted">No graph neighbourhood stored.</p>')
    pos = nx.spring_layout(graph, seed=seed, weight="weight", iterations=60)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    # room on the right for labels (they run right of their node)
    sx = (width - 230) / ((maxx - minx) or 1)
    sy = (height - 40) / ((maxy - miny) or 1)

    def at(n):
        x, y = pos[n]
        return 30 + (x - minx) * sx, 20 + (y - miny) * sy

    parts = [
        f'<svg class="graph" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-label="contributor graph neighbourhood">'
    ]
    for a, b, d in graph.edges(data=True):
        (x1, y1), (x2, y2) = at(a), at(b)
        w = min(4.0, 0.5 + float(d.get("weight", 1.0)) ** 0.5)
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke-width="{w:.2f}" class="edge"/>')
    for n, d in graph.nodes(data=True):
        x, y = at(n)
        kind = _kind(n, d)
        r = 9 if n == centre else 5
        label = _label(n, d)
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<g class="node {escape(kind)}"><circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" '
            f'fill="{KIND_COLOURS.get(kind, "#555")}"><title>{escape(kind)}: {escape(label)}</title></circle>'
            f'<text x="{x + r + 2:.1f}" y="{y + 4:.1f}">{escape(short)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
