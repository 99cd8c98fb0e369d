"""Static files are fingerprinted and cached for a year; pages and stylesheets travel compressed."""
from __future__ import annotations

import gzip
import re

import brotli


def stylesheet_url(html: str) -> str:
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)


def test_static_files_fingerprinted_url_is_cached_for_a_year(client):
    url = stylesheet_url(client.get("/s/family-voices").text)
    assert re.fullmatch(r"/static/site\.css\?v=[0-9a-f]{12}", url)
    with client.get(url) as reply:
        assert reply.status_code == 200
        assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_static_files_fingerprint_changes_with_the_content(app, client):
    url = stylesheet_url(client.get("/s/family-voices").text)
    stale = re.sub(r"v=[0-9a-f]{12}", "v=000000000000", url)
    with client.get(stale) as reply:
        assert reply.status_code == 200  # still served, but not kept: it may not be what that name meant
        assert "immutable" not in reply.headers.get("Cache-Control", "")
    with client.get("/static/site.css") as reply:
        assert "immutable" not in reply.headers.get("Cache-Control", "")


def test_static_files_pages_and_stylesheet_are_compressed(client):
    page = client.get("/s/family-voices?lang=so", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert page.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in page.headers["Vary"]
    html = brotli.decompress(page.data).decode()
    assert '<html lang="so"' in html
    assert len(page.data) < len(html.encode()) / 2
    plain = client.get("/s/family-voices?lang=so")
    assert "Content-Encoding" not in plain.headers and '<html lang="so"' in plain.text
    with client.get(stylesheet_url(html), headers={"Accept-Encoding": "gzip, deflate, br"}) as css:
        assert css.headers["Content-Encoding"] == "br"
        assert b".button" in brotli.decompress(css.data)
    with client.get(stylesheet_url(html), headers={"Accept-Encoding": "gzip"}) as css:
        assert css.headers["Content-Encoding"] == "gzip"
        assert b".button" in gzip.decompress(css.data)
