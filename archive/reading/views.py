"""The archive's public pages. Each view finds its object, calls selectors for what the page
shows, paginates and renders; exports reuse the same listings (archive.reading.listings)."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from archive.models import Article, Department, Initiative, Person, Series, Source
from archive.querystring import querystring
from archive.reading import article_text as reading
from archive.reading import charts, exports, kwic, links, listings, metadata, original, references
from archive.reading.citation import gbt7714
from archive.reading.selectors.articles import (
    article_for_page,
    for_list,
    original_for_page,
    previous_and_next,
    related_articles,
    series_siblings,
    with_relations,
)
from archive.reading.selectors.counts import (
    archive_numbers,
    departments_with_counts,
    initiatives_with_counts,
    kinds_with_counts,
    people_with_counts,
    reports_per_year,
    series_with_counts,
    sources_with_counts,
    year_span,
    years_with_counts,
)
from archive.reading.selectors.departments import (
    department_catalog,
    department_digest,
    department_for_page,
    department_roles_by_article,
    departments_reported_in,
    initiatives_reported_with,
)
from archive.reading.selectors.initiatives import (
    initiative_digest,
    initiative_for_page,
    initiative_groups,
    mentions_by_ids,
    mentions_named_with,
    mentions_with_sections,
)
from archive.reading.selectors.people import coauthors, person_bylines, person_for_page

PAGE_SIZE = 20
MENTIONS_PAGE_SIZE = 30


def _found(finder, *args, what: str = "页面"):
    try:
        return finder(*args)
    except (Article.DoesNotExist, Department.DoesNotExist, Initiative.DoesNotExist, Person.DoesNotExist,
            Series.DoesNotExist, Source.DoesNotExist):
        raise Http404(f"没有这个{what}")


def _list_context(request, listing) -> dict:
    """The listing's current page in the requested order, and the links around it."""
    sort = request.GET.get("sort")
    sort = sort if sort in listing.sorts else listing.default_sort
    paginator = Paginator(for_list(listing.sorted(sort)), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "listing": listing,
        "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "sort": sort,
        "sorts": listing.sorts,
        "export_csv": listing.export_url("csv"),
        "export_json": listing.export_url("json"),
        "reference_links": reference_links(listing.export_url, sort) if listing.export_name else [],
        "feed_url": listing.feed_url,
        "feed_title": f"{listing.title} · 改革报道档案",
    }


def reference_links(url_of, sort: str = "") -> list[dict]:
    """The reference-manager downloads (RIS, BibTeX, EndNote, CSL-JSON) beside a CSV/JSON link."""
    suffix = querystring(sort=sort) if sort else ""
    return [
        {"label": references.LABELS[fmt], "url": url_of(fmt) + suffix, "title": f"下载{references.LABELS[fmt]}格式，可导入文献管理软件"}
        for fmt in references.FORMATS
    ]


def _year_chart(counts: dict[int, int], undated: int, *, title: str, unit: str = "篇", span=None, url_for=None):
    """The chart of counts per year; each year's bar links to the list that has that many
    (url_for(year); by default the year's page, for counts of the whole archive)."""

    def url(year):
        return reverse("archive:year", kwargs={"year": year})

    note = f"另有{undated}{unit}日期不详，未计入图中。" if undated else ""
    bars = charts.year_bars(counts, url_for or url, span)
    return {"svg": charts.bar_chart(bars, title=title, unit=unit, note=note), "bars": bars, "undated": undated, "title": title}


# ---------------------------------------------------------------------------------------------
# Home and the article


def home(request):
    published = Article.objects.published()
    counts, undated = reports_per_year(published)
    return render(
        request,
        "archive/home.html",
        {
            "numbers": archive_numbers(),
            "chart": _year_chart(counts, undated, title="各年份报道数量"),
            "newest": for_list(published.newest_first())[:8],
            "departments": departments_with_counts()
            .filter(report_count__gt=0)
            .order_by("-report_count", "name")[:12],
            "initiatives": initiatives_with_counts()
            .filter(report_count__gt=0)
            .order_by("-report_count", "-mention_count", "name")[:15],
            "series_list": series_with_counts()[:6],
            "feed_url": reverse("archive:feed"),
            "feed_title": "最新报道 · 改革报道档案",
        },
    )


