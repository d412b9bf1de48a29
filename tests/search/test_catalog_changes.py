"""Catalog edits keep the index in step, in the same transaction (search.signals,
search.indexing.catalog_names_changed), and every name of a catalog entry finds the reports filed
under it (search.documents.printed_parts).

Before: renaming a department or an initiative left `check_index` reporting drift (a changed
dictionary; the mentioning sections' initiative names stale) until `rebuild_index`, and a name
or alias that no text prints found nothing when quoted, and nothing at all where the vocabulary
could not reach it."""

import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from archive.models import Article, Department, Initiative, Mention
from archive.text import folded
from search import indexing
from search.engine import search
from search.models import SearchDocument
from search.normalize import normalize
from tests.archive.conftest import editor, editor_client, form_data, make_user, roles  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def found(q: str) -> set[int]:
    return {hit.article.pk for hit in search(q, {}, page_size=1000).hits}


def in_step():
    assert indexing.drift() == []
    call_command("check_index", verbosity=0)  # raises CommandError on drift


def filed_under_department(department) -> set[int]:
    return set(Article.objects.published().filter(departments=department).values_list("pk", flat=True))


def filed_under_initiative(initiative) -> set[int]:
    mentioned = Mention.objects.filter(initiative=initiative).values("section__article_id")
    return set(Article.objects.published().filter(pk__in=mentioned).values_list("pk", flat=True))


def change_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])


def save(client, obj, form_id, **fields):
    """Through the admin when a client is given, else as any code saves a record."""
    if client is None:
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()
        return
    data = form_data(client.get(change_url(obj)), form_id)
    data |= {k: "\n".join(v) if isinstance(v, list) else v for k, v in fields.items()}
    assert client.post(change_url(obj), data).status_code == 302
    obj.refresh_from_db()


@pytest.fixture(params=["saved", "admin"])
def desk(request):
    """None: saved as code (a service, the shell) saves; else an editor's signed-in client."""
    if request.param == "saved":
        return None
    return request.getfixturevalue("editor_client")


def test_renaming_a_department_keeps_the_index_in_step_and_the_new_name_finds_its_reports(desk):
    in_step()
    department = Department.objects.get(slug="zhuzhou-sasac")
    reports = filed_under_department(department)
    assert reports
    save(desk, department, "department_form", name="株洲市国有资产鹭岛测验委员会")
    in_step()
    # quoted: the name as typed, no vocabulary; no text prints it, so exactly its reports
    assert found('"株洲市国有资产鹭岛测验委员会"') == reports
    assert found("株洲市国有资产鹭岛测验委员会") == reports
    assert found("dept:株洲市国有资产鹭岛测验委员会") == reports


def test_renaming_an_initiative_and_keeping_the_old_name_as_an_alias_keeps_the_index_in_step(desk):
    in_step()
    initiative = Initiative.objects.get(name="三资盘活")
    sections = set(Mention.objects.filter(initiative=initiative).values_list("section_id", flat=True))
    reports = filed_under_initiative(initiative)
    assert sections and reports
    save(desk, initiative, "initiative_form", name="资产资源鹭岛测验盘活", aliases=[*initiative.aliases, "三资盘活"])
    in_step()
    for init_words in SearchDocument.objects.filter(section_id__in=sections).values_list("init_words", flat=True):
        names = init_words.split("\t")
        assert folded(normalize("资产资源鹭岛测验盘活")) in names and "三资盘活" in names
    assert found('"资产资源鹭岛测验盘活"') == reports
    assert found("资产资源鹭岛测验盘活") == reports
    assert reports <= found('"三资盘活"')  # the old name, kept as an alias


def test_renaming_an_initiative_and_dropping_the_old_name_keeps_the_index_in_step():
    initiative = Initiative.objects.get(name="三资盘活")
    initiative.name = "资产资源鹭岛测验盘活"
    initiative.save()
    in_step()
    assert found('"资产资源鹭岛测验盘活"') == filed_under_initiative(initiative)


