"""Each evidence rule joins what it should and nothing else; same-name people stay apart."""

import pytest
from sqlalchemy import text

from sourcing.identity import person_detail, resolve, suggestions

from .conftest import person_of


def test_github_login_in_a_speaker_bio_joins_the_account(engine, world):
    acct = world.github("jdoe", "Jane Doe")
    (spk,) = world.talk("pycon-2025/T1", [{"name": "Jane Doe", "bio": "Data engineer. Find me on GitHub as @jdoe."}])
    (other,) = world.talk("pycon-2025/T2", [{"name": "Jane Doe", "handles": {"github": "JDoe"}}])
    world.store(engine)
    counts = resolve(engine)
    assert counts["identities"] == 3 and counts["people"] == 1
    pid = person_of(engine, acct)
    assert person_of(engine, spk) == pid == person_of(engine, other)
    why = person_detail(engine, pid)["why"]
    assert any("GitHub login jdoe" in w["text"] for w in why)


def test_noreply_email_counts_as_its_login_and_emails_join(engine, world):
    acct = world.github("ada-l", "Ada Lovelace", emails=["ada@analytical.org"])
    (s1,) = world.talk("ev-2024/A", [{"name": "Ada Lovelace", "emails": ["583231+ada-l@users.noreply.github.com"]}])
    (s2,) = world.talk("ev-2024/B", [{"name": "A. Lovelace", "emails": ["ADA@analytical.org"]}])
    world.store(engine)
    resolve(engine)
    assert person_of(engine, acct) == person_of(engine, s1) == person_of(engine, s2)


def test_orcid_twitter_and_homepage_join(engine, world):
    acct = world.github("kgrace", "Grace Kim", handles={"twitter": "@gracekim", "homepage": "https://gracekim.dev/"})
    (s1,) = world.talk("ev-2024/C", [{"name": "Grace Kim", "handles": {"twitter": "https://x.com/GraceKim"}}])
    (s2,) = world.talk("ev-2024/D", [{"name": "Grace Kim", "urls": ["http://www.gracekim.dev"]}])
    (s3,) = world.talk("ev-2024/E", [{"name": "G. Kim", "handles": {"orcid": "https://orcid.org/0000-0002-1825-0097"}}])
    (s4,) = world.talk("ev-2024/F", [{"name": "Grace Kim", "handles": {"orcid": "0000-0002-1825-0097",
                                                                       "homepage": "gracekim.dev"}}])
    world.store(engine)
    resolve(engine)
    pids = {person_of(engine, x) for x in (acct, s1, s2, s3, s4)}
    assert len(pids) == 1


def test_paper_author_matches_a_contributor_of_the_papers_code(engine, world):
    acct = world.github("jroe", None, repos=["acme/streamkit"])
    other = world.github("bob-builder", "Bob Builder", repos=["acme/streamkit"])
    a, b = world.paper("2406.00001", ["Jane Roe", "Carl Ng"], code="acme/streamkit")
    world.store(engine)
    resolve(engine)
    assert person_of(engine, a) == person_of(engine, acct)
    assert person_of(engine, b) != person_of(engine, other)
    why = person_detail(engine, person_of(engine, acct))["why"]
    assert any("links its code at acme/streamkit" in w["text"] for w in why)


def test_initial_and_full_name_with_a_shared_coauthor_join(engine, world):
    j1, lee1 = world.paper("2401.00001", ["J. Smithfield", "Annika Leeuwen"])
    j2, lee2 = world.paper("2402.00002", ["John Smithfield", "Annika Leeuwen"])
    world.store(engine)
    resolve(engine)
    assert person_of(engine, j1) == person_of(engine, j2)
    assert person_of(engine, lee1) == person_of(engine, lee2)


def test_accents_and_name_order_with_context_join(engine, world):
    a, _ = world.paper("2401.00011", [("José García", "Universidad de Buenos Aires"), "Mara Quist"])
    b, _ = world.paper("2401.00012", [("Jose Garcia", "Universidad de Buenos Aires"), "Tor Venn"])
    c, _ = world.paper("2401.00013", [("Wei Zhang", "Tsinghua University"), "Ola Brandt"])
    d, _ = world.paper("2401.00014", [("Zhang Wei", "Tsinghua University"), "Kai Strom"])
    world.store(engine)
    resolve(engine)
    assert person_of(engine, a) == person_of(engine, b)
    assert person_of(engine, c) == person_of(engine, d)


