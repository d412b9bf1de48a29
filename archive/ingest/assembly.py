"""Assembly: a raw text's units split into reports (titles first or titles last), each filled in
as a draft with the verbatim lines it came from."""

import re

from archive.ingest.dates import parse_date
from archive.ingest.decoding import split_lines
from archive.ingest.drafts import DraftReport, DraftSection
from archive.ingest.layout import Unit, clean_lines
from archive.ingest.masthead import parse_masthead
from archive.models import (
    Article,
    parse_partial_date,
)

_AUX = ("caption", "pageheader", "meta")


def _title_block_end(units: list[Unit], i: int, *, subtitle_is_enough: bool) -> int | None:
    """If a title block starts at units[i] (title lines, then a subtitle and/or a byline), the
    index of its last unit."""
    k = i
    while k < len(units) and units[k].kind == "heading" and not units[k].numbered and units[k].level <= 1:
        k += 1
    if k == i:
        return None
    has_subtitle = k < len(units) and units[k].kind == "subtitle"
    k += has_subtitle
    bylines = 0
    while k < len(units) and units[k].kind == "byline" and units[k].authors:
        bylines, k = bylines + 1, k + 1
    if bylines or (has_subtitle and subtitle_is_enough):
        return k - 1
    return None


def _has_body(group: list[Unit]) -> bool:
    return any(u.kind in ("para", "editor") for u in group)


def titles_follow_bodies(units: list[Unit]) -> bool:
    """Some extracted pages print each title and byline after its text (a page of summaries set
    in columns). Then the file opens with body text and closes with a byline."""
    core = [u for u in units if u.kind not in _AUX + ("editor",)]
    if not core or core[0].kind != "para" or core[-1].kind != "byline" or core[-1].bracketed:
        return False
    blocks = sum(1 for i in range(len(units)) if _title_block_end(units, i, subtitle_is_enough=False) is not None)
    return blocks >= 2


def _next_index(units, i):
    j = i + 1
    while j < len(units) and units[j].kind in _AUX:
        j += 1
    return j if j < len(units) else None


def _split_titles_first(units: list[Unit]) -> list[list[Unit]]:
    """The usual layout: a report begins at its head (lead-in, kicker, '#' title, a title with a
    byline, an editor's note) or after a byline that closed the report before."""
    groups: list[list[Unit]] = []
    current: list[Unit] | None = None
    closed = False
    for i, unit in enumerate(units):
        start = False
        if unit.kind in ("editor", "leadin"):
            start = True
        elif unit.kind == "heading" and unit.level == 1:
            start = True
        elif unit.kind == "heading" and unit.level >= 2:
            j = _next_index(units, i)
            if j is not None and units[j].kind == "heading" and units[j].level == 1:
                unit.kind = "kicker"
                start = True
        elif unit.kind == "heading" and not unit.numbered and _title_block_end(units, i, subtitle_is_enough=False) is not None:
            start = True
        if closed and unit.kind not in _AUX:
            start = True
        if start and current is not None and not closed and not _has_body(current) and unit.kind != "editor":
            start = False  # still the head of the current report: lead-in, kicker, title, byline
        if start or current is None:
            current, closed = [], False
            groups.append(current)
        current.append(unit)
        closed = closed or _editor_done(current)
        if unit.kind == "byline" and unit.bracketed and _has_body(current[:-1]):
            closed = True  # a bracketed byline after text ends the report: ……动力。（郭淑珍）
    return groups


def _editor_done(group: list[Unit]) -> bool:
    """An editor's note is one paragraph: after it, the next report begins."""
    if group[0].kind != "editor":
        return False
    return bool(group[0].text) or any(u.kind == "para" for u in group)


