"""Which opt-in identity groups the report may name.

A group is an attribute people chose to share, compared case- and space-insensitively. It is
named only if at least ``MIN_GROUP_SIZE`` people with a mentee enrolment anywhere on the site
shared it; a smaller group is not named, not counted and not hinted at (not even "k groups are
not shown": that count would change when one person types a rare word, telling whoever watches
the page that they did).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

MIN_GROUP_SIZE = 5


def normalise(attribute: str) -> str:
    """The form groups are compared and shown in.

    >>> normalise("  First   Generation ")
    'first generation'
    """
    return " ".join(attribute.casefold().split())


def people_per_group(lists: Iterable[tuple[Iterable[str], int]]) -> dict[str, int]:
    """People per normalised attribute, from ``(attributes, people with exactly that list)``.

    >>> people_per_group([(["Parent", "parent "], 2), (["PARENT"], 3), (["carer"], 1)])
    {'parent': 5, 'carer': 1}
    """
    counts: dict[str, int] = {}
    for attributes, people in lists:
        for name in {normalise(str(a)) for a in attributes if str(a).strip()}:
            counts[name] = counts.get(name, 0) + people
    return counts


def listed_groups(counts: Mapping[str, int]) -> tuple[str, ...]:
    """The groups large enough to name, in alphabetical order.

    >>> listed_groups({"parent": 5, "carer": 4, "veteran": 9})
    ('parent', 'veteran')
    """
    return tuple(sorted(name for name, n in counts.items() if n >= MIN_GROUP_SIZE))


def combination(attributes: Iterable[str], listed: tuple[str, ...]) -> tuple[bool, ...]:
    """Which listed groups a person with these attributes belongs to.

    >>> combination(["Veteran", "carer"], ("parent", "veteran"))
    (False, True)
    """
    mine = {normalise(str(a)) for a in attributes}
    return tuple(name in mine for name in listed)
