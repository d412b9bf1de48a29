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
