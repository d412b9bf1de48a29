"""Synonym groups at the editorial desk: an editor adds, edits and restores a group in the admin,
and readers' searches follow at once, without a rebuild."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from archive.history.versions import Timeline
from archive.models import Synonym
from tests.archive.conftest import form_data
from tests.search.helpers import publish

pytestmark = pytest.mark.django_db


def api(q) -> dict:
    return json.loads(Client().get(reverse("search:api_search"), {"q": q}).content)


def test_an_editor_adds_edits_and_restores_a_group_and_search_follows_at_once(editor_client):
    publish("test-egret-one", "白鹭办开会研究园区事务。")
    publish("test-egret-two", "苍鹭办开会研究园区事务。")
    publish("test-egret-three", "灰鹭办开会研究园区事务。")
    assert len(api("白鹭办")["results"]) == 1 and api("白鹭办")["expansions"] == []

    add = reverse("admin:archive_synonym_add")
    data = form_data(editor_client.get(add), "synonym_form") | {"terms": "白鹭办\r\n苍鹭办", "note": "测试用", "slug": ""}
    assert editor_client.post(add, data).status_code == 302
    group = Synonym.objects.get(note="测试用")
    assert group.terms == ["白鹭办", "苍鹭办"]
    assert group.slug  # made from the first term
    assert api("白鹭办")["expansions"][0]["forms"] == ["苍鹭办"]
    assert len(api("白鹭办")["results"]) == 2

    change = reverse("admin:archive_synonym_change", args=[group.pk])
    data = form_data(editor_client.get(change), "synonym_form") | {"terms": "白鹭办\n灰鹭办"}
    assert editor_client.post(change, data).status_code == 302
    assert api("白鹭办")["expansions"][0]["forms"] == ["灰鹭办"]
    assert len(api("白鹭办")["results"]) == 2
    assert len(api("苍鹭办")["results"]) == 1

    first = [v for v in Timeline(Synonym, group.pk).versions if v.state["object"]["terms"] == ["白鹭办", "苍鹭办"]][-1]
    history = editor_client.get(reverse("admin:archive_synonym_history", args=[group.pk])).content.decode()
    assert "词语" in history
    editor_client.post(reverse("admin:archive_synonym_history_restore", args=[group.pk]), {"batch": first.batch})
    group.refresh_from_db()
    assert group.terms == ["白鹭办", "苍鹭办"]
    assert api("苍鹭办")["expansions"][0]["forms"] == ["白鹭办"]


def test_a_group_needs_two_different_terms(editor_client):
    add = reverse("admin:archive_synonym_add")
    data = form_data(editor_client.get(add), "synonym_form") | {"terms": "国企\n“国企”", "slug": "test-one-term"}
    response = editor_client.post(add, data)
    assert response.status_code == 200
    assert "一组同义词至少要有两个不同的写法。" in response.content.decode()
    assert not Synonym.objects.filter(slug="test-one-term").exists()


def test_the_list_finds_a_group_by_any_of_its_terms(editor_client):
    response = editor_client.get(reverse("admin:archive_synonym_changelist"), {"q": "国有企业"})
    listed = list(response.context["cl"].result_list)
    assert [g.slug for g in listed] == ["guoqi", "shiyu-guoqi"]  # 市属国有企业 contains it too
    assert "国企、国有企业" in response.content.decode()


def test_editors_may_change_synonyms_and_readers_may_not(client, make_user):
    client.force_login(make_user("reader1", group="reader", staff=True))
    assert client.get(reverse("admin:archive_synonym_changelist")).status_code == 403
    client.force_login(make_user("editor9"))
    assert client.get(reverse("admin:archive_synonym_changelist")).status_code == 200
