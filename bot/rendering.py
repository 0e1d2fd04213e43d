"""Turning reply payloads into messages with buttons, in the user's language.

Channel-neutral: Telegram shows the buttons as an inline keyboard, the console
as numbered choices. Interface strings come from the gettext catalogs,
answers from content/.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from bot.i18n import Catalogs, format_date, format_datetime
from bot.payloads import Payload, button

FSI, PDI = "\u2068", "\u2069"
LANGUAGE_LABELS = {"ar": "العربية", "fr": "Français", "en": "English"}
FORGET_YES, FORGET_NO = "!forget:yes", "!forget:no"
# ANAPEC's public site: the official contact whenever the bot cannot answer.
ANAPEC_URL = "https://anapec.ma"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


GROUP_LABELS = {
    "pathways": N_("Legal ways to work abroad"),
    "fraud": N_("Recruitment fraud: Koune Ala Bal"),
    "rights": N_("Contracts and workers' rights"),
    "journey": N_("Preparing, leaving, arriving"),
}


INTEREST_LABELS = {
    "fraud": N_("Scam alerts"),
    "opportunities": N_("New legal opportunities"),
    "germany": N_("Germany"), "belgium": N_("Belgium"), "spain": N_("Spain"), "france": N_("France"),
    "canada": N_("Canada"), "italy": N_("Italy"), "gulf": N_("Gulf countries"),
}


@dataclass(frozen=True)
class Button:
    label: str
    payload: str


@dataclass
class Message:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    link_preview: bool = False


def isolate(text: str, language: str) -> str:
    """Keep a Latin name or URL in its own direction inside Arabic text (FSI ... PDI)."""
    return f"{FSI}{text}{PDI}" if language == "ar" else text


# A URL, or a run of Latin words ("Make it in Germany", "IHK FOSA", "A2/B1").
_LATIN_RUN = re.compile(r"https?://\S+|[A-Za-z\u00C0-\u024F][\w.\-/'’&+]*(?:[ ][A-Za-z0-9\u00C0-\u024F][\w.\-/'’&+]*)*")


def isolate_latin(text: str, language: str) -> str:
    """Telegram sets direction per paragraph from its first strong letter; isolated Latin runs
    keep an Arabic line reading right to left with names and URLs inside."""
    if language != "ar":
        return text
    return _LATIN_RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}", text)


class Renderer:
    """Renders payloads from the actions (or the degraded mode) as messages."""

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs

    def render(self, payload: Payload) -> list[Message]:
        kind = payload.get("kind")
        language = str(payload.get("language") or "en")
        _ = self.catalogs.get(language).gettext
        handler: Callable[[Payload, str, Callable[[str], str]], list[Message]] = {
            "answer": self._answer,
            "missing": self._missing,
            "system": self._system,
            "menu": self._menu,
            "suggest": self._suggest,
            "set_language": self._set_language,
        }.get(str(kind), self._unknown)
        return handler(payload, language, _)

    # --- kinds ------------------------------------------------------------

    def _answer(self, p: Payload, language: str, _: Callable[[str], str]) -> list[Message]:
        body = isolate_latin(f"{p['title']}\n\n{p['answer']}", language)
        text = f"{body}\n\n{self._sources(p, language, _)}"
        rows: list[list[Button]] = []
        if p.get("has_more"):
            rows.append([Button(_("More details"), button("more_info", topic=p["topic"]))])
        rows += [[Button(r["title"], button(r["topic"]))] for r in p.get("related", [])]
        rows.append([self._menu_button(_)])
        return [Message(text, rows)]

    def _missing(self, p: Payload, language: str, _: Callable[[str], str]) -> list[Message]:
        text = _("I do not have a checked answer on this yet, and I prefer not to guess. "
                 "Please ask an ANAPEC counsellor (free of charge): %(url)s") % {
                     "url": isolate(ANAPEC_URL, language)}
        return [Message(text, [[self._menu_button(_)]])]

    def _system(self, p: Payload, language: str, _: Callable[[str], str]) -> list[Message]:
        topic = p.get("topic")
        content = p.get("content")
        if topic == "greet":
            text = _("Hello! I am Orient, an automatic assistant. I answer questions about working "
                     "abroad legally, recruitment scams, contracts and workers' rights, and preparing "
                     "to leave. Every answer gives its official sources and the date it was checked.")
            if content:
                text += "\n\n" + isolate_latin(content["answer"], language)
            text += "\n\n" + _("Choose your language, or just ask your question.")
            return [Message(text, [self._language_buttons(),
                                   [Button(_("Receive scam alerts"), "!al:on"), self._menu_button(_)]])]
        if topic == "subscribe_alerts":
            return [self.alerts_on(language, [])]
        if topic == "unsubscribe_alerts":
            return [self.alerts_off(language)]
        if topic == "delete_my_data":
            text = _("Do you want me to delete everything I know about you (language, consent "
                     "and any dates you gave me)? This cannot be undone.")
            return [Message(text, [[Button(_("Yes, delete everything"), FORGET_YES),
                                    Button(_("No, keep it"), FORGET_NO)]])]
        if content:
            body = isolate_latin(f"{content['title']}\n\n{content['answer']}", language)
            text = f"{body}\n\n{self._sources(content, language, _)}"
            return [Message(text, [[self._menu_button(_)]])]
        texts = {
            "goodbye": _("Goodbye, and take care. Remember: a real job offer never asks you to pay."),
            "thanks": _("You are welcome! Ask me anything else about working abroad."),
            "out_of_scope": _("Sorry, I can only help with working abroad legally: pathways, scams, "
                              "contracts and rights, and preparing to leave. Here is what I know:"),
            "bot_identity": _("I am Orient, an automatic assistant, not a person."),
            "human_counsellor": _("To talk to a person, contact ANAPEC (free of charge): %(url)s") % {
                "url": isolate(ANAPEC_URL, language)},
            "check_offer": _("I cannot check an offer automatically yet. Never pay for a job, and ask "
                             "ANAPEC to verify the offer."),
        }
        text = texts.get(str(topic)) or _("Here is what I can help with:")
        if topic == "out_of_scope":
            return [Message(text, self._group_rows(_))]
        return [Message(text, [[self._menu_button(_)]])]

    def _menu(self, p: Payload, language: str, _: Callable[[str], str]) -> list[Message]:
        if p.get("group"):
            label = _(GROUP_LABELS.get(p["group"], p["group"]))
            rows = [[Button(t["title"], button(t["topic"]))] for t in p.get("topics", [])]
            rows.append([self._menu_button(_)])
            return [Message(label, rows)]
        return [Message(_("What would you like to know about?"), self._group_rows(_, p.get("groups")))]

    def _suggest(self, p: Payload, language: str, _: Callable[[str], str]) -> list[Message]:
        suggestions = p.get("suggestions") or []
        if not suggestions:
            return [Message(_("Sorry, I did not understand. Here is what I can help with:"),
                            self._group_rows(_))]
        rows = [[Button(s["title"], button(s["topic"]))] for s in suggestions]
        rows.append([self._menu_button(_)])
        return [Message(_("I am not sure I understood. Did you mean one of these?"), rows)]

    def _set_language(self, p: Payload, language: str, _: Callable[[str], str]) -> list[Message]:
        if p.get("requested"):
            return [Message(_("From now on I will answer in English."), [[self._menu_button(_)]])]
        return [Message(_("Which language do you prefer?"), [self._language_buttons()])]

    # --- milestones and reminders ---------------------------------------------

    def milestone_confirm(self, language: str, kind: str, label: str, day: dt.date) -> Message:
        _ = self.catalogs.get(language).gettext
        text = _("%(milestone)s on %(date)s: is that right?") % {
            "milestone": label, "date": format_date(day, language, "full")}
        return Message(text, [[Button(_("Yes, save it"), f"!ms:ok:{kind}:{day:%Y%m%d}"),
                               Button(_("No"), "!ms:no")]])

    def milestone_ask_kind(self, language: str, labels: dict[str, str], day: dt.date | None) -> Message:
        _ = self.catalogs.get(language).gettext
        stamp = f"{day:%Y%m%d}" if day else "-"
        rows = [[Button(label, f"!ms:kind:{kind}:{stamp}")] for kind, label in labels.items()]
        return Message(_("Which step of your journey is this date for?"), rows)

    def milestone_ask_date(self, language: str, label: str, problem: str | None) -> Message:
        _ = self.catalogs.get(language).gettext
        texts = {
            "past": _("That date has already passed. What is the date of your %(milestone)s?"),
            "invalid": _("That date does not exist. What is the date of your %(milestone)s?"),
            "far": _("That date is more than three years away. What is the date of your %(milestone)s?"),
        }
        text = texts.get(problem or "", _("What is the date of your %(milestone)s?")) % {"milestone": label}
        return Message(text + "\n" + _("For example: 12/03/2027, 12 March, or in 2 weeks."))

    def milestone_saved(self, language: str, label: str, day: dt.date, dues: list[dt.datetime],
                        zone: Any) -> Message:
        _ = self.catalogs.get(language).gettext
        text = _("Saved: %(milestone)s on %(date)s.") % {"milestone": label,
                                                         "date": format_date(day, language)}
        if dues:
            text += "\n" + _("I will remind you on:") + "\n" + "\n".join(
                f"• {format_datetime(d, language, zone)}" for d in dues)
        else:
            text += "\n" + _("No reminder is left to send before or after this date.")
        return Message(text, [[Button(_("My dates and reminders"), button("list_reminders"))]])

    def milestone_cancelled(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(_("OK, I saved nothing. You can tell me the date again at any time."),
                       [[self._menu_button(_)]])

    def milestone_changed(self, language: str, removed: bool) -> Message:
        _ = self.catalogs.get(language).gettext
        text = _("Deleted, with its reminders.") if removed else _("Marked as done: its reminders stop.")
        return Message(text, [[Button(_("My dates and reminders"), button("list_reminders"))]])

    def reminders_overview(self, language: str, items: list[Any], labels: dict[str, str], zone: Any) -> Message:
        _ = self.catalogs.get(language).gettext
        add = [Button(_("Add a date"), "!ms:kind:-:-")]
        if not items:
            return Message(_("You have no dates saved yet. Tell me one, for example: "
                             "my visa appointment is on 12 March."), [add])
        lines, rows = [_("Your dates:")], []
        for item in items:
            label = labels.get(item.kind, item.kind)
            status = _("done") if item.done else (
                _("next reminder: %(when)s") % {"when": format_datetime(item.upcoming[0][1], language, zone)}
                if item.upcoming else _("no reminder left"))
            lines.append(f"• {label}: {format_date(item.day, language)} ({status})")
            rows.append([Button(f"✏️ {label}", f"!ms:chg:{item.milestone_id}"),
                         Button(_("Done"), f"!ms:done:{item.milestone_id}"),
                         Button(_("Delete"), f"!ms:del:{item.milestone_id}")])
        return Message("\n".join(lines), rows + [add])

    def reminder(self, language: str, label: str, day: dt.date, text: str, after: bool) -> Message:
        """A scheduled reminder as the candidate receives it."""
        _ = self.catalogs.get(language).gettext
        heading = f"⏰ {label}: {format_date(day, language)}"
        rows = [[Button(_("My dates and reminders"), button("list_reminders"))]]
        if after:
            rows.insert(0, [Button(_("Set my next step"), "!ms:kind:-:-")])
        return Message(f"{heading}\n\n{isolate_latin(text, language)}", rows)

    # --- alerts -----------------------------------------------------------------

    def alerts_on(self, language: str, interests: list[str]) -> Message:
        _ = self.catalogs.get(language).gettext
        text = _("You are subscribed to alerts about scams and new legal opportunities. "
                 "Choose what interests you (tap again to remove):")
        rows = [[Button(("✅ " if key in interests else "") + _(label), f"!al:{key}")]
                for key, label in INTEREST_LABELS.items()]
        rows.append([Button(_("Stop alerts"), "!al:off")])
        return Message(text, rows)

    def broadcast_preview(self, language: str, spec_id: str, texts: dict[str, str], counts: dict[str, int]) -> Message:
        _ = self.catalogs.get(language).gettext
        lines = [_("Alert %(id)s, to %(count)s subscribers:") % {"id": spec_id, "count": sum(counts.values())}]
        for code in ("ar", "fr", "en"):
            lines.append(f"\n[{code}] {counts.get(code, 0)}\n{texts[code]}")
        return Message("\n".join(lines), [[Button(_("Send it now"), f"!bc:go:{spec_id}"[:64]),
                                            Button(_("Cancel"), "!bc:no")]])

    def alerts_off(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(_("Done: you will receive no more alerts. Send /alerts to subscribe again."),
                       [[self._menu_button(_)]])

    def alert(self, language: str, text: str, topics: list[tuple[str, str]]) -> Message:
        """A campaign alert as subscribers receive it, with its topic buttons and a way out."""
        _ = self.catalogs.get(language).gettext
        rows = [[Button(title, button(topic))] for topic, title in topics]
        rows.append([Button(_("Stop alerts"), "!al:off")])
        return Message(f"⚠️ {isolate_latin(text, language)}", rows)

    def ask_language(self, language: str) -> Message:
        """Asked once to people writing Darija in Latin letters: which language should answers use?"""
        _ = self.catalogs.get(language).gettext
        return Message(_("Which language do you prefer for my answers?"), [self._language_buttons()])

    def _unknown(self, p: Payload, language: str, _: Callable[[str], str]) -> list[Message]:
        return [Message(_("Here is what I can help with:"), self._group_rows(_))]

    # --- pieces -------------------------------------------------------------

    def trouble(self, language: str, groups: list[str]) -> Message:
        """What users see while Rasa is unreachable: the menu still answers from content."""
        _ = self.catalogs.get(language).gettext
        return Message(_("I am having trouble understanding messages right now. You can still use "
                         "the menu below, or try again in a few minutes."), self._group_rows(_, groups))

    def non_text(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(_("I can only read text messages. Please write your question in words "
                         "(Arabic, Darija, French or English)."), [[self._menu_button(_)]])

    def slow_down(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(_("You are sending many messages very fast. Please wait a few seconds, "
                         "then send your question again."))

    def private_only(self, language: str, username: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(_("I answer in private chats only, so that your questions stay private. "
                         "Write to me here: %(link)s") % {"link": isolate(f"https://t.me/{username}", language)})

    def forgotten(self, language: str, deleted: bool) -> Message:
        _ = self.catalogs.get(language).gettext
        if deleted:
            return Message(_("Done: I deleted everything I knew about you. If you write again, "
                             "I will start from zero."))
        return Message(_("OK, I deleted nothing."), [[self._menu_button(_)]])

    def _sources(self, p: dict[str, Any], language: str, _: Callable[[str], str]) -> str:
        lines = [_("Sources:")]
        lines += [f"• {isolate(s['name'], language)}: {isolate(s['url'], language)}"
                  for s in p.get("sources", [])]
        reviewed = dt.date.fromisoformat(p["reviewed"])
        lines.append(_("Checked on %(date)s") % {"date": format_date(reviewed, language)})
        return "\n".join(lines)

    def _menu_button(self, _: Callable[[str], str]) -> Button:
        return Button(_("Menu"), button("help_menu"))

    def _group_rows(self, _: Callable[[str], str], groups: list[str] | None = None) -> list[list[Button]]:
        return [[Button(_(GROUP_LABELS.get(g, g)), button("help_menu", group=g))]
                for g in (groups or list(GROUP_LABELS))]

    def _language_buttons(self) -> list[Button]:
        return [Button(label, button("change_language", language=code))
                for code, label in LANGUAGE_LABELS.items()]
