"""A benchmark run that reuses a database (--no-load) first removes the shared terms an earlier
run stored: they stay valid until the index changes, so its "first runs" would otherwise read them
instead of asking the engine it measures (as the million-section tantivy run did, bench/RESULTS.md)."""

import pytest

from bench.run import forget_shared_terms
from search.models import SharedTerm

pytestmark = pytest.mark.django_db


def test_shared_terms_of_an_earlier_run_are_removed_before_measuring():
    SharedTerm.objects.create(key="a" * 64, change_id=1, data=b"\x01\x00\x00\x00")
    SharedTerm.objects.create(key="b" * 64, change_id=1, data=b"\x02\x00\x00\x00")

    assert forget_shared_terms() == 2
    assert not SharedTerm.objects.exists()
    assert forget_shared_terms() == 0