def _split_titles_last(units: list[Unit]) -> list[list[Unit]]:
    """Titles after their text: each title block (title lines, subtitle, byline) ends the report
    whose text came before it; one with no text before it is an orphan, kept and reported."""
    groups: list[list[Unit]] = []
    current: list[Unit] | None = None
    closed = False
    i = 0
    while i < len(units):
        unit = units[i]
        if unit.kind == "editor":
            current = [unit]
            closed = _editor_done(current)
            groups.append(current)
            i += 1
            continue
        end = _title_block_end(units, i, subtitle_is_enough=True)
        if end is not None:
            block = units[i : end + 1]
            for u in block:
                u.title_block = True
            if current is not None and not closed and _has_body(current):
                current.extend(block)
                closed = True
            elif groups:
                for u in block:
                    u.orphan = True
                groups[-1].extend(block)
            else:
                current, closed = list(block), False
                groups.append(current)
            i = end + 1
            continue
        if current is None or (closed and unit.kind not in _AUX):
            current, closed = [], False
            groups.append(current)
        current.append(unit)
        closed = closed or _editor_done(current)
        if unit.kind == "byline" and unit.bracketed and _has_body(current[:-1]):
            closed = True  # a bracketed byline after text ends the report: ……动力。（郭淑珍）
        i += 1
    return groups


def _merge_bodiless(groups: list[list[Unit]]) -> list[list[Unit]]:
    """A stretch with no text of its own (a stray title, a caption after the last byline) goes
    with the report before it, or the one after it at the start of the file."""
    merged: list[list[Unit]] = []
    carry: list[Unit] = []
    for group in groups:
        if _has_body(group):
            merged.append(carry + group)
            carry = []
        elif merged:
            for u in group:
                u.orphan = True
            merged[-1].extend(group)
        else:
            carry.extend(group)
    if carry:
        merged.append(carry)
    return merged


def _join_title(parts: list[Unit]) -> str:
    text = ""
    for previous, unit in zip([None] + parts, parts):
        if previous is not None and previous.lines[-1] + 1 == unit.lines[0]:
            text += (" " if " " in previous.text else "") + unit.text
        elif previous is not None:
            text += " " + unit.text
        else:
            text = unit.text
    return text


def _title_runs(parts: list[Unit]) -> list[list[Unit]]:
    """Title lines printed on consecutive lines belong to one title."""
    runs: list[list[Unit]] = []
    for unit in parts:
        if runs and runs[-1][-1].lines[-1] + 1 == unit.lines[0]:
            runs[-1].append(unit)
        else:
            runs.append([unit])
    return runs


def _line_list(numbers) -> str:
    numbers = sorted(set(numbers))
    shown = "、".join(str(n) for n in numbers[:8])
    return f"第{shown}行" + ("等" if len(numbers) > 8 else "")


