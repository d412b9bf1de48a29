"""ASCII slugs for Chinese names: 株洲市国资委 → zhu-zhou-shi-guo-zi-wei.

pypinyin is imported on first use: its phrase dictionary takes about 55 MB, and a serving
process that only reads never makes a slug."""

import re

from django.utils.text import slugify


def ascii_slug(text: str, max_length: int = 60) -> str:
    from pypinyin import lazy_pinyin

    words = lazy_pinyin(text, errors=lambda chars: [slugify(chars)])
    slug = slugify("-".join(w for w in words if w))
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    return slug[:max_length].rstrip("-") or "x"


def unique_slug(model, text: str, max_length: int = 60, exclude_pk=None) -> str:
    base = ascii_slug(text, max_length=max_length - 4)
    slug, n = base, 2
    existing = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while existing.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
