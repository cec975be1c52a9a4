"""Alert delivery: stdout (JSON lines), a file, a webhook (HMAC-signed POST), email (SMTP).

The guarantee is at-least-once with an idempotency key. Each alert has an ``id`` (a hash of its
rule and key), the same on every channel and every send: the body's ``id``, the webhook's
``Idempotency-Key`` and ``X-Detente-Alert-Id`` headers, the email's ``Message-ID``. The watcher
claims each (alert, channel) delivery ``sending`` in the store before the send and marks it
``delivered`` after (``state.claim_delivery``, ``state.mark_delivery``, each its own
transaction); a failed send is retried every later round and reported each time, never dropped.
A send cut short (a kill, or a stop that could not wait for a slow receiver) leaves the
delivery ``sending``: the receiver may or may not have it, so it is sent again, the same bytes
with the same id. Every send that may not be the first (that one, a retry after a failure: a
timeout can hide an arrival) is marked a redelivery (``X-Detente-Redelivery: 1``); a receiver
that keeps the ids it has taken drops a repeat. The file channel does that itself: a redelivery
whose id is already in the file is not appended again (exactly once). An alert whose delivery
was recorded is never sent again on that channel.

Settings come from the environment (see ``ENV`` and ``settings_from_env``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import smtplib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol, TextIO

import httpx
from sqlalchemy import and_, select

from detente.analysis.alerts import Alert, Rule
from detente.errors import ConfigError, DeliveryError
from detente.store import Store
from detente.store.schema import events

SIGNATURE_HEADER = "X-Detente-Signature"
ID_HEADER = "X-Detente-Alert-Id"
IDEMPOTENCY_HEADER = "Idempotency-Key"  # as the IETF httpapi draft spells it: a quoted string
REDELIVERY_HEADER = "X-Detente-Redelivery"


def alert_id(rule: str, key: str) -> str:
    return hashlib.sha256(f"{rule}\0{key}".encode()).hexdigest()[:20]


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the HMAC-SHA256 of the body, in hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def alert_payload(
    store: Store, rule: Rule, alert: Alert, report_url: str | None = None
) -> dict[str, Any]:
    """What every channel sends: the rule, the pair, what fired and the evidence incidents with
    their sentences and source URLs, and where the pair's report is."""
    dyad = "-".join(rule.dyad) if rule.dyad else None
    evidence = []
    with store.engine.connect() as conn:
        for point in alert.evidence:
            texts = [
                json.loads(r.payload)["text"]
                for r in conn.execute(
                    select(events.c.payload)
                    .where(
                        and_(
                            events.c.incident_id == point.incident_id,
                            events.c.superseded.is_(False),
                        )
                    )
                    .order_by(events.c.id)
                )
            ]
            sources = store.incident_sources(conn, point.incident_id)
            evidence.append(
                {
                    "incident_id": point.incident_id,
                    "date": point.date.isoformat(),
                    "move": point.move,
                    "event": point.event,
                    "status": point.status,
                    "sentences": list(dict.fromkeys(texts)),
                    "sources": [
                        {
                            "url": s["url"] or s["path"],
                            "title": s["title"],
                            "published": s["published"],
                        }
                        for s in sources
                    ],
                }
            )
    side = dyad or rule.actor or ""
    report = (
        report_url.format(dyad=side)
        if report_url
        else f"detente report --dyad {side}"
        if dyad
        else None
    )
    return {
        "id": alert_id(alert.rule, alert.key),
        "rule": alert.rule,
        "key": alert.key,
        "dyad": dyad,
        "actor": rule.actor,
        "date": alert.date.isoformat(),
        "message": alert.message,
        "evidence": evidence,
        "report": report,
    }


class Channel(Protocol):
    name: str

    def send(self, alert: Mapping[str, Any], *, redelivery: bool = False) -> None:
        """Deliver one alert or raise DeliveryError; ``redelivery``: an earlier send of it may
        have arrived (it was cut short, or failed in a way that can hide an arrival)."""


@dataclass
class StdoutChannel:
    stream: TextIO
    name: str = "stdout"

    def send(self, alert: Mapping[str, Any], *, redelivery: bool = False) -> None:
        try:
            self.stream.write(json.dumps(alert, sort_keys=True) + "\n")
            self.stream.flush()
        except OSError as exc:
            raise DeliveryError(f"stdout: {exc.strerror}") from None


@dataclass
class FileChannel:
    path: Path
    name: str = "file"

    def send(self, alert: Mapping[str, Any], *, redelivery: bool = False) -> None:
        if redelivery and self.holds(str(alert.get("id"))):
            return  # the cut-short send had written it: once is enough
        line = (json.dumps(alert, sort_keys=True) + "\n").encode("utf-8")
        try:
            with self.path.open("ab+") as handle:  # appends go to the end whatever the seek
                end = handle.seek(0, os.SEEK_END)
                if end:
                    handle.seek(end - 1)
                    if handle.read(1) != b"\n":
                        line = b"\n" + line  # a line cut short by a kill stays on its own
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise DeliveryError(f"{self.path}: cannot append ({exc.strerror})") from None

    def holds(self, alert_id: str) -> bool:
        """Whether a whole line of the file is the alert of this id."""
        try:
            with self.path.open(encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    if alert_id in line and line.endswith("\n"):
                        try:
                            if json.loads(line).get("id") == alert_id:
                                return True
                        except ValueError:
                            continue  # a line cut short by the kill: not a delivery
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise DeliveryError(f"{self.path}: cannot read ({exc.strerror})") from None
        return False


@dataclass
class WebhookChannel:
    url: str
    secret: str
    retries: int = 3
    backoff: float = 0.5
    timeout: float = 10.0
    name: str = "webhook"

    def send(self, alert: Mapping[str, Any], *, redelivery: bool = False) -> None:
        body = json.dumps(alert, sort_keys=True).encode("utf-8")
        ident = str(alert.get("id", ""))
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self.secret, body),
            ID_HEADER: ident,
            IDEMPOTENCY_HEADER: f'"{ident}"',
        }
        problem = ""
        for attempt in range(self.retries + 1):
            if redelivery or attempt:
                headers[REDELIVERY_HEADER] = "1"  # the last attempt may have arrived
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1) * (1 + random.random()))
            try:
                reply = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout)
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
                continue
            if reply.status_code < 300:
                return
            problem = f"HTTP {reply.status_code}"
            if reply.status_code < 500 and reply.status_code != 429:
                break  # the receiver refuses it: trying again now will not help
        raise DeliveryError(f"webhook {self.url}: {problem} after {attempt + 1} attempts")


