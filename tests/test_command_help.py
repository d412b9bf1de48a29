"""The project's management commands explain themselves in plain Chinese: `manage.py help
COMMAND` shows a Chinese description of the command and of each of its options, with no English
sentences (option names, file names, command names and values to type may stand in it as they are)."""

import re

import pytest
from django.core.management import get_commands, load_command_class

CJK = re.compile(r"[\u3400-\u9fff]")
OURS = sorted((name, app) for name, app in get_commands().items() if app in ("archive", "search"))
BUILT_IN = {"help", "version", "verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color", "skip_checks"}
ENGLISH_WORDS = re.compile(r"\b[a-z]{3,} [a-z]{3,} [a-z]{3,}\b")  # three lower-case words in a row: a sentence


def help_texts(name: str, app: str) -> list[tuple[str, str]]:
    command = load_command_class(app, name)
    parser = command.create_parser("manage.py", name)
    texts = [("help", command.help)]
    texts += [(action.dest, action.help) for action in parser._actions if action.dest not in BUILT_IN and action.help]
    return texts


def test_the_project_has_its_management_commands():
    assert {"load_corpus", "import_reports", "export_archive", "rebuild_index", "search"} <= {n for n, _ in OURS}


@pytest.mark.parametrize("name,app", OURS, ids=[n for n, _ in OURS])
def test_every_command_and_option_is_explained_in_plain_chinese(name, app):
    texts = help_texts(name, app)
    assert texts[0][1], f"{name} has no description"
    not_chinese = [(dest, text) for dest, text in texts if not CJK.search(text) or ENGLISH_WORDS.search(text)]
    assert not not_chinese, not_chinese


@pytest.mark.django_db
def test_export_and_a_dry_run_import_say_what_they_hold_in_plain_chinese(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    exported = StringIO()
    call_command("export_archive", str(tmp_path / "a.json"), stdout=exported)
    summary = exported.getvalue().split("）：", 1)[1]
    assert "报道/文献 25" in summary and "署名人" in summary, summary
    assert not re.search(r"[A-Za-z_]{3,}", summary), summary  # no table names such as article, history.section
    with pytest.raises(CommandError) as refused:  # the corpus is there: says what, in words
        call_command("import_archive", str(tmp_path / "a.json"), "--dry-run", stdout=StringIO())
    occupied = str(refused.value).split("已有", 1)[1].split("）", 1)[0]
    assert "报道/文献" in occupied and not re.search(r"[A-Za-z_]{3,}", occupied), str(refused.value)
