"""The arxiv package's Client against the world: queries, paging, sorting, empty pages, errors."""

from __future__ import annotations

from datetime import datetime, timezone

import arxiv
import pytest

from sourcing.world.server import Fault


def client(world, page_size=100, retries=3) -> arxiv.Client:
    c = arxiv.Client(page_size=page_size, delay_seconds=0, num_retries=retries)
    c.query_url_format = world.arxiv_url + "?{}"
    return c


def test_category_query_pages_through_everything(world):
    w = world.world
    want = sorted((p for p in w.papers if "cs.LG" in p.categories), key=lambda p: (p.published, p.id), reverse=True)
    assert len(want) > 60
    got = list(client(world, page_size=25).results(arxiv.Search(query="cat:cs.LG", max_results=None)))
    assert [r.get_short_id() for r in got] == [f"{p.id}v{p.version}" for p in want]
    first, paper = got[0], want[0]
    assert first.title == paper.title and first.summary == paper.abstract
    assert [a.name for a in first.authors] == [a.name for a in paper.authors]
    assert first.primary_category == paper.primary_category and first.categories == paper.categories
    assert first.published == paper.published and first.comment == paper.comment
    assert first.pdf_url.endswith(f"/pdf/{paper.id}v{paper.version}")
    assert world.stats()["apis"]["arxiv"]["200"] == -(-len(want) // 25)


def test_fields_boolean_operators_and_dates(world):
    w = world.world
    c = client(world)
    paper = w.papers[len(w.papers) // 2]
    family = paper.authors[0].name.split()[-1]
    au = [r.get_short_id().split("v")[0] for r in c.results(arxiv.Search(query=f"au:{family}"))]
    assert paper.id in au
    both = list(c.results(arxiv.Search(query="cat:cs.LG AND cat:stat.ML", max_results=None)))
    assert both and all({"cs.LG", "stat.ML"} <= set(r.categories) for r in both)
    either = list(c.results(arxiv.Search(query="(cat:cs.IR OR cat:cs.DB)", max_results=None)))
    assert len(either) == sum(1 for p in w.papers if {"cs.IR", "cs.DB"} & set(p.categories))
    phrase = next(p for p in w.papers if "code is available" in p.abstract.lower())
    hits = [r.get_short_id().split("v")[0] for r in c.results(arxiv.Search(query='abs:"code is available"', max_results=None))]
    assert phrase.id in hits and len(hits) == sum("code is available" in p.abstract.lower() for p in w.papers)
    lo, hi = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 12, 31, 23, 59, tzinfo=timezone.utc)
    ranged = list(c.results(arxiv.Search(query="cat:cs.LG AND submittedDate:[202401010000 TO 202412312359]",
                                         sort_by=arxiv.SortCriterion.SubmittedDate,
                                         sort_order=arxiv.SortOrder.Ascending)))
    assert ranged and all(lo <= r.published <= hi for r in ranged)
    assert [r.published for r in ranged] == sorted(r.published for r in ranged)
    assert paper.id in [r.get_short_id().split("v")[0] for r in c.results(arxiv.Search(query=f'ti:"{paper.title}"'))]


def test_id_list(world):
    w = world.world
    ids = [w.papers[0].id, f"{w.papers[5].id}v1", "9912.99999"]
    got = list(client(world).results(arxiv.Search(id_list=ids)))
    assert [r.get_short_id().split("v")[0] for r in got] == [w.papers[0].id, w.papers[5].id]
    with pytest.raises(arxiv.HTTPError) as exc:  # arXiv answers 400 with an error feed
        list(client(world, retries=0).results(arxiv.Search(id_list=["abc"])))
    assert exc.value.status == 400
    import requests

    resp = requests.get(world.arxiv_url, params={"id_list": "abc"}, timeout=10)
    assert resp.status_code == 400 and "<summary>incorrect id format for abc</summary>" in resp.text


def test_empty_page_is_retried_like_arxiv(world):
    world.set_faults("arxiv/empty_page:1:1")
    # the first page's emptiness cannot be told apart from "no results"; later pages can
    assert list(client(world, page_size=20).results(arxiv.Search(query="cat:cs.LG", max_results=60))) == []
    world.set_faults([Fault(kind="empty_page", match="start=20", times=1)])
    got = list(client(world, page_size=20).results(arxiv.Search(query="cat:cs.LG", max_results=60)))
    assert len(got) == 60 and world.stats()["faults"]["empty_page"] == 2
    world.set_faults([Fault(kind="empty_page", match=r"start=[1-9]")])  # every later page, every try
    with pytest.raises(arxiv.UnexpectedEmptyPageError):
        list(client(world, page_size=20, retries=1).results(arxiv.Search(query="cat:cs.LG", max_results=60)))


def test_server_error_and_truncated_feed(world):
    world.set_faults("arxiv/500:1:2")
    got = list(client(world, retries=3).results(arxiv.Search(query="cat:stat.ML", max_results=5)))
    assert len(got) == 5 and world.stats()["apis"]["arxiv"]["500"] == 2
    world.set_faults("arxiv/502:1")
    with pytest.raises(arxiv.HTTPError):
        list(client(world, retries=1).results(arxiv.Search(query="cat:stat.ML", max_results=5)))
    world.set_faults("arxiv/truncated:1:1")
    import requests
    from lxml import etree

    cut = requests.get(world.arxiv_url, params={"search_query": "cat:stat.ML", "max_results": 50}, timeout=10)
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(cut.content)
    whole = requests.get(world.arxiv_url, params={"search_query": "cat:stat.ML", "max_results": 50}, timeout=10)
    assert etree.fromstring(whole.content) is not None and len(cut.content) < len(whole.content)