def test_adding_and_deleting_catalog_entries_keeps_the_index_in_step(make_article):
    article = make_article(sections=(("", "推行鹭岛测验包干制。"),))
    initiative = Initiative.objects.create(name="鹭岛测验包干制", category="other", slug="test-ludao")
    department = Department.objects.create(name="鹭岛测验办公室", kind="government", slug="test-ludao-office")
    in_step()
    assert found('"鹭岛测验包干制"') == {article.pk}
    initiative.delete()
    department.delete()
    in_step()


def test_an_initiative_alias_no_text_prints_finds_exactly_the_reports_that_mention_the_initiative():
    initiative = Initiative.objects.get(name="三资盘活")
    assert "盘活三资" in initiative.aliases
    reports = filed_under_initiative(initiative)
    assert len(reports) == 2
    assert found("盘活三资") == reports
    assert found('"盘活三资"') == reports  # literal: no vocabulary, found by the catalog name
    assert not found('"盘活三资" -"三资盘活"')  # what finds them is the initiative, by any name


def test_every_catalog_name_and_alias_finds_the_reports_filed_under_it():
    missed = []
    for department in Department.objects.all():
        reports = filed_under_department(department)
        for name in department.names:
            if not reports <= found(f'"{name}"'):
                missed.append(name)
    for initiative in Initiative.objects.all():
        reports = filed_under_initiative(initiative)
        for name in initiative.names:
            if not reports <= found(f'"{name}"'):
                missed.append(name)
    assert missed == []


def test_a_fresh_alias_added_in_the_admin_is_found_at_once(request):
    desk = request.getfixturevalue("editor_client")
    initiative = Initiative.objects.get(name="三资盘活")
    reports = filed_under_initiative(initiative)
    save(desk, initiative, "initiative_form", aliases=[*initiative.aliases, "三资鹭岛清理"])
    in_step()
    assert found("三资鹭岛清理") == reports
    assert found('"三资鹭岛清理"') == reports

    department = Department.objects.get(slug="zhuzhou-sasac")
    save(desk, department, "department_form", aliases=[*department.aliases, "鹭岛国资办"])
    in_step()
    assert found('"鹭岛国资办"') == filed_under_department(department)


def test_a_report_that_prints_the_name_ranks_above_one_only_filed_under_it(make_article):
    printed = make_article(title="鹭岛测验包干制见成效", sections=(("", "鹭岛测验包干制推行一年，鹭岛测验包干制成效明显。"),))
    filed = make_article(title="另一篇测验报道", sections=(("", "推行鹭岛包干。"),))
    Initiative.objects.create(name="鹭岛包干", aliases=["鹭岛测验包干制"], category="other", slug="test-ludao")
    assert filed.sections.get().mentions.exists() and printed.sections.get().mentions.exists()
    hits = [hit.article.pk for hit in search('"鹭岛测验包干制"', {}, page_size=10).hits]
    assert hits == [printed.pk, filed.pk]
    # found by its catalog names alone, it shows the name that matched in place of a snippet
    response = Client().get(reverse("search:api_search"), {"q": '"鹭岛测验包干制"'})
    snippets = {r["article"]["id"]: r["snippet"] for r in json.loads(response.content)["results"]}
    assert snippets[filed.pk] == "改革举措：<mark>鹭岛测验包干制</mark>"


def test_a_moved_or_deleted_section_takes_its_initiative_names_with_it(make_article):
    from archive import services

    source = make_article(sections=(("", "推行鹭岛测验包干制。"), ("", "其他内容。")))
    target = make_article(title="目标报道")
    initiative = Initiative.objects.create(name="鹭岛包干", aliases=["鹭岛测验包干制"], category="other", slug="test-ludao")
    assert found('"鹭岛包干"') == {source.pk}
    services.section_move(section=source.sections.get(order=1), to_article=target)
    in_step()
    assert found('"鹭岛包干"') == {target.pk}
    target.sections.get(mentions__initiative=initiative).delete()
    in_step()
    assert found('"鹭岛包干"') == set()
