"""nlu/ follows the topic catalogue; the held-out split stays held out; the contract is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.cli import main
from bot.content import Catalogue, load_catalogue
from bot.nlu_files import check_nlu, render_domain
from tests.conftest import ROOT

SHARED_TOPICS = ROOT.parent / "shared" / "topics.yml"


def test_every_contract_topic_is_in_the_catalogue(catalogue: Catalogue) -> None:
    if SHARED_TOPICS.exists():  # shared/ sits beside the clone in CI and on developers' machines
        assert set(load_catalogue(SHARED_TOPICS).topics) <= set(catalogue.topics)
    assert len(catalogue.answer_topics()) >= 36


def test_the_repository_nlu_data_is_consistent(catalogue: Catalogue) -> None:
    assert [str(p) for p in check_nlu(catalogue, ROOT / "nlu")] == []


def test_a_topic_without_examples_is_reported(tmp_path: Path, catalogue: Catalogue) -> None:
    shutil.copytree(ROOT / "nlu", tmp_path / "nlu")
    (tmp_path / "nlu" / "data" / "extra.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hey\n    - yo\n'
        '- intent: weather_talk\n  examples: |\n    - sunny\n', encoding="utf-8")
    problems = [str(p) for p in check_nlu(catalogue, tmp_path / "nlu")]
    assert any("topic 'fraud_report' needs training examples in extra" in p for p in problems)
    assert any("intent 'weather_talk' is not a topic" in p for p in problems)


def test_a_stale_domain_is_reported(tmp_path: Path, catalogue: Catalogue) -> None:
    shutil.copytree(ROOT / "nlu", tmp_path / "nlu")
    domain = tmp_path / "nlu" / "domain.yml"
    domain.write_text(render_domain(catalogue).replace("- fraud_report\n", "", 1), encoding="utf-8")
    assert any("run 'orient nlu sync'" in str(p) for p in check_nlu(catalogue, tmp_path / "nlu"))


def test_content_check_exits_non_zero_on_errors(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "nlu", tmp_path / "nlu")
    bad = tmp_path / "content" / "topics" / "fraud_report.yml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    monkeypatch.setenv("ORIENT_ROOT", str(tmp_path))
    assert main(["content", "check"]) == 1
    out = capsys.readouterr().out
    assert "content/topics/fraud_report.yml:" in out and "did you mean 'title'?" in out

    monkeypatch.setenv("ORIENT_ROOT", str(ROOT))
    assert main(["content", "check"]) == 0


def test_lookup_entries_are_written_as_messages_are_normalised(tmp_path: Path, catalogue: Catalogue) -> None:
    shutil.copytree(ROOT / "nlu", tmp_path / "nlu")
    lookups = tmp_path / "nlu" / "lookups" / "destinations.yml"
    lookups.write_text(lookups.read_text(encoding="utf-8").replace("    - belgique\n", "    - Belgique\n", 1),
                       encoding="utf-8")
    assert any("write it as 'belgique'" in str(p) for p in check_nlu(catalogue, tmp_path / "nlu"))


def test_a_general_question_naming_a_country_gets_that_country(catalogue: Catalogue) -> None:
    assert catalogue.route("pathways_overview", "belgium") == "belgium_work"
    assert catalogue.route("job_search_abroad", "canada") == "canada_work"
    assert catalogue.route("germany_skilled_work", "spain") == "spain_seasonal"
    assert catalogue.route("germany_nursing", "germany") == "germany_nursing"
    assert catalogue.route("fraud_recruitment_fees", "belgium") == "fraud_recruitment_fees"
    assert catalogue.route("pathways_overview", None) == "pathways_overview"
