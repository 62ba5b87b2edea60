"""Articles' Markdown as HTML a page can include as it is.

Whatever an admin writes, the HTML holds no markup of theirs: raw HTML is escaped (never
passed through), images are off (they would load from anywhere and track readers), and a link
keeps its target only when it is http, https, mailto or a path on this site; a link to another
site opens with ``rel="noopener noreferrer"``. Tables (GitHub style) are on, each in a box
that scrolls sideways on a narrow screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def safe_link(url: str) -> bool:
    """A link target that is http, https, mailto or relative (a path, a query, an anchor)."""
    cleaned = url.strip()
    if cleaned.startswith("//"):
        return urlsplit(f"https:{cleaned}").hostname is not None
    scheme = urlsplit(cleaned).scheme.lower()
    return scheme in SAFE_SCHEMES if scheme else ":" not in cleaned.split("/", 1)[0]


def _link_open(
    self: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if urlsplit(href).scheme in ("http", "https") or href.startswith("//"):
        token.attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


def _table_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Wide tables scroll inside their box instead of pushing the page sideways on a phone.
    return '<div class="table-wrap">' + self.renderToken(tokens, idx, options, env)


def _table_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>"


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").disable("image")
    md.validateLink = safe_link  # type: ignore[method-assign]
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


def render_markdown(text: str) -> str:
    """``text`` (Markdown) as safe HTML."""
    rendered: Any = _parser().render(text)
    return str(rendered)