def article_detail(request, slug):
    article = _found(article_for_page, slug, what="报道")
    needles = reading.needles_from(request.GET.get("hl"))
    sections = reading.section_views(article.sections.all(), needles)
    siblings = series_siblings(article)
    previous, following = previous_and_next(article, siblings)
    original_url = reverse("archive:article_original", kwargs={"slug": article.slug})
    raw_text = article.raw_document.text if article.raw_document else None
    known_lines = {line.number for line in original.numbered_lines(article.original_text, raw_text) if line.number}
    authors = [a for a in article.authorships.all()]
    return render(
        request,
        "archive/article_detail.html",
        {
            "article": article,
            "sections": sections,
            "toc": reading.toc(sections),
            "needles": needles,
            "mark_count": sum(s.marks for s in sections),
            "search_url": reverse("search:search") + querystring(q=" ".join(needles)) if needles else "",
            "authors": authors,
            "siblings": siblings,
            "previous": previous,
            "following": following,
            "related": related_articles(article),
            "citation": gbt7714(
                article,
                url=request.build_absolute_uri(article.get_absolute_url()),
                accessed=timezone.localdate(),
            ),
            "note_html": original.link_line_references(article.editorial_note, original_url, known_lines),
            "original_url": original_url,
            "canonical": request.build_absolute_uri(article.get_absolute_url()),
            "metadata": metadata.for_page(
                article, url=request.build_absolute_uri(article.get_absolute_url()), absolute=request.build_absolute_uri
            ),
            "reference_links": reference_links(
                lambda fmt: reverse("archive:article_reference", kwargs={"slug": article.slug, "fmt": fmt})
            ),
        },
    )


def article_reference(request, slug, fmt):
    """One report as a reference-manager file (csv and json are lists' formats: 404 here)."""
    if fmt not in references.FORMATS:
        raise Http404("没有这种下载格式")
    article = _found(article_for_page, slug, what="报道")
    return references.references_response(
        fmt, [article], absolute=request.build_absolute_uri, file_stem=article.slug, accessed=timezone.localdate()
    )


def article_original(request, slug):
    article = _found(original_for_page, slug, what="报道")
    raw_text = article.raw_document.text if article.raw_document else None
    lines = original.numbered_lines(article.original_text, raw_text)
    return render(
        request,
        "archive/article_original.html",
        {
            "article": article,
            "lines": lines,
            "numbered": any(line.number for line in lines),
            "original_url": request.path,
            "canonical": request.build_absolute_uri(request.path),
        },
    )


# ---------------------------------------------------------------------------------------------
# Lists of reports


def article_list(request):
    listing = listings.everything()
    return render(
        request,
        "archive/article_list.html",
        {
            **_list_context(request, listing),
            "years": years_with_counts(),
            "kinds": kinds_with_counts(),
            "sources": sources_with_counts(),
        },
    )


def department_list(request):
    catalog = department_catalog()
    return render(
        request,
        "archive/department_list.html",
        {
            "groups": catalog.groups,
            "reported_count": catalog.reported,
            "unreported": catalog.without_reports,
            "export_csv": reverse("archive:departments_export", kwargs={"fmt": "csv"}),
            "export_json": reverse("archive:departments_export", kwargs={"fmt": "json"}),
        },
    )


def department_detail(request, slug):
    department = _found(department_for_page, slug, what="部门")
    listing = listings.for_department(slug, department)
    context = _list_context(request, listing)
    roles = department_roles_by_article(department, [a.pk for a in context["page"].object_list])
    for article in context["page"].object_list:
        article.roles = roles.get(article.pk, [])
    digest = department_digest(department, listing.articles)
    return render(
        request,
        "archive/department_detail.html",
        {
            **context,
            "department": department,
            "chart": _year_chart(
                digest.per_year, digest.undated, title=f"{department}：各年份相关报道数量", span=year_span(),
                url_for=lambda year: links.reports_filtered(department=department.slug, year=year),
            ),
            # Each count links to the department's reports it counts (archive/reading/links.py).
            "reported_with": [
                {**i, "list_url": links.reports_filtered(department=department.slug, initiative=i["slug"])}
                for i in digest.reported_with
            ],
            "authors": [
                {**p, "list_url": links.reports_filtered(department=department.slug, author=p["slug"])}
                for p in digest.authors
            ],
        },
    )


def initiative_list(request):
    return render(
        request,
        "archive/initiative_list.html",
        {
            "groups": initiative_groups(),
            "export_csv": reverse("archive:initiatives_export", kwargs={"fmt": "csv"}),
            "export_json": reverse("archive:initiatives_export", kwargs={"fmt": "json"}),
        },
    )


