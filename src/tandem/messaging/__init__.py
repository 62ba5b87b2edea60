"""Conversations between the two people of a mentorship (or of a pending request)."""
