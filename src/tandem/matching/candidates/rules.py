"""Hard constraints: which pairs are allowed, and which constraint ruled each pair out.

They remove pairs before any score is computed; they never become low scores. ``PairRules``
answers "which pairs of this block are allowed" with table gathers, so every blockwise pass
(dense, top-k, the all-pairs proof) applies the same rules at the cost of a few lookups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from tandem.matching.candidates.blocks import ALL, Index
from tandem.matching.features import DEFAULT_CONFLICT_RULES, FeatureSpace, _overlap
from tandem.matching.profiles import Mentee, Mentor

CONSTRAINTS = ("language", "exclude", "forbidden", "manager", "department", "city", "capacity")
ROW_TABLE_LIMIT = 256_000_000  # bytes of the allowed-row table of PairRules

UNKNOWN_PAIR_ID = "{kind} {pair!r}: unknown id {id!r}"
PIN_NOT_ALLOWED = "pinned pair {mentee}:{mentor} breaks a hard constraint ({constraint})"


def pair_keys(space: FeatureSpace, pairs: Iterable[tuple[str, str]], kind: str) -> np.ndarray:
    """Sorted ``i * m + j`` keys for ``(mentee id, mentor id)`` pairs; unknown ids raise."""
    keys = []
    for mentee, mentor in pairs:
        for index, person in ((space.mentee_index, mentee), (space.mentor_index, mentor)):
            if person not in index:
                raise ValueError(
                    UNKNOWN_PAIR_ID.format(kind=kind, pair=(mentee, mentor), id=person)
                )
        keys.append(space.mentee_index[mentee] * len(space.mentors) + space.mentor_index[mentor])
    return unique_keys(np.asarray(keys, dtype=np.int64))


def unique_keys(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct keys (a sort is faster than np.unique's hashing for millions).

    >>> unique_keys(np.array([5, 1, 5, 3])).tolist()
    [1, 3, 5]
    """
    keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


def blocked_pairs(
    space: FeatureSpace, forbidden: Iterable[tuple[str, str]] = ()
) -> dict[str, np.ndarray]:
    """Pairs ruled out by id: ``exclude`` on either side (and a person paired with themself),
    ``manager`` lines, ``forbidden``."""
    excluded, managed = [], []
    for mentee in space.mentees:
        excluded += [(mentee.id, x) for x in mentee.exclude if x in space.mentor_index]
        if mentee.manager in space.mentor_index:
            managed.append((mentee.id, mentee.manager))
    for mentor in space.mentors:
        excluded += [(x, mentor.id) for x in mentor.exclude if x in space.mentee_index]
        if mentor.id in space.mentee_index:  # the same person on both sides
            excluded.append((mentor.id, mentor.id))
        if mentor.manager in space.mentee_index:
            managed.append((mentor.manager, mentor.id))
    return {
        "exclude": pair_keys(space, excluded, "exclude"),
        "manager": pair_keys(space, managed, "manager"),
        "forbidden": pair_keys(space, forbidden, "forbid"),
    }


