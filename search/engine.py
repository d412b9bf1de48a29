"""The search function: user text and facet parameters in, ranked and grouped results out.

1. parse the text into a query tree (search.parsing; never raises), each plain term ORed with the
   other forms of its vocabulary group (search.synonyms: 资规局 finds 自然资源和规划局 too);
2. find the sections the tree matches (search.matching: every literal string is found, and both
   backends return the same set);
3. keep the articles that pass the facet filters and count facets disjunctively (search.facets);
4. rank a bounded set of candidate sections (search.ranking); newest first on ties;
5. group by article (best section first, "and N more sections"), paginate, build snippets
   (search.snippets).
"""

import copy
import logging
import math
from contextlib import nullcontext
from dataclasses import dataclass, field, replace

from django.db import DatabaseError, connection, transaction

from archive.models import Article, Section
from config.db_routing import primary_reads
from search import facets as facet_module
from search import memo, synonyms
from search.documents import indexed_texts
from search.fallback import NOTICE as FALLBACK_NOTICE
from search.fallback import ScanIndex, scan_live_index
from search.filters import DATE_PARAMS, date_range, selected_values
from search.live import IndexUnavailable, database_unreachable, live_index
from search.matching import Matcher, matches_canon, term_words
from search.models import SearchDocument
from search.parsing import ParsedQuery, parse
from search.query import PlainText, positive_terms
from search.ranking import Ranker, ranking_period
from search.snippets import highlight, needles_for, printed_snippets, snippet  # noqa: F401  (highlight: used by the article page)

logger = logging.getLogger(__name__)
SORTS = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
PAGE_SIZE = 10


@dataclass
class Hit:
    article: Article
    section: Section
    snippet: str  # safe HTML: escaped text with <mark> around matches
    score: float
    more_sections: int
    section_ids: list[int]

    @property
    def section_url(self) -> str:
        return self.section.get_absolute_url()


@dataclass
class SearchResults:
    q: str
    parsed: ParsedQuery
    sort: str
    page: int
    pages: int
    total: int
    hits: list[Hit]
    facets: dict[str, list[dict]]
    selected: dict[str, set]
    notices: list[str] = field(default_factory=list)
    live: object = None  # the live index the results were computed from (labels for serialising)
    degraded: bool = False  # found by scanning, the index being unavailable
    matched_bits: int = 0  # the articles the query matched, before the facet filters
    by_words: bool = False  # matched by the terms' words, nothing having the terms as typed
    sequence: int = 0  # the live index's refresh count the results were computed at
    ranking_pool: int = 0  # articles whose edit can change the ranking (see _search)
    page_bits: int = 0  # the articles on the page
    expansions: list = field(default_factory=list)  # search.synonyms.Expansion: what was searched besides the terms
    dates: object = None  # search.filters.DateRange: the dates asked for (None: any date)

    @property
    def terms(self) -> list[str]:
        return [leaf.text for leaf in positive_terms(self.parsed.tree)] if self.parsed.tree else []


# ---------------------------------------------------------------------------------------------
# The search function


def parse_page(value) -> int:
    try:
        page = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    return max(1, min(page, 10_000))


RANK_LIMIT = 400  # beyond this many matching sections, rank the backend's best candidates


def search(
    q: str | None = "", params=None, *, sort: str = "relevance", page=1, page_size: int = PAGE_SIZE,
    facet_filters: dict[str, str] | None = None,
) -> SearchResults:
    """Search the published archive. A missing or unreadable index does not fail the search: it
    falls back to reading every section (search.fallback), with a notice."""
    # With read replicas, the engine reads the primary, as its live index does (config/db_routing.py).
    with primary_reads():
        return _search_guarded(q, params, sort=sort, page=page, page_size=page_size, facet_filters=facet_filters)


def _search_guarded(q, params, *, sort, page, page_size, facet_filters) -> SearchResults:
    options = dict(sort=sort, page=page, page_size=page_size, facet_filters=facet_filters)
    # Inside a transaction, a savepoint keeps a failed index query from aborting the caller's
    # transaction (PostgreSQL); outside one, no transaction is opened for a read.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with guard:
            return _cached_search(q, params, **options)
    except (DatabaseError, IndexUnavailable) as exc:
        if database_unreachable(exc):
            raise
        logger.warning("search index unavailable, scanning sections instead: %s", exc)
        results = _search(q, params, scan=ScanIndex(), **options)
        results.notices.insert(0, FALLBACK_NOTICE)
        results.degraded = True
        return results


