"""Reading helpers: links and marks in section text, keyword in context, original line numbers."""

from archive.reading.article_text import mark_spans, needles_from, render_lines
from archive.reading.kwic import kwic_line
from archive.reading.original import link_line_references, numbered_lines


def test_links_and_marks_render_escaped_and_nested():
    text = "推进<二分法>改革\n第二段"
    lines = render_lines(text, [(3, 6, "/i/x/", "二分法")], [(4, 9)])
    assert str(lines[0]) == '推进&lt;<a class="initiative-link" href="/i/x/" title="改革举措：二分法">二<mark>分法</mark></a><mark>&gt;改革</mark>'
    assert str(lines[1]) == "第二段"


def test_blank_lines_are_dropped_but_offsets_kept():
    lines = render_lines("甲\n\n乙丙", [(4, 5, "/u/", "丙")], [])
    assert [str(x) for x in lines] == ["甲", '乙<a class="initiative-link" href="/u/" title="改革举措：丙">丙</a>']


def test_mark_spans_follow_search_normalisation():
    text = "推進“五好”園區建設"
    spans = mark_spans(text, ["五好园区"])
    assert spans and text[spans[0][0] : spans[0][1]] == "五好”園區"


def test_needles_are_bounded():
    assert needles_from(" 园区  园区 国企 ") == ["园区", "国企"]
    assert len(needles_from(" ".join(str(i) for i in range(50)))) == 8
    assert needles_from(None) == []


def test_kwic_line_is_cut_at_the_paragraph_and_marks_cuts():
    text = "第一段。\n" + "甲" * 40 + "二分法" + "乙" * 5 + "\n第三段"
    start = text.index("二分法")
    line = kwic_line(text, start, start + 3, width=10)
    assert line.before == "甲" * 10 and line.cut_before
    assert line.after == "乙" * 5 and not line.cut_after


def test_numbered_lines_find_raw_line_numbers_through_blank_runs():
    raw = "头\n\n标题\n\n\n正文一\n\n正文二\n尾\n"
    original = "标题\n\n\n正文一\n\n正文二\n"
    assert [(l.number, l.text) for l in numbered_lines(original, raw)] == [
        (3, "标题"), (4, ""), (5, ""), (6, "正文一"), (7, ""), (8, "正文二")
    ]


def test_numbered_lines_give_up_rather_than_guess():
    assert all(l.number is None for l in numbered_lines("改过的\n", "原来的\n"))
    assert numbered_lines("甲\n", None)[0].number is None


def test_line_references_link_known_lines_only():
    html = str(link_line_references("第3行与第91—103行，第5行<b>", "/a/original/", {3, 91}))
    assert '<a href="/a/original/#L3">第3行</a>' in html
    assert '<a href="/a/original/#L91">第91—103行</a>' in html
    assert "第5行&lt;b&gt;" in html


def test_a_draft_is_counted_nowhere_until_it_is_published(make_article):
    """Every count a reader sees admits published reports only (published_q through each
    relation): a draft that names an initiative, concerns a department and has an author moves
    none of them; publishing it moves them all."""
    from archive.models import Article, ArticleDepartment, Authorship, Department, Person
    from archive.reading.selectors.counts import (
        archive_numbers,
        departments_with_counts,
        initiatives_with_counts,
        people_with_counts,
    )
    from archive.reading.selectors.people import coauthors

    department = Department.objects.get(slug="zhuzhou-sasac")
    colleague = Person.objects.create(name="测验同事", slug="test-colleague")

    def seen():
        return (
            archive_numbers(),
            departments_with_counts().get(pk=department.pk).report_count,
            initiatives_with_counts().get(slug="erfenfa").report_count,
            initiatives_with_counts().get(slug="erfenfa").mention_count,
            list(people_with_counts().filter(slug="test-author").values_list("report_count", flat=True)),
            coauthors(colleague),
        )

    before = seen()
    draft = make_article(title="测验草稿", sections=[("", "测验区实施二分法。")], status=Article.Status.DRAFT)
    ArticleDepartment.objects.create(article=draft, department=department, role="subject")
    author = Person.objects.create(name="测验作者", slug="test-author")
    Authorship.objects.create(article=draft, person=author, order=0)
    Authorship.objects.create(article=draft, person=colleague, order=1)
    assert draft.sections.get().mentions.exists()  # the linker did find the name
    assert seen() == before
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.PUBLISHED)
    numbers, department_reports, reports, mentions, people, colleagues = seen()
    assert numbers["articles"] == before[0]["articles"] + 1 and numbers["sections"] == before[0]["sections"] + 1
    assert numbers["people"] == before[0]["people"] + 2
    assert numbers["mentions"] == before[0]["mentions"] + 1
    assert department_reports == before[1] + 1
    assert (reports, mentions) == (before[2] + 1, before[3] + 1)
    assert people == [1] and [c["name"] for c in colleagues] == ["测验作者"]
