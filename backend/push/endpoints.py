"""Which push endpoints the worker may post to: public addresses only, checked when a browser subscribes and again
at each connection (a name may resolve elsewhere by then: DNS rebinding).

The worker posts wherever a subscription points, so an endpoint is a way for anyone to make our server open a
connection. Every form an address may take is read as the address it is (`127.1`, `2130706433`, `0x7f.1`,
`[::ffff:127.0.0.1]`), and only globally routable unicast addresses pass. The tests' push service on loopback
passes when PUSH_ALLOW_LOOPBACK says so, and loopback only.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan")
RESOLVE_SECONDS = 3.0


class EndpointRefused(OSError):
    """This endpoint leads to an address that is not a public one."""


def literal_address(host: str) -> Address | None:
    """The address a host written as an address stands for, in any form the C library accepts; None for a name."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    try:  # inet_aton's forms: 127.1, 2130706433, 0x7f.0.0.1, 0177.0.0.1
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_public(address: Address, *, allow_loopback: bool = False) -> bool:
    mapped = getattr(address, "ipv4_mapped", None) or getattr(address, "sixtofour", None)
    if mapped is not None:
        address = mapped
    if address.is_loopback:
        return allow_loopback
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_link_local
                                      or address.is_unspecified or address.is_private)


def is_local_name(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(_LOCAL_SUFFIXES) or "." not in name


async def resolve(host: str, port: int) -> list[Address]:
    """The addresses a name has now; none when it does not resolve (push services may be unknown to our DNS)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_SECONDS)
    except (OSError, asyncio.TimeoutError, UnicodeError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


async def check_host(host: str, port: int, *, allow_loopback: bool) -> None:
    """Raises EndpointRefused when `host` is, or resolves to, an address that is not public."""
    literal = literal_address(host)
    if literal is not None:
        if not is_public(literal, allow_loopback=allow_loopback):
            raise EndpointRefused(f"{host} is not a public address")
        return
    if is_local_name(host):
        raise EndpointRefused(f"{host} is a local name")
    for address in await resolve(host, port):
        if not is_public(address, allow_loopback=allow_loopback):
            raise EndpointRefused(f"{host} resolves to {address}, not a public address")


class PublicOnlyResolver(AbstractResolver):
    """aiohttp's resolver, keeping only public addresses: the check made at the moment of connecting."""

    def __init__(self, *, allow_loopback: bool = False):
        self.inner = ThreadedResolver()
        self.allow_loopback = allow_loopback

    async def resolve(self, host: str, port: int = 0, family: Any = socket.AF_INET) -> list[ResolveResult]:
        if is_local_name(host):
            raise EndpointRefused(f"{host} is a local name")
        found = await self.inner.resolve(host, port, family)
        kept = [r for r in found if is_public(ipaddress.ip_address(r["host"].split("%", 1)[0]),
                                              allow_loopback=self.allow_loopback)]
        if not kept:
            raise EndpointRefused(f"{host} resolves to no public address")
        return kept

    async def close(self) -> None:
        await self.inner.close()
