"""Participant imports: reading and checking a file, planning and writing it in bulk, the
invitation emails it sends, and the background tasks that run it."""