def initiative_detail(request, slug):
    initiative = _found(initiative_for_page, slug, what="改革举措")
    listing = listings.for_initiative(slug, initiative)
    digest = initiative_digest(initiative)
    # The list a count of the page links to: one year's mentions (a bar of the chart) or the
    # paragraphs that also name another initiative (常在同一段落出现的举措).
    mention_ids, mention_total = digest.mention_ids, sum(digest.per_year.values()) + digest.undated
    narrowed = []
    year = _year_param(request.GET.get("year"))
    if year is not None:
        mention_ids, mention_total = digest.mention_ids_in_year(year), digest.per_year.get(year, 0)
        narrowed.append(f"{year}年")
    other = Initiative.objects.filter(slug=request.GET.get("with", "")[:100]).exclude(pk=initiative.pk).first()
    if other is not None:
        mention_ids, mention_total = mentions_named_with(initiative, other, mention_ids)
        narrowed.append(f"与“{other.name}”同在一段")
    paginator = Paginator(mention_ids, MENTIONS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = mentions_by_ids(page.object_list)
    groups = kwic.kwic_groups(page.object_list)
    for group in groups:
        names = " ".join(dict.fromkeys(line.name for line in group.lines)) or initiative.name
        group.url = (
            f"{group.article.get_absolute_url()}{querystring(hl=names)}#{group.section.anchor}"
        )
    return render(
        request,
        "archive/initiative_detail.html",
        {
            "initiative": initiative,
            "listing": listing,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "groups": groups,
            "report_count": digest.report_count,
            "mention_total": mention_total,
            "narrowed": "，".join(narrowed),
            "chart": _year_chart(
                digest.per_year, digest.undated, title=f"“{initiative.name}”各年份被提及次数", unit="次",
                span=year_span(), url_for=lambda y: initiative.get_absolute_url() + querystring(year=y),
            ),
            "together": [
                {**t, "list_url": initiative.get_absolute_url() + querystring(**{"with": t["slug"]})}
                for t in digest.together
            ],
            "search_url": reverse("search:search") + querystring(initiative=initiative.slug),
            "export_csv": listing.export_url("csv"),
            "export_json": listing.export_url("json"),
            "reference_links": reference_links(listing.export_url),
            "mentions_csv": reverse("archive:initiative_mentions_export", kwargs={"slug": slug, "fmt": "csv"}),
            "mentions_json": reverse("archive:initiative_mentions_export", kwargs={"slug": slug, "fmt": "json"}),
            "feed_url": listing.feed_url,
            "feed_title": f"{listing.title} · 改革报道档案",
        },
    )


def _year_param(value) -> int | None:
    """?year=2024 as a year, None when absent or not a year (ignored rather than an error)."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) == 4 else None


def year_list(request):
    counts, undated = reports_per_year(Article.objects.published())
    return render(
        request,
        "archive/year_list.html",
        {
            "years": sorted(counts.items(), reverse=True),
            "undated": undated,
            "chart": _year_chart(counts, undated, title="各年份报道数量"),
        },
    )


def year_detail(request, year):
    listing = listings.for_year(year)
    context = _list_context(request, listing)
    if not context["page"].paginator.count:
        raise Http404("这一年没有报道")
    years = [y for y, _ in years_with_counts()]
    earlier = [y for y in years if y < year]
    later = [y for y in years if y > year]
    return render(
        request,
        "archive/year_detail.html",
        {
            **context,
            "year": year,
            "previous_year": max(earlier) if earlier else None,
            "next_year": min(later) if later else None,
            # Each count links to the list of the year's reports it counts (archive/reading/links.py).
            "kinds": [
                {**k, "list_url": links.reports_filtered(kind=k["value"], year=year)} for k in _kinds_in(listing.articles)
            ],
            "departments": [
                (d, links.reports_filtered(department=d.slug, year=year)) for d in departments_reported_in(listing.articles)
            ],
            "initiatives": [
                {**i, "list_url": links.reports_filtered(initiative=i["slug"], year=year)}
                for i in initiatives_reported_with(listing.articles, limit=15)
            ],
        },
    )


def _kinds_in(articles):
    labels = dict(Article.Kind.choices)
    rows = articles.order_by().values("kind").annotate(n=Count("id", distinct=True)).order_by("-n", "kind")
    return [{"value": r["kind"], "label": labels.get(r["kind"], r["kind"]), "count": r["n"]} for r in rows]


def kind_list(request):
    return render(request, "archive/kind_list.html", {"kinds": kinds_with_counts()})


def kind_detail(request, kind):
    listing = listings.for_kind(kind)
    return render(request, "archive/kind_detail.html", {**_list_context(request, listing), "kind": kind})


def source_list(request):
    return render(request, "archive/source_list.html", {"sources": sources_with_counts()})


def source_detail(request, slug):
    listing = listings.for_source(slug)
    return render(request, "archive/source_detail.html", {**_list_context(request, listing), "source": listing.obj})


def series_list(request):
    return render(request, "archive/series_list.html", {"series_list": series_with_counts()})


def series_detail(request, slug):
    listing = listings.for_series(slug)
    series = listing.obj
    counts, undated = reports_per_year(listing.articles)
    return render(
        request,
        "archive/series_detail.html",
        {**_list_context(request, listing), "series": series, "years": sorted(counts), "undated": undated},
    )


def person_list(request):
    return render(request, "archive/person_list.html", {"people": people_with_counts()})


def person_detail(request, slug):
    person = _found(person_for_page, slug, what="署名人")
    # ?with=<slug>, where a co-signer's count links: only the reports the two signed together.
    # An unknown person (or the person themself) is ignored, as on the initiative page.
    other_slug = request.GET.get("with")
    other = Person.objects.filter(slug=other_slug).exclude(pk=person.pk).first() if other_slug else None
    listing = listings.signed_together(person, other) if other else listings.for_person(slug, person)
    context = _list_context(request, listing)
    bylines = person_bylines(person, [a.pk for a in context["page"].object_list])
    for article in context["page"].object_list:
        article.byline = bylines.get(article.pk, "")
    return render(
        request,
        "archive/person_detail.html",
        {**context, "person": person, "together_with": other, "coauthors": coauthors(person)},
    )


# ---------------------------------------------------------------------------------------------
# Exports


def reports_export(request, fmt, listing, **kwargs):
    found = listings.FINDERS[listing](**kwargs)
    articles = with_relations(found.sorted(request.GET.get("sort")))
    if fmt in references.FORMATS:
        return references.references_response(
            fmt, articles, absolute=request.build_absolute_uri, file_stem=found.file_stem, accessed=timezone.localdate()
        )
    return exports.export_response(
        fmt,
        title=found.title,
        file_stem=found.file_stem,
        columns=exports.ARTICLE_COLUMNS,
        records=exports.article_records(articles, request.build_absolute_uri),
        page_url=request.build_absolute_uri(found.page_url),
    )


DEPARTMENT_COLUMNS = [
    ("slug", "网址名"), ("name", "名称"), ("short_name", "简称"), ("aliases", "别名"), ("kind", "类别"),
    ("region", "地区"), ("parent", "上级单位"), ("reports", "相关报道数"), ("url", "网址"),
]
INITIATIVE_COLUMNS = [
    ("slug", "网址名"), ("name", "名称"), ("aliases", "别名"), ("category", "类别"), ("lead_departments", "牵头单位"),
    ("reports", "提及报道数"), ("mentions", "提及次数"), ("summary", "简介"), ("url", "网址"),
]
MENTION_COLUMNS = [
    ("article", "报道"), ("date", "日期"), ("section", "小标题"), ("before", "前文"), ("name", "名称"),
    ("after", "后文"), ("url", "网址"),
]


def departments_export(request, fmt):
    records = [
        {
            "slug": d.slug, "name": d.name, "short_name": d.short_name, "aliases": d.aliases,
            "kind": d.get_kind_display(), "region": d.region, "parent": d.parent.name if d.parent else "",
            "reports": d.report_count, "url": request.build_absolute_uri(d.get_absolute_url()),
        }
        for d in departments_with_counts().order_by("region", "kind", "name")
    ]
    return exports.export_response(
        fmt, title="部门与单位", file_stem="departments", columns=DEPARTMENT_COLUMNS, records=records,
        page_url=request.build_absolute_uri(reverse("archive:departments")),
    )


def initiatives_export(request, fmt):
    initiatives = initiatives_with_counts().prefetch_related("lead_departments").order_by("category", "name")
    records = [
        {
            "slug": i.slug, "name": i.name, "aliases": i.aliases, "category": i.get_category_display(),
            "lead_departments": [d.name for d in i.lead_departments.all()], "reports": i.report_count,
            "mentions": i.mention_count, "summary": i.summary,
            "url": request.build_absolute_uri(i.get_absolute_url()),
        }
        for i in initiatives
    ]
    return exports.export_response(
        fmt, title="改革举措", file_stem="initiatives", columns=INITIATIVE_COLUMNS, records=records,
        page_url=request.build_absolute_uri(reverse("archive:initiatives")),
    )


def initiative_mentions_export(request, slug, fmt):
    initiative = _found(initiative_for_page, slug, what="改革举措")
    records = []
    for group in kwic.kwic_groups(mentions_with_sections(initiative)):
        for line in group.lines:
            records.append(
                {
                    "article": group.article.title,
                    "date": exports.iso_partial_date(group.article),
                    "section": group.section.heading,
                    "before": line.before,
                    "name": line.name,
                    "after": line.after,
                    "url": request.build_absolute_uri(group.section.get_absolute_url()),
                }
            )
    return exports.export_response(
        fmt, title=f"“{initiative.name}”的提及", file_stem=f"initiative-{initiative.slug}-mentions",
        columns=MENTION_COLUMNS, records=records, page_url=request.build_absolute_uri(initiative.get_absolute_url()),
    )
