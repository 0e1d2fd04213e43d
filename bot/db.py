"""Storage: SQLAlchemy 2 models and sessions; the schema is owned by Alembic migrations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import (BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint,
                        create_engine, event, select)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


class User(Base):
    """A person who talks to the bot. Only what the service needs, deletable on request."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    language: Mapped[str | None] = mapped_column(String(8))  # last reply language: ar, fr, en
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)  # an explicit choice wins
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    pending: Mapped[str | None] = mapped_column(String(32))  # a confirmation we wait for, e.g. "forget"
    language_asked: Mapped[bool] = mapped_column(Boolean, default=False)  # asked once which language
    source: Mapped[str | None] = mapped_column(String(64))  # deep-link campaign (/start campaign_xyz)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False once the user blocked the bot
    timezone: Mapped[str | None] = mapped_column(String(40))  # IANA name; None: the default (Casablanca)
    alerts: Mapped[bool] = mapped_column(Boolean, default=False)  # subscribed to campaign alerts
    interests: Mapped[str | None] = mapped_column(String(200))  # comma list: fraud, opportunities, germany...
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Milestone(Base):
    """A date in a candidate's journey (one per kind: setting it again moves it)."""

    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_milestones_user_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # a milestone type of content/milestones.yml
    day: Mapped[dt.date] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Reminder(Base):
    """One reminder of one milestone, sent at most once: the attempt is recorded before sending.

    status: pending -> sending (attempt recorded) -> sent; or skipped (note says why:
    missed, blocked, done, removed). A 'sending' row whose send crashed is never sent again.
    """

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("milestone_id", "rule_key", name="uq_reminders_milestone_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id", ondelete="CASCADE"), index=True)
    rule_key: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # UTC
    status: Mapped[str] = mapped_column(String(16), default="pending")
    note: Mapped[str | None] = mapped_column(String(40))
    attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Broadcast(Base):
    """A campaign alert sent (or scheduled) to an audience; `spec` is the alert file as JSON."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    spec: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # scheduled, sending, done
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    send_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Delivery(Base):
    """One recipient of one broadcast.

    status: pending -> claimed (by a worker, a batch at a time) -> sending (the attempt,
    recorded just before the call) -> sent | blocked | opted_out | failed. After a kill,
    `resume` returns claimed rows to pending; a row left in 'sending' becomes 'unknown'
    and is not sent again, so nobody gets the alert twice.
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("broadcast_id", "user_id", name="uq_deliveries_broadcast_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    worker: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(200))


class AuditEntry(Base):
    """Who did what with a broadcast, and when (also refused attempts)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    broadcast_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(String(400))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Unanswered(Base):
    """A message the bot could not answer, kept for staff without anything identifying its sender."""

    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(1000))
    language: Mapped[str | None] = mapped_column(String(16))  # detected: ar, ary, ary_latn, fr, en
    reason: Mapped[str] = mapped_column(String(16))  # "fallback" or "missing"
    suggested: Mapped[str | None] = mapped_column(String(200))  # the topics offered instead
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


def user_row(session: Session, chat_id: int) -> User:
    """The user of a chat, inside an open session; created (and flushed, so it has an id) if new."""
    user = session.scalar(select(User).where(User.chat_id == chat_id))
    if user is None:
        user = User(chat_id=chat_id)
        session.add(user)
        session.flush()
    return user


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets its folder created and foreign keys enforced."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record):  # type: ignore[no-untyped-def]
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA busy_timeout=10000")  # the bot, the scheduler and CLI share the file
            if ":memory:" not in url and url != "sqlite://":
                # WAL: readers do not block the writer; NORMAL sync is safe with WAL.
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest migration (idempotent)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class UserStore:
    """Users by chat id."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def get_or_create(self, chat_id: int) -> User:
        with self._sessions.begin() as session:
            return user_row(session, chat_id)

    def update(self, chat_id: int, **values: object) -> None:
        with self._sessions.begin() as session:
            user = user_row(session, chat_id)
            for key, value in values.items():
                setattr(user, key, value)

    def set_source(self, chat_id: int, source: str) -> None:
        """Remember the campaign a user came from (first deep link only)."""
        with self._sessions.begin() as session:
            user = user_row(session, chat_id)
            if user.source is None:
                user.source = source

    def set_active(self, chat_id: int, active: bool) -> None:
        """Inactive users blocked the bot: nothing is sent to them until they write again."""
        with self._sessions.begin() as session:
            user = session.scalar(select(User).where(User.chat_id == chat_id))
            if user is not None:
                user.active = active

    def delete(self, chat_id: int) -> bool:
        """Delete everything stored about a user; True if there was something."""
        with self._sessions.begin() as session:
            user = session.scalar(select(User).where(User.chat_id == chat_id))
            if user is None:
                return False
            session.delete(user)
            return True


class GapLog:
    """What users asked that the bot could not answer, for `orient content gaps`."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def record(self, text: str, language: str | None, reason: str, suggested: list[str]) -> None:
        with self._sessions.begin() as session:
            session.add(Unanswered(text=text[:1000], language=language, reason=reason,
                                   suggested=",".join(suggested)[:200] or None))

    def since(self, moment: dt.datetime) -> list[Unanswered]:
        with self._sessions() as session:
            rows = session.scalars(select(Unanswered).where(Unanswered.created_at >= moment)
                                   .order_by(Unanswered.created_at))
            return list(rows)
