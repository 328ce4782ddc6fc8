"""A Web Push service of our own on loopback, for the tests and the benchmark: it speaks the real protocol.

Like a browser vendor's push service, it checks the VAPID JWT (RFC 8292: audience, expiry, ES256 signature
against the key in the header); like the browser, it decrypts the payload with the subscription's private
key (RFC 8291, aes128gcm). Each device can be told to answer 201, 404, 410, 429 with Retry-After, 500, hang, or
a 307 redirect to a URL ("redirect:<url>").
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import time
from dataclasses import dataclass, field

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """A browser's side of a subscription: its keys and what its push service answers."""

    id: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    answer: str = "201"  # "201", "404", "410", "429", "500", "hang" or "redirect:<url>"

    def subscription(self, base: str) -> dict:
        public = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                             serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{base}/push/{self.id}", "expirationTime": None,
                "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}


@dataclass
class Received:
    device: str
    payload: dict
    headers: dict
    claims: dict


@dataclass
class PushService:
    decrypt: bool = True
    delay: float = 0.0  # seconds before each answer: a slow push service
    devices: dict[str, Device] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    attempts: int = 0
    base: str = ""
    _runner: web.AppRunner | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def new_device(self, answer: str = "201") -> Device:
        device = Device(secrets.token_hex(8), ec.generate_private_key(ec.SECP256R1()), os.urandom(16), answer)
        self.devices[device.id] = device
        return device

    def check_vapid(self, header: str) -> dict:
        """The JWT's claims if the signature, audience and expiry are right; raises ValueError otherwise."""
        scheme, _, params = header.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"not a vapid authorization: {header[:20]}")
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        token, key = parts["t"], parts["k"]
        head, body, signature = token.split(".")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        raw = unb64url(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        try:
            public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise ValueError("bad VAPID signature") from None
        claims = json.loads(unb64url(body))
        if json.loads(unb64url(head)).get("alg") != "ES256":
            raise ValueError("VAPID JWT must be ES256")
        if claims.get("aud") != self.base:
            raise ValueError(f"wrong audience {claims.get('aud')!r}")
        if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
            raise ValueError("expired or too long-lived VAPID JWT")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError("VAPID sub must be a mailto: or https: contact")
        return claims

    async def handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        device = self.devices.get(request.match_info["device"])
        if device is None:
            return web.Response(status=404)
        if device.answer == "hang":
            await asyncio.sleep(3600)
        if self.delay:
            await asyncio.sleep(self.delay)
        if device.answer in ("404", "410", "500"):
            return web.Response(status=int(device.answer))
        if device.answer.startswith("redirect:"):
            return web.Response(status=307, headers={"Location": device.answer.split(":", 1)[1]})
        if device.answer == "429":
            return web.Response(status=429, headers={"Retry-After": "120"})
        try:
            claims = self.check_vapid(request.headers.get("Authorization", ""))
            if request.headers.get("Content-Encoding") != "aes128gcm" or "TTL" not in request.headers:
                raise ValueError("Content-Encoding aes128gcm and TTL are required")
            body = await request.read()
            if len(body) > 4096:
                return web.Response(status=413)
            payload = {}
            if self.decrypt:
                payload = json.loads(http_ece.decrypt(body, private_key=device.private_key, auth_secret=device.auth,
                                                      version="aes128gcm"))
        except (ValueError, KeyError) as exc:
            self.rejected.append(str(exc))
            return web.Response(status=403, text=str(exc))
        headers = {k: request.headers.get(k) for k in ("TTL", "Urgency", "Topic")}
        self.received.append(Received(device.id, payload, headers, claims))
        self.arrived.set()
        return web.Response(status=201)

    async def start(self, port: int = 0) -> "PushService":
        app = web.Application(client_max_size=8192)
        app.router.add_post("/push/{device}", self.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.received)} of {count} pushes arrived")
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), 0.2)
            except asyncio.TimeoutError:
                pass
        return self.received
