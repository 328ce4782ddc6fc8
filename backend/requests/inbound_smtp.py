"""The SMTP listener of the e-mail channel: the worker runs it on INBOUND_SMTP_HOST:INBOUND_SMTP_PORT when the port
is set; the town's mail server (or its MX) delivers INBOUND_ADDRESS's mail to it. It accepts mail for that address
only, answers 250 once the message became (or joined) a request and 550 when it was refused."""
from __future__ import annotations

import asyncio
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from backend.config import Settings
from backend.requests import inbound


class Handler:
    def __init__(self, settings: Settings, gate: asyncio.Semaphore):
        self.settings, self.gate = settings, gate

    async def handle_RCPT(self, server: Any, session: Session, envelope: Envelope, address: str,  # noqa: N802
                          rcpt_options: list) -> str:
        if not inbound.recipients_ok([address], self.settings):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802
        ref = await inbound.receive(envelope.original_content or envelope.content, self.settings, self.gate)
        return f"250 2.0.0 Received as {ref}" if ref else "550 5.7.1 Message refused"


async def start(settings: Settings, gate: asyncio.Semaphore | None = None) -> asyncio.AbstractServer:
    """Listens on the running event loop (the worker's, with its database connections)."""
    handler = Handler(settings, gate or asyncio.Semaphore(settings.image_workers))
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: SMTP(handler, data_size_limit=settings.inbound_max_bytes,
                                                 enable_SMTPUTF8=True, decode_data=False),
                                    host=settings.inbound_smtp_host, port=settings.inbound_smtp_port)
