"""The equity report's pure core (no Django): opt-in identity groups, the per-group figures as
linear cells, the suppression auditor, the intervals and the plain-language statements.

The rules and the threat model are in ``docs/insights/equity.md``; the Django side (the SQL that
fills the atoms, the cache and the tables) is ``tandem.insights.selectors.equity``.
"""
