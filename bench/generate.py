"""A deterministic synthetic corpus recombined from the real one.

Sentences of the curated reports are shuffled into articles of 1–12 sections, with departments,
authors, years and kinds drawn from realistic distributions. Common words (改革, 发展, 园区) end
up in most sections because the real sentences are full of them; a pool of rare names (people
and projects, each used a few times) gives the rare-word query classes something to find.

Sentences are drawn with Zipf-like weights (rank ** -ZIPF_S over a seeded shuffle) rather than
uniformly: with ~750 real sentences a uniform draw would put every real word in hundreds of
sections at 100k, leaving no rare words; the skew gives the long tail a real archive has.
"""

import itertools
import json
import random
import re
from dataclasses import dataclass

from django.conf import settings

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍鹏辉玲建国红志文斌宇浩凯健俊帆琳晨欣雪梅亮成波宁坤"
ZIPF_S = 0.6
KINDS = [("news", 40), ("feature", 20), ("research", 20), ("reply", 10), ("commentary", 5), ("interview", 5)]


@dataclass
class SyntheticSection:
    heading: str
    body: str


@dataclass
class SyntheticArticle:
    title: str
    kind: str
    year: int
    sections: list[SyntheticSection]
    departments: list[str]  # slugs
    authors: list[str]  # names


def sentence_pool() -> tuple[list[str], list[str]]:
    sentences, headings = [], []
    for path in sorted((settings.FIXTURES_DIR / "corpus").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for article in data["articles"]:
            for section in article["sections"]:
                if section.get("heading"):
                    headings.append(section["heading"])
                for paragraph in section["paragraphs"]:
                    sentences += [s for s in re.findall(r"[^。！？]+[。！？]?", paragraph) if len(s) >= 8]
    return sentences, headings


def rare_names(rng: random.Random, n: int) -> list[str]:
    names = set()
    while len(names) < n:
        names.add(rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN))
    return sorted(names)


def generate(n_sections: int, seed: int = 7, department_slugs: list[str] = ()) -> list[SyntheticArticle]:
    rng = random.Random(seed)
    sentences, headings = sentence_pool()
    ranks = list(range(1, len(sentences) + 1))
    rng.shuffle(ranks)
    cum_weights = list(itertools.accumulate(rank**-ZIPF_S for rank in ranks))
    people = rare_names(rng, max(50, n_sections // 40))
    kinds = [k for k, w in KINDS for _ in range(w)]
    articles, made = [], 0
    while made < n_sections:
        count = min(rng.choice([1, 1, 2, 3, 3, 4, 5, 6, 8, 10, 12]), n_sections - made)
        sections = []
        for i in range(count):
            body_sentences = rng.choices(sentences, cum_weights=cum_weights, k=rng.randint(3, 9))
            if rng.random() < 0.15:  # a rare name, in few sections
                body_sentences.insert(rng.randrange(len(body_sentences) + 1), f"{rng.choice(people)}介绍了有关情况。")
            paragraphs, current = [], []
            for sentence in body_sentences:
                current.append(sentence)
                if rng.random() < 0.35:
                    paragraphs.append("".join(current))
                    current = []
            if current:
                paragraphs.append("".join(current))
            heading = "" if i == 0 else rng.choice(headings)
            sections.append(SyntheticSection(heading, "\n".join(paragraphs)))
        title = rng.choice(headings)[:40]
        departments = rng.sample(list(department_slugs), k=min(len(department_slugs), rng.choice([0, 1, 1, 2, 3])))
        authors = rng.sample(people, k=rng.choice([0, 1, 1, 2]))
        articles.append(SyntheticArticle(title, rng.choice(kinds), rng.randint(2012, 2025), sections, departments, authors))
        made += count
    return articles


def load(articles: list[SyntheticArticle]) -> dict:
    """Write the synthetic articles (published) in bulk, with authors, departments and mentions
    (the real linker), skipping per-save signals; returns counts."""
    import datetime

    from django.db import connection, transaction

    from archive import linking
    from archive.models import (
        Article,
        ArticleDepartment,
        Authorship,
        Department,
        Initiative,
        Mention,
        Person,
        Section,
    )
    from archive.slugs import ascii_slug

    departments = {d.slug: d.pk for d in Department.objects.all()}
    patterns = linking.build_patterns(Initiative.objects.all())
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # At a million sections the deferred foreign-key checks run at COMMIT take longer than
            # DATABASE_STATEMENT_TIMEOUT (which bounds web requests, config/settings.py).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 0")
        people = {}
        for article in articles:
            for name in article.authors:
                people.setdefault(name, None)
        existing = {p.name: p.pk for p in Person.objects.filter(name__in=list(people))}
        new_people = [Person(name=n, slug=f"bench-{ascii_slug(n)}-{i}") for i, n in enumerate(people) if n not in existing]
        Person.objects.bulk_create(new_people, batch_size=2000)
        existing.update({p.name: p.pk for p in Person.objects.filter(name__in=list(people))})
        objs = [
            Article(
                title=a.title, kind=a.kind, date=datetime.date(a.year, 1, 1), date_precision="year",
                status="published", slug=f"bench-{i}", original_text="", editorial_note="合成的基准测试语料。",
            )
            for i, a in enumerate(articles)
        ]
        Article.objects.bulk_create(objs, batch_size=2000)
        ids = dict(Article.objects.filter(slug__startswith="bench-").values_list("slug", "pk"))
        sections, roles, authorships = [], [], []
        for i, a in enumerate(articles):
            aid = ids[f"bench-{i}"]
            for order, s in enumerate(a.sections, 1):
                sections.append(Section(article_id=aid, order=order, heading=s.heading, body=s.body, anchor=f"s{order}"))
            roles += [ArticleDepartment(article_id=aid, department_id=departments[d], role="subject") for d in a.departments]
            authorships += [Authorship(article_id=aid, person_id=existing[n], order=k) for k, n in enumerate(a.authors)]
        Section.objects.bulk_create(sections, batch_size=5000)
        ArticleDepartment.objects.bulk_create(roles, batch_size=5000)
        Authorship.objects.bulk_create(authorships, batch_size=5000)
        mentions = []
        for sid, heading, body in Section.objects.filter(article__slug__startswith="bench-").values_list("pk", "heading", "body").iterator(chunk_size=5000):
            for initiative_id, matches in linking.mentions_in_section(heading, body, patterns).items():
                mentions.append(Mention(section_id=sid, initiative_id=initiative_id, count=len(matches),
                                        offsets=[[m.field, m.start, m.end] for m in matches]))
        Mention.objects.bulk_create(mentions, batch_size=5000)
    return {"articles": len(objs), "sections": len(sections), "mentions": len(mentions), "people": len(existing)}
