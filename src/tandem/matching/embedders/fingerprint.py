"""What an embedder computes, as one digest: a kept vector of it is only reused while this is
unchanged (``people.services.vectors``). Its vectors for a few sample texts cannot stand for
this alone: a new term in the lexicon or a vocabulary edit may not move them.

An embedder says it with a ``fingerprint`` attribute (the model: its weights' sha256, its
vocabulary, token limit and pooling); the built-in lexicon, which has none, with
:func:`lexicon_fingerprint`. An embedder with neither is known by its sample vectors only.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

from tandem.matching import text
from tandem.matching.text import BuiltinEmbedder


def digest(*parts: bytes | str | float | int) -> str:
    """sha256 of ``parts``, each length-prefixed so no two different lists give one digest."""
    sha = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode()
        sha.update(len(data).to_bytes(8, "little") + data)
    return sha.hexdigest()


@lru_cache(maxsize=1)
def lexicon_fingerprint() -> str:
    """The built-in lexicon's definition: ``concepts.json`` and the constants that weigh it."""
    concepts = resources.files("tandem.matching").joinpath("concepts.json").read_bytes()
    return digest(
        concepts,
        text.DIMENSION,
        text.CONCEPT_WEIGHT,
        text.DOMAIN_SHARE,
        text.RELATED_SHARE,
        repr(text._SPECIAL),
        repr(sorted(text._STOPWORDS)),
    )


def embedder_fingerprint(embedder: object) -> str:
    """``embedder``'s definition digest, or "" when it does not say one."""
    named = getattr(embedder, "fingerprint", None)
    if named:
        return str(named)
    if isinstance(embedder, BuiltinEmbedder):
        return lexicon_fingerprint()
    return ""
