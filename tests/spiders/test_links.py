"""Profile links in speaker bios and profile fields -> Identity.handles and urls."""

from spiders.links import extract, github_repos


def test_handles_from_a_bio_and_profile_fields():
    bio = ("I maintain https://github.com/apache/airflow and blog at www.jdoe.dev. "
           "Find me on GitHub as @jdoe-1. Mastodon: @jdoe@fosstodon.org, ORCID 0000-0002-1825-0097, "
           "https://www.linkedin.com/in/jane-doe/).")
    handles, urls = extract([bio], ["Twitter: @jd_oe", "gitlab.com/jdoe"])
    assert handles == {"twitter": "jd_oe", "gitlab": "jdoe", "homepage": "https://www.jdoe.dev",
                       "linkedin": "jane-doe", "github": "jdoe-1", "mastodon": "@jdoe@fosstodon.org",
                       "orcid": "0000-0002-1825-0097"}
    # a repository names a project, not its speaker: a URL, never the GitHub handle
    assert "https://github.com/apache/airflow" in urls and handles["github"] != "apache"
    assert "https://www.linkedin.com/in/jane-doe/" in urls  # trailing ")." removed


def test_no_handle_from_plain_words():
    assert extract(["I love Twitter and GitHub is great; see youtube.com/watch?v=1"])[0] == {}
    assert extract([None, ""], [None])[0] == {}


def test_code_links_of_papers():
    assert github_repos("Code: https://github.com/foo/bar.git. Also github.com/foo/bar") == [
        ("https://github.com/foo/bar", "foo/bar")
    ]
