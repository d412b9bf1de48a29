"""Related reports, scored over the live index's facet bitsets.

A report's related reports are the published reports that share most of its initiatives and
departments: score = 2 × shared initiatives + shared departments (related_score, the one
definition: archive.reading.selectors.articles counts with it too when the index cannot be read).
Counting that in the database means grouping every mention of every initiative the report names,
which at 100,000 sections is 100+ ms for a report that names the common ones. The live index
already holds, per initiative and per department, the bitset of the published articles that have
it; adding those bitsets as binary counters (one bitset per bit of the score, with carries: a
bit-sliced adder) gives every article's score at once, in a few dozen big-integer operations.
The best articles are then read off score class by score class, newest first within a class.

Exact for every article, unlike a candidate pool; archive.reading.selectors.articles falls back
to counting in the database when the index cannot be read.
"""

from search.live import live_index

# A shared initiative says more about what a report is about than a shared department.
INITIATIVE_WEIGHT = 2
DEPARTMENT_WEIGHT = 1


def related_score(initiatives, departments) -> int:
    """How related a report is, from the initiatives and the departments it shares."""
    return INITIATIVE_WEIGHT * len(initiatives) + DEPARTMENT_WEIGHT * len(departments)


def _add(planes: list[int], bits: int, weight_bit: int) -> None:
    """Add 1 << weight_bit to the counter of every article whose bit is set."""
    carry, i = bits, weight_bit
    while carry:
        while len(planes) <= i:
            planes.append(0)
        planes[i], carry = planes[i] ^ carry, planes[i] & carry
        i += 1


def _add_weighted(planes: list[int], bits: int, weight: int) -> None:
    """Add weight to the counter of every article whose bit is set, one power of two at a time."""
    for weight_bit in range(weight.bit_length()):
        if weight >> weight_bit & 1:
            _add(planes, bits, weight_bit)


def _equal_to(planes: list[int], score: int, universe: int) -> int:
    bits = universe
    for i, plane in enumerate(planes):
        bits &= plane if score >> i & 1 else ~plane
        if not bits:
            return 0
    return bits


def related_ids(initiatives, departments, exclude, limit: int) -> list[tuple[int, set[str], set[str]]]:
    """[(article id, shared initiative slugs, shared department slugs)], best first: highest score,
    then newest, then highest id. `exclude`: article ids never to return (the report itself and its
    series)."""
    live = live_index()
    with live.lock:
        initiative_bits = {slug: live.bits["initiative"].get(slug, 0) for slug in set(initiatives)}
        department_bits = {slug: live.bits["department"].get(slug, 0) for slug in set(departments)}
        planes: list[int] = []
        for bits in initiative_bits.values():
            _add_weighted(planes, bits, INITIATIVE_WEIGHT)
        for bits in department_bits.values():
            _add_weighted(planes, bits, DEPARTMENT_WEIGHT)
        universe = live.all_bits()
        remove = live.to_bits(exclude)
        universe &= ~remove
        best: list[int] = []
        for score in range((1 << len(planes)) - 1, 0, -1):
            if len(best) >= limit:
                break
            same = _equal_to(planes, score, universe)
            if same:
                best += live.pick(same, live.by_date(), limit - len(best))
        return [
            (
                aid,
                {slug for slug, bits in initiative_bits.items() if live.has(bits, aid)},
                {slug for slug, bits in department_bits.items() if live.has(bits, aid)},
            )
            for aid in best
        ]
