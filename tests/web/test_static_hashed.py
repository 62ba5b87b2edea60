"""Static files go out under hashed names, kept by browsers for good, where ``collectstatic``
ran (``core.staticfiles``): pages named every file by its own name, which browsers kept 60
seconds (deployment leftovers). Where it did not run, or a collected copy is stale, pages keep
the file's own name, served from the app's folder, as before."""

from __future__ import annotations

import re
import shutil

import pytest
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse

from tandem.core.middleware import StaticFilesMiddleware

pytestmark = pytest.mark.django_db

STYLESHEET = "web/tandem.css"
YEAR = 315360000  # WhiteNoise's max-age for a name with a hash in it


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A ``collectstatic`` with the production storage, as ``tandem run`` and a deployment
    make one; it failed on the source map the vendored Chart.js names and does not ship."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def _stylesheet_href(client, root) -> str:
    with override_settings(STATIC_ROOT=root):
        page = client.get(reverse("login")).content.decode()
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)


def _serve(root, url: str):
    with override_settings(STATIC_ROOT=root):
        middleware = StaticFilesMiddleware(get_response=None)
        return middleware(RequestFactory().get(url, headers={"accept-encoding": "gzip"}))


def test_a_page_names_the_collected_stylesheet_by_its_hash_and_it_is_kept_for_good(
    client, collected
):
    href = _stylesheet_href(client, collected)
    assert re.fullmatch(r"/static/web/tandem\.[0-9a-f]{12}\.css", href)
    response = _serve(collected, href)
    assert response.status_code == 200
    assert response["Cache-Control"] == f"max-age={YEAR}, public, immutable"
    assert response["Content-Encoding"] == "gzip"


def test_without_collectstatic_a_page_names_the_file_itself(client, tmp_path):
    """The tests, a checkout served before collectstatic: no page is a 500."""
    assert _stylesheet_href(client, tmp_path) == "/static/web/tandem.css"
    response = _serve(tmp_path, "/static/web/tandem.css")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"


def test_a_stale_collected_copy_gives_way_to_the_apps_file(client, collected, tmp_path):
    """Collected before an upgrade changed the stylesheet, and not collected again."""
    stale = tmp_path / "stale"
    shutil.copytree(collected, stale)
    (stale / STYLESHEET).write_bytes(b"/* the release before */\n")
    assert _stylesheet_href(client, stale) == "/static/web/tandem.css"
