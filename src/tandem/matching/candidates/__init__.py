"""Candidate generation: which mentee x mentor pairs the solver sees, and the proof that the
pairs it did not see cannot change the answer by much.

The steps, in the order a cohort match runs them (``tandem.matching.pipeline``):

1. ``rules``: hard constraints remove pairs (never low scores).
2. ``generate``: every allowed pair when ``n * m`` is small (``scoring``); else ``topk`` on
   ``cheap``, the cheap upper bound of every pair (made narrower by ``factor``).
3. ``refill``: after the first solve, mentees whose candidates all filled up get the mentors
   with room.
4. ``proof``: the all-pairs bound; pairs it finds missed are added and the problem solved
   again until the gap is closed.

``blocks`` runs every pass over all pairs in blocks, on every core.
"""
