"""Program insight: funnel, matching, engagement, outcomes, health and equity of access, as
tables that the pages chart, the API returns and the exports write (reads only)."""
