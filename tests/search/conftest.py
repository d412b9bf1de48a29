import pytest
from django.http import QueryDict


@pytest.fixture
def params():
    def build(**facets):
        query = QueryDict(mutable=True)
        for name, values in facets.items():
            query.setlist(name, values if isinstance(values, list) else [values])
        return query

    return build


@pytest.fixture
def shared_index():
    """The process's live index and scoped cache, empty before and after the test (for tests that
    run outside a transaction, where both are shared)."""
    from search import live, memo

    live.forget()
    memo.forget()
    yield
    live.forget()
    memo.forget()


def pytest_terminal_summary(terminalreporter):
    from tests.search import test_hostile_input

    if test_hostile_input.CASES:
        cases = ", ".join(f"{k} {v}" for k, v in test_hostile_input.CASES.items())
        terminalreporter.write_line(f"hostile-input cases run: {cases} (total {sum(test_hostile_input.CASES.values())})")