def _cached_search(q, params, **options) -> SearchResults:
    """Repeated searches are answered from the per-process scoped cache (search.memo): a result
    is kept until a change touches an article it matched, or a changed section now matches the
    query; an editor's save elsewhere in the archive leaves it. The ranking's inputs that drift
    with every edit (section count, the document-frequency period) are part of the key, so a
    remembered result is the one a fresh search would give. Never inside a transaction."""
    if connection.in_atomic_block:
        return _search(q, params, **options)
    live = live_index()
    getlist = params.getlist if hasattr(params, "getlist") else (lambda k: list((params or {}).get(k, [])))
    key = (
        "search", q or "",
        tuple((f, tuple(sorted(getlist(f)))) for f in facet_module.FACETS),
        tuple((name, tuple(getlist(name))) for name in DATE_PARAMS),
        options["sort"], str(options["page"]), options["page_size"],
        tuple(sorted((options.get("facet_filters") or {}).items())),
        len(live.section_position), ranking_period(live),
    )

    def compute():
        return _search(q, params, **options)

    results = memo.remember(
        key, compute, scope=_matched_scope, still_valid=_unchanged_by,
        patch=lambda results, changed: results if _unchanged_by(live, results, changed) else memo.STALE,
    )
    return copy.copy(results)


def _matched_scope(live, results: SearchResults) -> int:
    return memo.EVERYTHING if results.parsed.tree is None else results.matched_bits


def _unchanged_by(live, results: SearchResults, changed_articles: set[int]) -> bool:
    """Whether edits to these articles leave the results as a fresh search would give them: none
    that the query did not match matches now (literally or by its words: a match by words could
    end the fall-back to words); each that it matched still matches in the same way, keeps its
    facet values and date, is not on the page and cannot change the ranking (see _search). Then
    the counts, the order and the page are the same."""
    tree = results.parsed.tree
    facts_changed = live.articles_changed_since(results.sequence, facts_only=True)
    if tree is None or facts_changed is None:
        return False
    literal, by_words = set(), set()
    printed = indexed_texts(changed_articles)
    for aid, canon in SearchDocument.objects.filter(article_id__in=changed_articles).values_list("article_id", "canon"):
        if matches_canon(tree, canon, article=printed.get(aid)):
            literal.add(aid)
        if matches_canon(tree, canon, by_words=True, article=printed.get(aid)):
            by_words.add(aid)
    now = by_words if results.by_words else literal
    for aid in changed_articles:
        bit = live.position_bits([aid])
        if not bit & results.matched_bits:
            if aid in literal or aid in by_words:
                return False
        elif aid in facts_changed or aid not in now or bit & (results.ranking_pool | results.page_bits):
            return False
    return True


