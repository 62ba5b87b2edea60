from tests.web.test_api_schemathesis import TALLY


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    counts = config.stash.get(TALLY, None)
    if not counts:
        return
    terminalreporter.section("schemathesis")
    for vendor, caller in sorted({(v, c) for v, c, _ in counts}):
        classes = {k: n for (v, c, k), n in sorted(counts.items()) if (v, c) == (vendor, caller)}
        total = sum(classes.values())
        terminalreporter.write_line(f"schemathesis [{vendor}] {caller}: {total} requests {classes}")
