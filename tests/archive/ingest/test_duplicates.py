"""Exact and near duplicates of reports (archive/ingest/duplicates.py), on the real corpus: the 25
curated articles (fixtures/corpus) are the existing reports; copies of them are made the ways they
arrive twice (another encoding, another extraction, a reprint), and the raw seed texts
(fixtures/seeds) are the messy extractions the curated articles were made from. No database."""

import itertools
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.ingest.duplicates import (
    MIN_CHARS,
    NUM_PERM,
    SIGNATURE_SIZE,
    THRESHOLD,
    NearDuplicateIndex,
    containment,
    fingerprint,
    is_near_duplicate,
    normalise,
    shingles,
    signature,
    signature_info,
    similarity,
)

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "fixtures" / "corpus"
SEEDS = ROOT / "fixtures" / "seeds"


@cache
def articles() -> tuple[dict, ...]:
    """Every curated article with its full text (title, subtitle, headings, paragraphs, one per
    line) and the raw seed lines it was curated from."""
    found = []
    for path in sorted(CORPUS.glob("*.json")):
        lines = (SEEDS / f"{path.stem}.txt").read_text(encoding="utf-8").split("\n")
        for article in json.loads(path.read_text(encoding="utf-8"))["articles"]:
            parts = [article["title"], article.get("subtitle", "")]
            for section in article["sections"]:
                parts += [section["heading"], *section["paragraphs"]]
            raw = "\n".join("\n".join(lines[start - 1 : end]) for start, end in article["original"])
            found.append(
                {
                    "slug": article["slug"],
                    "series": article.get("series") or path.stem,
                    "title": article["title"],
                    "body": "\n\n".join(p for p in parts[2:] if p),
                    "text": "\n\n".join(p for p in parts if p),
                    "raw": raw,
                }
            )
    return tuple(found)


@cache
def index() -> NearDuplicateIndex:
    return NearDuplicateIndex((a["slug"], signature(a["text"])) for a in articles())


def long_articles(min_chars=500):
    return [a for a in articles() if len(normalise(a["text"])) >= min_chars]


HALF_WIDTH = str.maketrans("，。：；！？（）“”‘’、《》【】「」…—", ",.:;!?()\"\"'',<>[][]~-")


def messy_copy(text: str) -> str:
    """The same report as another extraction sends it: GB18030 bytes decoded, half-width
    punctuation and full-width digits, hard line breaks every 23 characters (mid-word), stray
    spaces, CRLF, a BOM, a zero-width space and markdown heading markers."""
    data = text.encode("gb18030")
    assert data != text.encode("utf-8")
    text = data.decode("gb18030").translate(HALF_WIDTH)
    text = text.translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})
    flat = text.replace("\n\n", "\n")
    wrapped = "\r\n".join(flat[i : i + 23] for i in range(0, len(flat), 23))
    spaced = "".join(c + (" " if i % 41 == 7 else "") for i, c in enumerate(wrapped))
    return "\ufeff# " + spaced[:50] + "\u200b" + spaced[50:] + "\n\n"


def test_normalise_keeps_only_letters_and_digits_lowercased():
    assert normalise("## 株洲：　“制造名城”（ＡＢＣ１２３）、\r\n幸福\u200b株 洲……——·《报》【注】「引」‘单’!?") == (
        "株洲制造名城abc123幸福株洲报注引单"
    )
    assert normalise("ＧＤＰ增长5.4%") == normalise("gdp增长5 . 4 %") == "gdp增长54"
    assert normalise("") == normalise(" \n\t\u3000\u200b\ufeff") == ""
    assert normalise("制\ufe0f造\u034f名\u00ad城\u2060") == "制造名城"  # variation selector, CGJ, soft hyphen


def test_same_article_reencoded_rewrapped_and_half_width_has_the_same_fingerprint():
    for article in articles():
        copy = messy_copy(article["text"])
        assert copy != article["text"]
        assert fingerprint(copy) == fingerprint(article["text"]), article["slug"]
    fingerprints = {fingerprint(a["text"]) for a in articles()}
    assert len(fingerprints) == len(articles())
    assert all(len(f) == 64 and int(f, 16) >= 0 for f in fingerprints)


def test_one_changed_character_changes_the_fingerprint():
    text = articles()[1]["text"]
    assert fingerprint(text.replace("株洲", "湘潭", 1)) != fingerprint(text)


def test_raw_seed_extraction_of_a_short_report_is_an_exact_duplicate_of_the_curated_one():
    # The editor's note: mid-word line break, stray spaces, half-width commas and quotes in the seed.
    note = articles()[0]
    assert note["raw"] != note["text"] and "\n" in note["raw"]
    assert fingerprint(note["raw"]) == fingerprint(note["text"])


