"""Suggesting initiative names: quoted phrases and programme-like names the catalog lacks."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archive.ingest.candidates import find_candidates
from archive.models import Article, Initiative, Section

pytestmark = pytest.mark.django_db

TEXTS = [
    "株洲推行“揭榜挂帅”机制，落实河长制，推动“五好”园区创建，以“二分法”破题。",
    "去年以来，“揭榜挂帅”项目已有12个落地，河长制实现全覆盖，“二分法”改革成效明显。",
    "他说：“这是我们最急需解决的问题。”",
]
KNOWN = ["二分法", "二分法改革", "五好园区"]


def by_phrase(candidates):
    return {c.phrase: c for c in candidates}


def test_a_new_quoted_phrase_seen_twice_is_suggested_with_its_count_and_contexts():
    found = by_phrase(find_candidates(TEXTS, KNOWN, min_count=2))
    candidate = found["揭榜挂帅"]
    assert (candidate.kind, candidate.count) == ("quoted", 2)
    assert candidate.examples == [  # up to 20 characters either side
        "株洲推行“揭榜挂帅”机制，落实河长制，推动“五好”园区创建，…",
        "去年以来，“揭榜挂帅”项目已有12个落地，河长制实现全覆盖，“…",
    ]


def test_a_known_initiative_is_not_suggested_in_any_written_form():
    found = by_phrase(find_candidates(TEXTS, KNOWN, min_count=1))
    assert "二分法" not in found  # the name itself, quoted
    assert "五好" not in found  # quoted part of the name 五好园区
    assert "二分法改革" not in found


def test_names_are_compared_without_quotation_marks_or_spaces():
    found = by_phrase(find_candidates(["推行“揭榜 挂帅”机制。", "“揭榜挂帅”项目。"], ["「揭榜挂帅」"], min_count=1))
    assert not found


def test_quoted_speech_is_not_a_candidate():
    assert not find_candidates(TEXTS[2:] * 3, [], min_count=1)


def test_phrases_seen_fewer_times_than_the_minimum_are_left_out():
    found = by_phrase(find_candidates(TEXTS, KNOWN, min_count=3))
    assert "揭榜挂帅" not in found


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("全面落实河长制，", "河长制"),
        ("深入实施人才强市工程，", "人才强市工程"),
        ("开展金融暖企行动，", "金融暖企行动"),
        ("推广1+3+N模式，", "1+3+N"),
        ("推广“1+3+N”模式，", "1+3+N"),
        ("坚持一园一策，", "一园一策"),
        ("推动四升级一加强，", "四升级一加强"),
        ("增强四个意识，", "四个意识"),
    ],
)
def test_programme_shaped_names_are_recognised(text, phrase):
    assert phrase in by_phrase(find_candidates([text, text], [], min_count=2))


@pytest.mark.parametrize("text", ["完善工作机制和管理体制，", "大力发展先进制造业，", "深化国企改革，", "党的十九大作出部署，"])
def test_ordinary_words_that_end_like_programmes_are_not_recognised(text):
    assert not find_candidates([text, text], [], min_count=1)


def test_the_longest_reading_of_a_stretch_of_text_counts_once():
    found = find_candidates(["实施“智慧株洲”工程。"] * 2, [], min_count=1)
    assert [(c.phrase, c.count) for c in found] == [("智慧株洲", 2)]


def test_candidates_are_sorted_by_count():
    counts = [c.count for c in find_candidates(TEXTS + TEXTS[:1], KNOWN, min_count=1)]
    assert counts == sorted(counts, reverse=True)


# ---------------------------------------------------------------------------------------------
# The command, on the curated corpus


def publish(sections: list[str], slug="candidate-test", status=Article.Status.PUBLISHED) -> Article:
    article = Article.objects.create(
        slug=slug, title="测试报道", kind=Article.Kind.NEWS, date=datetime.date(2024, 1, 1), date_precision="day", status=status
    )
    for order, body in enumerate(sections, 1):
        Section.objects.create(article=article, order=order, body=body, anchor=f"s{order}")
    return article


def run(*args) -> str:
    out = StringIO()
    call_command("suggest_initiatives", *args, stdout=out)
    return out.getvalue()


def test_the_command_suggests_a_new_phrase_from_published_sections_only():
    publish(["株洲推行“揭榜挂帅”机制。", "“揭榜挂帅”项目已有12个落地。"])
    publish(["草稿里的“草稿专用语”。", "又一次“草稿专用语”。"], slug="draft-test", status=Article.Status.DRAFT)
    output = run("--min-count", "2", "--limit", "0")
    assert "   2  揭榜挂帅  [引号短语]" in output
    assert "株洲推行“揭榜挂帅”机制。" in output
    assert "草稿专用语" not in output


def test_the_command_does_not_suggest_catalogued_initiatives():
    output = run("--min-count", "1", "--limit", "0")
    lines = [line.split("  [")[0].strip() for line in output.splitlines() if line.endswith("]")]
    phrases = {line.split(None, 1)[1] for line in lines}
    names = {name for initiative in Initiative.objects.all() for name in initiative.names}
    assert phrases and not phrases & names
    assert "二分法" not in phrases and "一区五园" not in phrases


def test_the_command_shows_at_most_limit_candidates():
    output = run("--min-count", "1", "--limit", "3")
    assert len([line for line in output.splitlines() if line.endswith("]")]) == 3
    assert "（列出 3 条）" in output


def test_the_command_refuses_a_minimum_below_one():
    with pytest.raises(CommandError, match="--min-count"):
        run("--min-count", "0")