def _assemble(group: list[Unit], *, titles_last: bool, raw: dict[int, str]) -> DraftReport:
    report = DraftReport()
    title_parts: list[Unit] = []
    kicker = ""
    body_started = False
    seen_paragraphs: dict[str, int] = {}
    joins, spaces, bold, moved_captions, bylines_moved = [], 0, 0, [], []
    headed_sections = 0
    skip = set()

    def section(heading=""):
        report.sections.append(DraftSection(heading))
        return report.sections[-1]

    for index, unit in enumerate(group):
        if index in skip:
            continue
        spaces += unit.spaces
        bold += unit.bold
        joins += [(a, b, why) for a, b, why in unit.joins]
        first = unit.lines[0]
        if unit.orphan:
            report.unsure(first, raw[first], "不属于任何一篇正文的标题、署名或图片说明，暂归本篇，请核对归属")
            if unit.kind != "caption":
                continue
            unit.why = ""
        if unit.kind == "editor":
            report.kind = Article.Kind.EDITOR_NOTE
            title_parts = title_parts or [Unit("heading", unit.marker, unit.lines)]
            if unit.text:
                section().paragraphs.append(unit.text)
            body_started = True
        elif unit.kind == "para":
            body_started = True
            if not report.sections:
                section()
            report.sections[-1].paragraphs.append(unit.text)
            if len(unit.text) >= 15:
                if unit.text in seen_paragraphs:
                    report.unsure(first, raw[first], f"与第{seen_paragraphs[unit.text]}行起的段落完全相同（疑为重复排印）")
                seen_paragraphs.setdefault(unit.text, first)
        elif unit.kind == "heading" and (
            unit.title_block or (not titles_last and not body_started and not unit.numbered and unit.level <= 1)
        ):
            title_parts.append(unit)
        elif unit.kind == "heading":
            after = group[index + 1] if index + 1 < len(group) else None
            if (
                not titles_last
                and headed_sections == 0
                and not unit.numbered
                and after is not None
                and after.kind == "subtitle"
                and not report.subtitle
            ):
                # A title with its subtitle inside the lead: the earlier "title" was a column name.
                for old in title_parts:
                    report.unsure(old.lines[0], raw[old.lines[0]], "先出现的标题行，其后另有带副题的标题，疑为栏目名或引题")
                title_parts = [unit]
                report.subtitle = after.text
                skip.add(index + 1)
                report.changes.append(f"标题及副题取自第{unit.lines[0]}、{after.lines[0]}行")
                continue
            previous = report.sections[-1] if report.sections else None
            if previous is not None and previous.heading and not previous.paragraphs and (
                previous.heading.startswith("【") and previous.heading.endswith("】")
                or (not unit.numbered and group[index - 1].kind == "heading" and group[index - 1].lines[-1] + 1 == first)
            ):
                previous.heading += unit.text  # a heading printed on two lines
                continue
            section(unit.text)
            headed_sections += 1
        elif unit.kind == "kicker":
            kicker = unit.text
        elif unit.kind == "subtitle":
            if title_parts and not report.subtitle and (unit.title_block or not body_started):
                report.subtitle = unit.text
            else:
                if not report.sections:
                    section()
                report.sections[-1].paragraphs.append("——" + unit.text)
        elif unit.kind == "byline":
            for author in unit.authors:
                if author.name not in {a.name for a in report.authors}:
                    report.authors.append(author)
            if unit.department and unit.department not in report.departments:
                report.departments.append(unit.department)
            bylines_moved.append(first)
        elif unit.kind in ("leadin", "department"):
            if unit.department not in report.departments:
                report.departments.append(unit.department)
            label = "单位引题" if unit.kind == "leadin" else unit.why or "单位署名"
            report.changes.append(f"{label}“{unit.department}”（第{first}行）记为撰稿单位")
        elif unit.kind == "docnum":
            if not report.doc_number:
                report.doc_number = unit.text
        elif unit.kind == "date":
            found = parse_date(unit.text)
            if found and report.date is None:
                report.date, report.date_precision = found
                report.changes.append(f"日期取自第{first}行")
        elif unit.kind == "caption":
            report.captions.append(unit.text)
            moved_captions.append(first)
            for author in unit.authors:
                if author.name not in {a.name for a in report.authors}:
                    report.authors.append(author)
            if unit.why:
                report.unsure(first, raw[first], unit.why)
        elif unit.kind == "pageheader":
            masthead = parse_masthead(unit.text)
            if masthead is None:
                report.unsure(first, raw[first], "疑为页眉或页码，未收入正文")
                continue
            noted = []
            if masthead.source and not report.source:
                report.source = masthead.source
                noted.append(f"出处记为{masthead.source}")
            if masthead.page and not report.page:
                report.page = masthead.page
                noted.append(f"版次记为{masthead.page}")
            if masthead.date and report.date is None:
                report.date, report.date_precision = masthead.date, masthead.date_precision
                noted.append("日期取自报头")
            if noted:
                report.changes.append(f"报头“{unit.text}”（第{first}行）：" + "，".join(noted))
        elif unit.kind == "meta":
            report.unsure(first, raw[first], "联系方式等公文附注，未收入正文")

    runs = _title_runs([u for u in title_parts if not u.orphan])
    if runs:
        title_run = runs[0] if titles_last else runs[-1]
        report.title = _join_title(title_run)
        for run in runs:
            if run is not title_run:
                for u in run:
                    report.unsure(u.lines[0], raw[u.lines[0]], "标题区另有一行，疑为栏目名或引题")
        where = title_run[0].lines[0]
        if titles_last and report.kind != Article.Kind.EDITOR_NOTE:
            report.changes.append(f"标题（第{where}行）原排在正文之后，移作标题")
    if kicker:
        if report.subtitle:
            report.changes.append(f"引题“{kicker}”未收入")
        else:
            report.subtitle = kicker
    if not report.title:
        report.title = _fallback_title(report)
        report.unsure(group[0].lines[0], raw[group[0].lines[0]], f"未找到标题，暂以“{report.title}”为题")
    if report.kind != Article.Kind.EDITOR_NOTE and report.doc_number and "答复" in report.title + "".join(
        s.body for s in report.sections[:1]
    ):
        report.kind = Article.Kind.REPLY
    if report.date is None and report.doc_number:
        year = re.search(r"(?:19|20)\d{2}", report.doc_number)
        report.date, report.date_precision = parse_partial_date(year.group(0))
        report.date_inferred = True
        report.changes.append(f"日期推定：正文未印日期，据文号{report.doc_number}定为{year.group(0)}年")

    uncertain_joins = [a for a, b, why in joins if why == "long line"]
    across = [(a, b) for a, b, why in joins if why]
    if across:
        shown = "、".join(f"{a}/{b}" for a, b in across[:6]) + ("等" if len(across) > 6 else "")
        report.changes.append(f"断行接合{len(across)}处（第{shown}行）")
    for a in uncertain_joins:
        report.unsure(a, raw[a], "行末没有句末标点，已与下一行接成一段，请核对")
    if spaces:
        report.changes.append(f"删去字间多余空格{spaces}处")
    if bold:
        report.changes.append(f"删去加粗标记**{bold}处")
    if any(u.level for u in group if u.kind in ("heading", "subtitle", "kicker")):
        report.changes.append("去掉标题前的“#”标记")
    if moved_captions:
        report.changes.append(f"图片说明（{_line_list(moved_captions)}）移出正文")
    if bylines_moved:
        report.changes.append(f"署名（{_line_list(bylines_moved)}）移出正文")
    return report