def test_raw_seed_extraction_of_each_article_finds_that_article_and_no_other():
    # Curation fixed line breaks and punctuation, and dropped captions, bylines and repeats.
    for article in articles():
        if len(normalise(article["raw"])) < MIN_CHARS:
            continue
        found = index().query(signature(article["raw"]))
        assert [key for key, _ in found] == [article["slug"]], article["slug"]
        assert similarity(article["raw"], article["text"]) >= 0.9


def edited_reprint(article: dict) -> str:
    """Another paper's reprint: its own title line and a byline, two sentences reworded, one
    sentence added."""
    sentences = re.split(r"(?<=[。！？])", article["body"])
    long_ones = [i for i, s in enumerate(sentences) if len(s) >= 20]
    first, second = long_ones[len(long_ones) // 3], long_ones[2 * len(long_ones) // 3]
    s = sentences[first]
    sentences[first] = s[: len(s) // 2] + "进一步" + s[len(s) // 2 :]
    s = sentences[second]
    sentences[second] = s[:6] + "有关方面" + s[10:]
    sentences.insert(second + 1, "据了解，相关经验做法已在全省推广。")
    return "改革一线观察丨" + article["title"][::-1] + "\n本报记者 王晓明 通讯员 刘芳\n" + "".join(sentences)


def test_lightly_edited_reprint_is_a_near_duplicate_of_its_article_only():
    # From 600 normalised characters: on a shorter report the same edits are a fifth of the text.
    subjects = long_articles(600)
    assert len(subjects) >= 20
    for article in subjects:
        reprint = edited_reprint(article)
        assert fingerprint(reprint) != fingerprint(article["text"])
        assert 0.8 <= similarity(reprint, article["text"]) < 1.0, article["slug"]
        assert is_near_duplicate(reprint, article["text"])
        found = index().matches(signature(reprint))
        assert [m.key for m in found] == [article["slug"]], article["slug"]
        assert found[0].reason == "jaccard" and found[0].score == found[0].jaccard >= THRESHOLD
        reprint_shingles = shingles(reprint)
        for other in articles():
            if other is not article:
                other_shingles = shingles(other["text"])
                assert len(reprint_shingles & other_shingles) / len(reprint_shingles | other_shingles) < 0.1
                assert len(reprint_shingles & other_shingles) / len(other_shingles) < 0.3


def test_different_articles_of_one_series_are_not_near_duplicates():
    texts = [a["text"] for a in articles()]
    sets = [shingles(t) for t in texts]
    jaccards = {
        (i, j): len(sets[i] & sets[j]) / len(sets[i] | sets[j]) for i, j in itertools.combinations(range(len(texts)), 2)
    }
    (i, j), highest = max(jaccards.items(), key=lambda item: item[1])
    assert similarity(texts[i], texts[j]) == highest
    contained = max(len(sets[i] & sets[j]) / len(sets[i]) for i, j in itertools.permutations(range(len(texts)), 2))
    print(
        f"\nhighest cross-article similarity among {len(texts)} curated articles: {highest:.3f} "
        f"({articles()[i]['title']} / {articles()[j]['title']}); highest containment {contained:.3f}"
    )
    # They do share vocabulary: the same pair's two-character words overlap far more.
    bigrams = [shingles(t, n=2) for t in (texts[i], texts[j])]
    assert len(bigrams[0] & bigrams[1]) / len(bigrams[0] | bigrams[1]) > 3 * highest
    assert articles()[i]["series"] == articles()[j]["series"]
    assert highest < 0.1 and contained < 0.3  # the thresholds (0.8, 0.9) sit far above
    for article in articles():
        found = index().query(signature(article["text"]), threshold=0.3, containment_threshold=0.5)
        assert found == [(article["slug"], 1.0)]


def test_first_half_reprint_is_found_through_containment():
    for article in long_articles():
        text = article["text"]
        half = text[: len(text) // 2]
        assert containment(half, text) >= 0.95 and similarity(half, text) < 0.6
        assert is_near_duplicate(half, text) and not is_near_duplicate(half, text, containment_threshold=None)
        matches = index().matches(signature(half))
        assert [m.key for m in matches] == [article["slug"]], article["slug"]
        assert matches[0].reason == "query_contained" and matches[0].query_in_candidate >= 0.9
        assert matches[0].jaccard < THRESHOLD and matches[0].score == matches[0].query_in_candidate
        assert index().query(signature(half), containment_threshold=None) == []


def test_full_report_arriving_after_its_shortened_reprint_is_found_too():
    halves = NearDuplicateIndex((a["slug"], signature(a["text"][: len(a["text"]) // 2])) for a in long_articles())
    for article in long_articles():
        matches = halves.matches(signature(article["text"]))
        assert [m.key for m in matches] == [article["slug"]]
        assert matches[0].reason == "candidate_contained"


def test_short_texts_are_only_exact_duplicates():
    short = "全力实施“国资国企改革十大专项行动”"
    long_text = articles()[3]["text"]
    assert len(normalise(short)) < MIN_CHARS and short in long_text
    idx = NearDuplicateIndex([("short", signature(short)), ("long", signature(long_text))])
    assert len(idx) == 2
    assert idx.query(signature(short)) == []
    assert idx.query(signature(short + "。")) == []
    assert idx.query(signature(long_text)) == [("long", 1.0)]
    assert not is_near_duplicate(short, short)
    assert fingerprint(short) == fingerprint(short + "。")
    assert signature_info(signature(short))["short"] is True


def test_removed_and_replaced_reports_are_no_longer_found():
    first, second = long_articles()[:2]
    idx = NearDuplicateIndex([(1, signature(first["text"])), (2, signature(second["text"]))])
    assert idx.query(signature(first["text"])) == [(1, 1.0)]
    idx.remove(1)
    assert len(idx) == 1 and 1 not in idx
    assert idx.query(signature(first["text"])) == []
    with pytest.raises(KeyError):
        idx.remove(1)
    idx.add(2, signature(first["text"]))  # key 2 now holds the first article
    assert len(idx) == 1
    assert idx.query(signature(second["text"])) == []
    assert idx.query(signature(first["text"])) == [(2, 1.0)]
    idx.remove(2)
    assert len(idx) == 0 and not any(idx._hashes) and not any(idx._rows)  # no entry left behind


def test_index_built_in_bulk_answers_like_one_built_report_by_report():
    items = [(a["slug"], signature(a["text"])) for a in articles()]
    items += [(a["slug"] + "/half", signature(a["text"][: len(a["text"]) // 2])) for a in articles()]
    items += [(a["slug"] + "/reprint", signature(edited_reprint(a))) for a in long_articles(600)]
    assert len(items) >= 64  # update() sorts the bands once from 64 items on
    bulk = NearDuplicateIndex(items + [(items[0][0], items[1][1])])  # a key twice: the last wins
    one_by_one = NearDuplicateIndex()
    for key, sig in items + [(items[0][0], items[1][1])]:
        one_by_one.add(key, sig)
    assert len(bulk) == len(one_by_one) == len(items)
    for _, sig in items:
        assert bulk.matches(sig) == one_by_one.matches(sig)
    # Equal scores come in order of insertion, and a replaced key counts as inserted last.
    assert bulk.query(items[1][1])[:2] == [(items[1][0], 1.0), (items[0][0], 1.0)]
    for key, _ in items[::2]:
        bulk.remove(key)
        one_by_one.remove(key)
    bulk.update(items[:10])
    for key, sig in items[:10]:
        one_by_one.add(key, sig)
    for _, sig in items:
        assert bulk.matches(sig) == one_by_one.matches(sig)


def test_signature_is_deterministic_compact_and_checked():
    text = articles()[1]["text"]
    sig = signature(text)
    assert isinstance(sig, bytes) and len(sig) == SIGNATURE_SIZE == 16 + 4 * NUM_PERM
    assert signature(text) == sig
    assert signature(messy_copy(text)) == sig  # what the signature sees is the normalised text
    info = signature_info(sig)
    assert info["chars"] == len(normalise(text)) and info["num_perm"] == NUM_PERM and info["ngram"] == 5
    assert signature(text + "补一句新的内容。") != sig
    with pytest.raises(ValueError):
        NearDuplicateIndex().add("x", sig[:-4])
    with pytest.raises(ValueError):
        NearDuplicateIndex().add("x", sig[:2] + b"\x09" + sig[3:])  # another format version


def test_signature_is_the_same_in_another_process():
    code = (
        "import sys, json; from archive.ingest.duplicates import signature; "
        "sys.stdout.write(signature(json.load(sys.stdin)).hex())"
    )
    texts = [articles()[1]["text"], articles()[0]["text"][:60]]  # long; short (densified bins)
    for text in texts:
        out = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(text),
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": "12345"},
            check=True,
        ).stdout
        assert bytes.fromhex(out) == signature(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once
    assert fingerprint(once) == fingerprint(text)


NOISE = list(" \t\n\r\u3000\u00a0\u200b\u200d\ufeff\u00ad#*>-，。、；：？！…—·“”‘’《》「」（）【】,.;:?!\"'()[]")


@settings(max_examples=200, deadline=None)
@given(
    article=st.sampled_from(range(len(articles()))),
    insertions=st.lists(st.tuples(st.floats(0, 1), st.text(alphabet=NOISE, min_size=1, max_size=3)), max_size=30),
)
def test_inserting_whitespace_and_punctuation_does_not_change_the_fingerprint(article, insertions):
    text = articles()[article]["text"]
    noisy = text
    for where, noise in insertions:
        at = int(where * len(noisy))
        noisy = noisy[:at] + noise + noisy[at:]
    assert fingerprint(noisy) == fingerprint(text)