@dataclass
class SmtpChannel:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0
    name: str = "smtp"

    def send(self, alert: Mapping[str, Any], *, redelivery: bool = False) -> None:
        message = EmailMessage()
        message["Subject"] = f"[detente] {alert.get('rule')}: {alert.get('message')}"
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Message-ID"] = f"<{alert.get('id')}@detente>"  # the same on a re-send
        if redelivery:
            message[REDELIVERY_HEADER] = "1"
        message.set_content(email_text(alert))
        message.add_attachment(
            json.dumps(alert, indent=2, sort_keys=True).encode("utf-8"),
            maintype="application",
            subtype="json",
            filename="alert.json",
        )
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"smtp {self.host}:{self.port}: {exc}") from None


def email_text(alert: Mapping[str, Any]) -> str:
    lines = [
        f"{alert.get('rule')} ({alert.get('dyad') or alert.get('actor')}), {alert.get('date')}",
        str(alert.get("message")),
        "",
    ]
    for item in alert.get("evidence", []):
        lines.append(f"- {item['date']} {item['move']} ({item['status']})")
        lines.extend(f"    \u201c{text}\u201d" for text in item["sentences"][:3])
        lines.extend(f"    {source['url']}" for source in item["sources"] if source["url"])
    if alert.get("report"):
        lines += ["", f"Report: {alert['report']}"]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class DeliverySettings:
    stdout: bool = True
    alert_file: Path | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    smtp: SmtpChannel | None = None
    report_url: str | None = None
    extra: tuple[Channel, ...] = field(default=())


ENV = {
    "DETENTE_ALERT_FILE": "append every alert to this file (JSON lines)",
    "DETENTE_WEBHOOK_URL": "POST every alert there (JSON)",
    "DETENTE_WEBHOOK_SECRET": "the HMAC-SHA256 key signing each POST (required with the URL)",
    "DETENTE_SMTP_HOST": "email every alert through this SMTP server",
    "DETENTE_SMTP_PORT": "its port (default 25)",
    "DETENTE_SMTP_FROM": "the sender (default detente@localhost)",
    "DETENTE_SMTP_TO": "recipients, comma-separated (required with the host)",
    "DETENTE_SMTP_USER": "login name, if the server wants one",
    "DETENTE_SMTP_PASSWORD": "its password",
    "DETENTE_SMTP_STARTTLS": "1 to upgrade the connection with STARTTLS",
    "DETENTE_REPORT_URL": "where reports are published, with {dyad} (else the report command)",
}


def settings_from_env(
    environ: Mapping[str, str], *, stdout: bool = True, alert_file: Path | None = None
) -> DeliverySettings:
    """Delivery settings from the environment (names in ``ENV``); a half-given setting is a
    ConfigError that says what is missing."""
    url = environ.get("DETENTE_WEBHOOK_URL") or None
    secret = environ.get("DETENTE_WEBHOOK_SECRET") or None
    if url and not secret:
        raise ConfigError("DETENTE_WEBHOOK_URL is set but DETENTE_WEBHOOK_SECRET is not")
    smtp = None
    host = environ.get("DETENTE_SMTP_HOST")
    if host:
        recipients = tuple(
            r.strip() for r in environ.get("DETENTE_SMTP_TO", "").split(",") if r.strip()
        )
        if not recipients:
            raise ConfigError("DETENTE_SMTP_HOST is set but DETENTE_SMTP_TO is not")
        port = environ.get("DETENTE_SMTP_PORT", "25")
        if not port.isdigit():
            raise ConfigError(f"DETENTE_SMTP_PORT {port!r} is not a port number")
        smtp = SmtpChannel(
            host,
            int(port),
            environ.get("DETENTE_SMTP_FROM") or "detente@localhost",
            recipients,
            environ.get("DETENTE_SMTP_USER") or None,
            environ.get("DETENTE_SMTP_PASSWORD") or None,
            environ.get("DETENTE_SMTP_STARTTLS", "") in ("1", "true", "yes"),
        )
    file_name = environ.get("DETENTE_ALERT_FILE")
    return DeliverySettings(
        stdout=stdout,
        alert_file=alert_file or (Path(file_name) if file_name else None),
        webhook_url=url,
        webhook_secret=secret,
        smtp=smtp,
        report_url=environ.get("DETENTE_REPORT_URL") or None,
    )


def channels(settings: DeliverySettings, stdout: TextIO) -> list[Channel]:
    out: list[Channel] = []
    if settings.stdout:
        out.append(StdoutChannel(stdout))
    if settings.alert_file is not None:
        out.append(FileChannel(settings.alert_file))
    if settings.webhook_url and settings.webhook_secret:
        out.append(WebhookChannel(settings.webhook_url, settings.webhook_secret))
    if settings.smtp is not None:
        out.append(settings.smtp)
    out.extend(settings.extra)
    return out


def channel_names(chosen: Sequence[Channel]) -> list[str]:
    return [c.name for c in chosen]
