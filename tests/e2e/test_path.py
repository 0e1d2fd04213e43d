"""One message along the whole real path: language, user, Rasa, actions, content, rendering."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest

from bot.cli import build_assistant
from bot.conversation import Assistant, Reply
from bot.db import UserStore, make_engine
from bot.rendering import FORGET_YES
from bot.settings import Settings

CHAT = 5550001


def payloads_of(reply: Reply) -> list[str]:
    return [b.payload for m in reply.messages for row in m.buttons for b in row]


def labels_of(reply: Reply) -> list[str]:
    return [b.label for m in reply.messages for row in m.buttons for b in row]


async def test_darija_in_latin_letters_gets_the_germany_answer_in_arabic(assistant: Assistant) -> None:
    reply = await assistant.handle(CHAT, "salam, bghit nmchi nkhdem f almanya")
    assert reply.topic == "germany_skilled_work"
    assert reply.language == "ar"
    assert "ألمانيا" in reply.answer
    assert reply.sources and reply.sources[0]["url"].startswith("https://")
    assert "المصادر:" in reply.answer and "تم التحقق في" in reply.answer


async def test_a_fee_demand_in_french_gets_the_recruitment_fees_answer(assistant: Assistant) -> None:
    reply = await assistant.handle(CHAT, "on me demande 20000 dh pour un contrat en Espagne")
    assert reply.topic == "fraud_recruitment_fees"
    assert reply.language == "fr"
    assert "Sources :" in reply.answer and "Vérifié le" in reply.answer
    assert "/more_info{\"topic\":\"fraud_recruitment_fees\"}" in payloads_of(reply)


async def test_the_weather_gets_a_polite_out_of_scope_reply_with_the_menu(assistant: Assistant) -> None:
    reply = await assistant.handle(CHAT, "what's the weather")
    assert reply.topic == "out_of_scope"
    assert reply.language == "en"
    assert reply.answer.startswith("Sorry, I can only help with working abroad legally")
    assert "Recruitment fraud: Koune Ala Bal" in labels_of(reply)


async def test_menu_buttons_lead_to_an_answer_and_its_more_part(assistant: Assistant) -> None:
    menu = await assistant.handle(CHAT, "/help_menu")
    assert '/help_menu{"group":"fraud"}' in payloads_of(menu)
    group = await assistant.handle(CHAT, '/help_menu{"group":"fraud"}')
    assert "/fraud_report" in payloads_of(group)
    answer = await assistant.handle(CHAT, "/fraud_report")
    assert answer.topic == "fraud_report" and answer.confidence == 1.0
    if '/more_info{"topic":"fraud_report"}' in payloads_of(answer):
        more = await assistant.handle(CHAT, '/more_info{"topic":"fraud_report"}')
        assert more.topic == "fraud_report" and more.answer != answer.answer


async def test_an_explicit_language_choice_wins_and_is_remembered(servers: Settings, database_url: str) -> None:
    assistant, rasa = build_assistant(servers, database_url)
    changed = await assistant.handle(CHAT, '/change_language{"language":"fr"}')
    assert changed.language == "fr" and "français" in changed.answer
    await rasa.close()

    again, rasa = build_assistant(servers, database_url)  # as after a restart
    reply = await again.handle(CHAT, "واش خاصني نخلص باش نخدم فبلجيكا")
    assert reply.language == "fr"
    await rasa.close()


async def test_asking_for_a_language_in_words(assistant: Assistant) -> None:
    reply = await assistant.handle(CHAT, "parle moi en francais stp")
    assert reply.topic == "change_language" and reply.language == "fr"


async def test_a_5000_character_message_is_answered(assistant: Assistant) -> None:
    text = "bonjour je cherche un travail en allemagne " * 120
    reply = await assistant.handle(CHAT, text[:5000])
    assert reply.messages and reply.language == "fr"


async def test_delete_my_data_asks_first_then_deletes_everything(assistant: Assistant, database_url: str) -> None:
    await assistant.handle(CHAT, "bonjour")
    ask = await assistant.handle(CHAT, "supprime mes donnees")
    assert ask.topic == "delete_my_data" and FORGET_YES in payloads_of(ask)
    done = await assistant.handle(CHAT, FORGET_YES)
    assert "supprimé" in done.answer
    user = UserStore(make_engine(database_url)).get_or_create(CHAT)
    assert user.language is None


async def test_with_rasa_down_the_menu_still_answers_from_content(servers: Settings, database_url: str) -> None:
    down = replace(servers, rasa_url="http://127.0.0.1:9", rasa_timeout=2.0)
    assistant, rasa = build_assistant(down, database_url)
    reply = await assistant.handle(CHAT, "bonjour, je veux travailler en Belgique")
    assert reply.topic == "unavailable" and "du mal à comprendre" in reply.answer
    assert '/help_menu{"group":"fraud"}' in payloads_of(reply)
    answer = await assistant.handle(CHAT, "/fraud_report")
    assert answer.topic == "fraud_report" and answer.sources
    await rasa.close()


async def test_an_edited_answer_is_served_without_restart_or_retraining(assistant: Assistant, servers: Settings) -> None:
    path = servers.content_dir / "topics" / "contract_checklist.yml"
    original = path.read_text(encoding="utf-8")
    first = await assistant.handle(CHAT, "/contract_checklist")
    title = first.payloads[0]["title"]
    try:
        path.write_text(original.replace(f"title: {title}", "title: EDITED TITLE", 1), encoding="utf-8")
        deadline = time.monotonic() + 10
        while True:
            reply = await assistant.handle(CHAT, "/contract_checklist")
            if "EDITED TITLE" in reply.answer.split("\n")[0] or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        assert "EDITED TITLE" in reply.answer.split("\n")[0]
    finally:
        path.write_text(original, encoding="utf-8")


async def test_a_broken_edit_keeps_the_last_good_answer(assistant: Assistant, servers: Settings) -> None:
    path = servers.content_dir / "topics" / "rights_passport_documents.yml"
    original = path.read_text(encoding="utf-8")
    good = await assistant.handle(CHAT, "/rights_passport_documents")
    try:
        path.write_text(original.replace("sources:", "sourcez:", 1), encoding="utf-8")
        await asyncio.sleep(2.5)
        reply = await assistant.handle(CHAT, "/rights_passport_documents")
        assert reply.topic == "rights_passport_documents" and reply.answer == good.answer
    finally:
        path.write_text(original, encoding="utf-8")


@pytest.mark.parametrize("text", ["hello", "salam", "bonjour"])
async def test_greetings_welcome_with_privacy_note_and_language_choice(assistant: Assistant, text: str) -> None:
    reply = await assistant.handle(CHAT, text)
    assert reply.topic == "greet"
    assert '/change_language{"language":"ar"}' in payloads_of(reply)


async def test_darija_in_latin_letters_asks_once_which_language(assistant: Assistant) -> None:
    first = await assistant.handle(CHAT + 1, "salam khoya bghit nkhdem f canada")
    assert '/change_language{"language":"fr"}' in payloads_of(first)
    second = await assistant.handle(CHAT + 1, "wach khasni nkhelles chi flous l lagence")
    assert '/change_language{"language":"fr"}' not in payloads_of(second)


async def test_a_question_without_checked_content_is_recorded_for_staff(
        assistant: Assistant, servers: Settings, database_url: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = servers.content_dir / "topics" / "money_transfers.yml"
    original = path.read_text(encoding="utf-8")
    try:
        path.unlink()
        await asyncio.sleep(2.5)
        reply = await assistant.handle(CHAT, "comment envoyer de l'argent a ma famille au maroc sans frais")
        assert reply.topic == "money_transfers"
        assert "conseiller de l'ANAPEC" in reply.answer and "https://anapec.ma" in reply.answer
    finally:
        path.write_text(original, encoding="utf-8")
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["content", "gaps"]) == 0
    out = capsys.readouterr().out
    assert "[fr, missing]  comment envoyer de l'argent a ma famille au maroc sans frais" in out
    assert str(CHAT) not in out


async def test_subscribing_choosing_interests_and_stopping_alerts(assistant: Assistant, database_url: str) -> None:
    from bot.alerts import Subscriptions

    subscriptions = Subscriptions(make_engine(database_url))
    reply = await assistant.handle(CHAT + 2, "/subscribe_alerts")
    assert "!al:fraud" in payloads_of(reply) and subscriptions.state(CHAT + 2) == (True, [])
    await assistant.handle(CHAT + 2, "!al:fraud")
    await assistant.handle(CHAT + 2, "!al:spain")
    assert subscriptions.state(CHAT + 2) == (True, ["fraud", "spain"])
    stopped = await assistant.handle(CHAT + 2, "baraka")
    assert stopped.topic == "unsubscribe_alerts" and subscriptions.state(CHAT + 2)[0] is False
