"""Page-generation helpers: URLs and links."""

from __future__ import annotations

import pytest

from kb.site.urls import page_url, relative


@pytest.mark.parametrize("src, directory, url", [
    ("index.md", True, ""),
    ("areas/index.md", True, "areas/"),
    ("areas/religion/index.md", True, "areas/religion/"),
    ("regulations/x.md", True, "regulations/x/"),
    ("regulations/x.md", False, "regulations/x.html"),
    ("index.md", False, "index.html"),
])
def test_page_url(src, directory, url):
    assert page_url(src, directory) == url


@pytest.mark.parametrize("frm, to, rel", [
    ("", "regulations/x/", "regulations/x/"),
    ("regulations/x/", "", "../../"),
    ("areas/religion/", "areas/religion/", "./"),
    ("areas/religion/", "areas/ethnic/", "../ethnic/"),
    ("areas/religion/", "reports/r/#sec-1-2", "../../reports/r/#sec-1-2"),
    ("reports/r/", "reports/r/#sec-1", "./#sec-1"),
    ("areas/religion.html", "regulations/x.html", "../regulations/x.html"),
    ("index.html", "areas/index.html", "areas/index.html"),
])
def test_relative_links(frm, to, rel):
    assert relative(frm, to) == rel
