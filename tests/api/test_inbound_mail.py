"""Issue 19, point 2: the e-mail channel, end to end over SMTP on loopback: the listener (aiosmtpd, on the test's
event loop, as the worker runs it) receives what smtplib sends; a citizen's e-mail becomes a request in the
'contact' procedure, a reply naming its reference joins it, automatic and malformed mail is refused."""
from __future__ import annotations

import asyncio
import dataclasses
import smtplib
import socket
from email.message import EmailMessage

import pytest

from backend.accounts.models import Role
from backend.media.models import Photo
from backend.push.models import Outbox
from backend.requests import inbound_smtp
from backend.requests.models import Event, ServiceRequest
from tests import photos
from tests.factories import person, sign_in

TOWN = "guichet@brenles.example"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def channel(settings, town):  # the demo's "Contacter la commune" procedure, without a place
    configured = dataclasses.replace(settings, inbound_smtp_port=_free_port(), inbound_address=TOWN,
                                     inbound_max_bytes=2_000_000)
    server = await inbound_smtp.start(configured)
    yield configured
    server.close()
    await server.wait_closed()


def _mail(sender: str, subject: str, text: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, TOWN, subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


async def _send(settings, message: EmailMessage | bytes, to: str = TOWN) -> None:
    def send() -> None:
        with smtplib.SMTP(settings.inbound_smtp_host, settings.inbound_smtp_port, timeout=20) as smtp:
            if isinstance(message, bytes):
                smtp.sendmail("someone@example.org", [to], message)
            else:
                smtp.send_message(message, to_addrs=[to])
    await asyncio.to_thread(send)


async def test_an_email_becomes_a_request_and_a_reply_joins_it(channel, client, new_client, town):
    mail = _mail('"Jeanne Martin" <jeanne.martin@example.org>', "Lampadaire éteint rue du Four",
                 "Bonjour,\nle lampadaire devant le 4 est éteint depuis lundi.\nJeanne")
    mail.add_attachment(photos.jpeg(1600, 1200), maintype="image", subtype="jpeg", filename="lampadaire.jpg")
    mail.add_attachment(b"binary", maintype="application", subtype="octet-stream", filename="notes.bin")
    await _send(channel, mail)
    req = await ServiceRequest.get(contact_email="jeanne.martin@example.org").prefetch_related("service")
    assert req.service.code == "contact" and req.channel == "email" and req.contact_name == "Jeanne Martin"
    assert req.description.startswith("Lampadaire éteint rue du Four\n\nBonjour,") and "notes.bin" in req.description
    assert req.lat is None and not req.public and await Photo.filter(request_id=req.id).count() == 1

    reply = _mail("jeanne.martin@example.org", f"Re: Votre demande {req.ref} est bien reçue",
                  f"Il est rallumé, merci !\n\nLe 5 déc. 2026, Guichet a écrit :\n> Votre demande {req.ref}")
    await _send(channel, reply)
    assert await ServiceRequest.filter(contact_email="jeanne.martin@example.org").count() == 1  # threaded
    joined = await Event.filter(request_id=req.id, kind="comment").first()
    assert joined.comment == "Il est rallumé, merci !" and joined.public is False  # the quote left out

    # The town answers from the timeline: the sender gets it by e-mail, with the reference to reply to.
    agent = await sign_in(new_client(), await person(Role.AGENT, town.brenles))
    r = await agent.post(f"/api/v1/requests/{req.ref}/events", json={"comment": "Une équipe passe demain.", "public": True})
    assert r.status_code == 201, r.text
    answer = await Outbox.filter(recipient="jeanne.martin@example.org").order_by("-id").first()
    assert req.ref in answer.payload["subject"] and "Une équipe passe demain." in answer.payload["text"]

    stranger = _mail("autre@example.org", f"Re: {req.ref}", "Je ne suis pas l'auteur")
    await _send(channel, stranger)  # a reference from someone else does not join it: a new request
    assert await ServiceRequest.filter(contact_email="autre@example.org").count() == 1


async def test_loops_automatic_and_bad_mail_are_refused_and_nothing_is_made(channel):
    before = await ServiceRequest.all().count()
    refused = [_mail("robot@example.org", "Absent du bureau", "Je suis absent.", Auto_Submitted="auto-replied"),
               _mail("liste@example.org", "Lettre d'information", "Nouvelles", Precedence="bulk"),
               _mail("MAILER-DAEMON@example.org", "Undelivered", "Returned"),
               _mail("Guichet <guichet@brenles.example>", "Votre demande", "Notre propre envoi")]
    for message in refused:
        with pytest.raises(smtplib.SMTPDataError) as answer:
            await _send(channel, message)
        assert answer.value.smtp_code == 550
    with pytest.raises(smtplib.SMTPDataError):
        await _send(channel, b"Subject: sans expediteur\r\n\r\nPersonne ne signe.\r\n")
    broken = (b"From: casse@example.org\r\nSubject: coupe\r\nMIME-Version: 1.0\r\n"
              b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n--XYZ\r\nContent-Type: text/plain\r\n\r\n'
              b"Le message s'arrete ici sans sa fin\r\n")  # the closing boundary never comes
    with pytest.raises(smtplib.SMTPDataError):
        await _send(channel, broken)
    big = _mail("gros@example.org", "Photo", "Voici")
    big.add_attachment(b"x" * 2_100_000, maintype="application", subtype="pdf", filename="gros.pdf")
    with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused, smtplib.SMTPServerDisconnected)):
        await _send(channel, big)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        await _send(channel, _mail("x@example.org", "Ailleurs", "Pour un autre"), to="autre@brenles.example")
    assert await ServiceRequest.all().count() == before
