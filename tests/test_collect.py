"""The sink: a checkpoint is stored with the records before it, never ahead of them."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from sourcing.collect import run_collector
from sourcing.sources.contract import Checkpoint, Collector, Problem, Record
from storage import models as m

T = datetime(2026, 3, 1, tzinfo=timezone.utc)


class Fake:
    name = "fake"
    categories = ("things",)

    def __init__(self, n, die_at=None):
        self.n, self.die_at = n, die_at

    def fetch(self, category, since=None):
        for i in range(self.n):
            if i == self.die_at:
                raise KeyboardInterrupt  # a kill half-way
            yield Record("github", "profile", f"u{i}", str(i), T, {"identity": [{"source": "github", "external_key": f"u{i}"}]})
            if i % 10 == 9:
                yield Checkpoint("github", "profiles", "", since=T, page=i + 1)
        yield Problem("github", "u?", "one profile was malformed")


def counts(engine):
    with engine.connect() as c:
        idents = c.execute(select(func.count()).select_from(m.Identity.__table__)).scalar()
        page = c.execute(select(m.Cursor.__table__.c.page)).scalar()
    return idents, page


def test_fake_follows_the_contract():
    assert isinstance(Fake(1), Collector)


def test_full_run_stores_everything_and_the_problem(engine):
    stats = run_collector(engine, Fake(25), batch_size=7)
    assert counts(engine) == (25, 20)
    assert stats.records == 25 and stats.checkpoints == 2
    assert [p.message for p in stats.problems] == ["one profile was malformed"]


def test_kill_half_way_keeps_every_checkpointed_record_and_no_cursor_ahead(engine):
    with pytest.raises(KeyboardInterrupt):
        run_collector(engine, Fake(25, die_at=15), batch_size=1000)
    idents, page = counts(engine)
    assert page == 10 and idents >= page  # the bookmark never runs ahead of stored data
    run_collector(engine, Fake(25), batch_size=1000)
    assert counts(engine) == (25, 20)
