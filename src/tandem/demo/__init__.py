"""The demo: generated participants (``people``, from the plain data in ``skills``, ``traits``
and ``texts``), as CSV files for the matching core (``matching_csv``) or as a program in the
database (``program``), and what `tandem run` seeds on top (``seed``). It sits above the apps,
next to ``web``, and builds everything through their services."""
