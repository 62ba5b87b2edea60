"""Reads for the insight pages and API: who may see which scope. Insights are aggregates
only; no selector here returns a row about one person."""
