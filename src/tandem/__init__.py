"""Tandem: mentorship programs end to end."""