def test_same_name_different_people_stay_apart(engine, world):
    a, _ = world.paper("2401.00021", [("David Smith", "ETH Zurich"), "Lia Porter"])
    b, _ = world.paper("2401.00022", [("David Smith", "Google"), "Omar Haddad"])
    g1 = world.github("dsmith", "David Smith", company="Google")
    g2 = world.github("davesmith", "David Smith", company="ETH Zurich")
    (s,) = world.talk("ev-2025/G", [{"name": "David Smith"}])  # a name and nothing else
    world.store(engine)
    resolve(engine)
    assert person_of(engine, a) != person_of(engine, b)
    assert person_of(engine, g1) != person_of(engine, g2)  # two GitHub accounts: never automatically
    assert person_of(engine, s) not in {person_of(engine, x) for x in (a, b, g1, g2)}  # name alone


def test_two_github_accounts_sharing_an_email_become_a_suggestion(engine, world):
    g1 = world.github("mia-k", "Mia Keller", emails=["mia@keller.io"])
    g2 = world.github("miakeller-work", "Mia Keller", emails=["mia@keller.io"])
    world.store(engine)
    counts = resolve(engine)
    assert person_of(engine, g1) != person_of(engine, g2)
    assert counts["suggestions"] == 1
    (sug,) = suggestions(engine)
    assert {sug["a"]["external_key"], sug["b"]["external_key"]} == {"mia-k", "miakeller-work"}


def test_a_shared_address_with_disagreeing_names_does_not_join(engine, world):
    speakers = [{"name": n, "emails": ["info@pydata.example"]} for n in ("Ann Berg", "Tom Ruiz", "Li Na", "Omar Said", "Eve Holt")]
    ids = world.talk("pydata-2025/X", speakers[:2]) + world.talk("pydata-2025/Y", speakers[2:])
    world.store(engine)
    resolve(engine)
    assert len({person_of(engine, i) for i in ids}) == 5


def test_hostile_names_resolve_without_errors(engine, world):
    names = ["", "A", "王秀英", "😀🚀", "x" * 500, "!!! ---", "\u202eEvil\u202c", '=HYPERLINK("http://e","c")']
    ids = world.talk("ev-2025/H", [{"name": n} for n in names])
    ids += world.paper("2401.00099", names)
    world.github("emoji", "😀🚀")
    world.store(engine)
    counts = resolve(engine)
    assert counts["identities"] == 2 * len(names) + 1
    # nothing name-like joins a talk's speakers to each other, nor a paper's authors
    assert len({person_of(engine, i) for i in ids[: len(names)]}) == len(names)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM identity WHERE person_id IS NULL")).scalar_one() == 0


def test_score_bound_never_drops_a_pair_scoring_exactly_auto():
    """A full name with one shared topic and one shared field scores 0.70 + 0.05 + 0.05 = AUTO;
    the vectorized bound (float32 sums) must not put it below and skip the pair."""
    import numpy as np

    from sourcing.identity import rules as R

    F = np.zeros((1, len(R.FEATURES)), np.float32)
    F[0, R.FEATURES.index("t")] = 1
    F[0, R.FEATURES.index("k")] = 1
    assert R.upper_bound(F)[0] >= R.AUTO


def test_a_name_two_people_wear_goes_to_the_clearly_likelier_one(engine, world):
    """Two Lena Vargas, at ETH and at Google (each stated twice): a paper without affiliation
    that shares ETH Lena's co-author joins her; one that shares a co-author with each stays a
    suggestion, whoever would have been compared first."""
    eth = [world.paper(f"2401.0010{i}", [("Lena Varga", "ETH Zurich"), "Pia Nordqvist"])[0] for i in (1, 2)]
    goo = [world.paper(f"2401.0020{i}", [("Lena Varga", "Google"), "Rui Okafor"])[0] for i in (1, 2)]
    clear, _ = world.paper("2402.00301", ["Lena Varga", "Pia Nordqvist"])
    torn, _, _ = world.paper("2402.00302", ["Lena Varga", "Pia Nordqvist", "Rui Okafor"])
    world.store(engine)
    resolve(engine)
    p_eth, p_goo = person_of(engine, eth[0]), person_of(engine, goo[0])
    assert p_eth == person_of(engine, eth[1]) and p_goo == person_of(engine, goo[1]) and p_eth != p_goo
    assert person_of(engine, clear) == p_eth
    why = person_detail(engine, p_eth)["why"]
    assert any("worn by people at different organisations" in w["text"] and "likelier" in w["text"] for w in why)
    assert person_of(engine, torn) not in {p_eth, p_goo}
    torn_id = person_of(engine, torn)
    assert any(torn_id in (s["a"]["person_id"], s["b"]["person_id"]) for s in suggestions(engine))


