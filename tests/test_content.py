"""Content files: staff get file, line and fix for every mistake; users keep the last good answer."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from bot.content import Catalogue, ContentStore, check_content_dir, parse_content_file
from tests.conftest import ROOT

GOOD = textwrap.dedent("""\
    version: 1
    topic: fraud_report
    reviewed: 2026-11-20
    related: [fraud_recruitment_fees]
    sources:
      - name: ANAPEC
        url: https://www.anapec.org
    ar:
      title: كيف أبلغ عن نصب؟
      answer: |
        بلّغ الشرطة.
    fr:
      title: Comment signaler ?
      answer: |
        Signalez à la police.
      more: |
        Détails.
    en:
      title: How do I report?
      answer: |
        Report to the police.
    """)


def write(tmp_path: Path, text: str, name: str = "fraud_report") -> Path:
    path = tmp_path / "topics" / f"{name}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path, catalogue: Catalogue) -> list[str]:
    _, problems = parse_content_file(path, catalogue, today=dt.date(2026, 11, 24))
    return [str(p) for p in problems if p.severity == "error"]


def test_a_valid_file_loads_in_three_languages(tmp_path: Path, catalogue: Catalogue) -> None:
    content, problems = parse_content_file(write(tmp_path, GOOD), catalogue, today=dt.date(2026, 11, 24))
    assert problems == []
    assert content is not None
    assert content.text("fr").more == "Détails."
    assert content.text("ar").title == "كيف أبلغ عن نصب؟"
    assert content.sources[0].url == "https://www.anapec.org"
    assert content.related == ("fraud_recruitment_fees",)


def test_a_misspelt_key_names_line_and_suggests_the_fix(tmp_path: Path, catalogue: Catalogue) -> None:
    path = write(tmp_path, GOOD.replace("  title: Comment signaler ?", "  titel: Comment signaler ?"))
    errors = errors_of(path, catalogue)
    assert any(":13: error: unknown key 'titel' in 'fr' (did you mean 'title'?)" in e for e in errors), errors
    assert any("missing 'title' in 'fr'" in e for e in errors), errors


def test_broken_yaml_is_reported_with_its_line(tmp_path: Path, catalogue: Catalogue) -> None:
    path = write(tmp_path, GOOD.replace("    url: https://www.anapec.org", "   url: [https://x"))
    errors = errors_of(path, catalogue)
    assert len(errors) == 1 and "not valid YAML" in errors[0]
    assert f"{path}:7:" in errors[0] or f"{path}:8:" in errors[0]


@pytest.mark.parametrize("change, message", [
    (("url: https://www.anapec.org", "url: http://www.anapec.org"), "must start with https://"),
    (("reviewed: 2026-11-20", "reviewed: 2027-01-01"), "is in the future"),
    (("reviewed: 2026-11-20", "reviewed: 20/11/2026"), "write it as YYYY-MM-DD"),
    (("topic: fraud_report", "topic: fraud_reprot"), "did you mean 'fraud_report'"),
    (("related: [fraud_recruitment_fees]", "related: [greet]"), "not an answer topic"),
    (("en:\n  title: How do I report?\n  answer: |\n    Report to the police.\n", ""), "missing 'en'"),
])
def test_each_mistake_gets_a_readable_error(tmp_path: Path, catalogue: Catalogue,
                                            change: tuple[str, str], message: str) -> None:
    errors = errors_of(write(tmp_path, GOOD.replace(*change)), catalogue)
    assert any(message in e for e in errors), errors


def test_an_answer_too_long_for_a_phone_is_refused(tmp_path: Path, catalogue: Catalogue) -> None:
    long = GOOD.replace("Report to the police.", "word " * 300)
    assert any("more than 900" in e and "move details to 'more'" in e for e in errors_of(write(tmp_path, long), catalogue))


def test_the_store_keeps_the_last_good_version_and_reloads_fixes(tmp_path: Path, catalogue: Catalogue) -> None:
    path = write(tmp_path, GOOD)
    store = ContentStore(tmp_path, catalogue, check_interval=0)
    assert store.get("fraud_report").text("en").answer == "Report to the police."

    path.write_text(GOOD.replace("topic: fraud_report", "topic: [broken"), encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a new signature even within the same mtime tick
    assert store.get("fraud_report").text("en").answer == "Report to the police."
    assert any(p.severity == "error" for p in store.problems)

    path.write_text(GOOD.replace("Report to the police.", "Call 19."), encoding="utf-8")
    assert store.get("fraud_report").text("en").answer == "Call 19."


def test_the_repository_content_is_valid(catalogue: Catalogue) -> None:
    contents, problems = check_content_dir(ROOT / "content", catalogue)
    assert [str(p) for p in problems if p.severity == "error"] == []
    for topic in catalogue.answer_topics():
        assert topic in contents, f"{topic} has no content"


def test_a_missing_answer_file_is_reported(tmp_path: Path, catalogue: Catalogue) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "content" / "topics" / "fraud_report.yml").unlink()
    _, problems = check_content_dir(tmp_path / "content", catalogue)
    assert any("'fraud_report' has no content file" in str(p) for p in problems)
