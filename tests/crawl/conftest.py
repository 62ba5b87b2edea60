from tests.crawl.test_crawl import RESULTS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = config.stash.get(RESULTS, [])
    if lines:
        terminalreporter.section("crawl")
        for line in lines:
            terminalreporter.write_line(line)
