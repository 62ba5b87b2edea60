"""Static files under names that carry a hash of their bytes where ``collectstatic`` gathered
them, so browsers keep them for good (WhiteNoise sends such a name with a year's
``Cache-Control: immutable``) and fetch a file again only when it changed; under their own
name, kept 60 seconds, where it did not.

Every page named its files by their own names, which WhiteNoise lets browsers keep 60 seconds
(deployment leftovers): a returning browser asked again for each file of each page after a
minute, and a stylesheet changed by an upgrade could be read with a page of the release
before for that minute. Django's manifest storage alone would make every page a 500 wherever
``collectstatic`` has not run (the tests, a checkout served before it, a file added since),
so a name the collected manifest lacks, or whose collected copy no longer has the app's bytes
(collected before an upgrade), is given under its own name, which ``StaticFilesMiddleware``
serves from the app's folder, as before.
"""

from __future__ import annotations

import filecmp
from typing import Any

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage, StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


def same_bytes(one: str, other: str) -> bool:
    try:
        return filecmp.cmp(one, other, shallow=False)
    except OSError:
        return False


class HashedWhereCollectedStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage with the fallback above."""

    # The references inside stylesheets (url(), @import) point at the hashed names too; those
    # inside scripts are left alone: the only one is the source map Chart.js names and does
    # not ship, which made collectstatic fail.
    patterns = tuple(
        (glob, rules) for glob, rules in ManifestStaticFilesStorage.patterns if glob != "*.js"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._collected_as_in_app: dict[str, bool] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if name and self._collected_current(name):
            try:
                return super().url(name, force)
            except ValueError:  # not in the manifest: collected before the file was added
                pass
        return StaticFilesStorage.url(self, name)

    def _collected_current(self, name: str) -> bool:
        """Whether the copy ``collectstatic`` left of ``name`` has the app's bytes; asked once
        per name and process (a page names the same few files again and again)."""
        if name not in self._collected_as_in_app:
            source = finders.find(name)
            current = isinstance(source, str) and same_bytes(source, self.path(name))
            self._collected_as_in_app[name] = current
        return self._collected_as_in_app[name]
