"""Static files collected in ``STATIC_ROOT`` are served with their compressed copies.

A deployment (``collectstatic``, then ``tandem serve``) sent every file uncompressed: WhiteNoise
added the finders' files (the apps' folders) over the collected ones, so the ``.gz`` and
``.br`` copies ``collectstatic`` made were never read. A collected file is served while it has
the app's bytes; a stale one (collected before an upgrade) gives way to the app's.
"""

from __future__ import annotations

import gzip
import shutil

from django.contrib.staticfiles import finders
from django.test import RequestFactory, override_settings

from tandem.core.middleware import StaticFilesMiddleware

STYLESHEET = "web/tandem.css"


def _collect(root, *, content: bytes | None = None) -> bytes:
    """Collect the stylesheet into ``root`` as collectstatic would, with its gzip copy."""
    source = finders.find(STYLESHEET)
    target = root / STYLESHEET
    target.parent.mkdir(parents=True)
    if content is None:
        shutil.copyfile(source, target)
    else:
        target.write_bytes(content)
    (root / (STYLESHEET + ".gz")).write_bytes(gzip.compress(target.read_bytes()))
    return target.read_bytes()


def _get(root, **headers):
    with override_settings(STATIC_ROOT=root):
        middleware = StaticFilesMiddleware(get_response=None)
    request = RequestFactory().get("/static/" + STYLESHEET, headers=headers)
    response = middleware(request)
    body = b"".join(response.streaming_content)
    return response, body


def test_a_collected_file_goes_out_compressed_to_a_browser_that_takes_gzip(tmp_path):
    collected = _collect(tmp_path)
    response, body = _get(tmp_path, accept_encoding="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == collected
    assert "Accept-Encoding" in response["Vary"]
    plain, body = _get(tmp_path)
    assert not plain.has_header("Content-Encoding") and body == collected


def test_a_stale_collected_file_gives_way_to_the_apps_own(tmp_path):
    _collect(tmp_path, content=b"/* collected before an upgrade */\n")
    with open(finders.find(STYLESHEET), "rb") as current:
        expected = current.read()
    response, body = _get(tmp_path, accept_encoding="gzip")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert body == expected
