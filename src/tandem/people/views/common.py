"""What the people pages share: how service errors map to form fields."""

from __future__ import annotations

# Working-style answers are ``working_style.<key>`` in the service, ``ws_<key>`` on the form.
FORM_PREFIXES = {"working_style.": "ws_"}
