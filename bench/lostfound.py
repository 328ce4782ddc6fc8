"""Lost and found: matching one new lost declaration against 50,000 open found objects."""
from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta, timezone

from backend import db
from backend.accounts.models import Organisation
from backend.config import Settings
from backend.lostfound import matching, service
from backend.lostfound.models import Item, Side
from backend.requests.models import Service, ServiceKind, ServiceRequest
from tests.test_lostfound_matching import CATEGORIES, _description, _point

OPEN_ITEMS = 50_000
ROUNDS = 20


async def fill(rng: random.Random, org: Organisation, found_service: Service) -> None:
    now = datetime.now(timezone.utc)
    for start in range(0, OPEN_ITEMS, 5000):
        reqs = [ServiceRequest(ref=f"LF-{i:07d}", organisation=org, service=found_service, lat=46.67, lon=6.85,
                               public=False, created_at=now, updated_at=now, contact_email="f@example.org")
                for i in range(start, start + 5000)]
        await ServiceRequest.bulk_create(reqs)
        ids = await ServiceRequest.filter(ref__in=[r.ref for r in reqs]).values_list("id", flat=True)
        items = []
        for request_id in ids:
            category = rng.choice(list(CATEGORIES))
            at = now - timedelta(hours=rng.uniform(0, 24 * 365))
            lat, lon = _point(rng, (46.6725, 6.8535), 2000)
            items.append(Item(request_id=request_id, organisation=org, side=Side.FOUND, category=category,
                              colour=rng.choice(matching.COLOURS), brand=rng.choice(CATEGORIES[category][3]),
                              description=_description(rng, category), when_from=at, when_to=at + timedelta(hours=1),
                              lat=lat, lon=lon, created_at=now))
        await Item.bulk_create(items)


async def figures(settings: Settings) -> tuple[float, float, int]:
    """(p50 ms of a declaration's matching through the database, p50 ms of the same scoring in memory, pool size)."""
    ctx = await db.init_db(settings)
    try:
        rng = random.Random(5)
        org = await Organisation.get(slug="brenles")
        found_service = await Service.filter(organisation=org, kind=ServiceKind.FOUND).first()
        await fill(rng, org, found_service)
        lost_service = await Service.filter(organisation=org, kind=ServiceKind.LOST).first()
        now = datetime.now(timezone.utc)
        timings, bare, pool = [], [], 0
        for k in range(ROUNDS):
            req = await ServiceRequest.create(ref=f"LL-{k:05d}", organisation=org, service=lost_service, lat=46.67,
                                              lon=6.85, public=False, created_at=now, updated_at=now)
            category = rng.choice(list(CATEGORIES))
            lat, lon = _point(rng, (46.6725, 6.8535), 1500)
            at = now - timedelta(days=rng.uniform(5, 300))
            lost = await Item.create(request=req, organisation=org, side=Side.LOST, category=category, colour="brown",
                                     brand="", description=_description(rng, category), when_from=at - timedelta(hours=6),
                                     when_to=at, lat=lat, lon=lon, radius_m=500, created_at=now)
            t0 = time.perf_counter()
            await service.find_candidates(lost)
            timings.append((time.perf_counter() - t0) * 1000)
            others = await service.open_other_side(lost)
            pool = max(pool, len(others))
            t0 = time.perf_counter()
            matching.rank(matching.Side.of(lost), others, minimum=0.45)
            bare.append((time.perf_counter() - t0) * 1000)
        return statistics.median(timings), statistics.median(bare), pool
    finally:
        await db.close_db(ctx)