def _fallback_title(report: DraftReport) -> str:
    for section in report.sections:
        if section.heading:
            return section.heading
        for paragraph in section.paragraphs:
            sentence = re.split(r"[。！？!?；;]", paragraph)[0]
            return sentence[:30] + ("…" if len(sentence) > 30 else "")
    return "（无标题）"


def parse(text: str) -> list[DraftReport]:
    """The reports in a raw text, each with the verbatim lines it came from."""
    lines = split_lines(text)
    units = clean_lines(lines)
    if not units:
        return []
    titles_last = titles_follow_bodies(units)
    groups = _split_titles_last(units) if titles_last else _split_titles_first(units)
    groups = _merge_bodiless([g for g in groups if g])
    raw = {line.number: line.text for line in lines}
    last_text_line = max(line.number for line in lines if line.stripped)
    reports = []
    starts = [min(n for u in g for n in u.lines) for g in groups]
    for k, group in enumerate(groups):
        report = _assemble(group, titles_last=titles_last, raw=raw)
        first = starts[k]
        last = starts[k + 1] - 1 if k + 1 < len(groups) else last_text_line
        last = max([last] + [n for u in group for n in u.lines])
        while last > first and not raw[last].strip():
            last -= 1
        report.first_line, report.last_line = first, last
        report.original = "".join(line.text + line.ending for line in lines[first - 1 : last])
        report.uncertain.sort(key=lambda item: item["line"])
        reports.append(report)
    return reports
