"""The arXiv collector's pieces: ids, windows, and rows from every real recorded Atom response."""

from datetime import datetime, timezone

import pytest

from sourcing.sources.arxiv import ArxivCollector, is_local, paper_id, paper_rows, window_query
from sourcing.sources.contract import Collector


@pytest.mark.parametrize(
    "entry_id, expected",
    [
        ("http://arxiv.org/abs/2406.01234v12", ("2406.01234", 12)),
        ("http://arxiv.org/abs/quant-ph/0201082v1", ("quant-ph/0201082", 1)),
        ("https://arxiv.org/abs/astro-ph/0601001", ("astro-ph/0601001", None)),
        ("http://arxiv.org/abs/math.GT/0309136v2", ("math.GT/0309136", 2)),
        ("2406.01234", ("2406.01234", None)),
    ],
)
def test_paper_id(entry_id, expected):
    assert paper_id(entry_id) == expected


def test_window_query_in_minutes_utc():
    a = datetime(2025, 1, 31, 23, 59, 59, tzinfo=timezone.utc)
    b = datetime(2025, 2, 1, 10, 0, tzinfo=timezone.utc)
    assert window_query('abs:"feature store"', a, b) == '(abs:"feature store") AND submittedDate:[202501312359 TO 202502011000]'


def test_only_this_machine_is_local():
    assert is_local("http://127.0.0.1:8123/api/query") and is_local("http://localhost/api/query")
    assert not is_local("https://export.arxiv.org/api/query")


def test_collector_follows_the_contract():
    c = ArxivCollector(["cat:cs.LG", " cat:cs.LG ", ""], api_url="http://127.0.0.1:9/api/query")
    assert isinstance(c, Collector) and c.categories == ("papers",)
    assert c.queries == ["cat:cs.LG"]
    with pytest.raises(ValueError, match="no category 'talks'"):
        next(c.fetch("talks"))


def test_rows_from_every_real_recorded_entry(corpus):
    from arxiv import _feed  # the package's own parser, as Client uses it

    n = 0
    for f in sorted((corpus / "arxiv" / "atom_xml").glob("*.xml")):
        for result in _feed.parse(f.read_bytes()).results:
            rows, notes = paper_rows(result)
            paper = rows["paper"][0]
            key = paper["key"]
            assert "v" not in key.split("/")[-1] and key in result.entry_id
            assert paper["published"].tzinfo is not None and paper["updated"] >= paper["published"]
            assert paper["categories"][0] == paper["primary_category"] == result.primary_category
            slots = [r["external_key"] for r in rows["identity"]]
            assert slots == [f"{key}#{i}" for i in range(len(result.authors))]
            assert [r["name"] for r in rows["identity"]] == [" ".join(a.name.split()) for a in result.authors]
            assert [a["identity"] for a in rows["authorship"]] == [("arxiv", s) for s in slots]
            assert notes == []
            n += 1
    assert n >= 180  # the recorded pages overlap; 105 distinct papers
