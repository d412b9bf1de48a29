import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from archive.models import (
    Article,
    Department,
    Initiative,
    Mention,
    Section,
    format_date,
    parse_partial_date,
    published_q,
)

pytestmark = pytest.mark.django_db


def make_article(slug="test-article", **fields):
    defaults = dict(title="测试报道", kind=Article.Kind.NEWS, date=datetime.date(2024, 11, 1), date_precision="month")
    defaults.update(fields)
    return Article.objects.create(slug=slug, **defaults)


def test_partial_dates_parse_with_their_precision():
    assert parse_partial_date("2024-11-05") == (datetime.date(2024, 11, 5), "day")
    assert parse_partial_date("2024-11") == (datetime.date(2024, 11, 1), "month")
    assert parse_partial_date("2024") == (datetime.date(2024, 1, 1), "year")
    assert parse_partial_date("") == (None, "unknown")
    with pytest.raises(ValueError):
        parse_partial_date("2024年")
    with pytest.raises(ValueError):
        parse_partial_date("2024-13")


def test_dates_display_only_as_precise_as_known():
    assert format_date(datetime.date(2024, 1, 1), "year") == "2024年"
    assert format_date(datetime.date(2024, 11, 1), "month") == "2024年11月"
    assert format_date(datetime.date(2024, 11, 5), "day") == "2024年11月5日"
    assert format_date(None, "unknown") == "日期不详"


@pytest.mark.parametrize(
    "date, precision, shown, iso",
    [
        (datetime.date(2024, 1, 1), "year", "2024年", "2024"),
        (datetime.date(2024, 11, 1), "month", "2024年11月", "2024-11"),
        (datetime.date(2024, 11, 5), "day", "2024年11月5日", "2024-11-05"),
        (None, "unknown", "日期不详", "?"),
        (datetime.date(2024, 1, 1), "unknown", "日期不详", "?"),  # a stray date of unknown precision is not shown
    ],
)
def test_one_date_rule_for_readers_and_for_exports(date, precision, shown, iso):
    assert format_date(date, precision) == shown
    assert format_date(date, precision, iso=True, unknown="?") == iso


@pytest.mark.parametrize(
    "date, precision",
    [
        (datetime.date(2024, 11, 5), "month"),  # a month-precise date must be the 1st
        (datetime.date(2024, 3, 1), "year"),  # a year-precise date must be 1 January
        (None, "day"),
        (datetime.date(2024, 1, 1), "unknown"),
    ],
)
def test_database_rejects_a_date_that_does_not_fit_its_precision(date, precision):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(date=date, date_precision=precision)


def test_article_slugs_are_unique():
    make_article("same-slug")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article("same-slug")


def test_two_sections_cannot_share_a_place_in_one_article():
    article = make_article()
    Section.objects.create(article=article, order=1, body="第一段")
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.create(article=article, order=1, body="又一个第一段")


def test_a_section_needs_an_article_and_goes_with_it():
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.create(article_id=None, order=1, body="无主段落")
    article = make_article()
    Section.objects.create(article=article, order=1, body="正文")
    article.delete()
    assert not Section.objects.filter(body="正文").exists()


def test_an_empty_section_is_rejected():
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.create(article=article, order=1, heading="", body="")


def test_section_anchors_survive_reordering_and_new_sections():
    article = make_article()
    first = Section.objects.create(article=article, order=1, body="甲")
    second = Section.objects.create(article=article, order=2, body="乙")
    assert (first.anchor, second.anchor) == ("s1", "s2")
    first.order = 3
    first.save()
    first.refresh_from_db()
    assert first.anchor == "s1"
    second.delete()
    third = Section.objects.create(article=article, order=2, body="丙")
    assert third.anchor not in {"s1"}
    assert third.get_absolute_url().endswith(f"#{third.anchor}")


def test_department_cannot_be_its_own_ancestor():
    a = Department.objects.create(name="测试甲单位", kind="government", slug="test-a")
    b = Department.objects.create(name="测试乙单位", kind="government", slug="test-b", parent=a)
    a.parent = b
    with pytest.raises(ValidationError):
        a.full_clean()


def test_department_names_include_short_name_and_aliases():
    d = Department(name="株洲市测试和规划局", short_name="株洲市测规局", aliases=["测规局"], kind="government")
    assert d.names == ["株洲市测试和规划局", "株洲市测规局", "测规局"]


def test_saving_a_section_links_the_initiatives_it_names_ignoring_quotes():
    initiative = Initiative.objects.create(name="测试五好园区", aliases=["测试五好"], category="parks", slug="test-wuhao")
    article = make_article()
    section = Section.objects.create(article=article, order=1, body="推动“测试五好”园区创建，测试五好园区见效。")
    mention = Mention.objects.get(section=section, initiative=initiative)
    assert mention.count == 2
    field, start, end = mention.offsets[0]
    assert field == "body" and section.body[start:end] == "测试五好”园区"


def test_editing_a_section_relinks_it():
    initiative = Initiative.objects.create(name="测试二分法", category="state_enterprise", slug="test-efp")
    article = make_article()
    section = Section.objects.create(article=article, order=1, heading="测试二分法", body="正文没有提到。")
    assert Mention.objects.get(section=section, initiative=initiative).offsets == [["heading", 0, 5]]
    section.heading = "别的标题"
    section.save()
    assert not Mention.objects.filter(section=section).exists()


def test_adding_an_alias_to_an_initiative_links_sections_that_use_it():
    article = make_article()
    section = Section.objects.create(article=article, order=1, body="推行测试项目制管理。")
    initiative = Initiative.objects.create(name="测试工作项目化", category="government", slug="test-xmh")
    assert not Mention.objects.filter(initiative=initiative).exists()
    initiative.aliases = ["测试项目制"]
    initiative.save()
    assert Mention.objects.get(initiative=initiative).section == section


def test_longer_initiative_name_wins_where_two_overlap():
    short = Initiative.objects.create(name="测试国企改革", category="state_enterprise", slug="test-short")
    long = Initiative.objects.create(name="测试国企改革三年行动", category="state_enterprise", slug="test-long")
    article = make_article()
    section = Section.objects.create(article=article, order=1, body="完成测试国企改革三年行动，深化测试国企改革。")
    counts = {m.initiative_id: m.count for m in Mention.objects.filter(section=section)}
    assert counts == {long.pk: 1, short.pk: 1}


def test_published_is_one_condition_on_articles_and_through_relations():
    assert published_q() == Q(status=Article.Status.PUBLISHED)
    assert published_q("section__article") == Q(section__article__status=Article.Status.PUBLISHED)
    draft = make_article(slug="draft-article", status=Article.Status.DRAFT)
    Section.objects.create(article=draft, order=1, body="草稿正文。")
    assert not Article.objects.published().filter(pk=draft.pk).exists()
    assert not Section.objects.filter(published_q("article"), article=draft).exists()
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.PUBLISHED)
    assert Article.objects.published().filter(pk=draft.pk).exists()
    assert Section.objects.filter(published_q("article"), article=draft).exists()