def test_initials_in_a_famous_repository_do_not_join_on_their_own(engine, world):
    """"Code at pytorch/pytorch": with thousands of contributors, a login like "msmirnov2" fits a
    Martin Smirnov by chance; in a small repository it is evidence (see the acme test above)."""
    crowd = [world.github(f"dev{i}", f"Dev Person{i}", repos=["pytorch/pytorch"]) for i in range(60)]
    acct = world.github("msmirnov2", None, repos=["pytorch/pytorch"])
    (author,) = world.paper("2510.02140", ["Martin Smirnov"], code="pytorch/pytorch")
    world.store(engine)
    resolve(engine)
    assert person_of(engine, author) != person_of(engine, acct)
    assert person_of(engine, crowd[0]) != person_of(engine, author)


def test_a_homepage_two_full_names_claim_does_not_join_them(engine, world):
    acct = world.github("ostridgey", "Yan Ostridge", handles={"homepage": "https://ostridge.github.io"})
    (spk,) = world.talk("pydata-2019/R", [{"name": "Mathias Ostridge", "handles": {"homepage": "ostridge.github.io"}}])
    (same,) = world.talk("pydata-2019/S", [{"name": "Y. Ostridge", "handles": {"homepage": "ostridge.github.io"}}])
    world.store(engine)
    resolve(engine)
    assert person_of(engine, acct) != person_of(engine, spk)
    assert person_of(engine, acct) == person_of(engine, same)


def test_a_big_clusters_one_off_coauthor_counts_for_less():
    import numpy as np
    import scipy.sparse as sp

    from sourcing.identity import rules as R

    kinds = np.frombuffer(b"cco", np.uint8)
    # node 0: 10 members, co-author token 0 on one of them, token 1 on three, organisation on one
    Tn = sp.csr_matrix(np.array([[1, 3, 1], [1, 1, 1]], np.float32))
    trust = R.token_trust(Tn, kinds, np.array([10, 1]))
    assert trust.tolist() == pytest.approx([R.ONE_OFF, 1.0, 1.0, 1.0, 1.0, 1.0])


def test_written_full_names_decide_over_a_clusters_initials():
    """A cluster of Marie Fedorov's papers holds one "M. Fedorov": that initial fits Michał too,
    but Marie does not, so Michał's account cannot match the cluster through it."""
    from sourcing.identity import names as N
    from sourcing.identity import rules as R

    def node(*names):
        return R.Node(list(range(len(names))), [(N.parse(n), i) for i, n in enumerate(names)], [], False)

    papers = node("Marie Fedorov", "M. Fedorov")
    assert R._grade(papers, node("Michał Fedorov"))[0] == 0
    assert R._grade(papers, node("Marie Fedorov"))[0] == N.FULL
    assert R._grade(node("M. Fedorov"), node("Michał Fedorov"))[0] == N.INITIAL  # alone, it may


def test_an_incremental_resolve_keeps_suggestions_to_identities_it_did_not_load(engine, world):
    """Two accounts with different names share an email (a suggestion). A new talk links to the
    first account only: the incremental scope reaches it, not the second, and the suggestion must
    stay in the review queue."""
    g1 = world.github("mia-k", "Mia Keller", emails=["home@keller.io"])
    world.github("kbrandt", "Kai Brandt", emails=["home@keller.io"])
    world.store(engine)
    assert resolve(engine)["suggestions"] == 1
    (spk,) = world.talk("ev-2026/K", [{"name": "Mia Keller", "handles": {"github": "mia-k"}}])
    world.store(engine)
    counts = resolve(engine)
    assert counts["mode"] == "incremental" and counts["scope"] < counts["identities"]
    assert person_of(engine, spk) == person_of(engine, g1)
    assert counts["suggestions"] == 1
