"""Links in free text: code repositories and personal handles, on real arXiv comments and abstracts."""

import json

import pytest

from sourcing.sources.links import code_links, emails, handles, repo_link, urls


def names(*texts):
    return [link.full_name for link in code_links(*texts)]


@pytest.mark.parametrize(
    "text, expected",
    [
        # shapes seen in real arXiv comments (../shared/corpus/arxiv/daily_listings_ml)
        ("Accepted by MICCAI-25, code is available at\n  \\url{https://github.com/zky04/MvHo-IB}", ["zky04/MvHo-IB"]),
        ("Code: https://github.com/haorandd/M2oE2\\_load\\_forecast.git.", ["haorandd/M2oE2_load_forecast"]),
        ("code available atgithub.com/xmed-lab/TAM.", ["xmed-lab/TAM"]),
        ("see https://github.com/code-tunnel/Megatron-LM/tree/dev.", ["code-tunnel/Megatron-LM"]),
        ("\\href{https://github.com/bakerhassan/Patch2Loc}{GitHub}", ["bakerhassan/Patch2Loc"]),
        ("Code at https://github.com/THUDM/GLM-4.1V-Thinking.", ["THUDM/GLM-4.1V-Thinking"]),
        ("(code: https://github.com/a-b/c_d), more", ["a-b/c_d"]),
        ("github.com/Org/Tool and https://github.com/org/tool.git", ["Org/Tool"]),  # once, as first written
        ("https://gitlab.com/group/sub/proj/-/blob/main/x.py", ["gitlab.com/group/sub/proj"]),
        ("https://gitlab.inria.fr/team/tool/tree/master", ["gitlab.inria.fr/team/tool"]),
        # not repositories
        ("a profile https://github.com/torvalds and https://github.com/features/actions", []),
        ("project page https://opendatalab.github.io/REST and GitHub Actions", []),
        ("https://gist.github.com/someone/abc123 or https://example.org/github.com/x/y", []),
        ("", []),
        (None, []),
    ],
)
def test_code_links(text, expected):
    assert names(text) == expected


def test_repo_link_canonical_url():
    link = repo_link("https://www.github.com/Owner/Name/blob/main/README.md#usage")
    assert (link.host, link.full_name, link.url, link.owner) == ("github", "Owner/Name", "https://github.com/Owner/Name", "Owner")
    gl = repo_link("https://gitlab.com/group/sub/proj")
    assert (gl.host, gl.owner) == ("gitlab", "group")


def test_urls_strip_punctuation_but_keep_balanced_brackets():
    assert urls("See (https://en.wikipedia.org/wiki/Foo_(bar)). And www.example.com/x,") == [
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "https://www.example.com/x",
    ]


def test_handles_and_emails_from_a_bio():
    bio = (
        "ML engineer. Code at github.com/janedoe, posts on @jane@fosstodon.org and https://twitter.com/jane_d. "
        "linkedin.com/in/jane-doe-123 · ORCID 0000-0002-1825-0097 · https://jane.dev/ · Mail: Jane.Doe@Example.org."
    )
    assert handles(bio) == {
        "github": "janedoe",
        "mastodon": "@jane@fosstodon.org",
        "twitter": "jane_d",
        "linkedin": "jane-doe-123",
        "orcid": "0000-0002-1825-0097",
        "homepage": "https://jane.dev/",
    }
    assert emails(bio) == ["jane.doe@example.org"]
    # a GitHub Pages site is a homepage and names its owner's login; a repo link is not a handle
    assert handles("https://jdoe.github.io/ and https://github.com/jdoe/tool") == {
        "homepage": "https://jdoe.github.io/",
        "github": "jdoe",
    }


def test_every_github_repo_mentioned_in_real_ml_listings_is_found(corpus):
    import re

    texts = []
    for f in sorted((corpus / "arxiv" / "daily_listings_ml").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            texts.append((d["summary"], d["comment"]))
    found = {n for t in texts for n in names(*t)}
    mentioning = [t for t in texts if re.search(r"github\.com/[\w-]+/\w", " ".join(x or "" for x in t))]
    assert len(mentioning) >= 80
    assert all(names(*t) for t in mentioning)
    assert {"haorandd/M2oE2_load_forecast", "xmed-lab/TAM", "zky04/MvHo-IB", "THUDM/GLM-4.1V-Thinking"} <= found
    assert not [n for n in found if re.search(r"[{}\\]|\.$|\.git$", n)]
