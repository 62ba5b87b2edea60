"""Program pages, one module per sub-domain: the programs, who is in them (enrolments and
invitation links), and participant files (imports and export). Thin: parse a form, call one
service, render or redirect."""
