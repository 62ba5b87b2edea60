"""Evaluate and adjust: check-ins from both sides, relationship health with its reasons, the
nudges and alerts it sends, and the guidance library (DESIGN.md, "Relationship health")."""
