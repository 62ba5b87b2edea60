import pytest

from tests.crawl.test_crawl import RESULTS


@pytest.fixture(autouse=True)
def _fast_logins(fast_password_hashing):
    """Each role's crawl logs in on a freshly seeded database."""


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = config.stash.get(RESULTS, [])
    if lines:
        terminalreporter.section("crawl")
        for line in lines:
            terminalreporter.write_line(line)
