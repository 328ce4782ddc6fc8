"""E-mail through the outbox: a real SMTP server on loopback, .eml files in development, leases."""
from __future__ import annotations

import dataclasses
import email
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from backend.push import worker
from backend.push.models import Outbox, OutboxStatus
from backend.push.service import queue_email, utcnow
from tests.test_server import free_port


class Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, f"smtp://127.0.0.1:{controller.port}"
    controller.stop()


async def test_registration_mail_reaches_a_real_smtp_server(app, client, settings, smtp):
    inbox, url = smtp
    smtp_settings = dataclasses.replace(settings, smtp_url=url)
    from tests.factories import PASSWORD, csrf
    await csrf(client)
    r = await client.post("/api/v1/auth/register", json={"email": "mail@example.org", "password": PASSWORD, "name": "M"})
    assert r.status_code == 202
    assert await worker.deliver_due(smtp_settings) == 1
    [msg] = inbox.messages
    assert msg["To"] == "mail@example.org" and msg["Subject"] == "Confirmez votre adresse e-mail"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in msg.walk() if not p.is_multipart()}
    assert "/account/verify?token=" in parts["text/plain"] and '<a href="http://testserver/account/verify' in parts["text/html"]
    row = await Outbox.get()
    assert row.status == OutboxStatus.SENT and row.sent_at is not None


async def test_without_smtp_mail_is_written_as_eml_in_the_data_folder(app, settings, capsys):
    await queue_email(to="dev@example.org", subject="Bonjour", text="Texte")
    assert await worker.deliver_due(settings) == 1
    files = list((Path(settings.data_dir) / "outbox-mail").glob("*.eml"))
    assert len(files) == 1 and b"Subject: Bonjour" in files[0].read_bytes()
    assert str(files[0]) in capsys.readouterr().out


async def test_a_failing_smtp_server_means_retry_later_not_loss(app, settings):
    down = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    await queue_email(to="retry@example.org", subject="S", text="T")
    assert await worker.deliver_due(down) == 1
    row = await Outbox.get()
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > utcnow() and row.locked_until is None
    assert await worker.deliver_due(down) == 0  # not due yet


async def test_rows_of_a_worker_killed_mid_batch_are_delivered_after_the_lease(app, settings):
    await queue_email(to="lease@example.org", subject="S", text="T")
    claimed = await worker.claim_batch()  # the worker dies right after claiming
    assert [r.recipient for r in claimed] == ["lease@example.org"]
    assert await worker.deliver_due(settings) == 0  # still leased to the dead worker
    await Outbox.filter(id=claimed[0].id).update(locked_until=utcnow() - timedelta(seconds=1))
    assert await worker.deliver_due(settings) == 1
    assert (await Outbox.get()).status == OutboxStatus.SENT


async def test_a_delivery_failing_past_the_maximum_age_is_marked_failed(app, settings):
    down = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    row = await queue_email(to="old@example.org", subject="S", text="T")
    await Outbox.filter(id=row.id).update(created_at=utcnow() - timedelta(hours=settings.outbox_max_age_hours + 1))
    await worker.deliver_due(down)
    assert (await Outbox.get()).status == OutboxStatus.FAILED


async def test_the_printed_eml_path_works_from_any_folder(app, settings, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    relative = dataclasses.replace(settings, data_dir="relative-data")
    await queue_email(to="dev@example.org", subject="Chemin", text="Texte")
    assert await worker.deliver_due(relative) == 1
    printed = capsys.readouterr().out.split(": ")[-1].strip()
    assert Path(printed).is_absolute() and Path(printed).is_file()


async def test_an_anonymous_author_gets_each_update_by_mail_with_the_tracking_link(app, client, new_client, town, settings, smtp):
    from backend.accounts.models import Role
    from tests.factories import IN_BRENLES, csrf, person, sign_in

    inbox, url = smtp
    smtp_settings = dataclasses.replace(settings, smtp_url=url)
    await csrf(client)
    r = await client.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                    "contact_email": "passant@example.org", "language": "en"})
    created = r.json()
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    await agent.post(f"/api/v1/requests/{created['ref']}/events", json={"status": "in_progress", "comment": "Team on its way."})
    assert await worker.deliver_due(smtp_settings) == 2
    by_subject = {m["Subject"]: m for m in inbox.messages}  # delivered side by side: in either order
    assert set(by_subject) == {f"Your request {created['ref']} was received", f"Your request {created['ref']} is in progress"}
    update = by_subject[f"Your request {created['ref']} is in progress"]
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in update.walk() if not p.is_multipart()}
    link = f"http://testserver/track/{created['tracking_token']}"
    assert "Team on its way." in parts["text/plain"] and link in parts["text/plain"]
    assert f'href="{link}"' in parts["text/html"] and "See the request" in parts["text/html"]


async def test_updates_of_one_request_close_together_go_as_one_mail_that_says_what_and_where(
        app, client, new_client, town, settings, smtp):
    """Issue 21, points 14 and 22: "Commencer" sent the citizen two e-mails in the same second, and no e-mail said
    which problem, nor where."""
    from backend.accounts.models import Role
    from backend.push import coalesce
    from tests.factories import IN_BRENLES, csrf, person, sign_in

    inbox, url = smtp
    smtp_settings = dataclasses.replace(settings, smtp_url=url)
    await csrf(client)
    r = await client.post("/api/v1/requests", json={"service": "proprete", "lat": IN_BRENLES[0], "lon": IN_BRENLES[1],
                                                    "address": "Rue du Four 3", "contact_email": "passante@example.org"})
    ref = r.json()["ref"]
    assert await worker.deliver_due(smtp_settings) == 1  # the receipt (no window in this test's settings)
    coalesce.configure(seconds=60)
    try:
        agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
        for step in ({"status": "acknowledged"}, {"status": "in_progress", "comment": "L'équipe arrive."}):
            assert (await agent.post(f"/api/v1/requests/{ref}/events", json=step)).status_code == 201
        assert await worker.deliver_due(smtp_settings) == 0  # held for the window
        [waiting] = await Outbox.filter(status=OutboxStatus.PENDING, recipient="passante@example.org")
        await Outbox.filter(id=waiting.id).update(next_attempt_at=utcnow())  # the window is over
        assert await worker.deliver_due(smtp_settings) == 1
    finally:
        coalesce.configure(seconds=0)
    receipt, update = inbox.messages
    assert update["Subject"] == f"Votre demande {ref} est en cours de traitement"
    plain = lambda m: next(p.get_payload(decode=True).decode() for p in m.walk()  # noqa: E731
                           if p.get_content_type() == "text/plain")
    text = plain(update)
    assert text.index("en cours de traitement") < text.index("L'équipe arrive.") < text.index("prise en compte")
    for message in (receipt, update):
        body = plain(message)
        assert "Propreté, poubelle pleine · Rue du Four 3, Commune de Brenles" in body
