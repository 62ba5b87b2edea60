"""The guidance library as shipped: one Markdown file per article in this folder, each with a
small front matter between ``---`` lines::

    ---
    title: Your first meeting
    summary: An agenda for the first hour together.
    stages: proposed, active
    order: 10
    reason_codes: no_contact
    ---
    The body, in Markdown.

``order`` places the article in the library's reading order (the life of a mentorship, from
the first meeting to the end); articles added in the product come after the shipped ones.
The files are the defaults; admins change, add and hide articles in the product (rows of
``GuidanceArticle``), which never edits these files. Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
# The stages of a mentorship an article can fit (see ``selectors.guidance.mentorship_stage``).
STAGES = ("proposed", "active", "midpoint", "ending", "ended")
LIST_FIELDS = ("stages", "reason_codes")
TEXT_FIELDS = ("title", "summary", "order")
# Where articles without an order (added in the product) go: after every shipped one.
LAST = 10_000
BAD_FRONT_MATTER = "{name}: the file must start with a front matter between two '---' lines."
BAD_FIELD = "{name}: unknown front matter field {key!r}."
MISSING_TITLE = "{name}: the front matter needs a title."
BAD_ORDER = "{name}: the order must be a whole number."


@dataclass(frozen=True)
class ShippedArticle:
    slug: str
    title: str
    summary: str
    body: str
    stages: tuple[str, ...]
    reason_codes: tuple[str, ...]
    order: int = LAST


def parse_article(slug: str, text: str) -> ShippedArticle:
    """Read one article file: ``key: value`` lines (lists comma-separated), then the body."""
    name = f"{slug}.md"
    head, sep, body = text.removeprefix("---\n").partition("\n---\n")
    if not text.startswith("---\n") or not sep:
        raise ValueError(BAD_FRONT_MATTER.format(name=name))
    fields: dict[str, str] = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key not in (*LIST_FIELDS, *TEXT_FIELDS):
            raise ValueError(BAD_FIELD.format(name=name, key=key))
        fields[key] = value.strip()
    if not fields.get("title"):
        raise ValueError(MISSING_TITLE.format(name=name))
    if not fields.get("order", "0").isdigit():
        raise ValueError(BAD_ORDER.format(name=name))

    def items(key: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in fields.get(key, "").split(",") if part.strip())

    return ShippedArticle(
        slug=slug,
        title=fields["title"],
        summary=fields.get("summary", ""),
        body=body.strip() + "\n",
        stages=items("stages"),
        reason_codes=items("reason_codes"),
        order=int(fields.get("order", LAST)),
    )


@cache
def shipped_articles() -> dict[str, ShippedArticle]:
    """Every shipped article by slug, read once per process (the files never change while it
    runs; they are part of the release)."""
    return {
        path.stem: parse_article(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(FOLDER.glob("*.md"))
    }