def _search(q, params, *, sort, page, page_size, facet_filters, scan=None) -> SearchResults:
    params = params if params is not None else {}
    parsed = parse(q)
    notices = list(parsed.notices)
    if sort not in SORTS:
        sort = "relevance" if parsed.tree is not None else "newest"
    live = scan_live_index() if scan is not None else live_index()
    sequence = live.sequence
    # The parsed tree with each plain term ORed with the other forms of its vocabulary group.
    tree, expansions = synonyms.expand(parsed.tree, q, live)
    parsed = replace(parsed, tree=tree)
    selected, facet_notices = selected_values(params, live)
    notices += facet_notices
    dates, date_notices = date_range(params)
    notices += date_notices

    by_words = False
    section_article = live.section_article
    if parsed.tree is None:
        matched = None
        matched_bits = live.all_bits()
        if q and q.strip():
            notices.append("检索词中没有可检索的文字，显示全部报道。")
    else:
        matcher = Matcher(live, scan=scan)
        matched = matcher.evaluate(parsed.tree)
        if not matched and any(
            isinstance(t, PlainText) and len(term_words(t.text)) > 1 for t in positive_terms(parsed.tree)
        ):
            # Nothing has the terms as typed: look for their words anywhere in a section instead.
            matcher = Matcher(live, by_words=True, scan=scan, lookup=matcher.lookup)
            matched = matcher.evaluate(parsed.tree)
            by_words = True
            if matched:
                notices.append("没有找到与检索词完全一致的文字，以下结果包含检索词中的各个词语。")
        matched_bits = matcher.article_bits(parsed.tree, matched)
    if dates is not None:
        # part of the query: the facets count within the range, like the terms' matches
        matched_bits &= live.period_bits(dates.start, dates.end)

    facets = facet_module.count(live, matched_bits, selected, contains=facet_filters)
    kept = facet_module.filter_bits(live, matched_bits, selected)
    terms = positive_terms(parsed.tree) if parsed.tree is not None else []

    section_scores: dict[int, float] = {}
    # The articles whose edit may change the ranking even if they match as before: all that
    # match, unless the candidates are the first RANK_LIMIT of the backend's cached best list
    # (then an edited section outside that list is ranked after them and changes nothing).
    ranking_pool = matched_bits
    if matched and terms and scan is not None:
        newest = live.pick(kept, live.by_date(), RANK_LIMIT)
        candidates = [sid for aid in newest for sid in articles_sections(live, aid) if sid in matched]
        section_scores = scan.scores(terms, candidates)
    elif matched and terms:
        ranker = Ranker(terms, live, matcher.lookup)
        if len(matched) <= RANK_LIMIT:
            candidates = [sid for sid in matched if live.has(kept, section_article[sid])]
        else:
            best, recent = ranker.best_candidates(RANK_LIMIT * 3)
            eligible = [sid for sid in best if sid in matched and live.has(kept, section_article[sid])]
            if len(eligible) >= RANK_LIMIT:
                ranking_pool = live.article_bits_of_sections(best)
            else:
                eligible += [sid for sid in recent if sid in matched and live.has(kept, section_article[sid])]
            candidates = eligible[:RANK_LIMIT]
        section_scores = ranker.scores(candidates)
    article_score: dict[int, float] = {}
    for sid, score in section_scores.items():
        aid = section_article[sid]
        if score > article_score.get(aid, float("-inf")):
            article_score[aid] = score

    articles = live.articles
    total = kept.bit_count()
    pages = max(1, math.ceil(total / page_size))
    requested = parse_page(page)
    page = min(requested, pages)
    if requested != page:
        notices.append("页码超出范围，已显示最后一页。")
    needed = page * page_size
    if sort == "newest":
        order = live.pick(kept, live.by_date(), needed)
    elif sort == "oldest":
        order = live.pick(kept, oldest_first(live), needed)
    else:
        # ranked articles first, best first; the rest (beyond the ranked candidates) newest first
        def date_key(aid):
            date = articles[aid].date
            return date.toordinal() if date else 0

        ranked = sorted(article_score, key=lambda a: (-article_score[a], -date_key(a), -a))
        order = ranked[:needed]
        if len(order) < needed:
            order += live.pick(kept, live.by_date(), needed - len(order), skip=article_score)
    chosen = order[(page - 1) * page_size : page * page_size]
    groups = {aid: [sid for sid in articles[aid].sections if sid in matched] if matched else [] for aid in chosen}
    hits = _hits(chosen, groups, section_scores, article_score, needles_for(terms, by_words), live)
    return SearchResults(
        q=q or "", parsed=parsed, sort=sort, page=page, pages=pages, total=total, hits=hits,
        facets=facets, selected=selected, notices=notices, live=live, matched_bits=matched_bits,
        by_words=by_words, sequence=sequence, ranking_pool=ranking_pool, page_bits=live.to_bits(chosen),
        expansions=expansions, dates=dates,
    )


def articles_sections(live, aid) -> tuple[int, ...]:
    return live.articles[aid].sections


def oldest_first(live) -> list[int]:
    """Oldest first, undated last, ties by id ascending."""
    newest = live.by_date()
    dated = [a for a in reversed(newest) if live.articles[a].date]
    return dated + [a for a in reversed(newest) if not live.articles[a].date]


def _hits(article_ids, groups, section_scores, article_score, needles, live) -> list[Hit]:
    if not article_ids:
        return []
    # the verbatim original and the note are never shown with a hit, and remembered results
    # (search.memo) would keep them in memory
    articles = Article.objects.select_related("source").defer("original_text", "editorial_note").in_bulk(article_ids)
    best_ids = {}
    for aid in article_ids:
        sids = groups[aid]
        if sids:
            best_ids[aid] = sorted(sids, key=lambda s: (-section_scores.get(s, 0.0), s))
    section_ids = [ids[0] for ids in best_ids.values()]
    sections = Section.objects.in_bulk(section_ids)
    leads = {}
    missing = [aid for aid in article_ids if aid not in best_ids]
    if missing:
        for section in Section.objects.filter(article_id__in=missing).order_by("article_id", "order"):
            leads.setdefault(section.article_id, section)
    hits = []
    for aid in article_ids:
        article = articles.get(aid)
        if article is None:  # deleted since the live index last looked
            continue
        if aid in best_ids:
            ordered = best_ids[aid]
            section = sections[ordered[0]]
        else:
            ordered = []
            section = leads.get(aid)
        if section is None:
            continue
        section.article = article
        text = section.body or section.heading
        hits.append(
            Hit(
                article=article,
                section=section,
                snippet=snippet(text, needles),
                score=article_score.get(aid) or 0.0,
                more_sections=max(0, len(ordered) - 1),
                section_ids=ordered,
            )
        )
    # A report found by what is printed around its text (a byline, a caption…) shows that.
    unmarked = [hit for hit in hits if needles and "<mark>" not in hit.snippet]
    if unmarked:
        printed = printed_snippets([hit.article.pk for hit in unmarked], needles)
        for hit in unmarked:
            hit.snippet = printed.get(hit.article.pk, hit.snippet)
    return hits
