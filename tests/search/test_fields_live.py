"""The serving path follows edits to what is printed once per report: a committed byline, caption
or department change reaches the shared live index, its cached terms (plain and field terms) and
the remembered searches, without a reload."""

import pytest

from archive.models import ArticleDepartment, Authorship, Caption, Department, Person
from search import live
from search.engine import search
from tests.search.helpers import publish

pytestmark = pytest.mark.django_db(transaction=True)


def slugs(query, params=None):
    return {hit.article.slug for hit in search(query, params, page_size=100).hits}


def test_a_committed_caption_reaches_the_cached_terms_of_the_shared_index(shared_index):
    article = publish("printed-a", "正文没有那几个字。")
    assert slugs("甲乙丙丁") == set() and slugs("caption:甲乙丙丁") == set()
    shared = live.live_index()
    caption = Caption.objects.create(article=article, text="甲乙丙丁的图片。")
    assert slugs("甲乙丙丁") == {"printed-a"} and slugs("caption:甲乙丙丁") == {"printed-a"}
    assert live.live_index() is shared  # followed the log, was not rebuilt
    caption.delete()
    assert slugs("甲乙丙丁") == set() and slugs("caption:甲乙丙丁") == set()


def test_a_remembered_search_is_dropped_when_a_byline_makes_another_report_match(shared_index):
    publish("printed-b", "戊己庚辛在正文里。")
    other = publish("printed-c", "毫不相干。")
    assert slugs("戊己庚辛") == {"printed-b"}
    assert slugs("author:戊己庚辛") == set()
    Authorship.objects.create(article=other, person=Person.objects.create(name="戊己庚辛", slug="test-wujigengxin"))
    assert slugs("戊己庚辛") == {"printed-b", "printed-c"}
    assert slugs("author:戊己庚辛") == {"printed-c"}


def test_a_renamed_department_moves_its_reports_between_cached_field_terms(shared_index):
    department = Department.objects.create(name="子丑寅卯局", kind="government", slug="test-zichouyinmao")
    article = publish("printed-d", "正文。")
    ArticleDepartment.objects.create(article=article, department=department, role="author")
    assert slugs("dept:子丑寅卯") == {"printed-d"} and slugs("dept:辰巳午未") == set()
    department.name = "辰巳午未局"
    department.save()
    assert slugs("dept:辰巳午未") == {"printed-d"} and slugs("dept:子丑寅卯") == set()
    assert slugs("辰巳午未局") == {"printed-d"}
