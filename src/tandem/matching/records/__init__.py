"""The participant record: its columns, cell parsers and validators, the availability grammar
and the time-zone rule, read the same way by the import, the profile forms and API, and
``tandem match``. Pure Python: imports no Django and no app.
"""
