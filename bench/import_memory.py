"""Peak memory of reading workbook "bombs": small files built to exhaust a sheet reader.

Usage::

    .venv/bin/python bench/import_memory.py [--naive-limit-mb 2048]

Builds two bombs: ``declared``, 5 KB, a two-row sheet whose ``<dimension>`` says
A1:XFD1048576, with one styled empty cell at XFD1048576 (openpyxl pads every row to it); and
``empty-cells``, 26 KB zipped (11 MB unpacked), whose third row holds 1,000,000 empty
``<c r="B3"/>`` elements (openpyxl's parser builds that row before anything can count it).
Then, in a fresh process each, it reads every bomb with the import's reader
(``tandem.programs.imports.reading.read_table`` and ``check_rows``, i.e. ``tandem.matching.sheets``)
and, for comparison, with openpyxl ``read_only`` rows (every row kept), as the import read
them before, under an address-space cap of ``--naive-limit-mb``. Prints Python's peak
allocation (tracemalloc), the process's peak RSS growth, the time and the outcome (the limit
the reader named, if any).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the hostile workbooks are the tests' own

from tests.workbooks import empty_cells_bomb, workbook_bomb  # noqa: E402

CHILD = r"""
import io, resource, sys, time, tracemalloc
sys.path.insert(0, {src!r})
content = open({path!r}, "rb").read()
mode = {mode!r}
if mode == "naive":
    resource.setrlimit(resource.RLIMIT_AS, ({limit} * 1024 * 1024,) * 2)
import openpyxl
if mode == "tandem":
    import os
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django
    django.setup()
    from tandem.programs.imports.reading import check_rows, read_table
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
started = time.perf_counter()
try:
    if mode == "tandem":
        rows = len(check_rows(read_table(filename="bomb.xlsx", content=content))[0])
    else:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        rows = len([[v for v in row] for row in book.worksheets[0].iter_rows(values_only=True)])
    outcome = f"{{rows}} participant row(s)" if mode == "tandem" else f"{{rows:,}} rows"
except MemoryError:
    outcome = "MemoryError"
except Exception as error:  # the import's refusal, naming the limit
    outcome = "refused: " + str(error)[:60]
elapsed = time.perf_counter() - started
peak = tracemalloc.get_traced_memory()[1]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(f"  {{mode:<7}} python peak {{peak / 1e6:7.1f}} MB   RSS growth {{rss / 1024:7.1f}} MB   "
      f"{{elapsed:6.1f}} s   {{outcome}}")
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive-limit-mb", type=int, default=2048)
    parser.add_argument("--timeout", type=int, default=300, help="seconds per reader")
    args = parser.parse_args(argv)
    bombs = {
        "declared": (workbook_bomb(), "declares A1:XFD1048576"),
        "empty-cells": (empty_cells_bomb(), "1,000,000 empty cells in one row"),
    }
    for name, (content, what) in bombs.items():
        path = Path("/tmp") / f"tandem-bench-bomb-{name}.xlsx"
        path.write_bytes(content)
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        print(f"{name}: {len(content):,} bytes ({unpacked / 1e6:.1f} MB unpacked), {what}")
        for mode in ("tandem", "naive"):
            code = CHILD.format(
                src=str(ROOT / "src"), path=str(path), mode=mode, limit=args.naive_limit_mb
            )
            try:
                result = subprocess.run(
                    [sys.executable, "-c", code],
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                )
                print("  " + (result.stdout.strip() or result.stderr.strip().splitlines()[-1]))
            except subprocess.TimeoutExpired:
                print(f"  {mode:<7} did not finish within {args.timeout} s")
        path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