def _in_keys(keys: np.ndarray, m: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    consecutive = i.ndim == 2 and i[-1, 0] - i[0, 0] == i.shape[0] - 1
    if consecutive:  # a dense block of rows i[0, 0]..i[-1, 0]
        mask = np.zeros((i.shape[0], j.shape[1]), dtype=bool)
        lo, hi = np.searchsorted(keys, [i[0, 0] * m, (i[-1, 0] + 1) * m])
        rows, cols = np.divmod(keys[lo:hi], m)
        mask[rows - i[0, 0], cols] = True
        return mask
    return np.isin(i.astype(np.int64) * m + j, keys)


def violations(
    space: FeatureSpace, i: np.ndarray, j: np.ndarray, rules: Iterable[str], blocked: Mapping
) -> dict[str, np.ndarray]:
    """Per constraint, which pairs it forbids (same broadcasting as the feature functions)."""
    a, b = space.mentee, space.mentor
    m = len(space.mentors)
    if a.language_bits is not None and b.language_bits is not None:
        bits_a, bits_b = a.language_bits[i], b.language_bits[j]
        shared, speaks_a, speaks_b = (bits_a & bits_b) != 0, bits_a != 0, bits_b != 0
    else:
        shared = _overlap(a.languages, b.languages, i, j) > 0
        speaks_a = np.diff(a.languages.indptr)[i] > 0
        speaks_b = np.diff(b.languages.indptr)[j] > 0
    both_in_person = (a.format[i] == 1) & (b.format[j] == 1)
    cities_known = (a.city[i] >= 0) & (b.city[j] >= 0)
    found = {
        "language": speaks_a & speaks_b & ~shared,
        "exclude": _in_keys(blocked["exclude"], m, i, j),
        "forbidden": _in_keys(blocked["forbidden"], m, i, j),
        "manager": _in_keys(blocked["manager"], m, i, j) if "manager" in rules else None,
        "department": (
            (a.department[i] == b.department[j]) & (a.department[i] >= 0)
            if "department" in rules
            else None
        ),
        "city": both_in_person & cities_known & (a.city[i] != b.city[j]),
        "capacity": space.capacity[j] <= 0,
    }
    shape = np.broadcast_shapes(np.shape(i), np.shape(j))
    return {
        name: np.broadcast_to(value if value is not None else False, shape)
        for name, value in found.items()
    }


def _group_codes(rows_a: list[tuple], rows_b: list[tuple]) -> tuple[np.ndarray, np.ndarray, list]:
    """Code each side's values (hashable) so that equal values share a code."""
    table: dict[tuple, int] = {}
    codes = [
        np.array([table.setdefault(v, len(table)) for v in rows], dtype=np.int64)
        for rows in (rows_a, rows_b)
    ]
    return codes[0], codes[1], list(table)


class PairRules:
    """The hard constraints of a run as small lookup tables over value groups.

    A block's allowed matrix is then a few table gathers (languages, in-person city,
    department), a column mask (capacity) and scattered id pairs (exclude, manager,
    forbidden), instead of one full pass per constraint.
    """

    def __init__(self, space: FeatureSpace, rules: Iterable[str], blocked: Mapping):
        a, b = space.mentee, space.mentor
        self.space, self.rules, self.blocked = space, tuple(rules), blocked
        langs = (
            [tuple(p.languages) for p in space.mentees],
            [tuple(p.languages) for p in space.mentors],
        )
        self.lang_a, self.lang_b, values = _group_codes(*langs)
        self.lang_ok = np.array(
            [[not (x and y) or bool(set(x) & set(y)) for y in values] for x in values], dtype=bool
        ).reshape(len(values), len(values))
        self.city_a = np.where(a.format == 1, a.city, -1)
        self.city_b = np.where(b.format == 1, b.city, -1)
        self.check_city = (self.city_a >= 0).any() and (self.city_b >= 0).any()
        self.check_department = "department" in self.rules
        self.full = space.capacity <= 0
        self.keys = [
            blocked[name]
            for name in ("exclude", "forbidden", "manager")
            if name != "manager" or "manager" in self.rules
        ]
        self.rows = self._row_table()

    def _row_table(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Mentees with the same language group and in-person city share one row of allowed
        mentors (capacity included): a block is then one row gather. None if too large."""
        pairs = np.stack([self.lang_a, self.city_a if self.check_city else 0 * self.lang_a])
        if not pairs.shape[1]:
            return None
        combos, code = np.unique(pairs, axis=1, return_inverse=True)
        if combos.shape[1] * len(self.lang_b) > ROW_TABLE_LIMIT:
            return None
        table = self.lang_ok[combos[0]][:, self.lang_b]
        if self.check_city:
            ca, cb = combos[1][:, None], self.city_b[None, :]
            table &= (ca < 0) | (cb < 0) | (ca == cb)
        table[:, self.full] = False
        # Row gathers from a C-ordered table copy whole rows; the fancy index above leaves
        # it column-ordered, which made each block's gather some twenty times slower.
        return np.ascontiguousarray(table), code.reshape(-1)

    def allowed(self, start: int, stop: int) -> np.ndarray:
        """Allowed pairs of mentees ``start:stop`` against every mentor."""
        m = len(self.space.mentors)
        hits = []
        for keys in self.keys:
            lo, hi = np.searchsorted(keys, [start * m, stop * m])
            rows, cols = np.divmod(keys[lo:hi], m)
            hits.append((rows - start, cols))
        return self._allowed(slice(start, stop), hits)

    def allowed_rows(self, rows: np.ndarray, cols: Index = ALL) -> np.ndarray:
        """Allowed pairs of the mentees ``rows`` against the mentors ``cols`` (sorted
        indices; default every mentor): ``allowed_rows(rows, cols) == allowed(0, n)[rows][:,
        cols]``."""
        m = len(self.space.mentors)
        hits = []
        for keys in self.keys:
            i, j = np.divmod(keys, m)
            at, hit = _positions(rows, i)
            if not isinstance(cols, slice):
                j, in_cols = _positions(cols, j)
                hit &= in_cols
            hits.append((at[hit], j[hit]))
        return self._allowed(rows, hits, cols)

    def _allowed(self, rows: Index, hits: list[tuple], cols: Index = ALL) -> np.ndarray:
        """The allowed matrix of ``rows`` and ``cols`` (slices or indices); ``hits`` are the
        (row, column) positions in the block of the pairs ruled out by id."""
        if self.rows is not None:
            table, code = self.rows
            at = code[rows] if isinstance(cols, slice) else code[rows][:, None]
            ok = table[at, cols]
        else:
            ok = self.lang_ok[self.lang_a[rows]][:, self.lang_b[cols]]
        if self.check_city and self.rows is None:
            ca, cb = self.city_a[rows, None], self.city_b[None, cols]
            ok &= (ca < 0) | (cb < 0) | (ca == cb)
        if self.check_department:
            da = self.space.mentee.department[rows, None]
            ok &= (da < 0) | (da != self.space.mentor.department[None, cols])
        if self.rows is None:
            ok[:, self.full[cols]] = False
        for block_rows, cols in hits:
            ok[block_rows, cols] = False
        return ok

    def counts(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Upper bounds on which mentees have an allowed mentor and on each mentor's number
        of allowed mentees, from the row table (pairs ruled out by id or department are not
        subtracted); None without the table."""
        if self.rows is None:
            return None
        table, code = self.rows
        per_row = np.bincount(code, minlength=len(table)).astype(np.int64)
        return np.asarray(table.any(axis=1))[code], per_row @ table.astype(np.int64)

    def allowed_columns(self, cols: np.ndarray) -> np.ndarray:
        """Allowed pairs of the mentors ``cols`` (sorted indices) against every mentee, one
        row per mentor: ``allowed_columns(cols) == allowed(0, n)[:, cols].T``."""
        space, m = self.space, len(self.space.mentors)
        if self.rows is not None:
            table, code = self.rows
            ok = table[:, cols].T[:, code]
        else:
            ok = self.lang_ok[self.lang_a][:, self.lang_b[cols]].T.copy()
            if self.check_city:
                ca, cb = self.city_a[None, :], self.city_b[cols][:, None]
                ok &= (ca < 0) | (cb < 0) | (ca == cb)
            ok[self.full[cols], :] = False
        if self.check_department:
            da, db = space.mentee.department[None, :], space.mentor.department[cols][:, None]
            ok &= (da < 0) | (da != db)
        for keys in self.keys:
            i, j = np.divmod(keys, m)
            at, hit = _positions(cols, j)
            ok[at[hit], i[hit]] = False
        return ok

    def removed(self, mentees: np.ndarray) -> np.ndarray:
        """Per mentee in ``mentees``, how many mentors each constraint rules out."""
        i = np.asarray(mentees)[:, None]
        j = np.arange(len(self.space.mentors))[None, :]
        found = violations(self.space, i, j, self.rules, self.blocked)
        return np.stack([found[name].sum(axis=1) for name in CONSTRAINTS], axis=1)


def _positions(sorted_values: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``wanted`` stands in ``sorted_values``, and whether it is there at all."""
    if not len(sorted_values):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, wanted), len(sorted_values) - 1)
    return at, sorted_values[at] == wanted


def allowed_block(pair_rules: PairRules, start: int, stop: int, removed: np.ndarray) -> np.ndarray:
    """Allowed pairs of mentees ``start:stop``; fills ``removed`` for those with none.

    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> space = FeatureSpace([Mentee(id="a", languages=("de",))],
    ...                      [Mentor(id="m", languages=("en",))])
    >>> removed = np.zeros((1, len(CONSTRAINTS)), dtype=np.int64)
    >>> allowed_block(PairRules(space, (), blocked_pairs(space)), 0, 1, removed).tolist()
    [[False]]
    >>> dict(zip(CONSTRAINTS, removed[0].tolist()))["language"]
    1
    """
    allowed = pair_rules.allowed(start, stop)
    empty = np.flatnonzero(~allowed.any(axis=1))
    if len(empty):
        removed[start + empty] = pair_rules.removed(start + empty)
    return allowed


def check_pins(
    space: FeatureSpace, pins: np.ndarray, rules: Iterable[str], blocked: Mapping
) -> None:
    """Raise ``PIN_NOT_ALLOWED`` for the first pinned pair (keys ``i * m + j``) that breaks a
    hard constraint: a pin keeps its pair in the graph, so it must be an allowed one."""
    m = len(space.mentors)
    if not len(pins):
        return
    i, j = np.divmod(pins, m)
    for name, broken in violations(space, i, j, rules, blocked).items():
        if broken.any():
            e = int(np.flatnonzero(broken)[0])
            raise ValueError(
                PIN_NOT_ALLOWED.format(
                    mentee=space.mentee.ids[i[e]], mentor=space.mentor.ids[j[e]], constraint=name
                )
            )


class _NoText:
    """The hard rules never read goals or expertise, so a one-pair check embeds nothing."""

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts), 1), dtype=np.float32)


def pair_violations(
    mentee: Mentee, mentor: Mentor, *, rules: Iterable[str] = DEFAULT_CONFLICT_RULES
) -> list[str]:
    """The hard constraints that rule out pairing ``mentee`` with ``mentor``.

    The same check a run applies to every pair (:func:`violations`), for one pair: an admin
    about to pin it is told at once instead of by a failed run. :func:`pairs_violations`
    checks many pairs at once.

    Parameters
    ----------
    mentee : Mentee
    mentor : Mentor
        ``capacity`` is what is left of the mentor's places (0 rules the pair out).
    rules : iterable of str
        Conflict rules in force: ``"manager"``, ``"department"``.

    Returns
    -------
    list of str
        Names from ``CONSTRAINTS`` (never ``"forbidden"``: forbids are the caller's), in that
        order; empty when the pair is allowed. ``"exclude"`` covers a person paired with
        themself (same id on both sides) as well as an explicit exclusion.

    Examples
    --------
    >>> boss = Mentor(id="b", languages=("en",))
    >>> pair_violations(Mentee(id="a", languages=("de",), manager="b"), boss)
    ['language', 'manager']
    >>> pair_violations(Mentee(id="a", manager="b"), boss, rules=())
    []
    """
    return pairs_violations([mentee], [mentor], [(mentee.id, mentor.id)], rules=rules)[0]


def pairs_violations(
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    pairs: Sequence[tuple[str, str]],
    *,
    rules: Iterable[str] = DEFAULT_CONFLICT_RULES,
) -> list[list[str]]:
    """For each ``(mentee id, mentor id)`` of ``pairs``, the hard constraints ruling it out.

    Parameters
    ----------
    mentees, mentors : sequences of Mentee and Mentor
        At least everyone ``pairs`` names (a manager line counts only between people given).
    pairs : sequence of (str, str)
    rules : iterable of str
        Conflict rules in force: ``"manager"``, ``"department"``.

    Returns
    -------
    list of list of str
        One list per pair, as :func:`pair_violations` gives it.

    Raises
    ------
    KeyError
        A pair names someone not given.

    Notes
    -----
    One :class:`FeatureSpace` without text over the people given, then one vectorised
    :func:`violations`: O(people + pairs), not a space per pair.

    Examples
    --------
    >>> people = [Mentee(id="a", languages=("de",)), Mentee(id="c", languages=("en",))]
    >>> pairs_violations(people, [Mentor(id="m", languages=("en",))], [("a", "m"), ("c", "m")])
    [['language'], []]
    """
    if not pairs:
        return []
    space = FeatureSpace(mentees, mentors, embedder=_NoText())
    i = np.array([space.mentee_index[mentee] for mentee, _ in pairs], dtype=np.int64)
    j = np.array([space.mentor_index[mentor] for _, mentor in pairs], dtype=np.int64)
    found = violations(space, i, j, tuple(rules), blocked_pairs(space))
    return [[name for name in CONSTRAINTS if bool(found[name][k])] for k in range(len(pairs))]
