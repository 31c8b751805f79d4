"""The docs' console examples name commands and options that exist: `$ sourcing ...` lines in
README.md and docs/*.md are checked against the CLI itself (a renamed option breaks this test,
not a sourcer's morning)."""

import re
import shlex
from pathlib import Path

import pytest
import typer.main

from sourcing.cli import app

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _examples():
    for doc in DOCS:
        for line in doc.read_text(encoding="utf-8").splitlines():
            m = re.match(r"\s*\$ (sourcing .*?)(\s+#.*)?$", line)
            if m:
                yield pytest.param(doc.name, m.group(1), id=f"{doc.name}: {m.group(1)[:60]}")


EXAMPLES = list(_examples())


def test_the_docs_have_examples():
    assert len(EXAMPLES) >= 15
    assert any(doc == "identity.md" for doc, _ in (p.values for p in EXAMPLES))


@pytest.mark.parametrize("doc,line", EXAMPLES)
def test_a_documented_command_and_its_options_exist(doc, line):
    words = shlex.split(line)[1:]
    cmd = typer.main.get_command(app)
    path = []
    while words and hasattr(cmd, "commands") and words[0] in cmd.commands:
        cmd = cmd.commands[words[0]]
        path.append(words.pop(0))
    assert path, f"{doc}: `{line}` names no command"
    known = {opt for p in cmd.params for opt in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])}
    for w in words:
        if w.startswith("--"):
            assert w.split("=", 1)[0] in known, f"{doc}: `{line}`: `sourcing {' '.join(path)}` has no option {w}"
