"""Pure parts: geometry, passwords, TOTP, settings and their documentation, migrations in step with models."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from backend.accounts.passwords import check_policy, hash_password, verify_password
from backend.accounts.totp import code_at, verify_totp
from backend.config import Settings, documented_settings
from backend.errors import ValidationFailed
from backend.geo import service as geo

SQUARE_WITH_HOLE = {"type": "Polygon", "coordinates": [
    [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
    [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
]}


def test_point_in_polygon_respects_holes_and_multipolygons():
    assert geo.contains(SQUARE_WITH_HOLE, lat=2, lon=2)
    assert not geo.contains(SQUARE_WITH_HOLE, lat=5, lon=5)
    assert not geo.contains(SQUARE_WITH_HOLE, lat=11, lon=5)
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE_WITH_HOLE["coordinates"],
                                                      [[[20, 20], [30, 20], [30, 30], [20, 20]]]]}
    assert geo.contains(multi, lat=21, lon=25) and not geo.contains(multi, lat=29, lon=21)
    assert geo.bounds(SQUARE_WITH_HOLE) == (0, 0, 10, 10)


def test_bad_geometry_and_bbox_are_refused():
    with pytest.raises(ValidationFailed):
        geo.validate_polygon({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]})
    with pytest.raises(ValidationFailed):
        geo.parse_bbox("6.9,46.7,6.8,46.6")
    assert geo.parse_bbox("6.8,46.6,6.9,46.7") == (46.6, 6.8, 46.7, 6.9)


def test_distances_and_boxes():
    d = geo.distance_m((46.6725, 6.8535), (46.6730, 6.8535))
    assert 54 < d < 57
    min_lat, min_lon, max_lat, max_lon = geo.box_around(46.6725, 6.8535, 50)
    assert geo.distance_m((46.6725, 6.8535), (max_lat, 6.8535)) == pytest.approx(50, rel=0.01)
    assert geo.distance_m((46.6725, 6.8535), (46.6725, max_lon)) == pytest.approx(50, rel=0.01)


def test_passwords_are_argon2_hashes_and_policy_names_the_problem():
    stored = hash_password("Correct-horse-9")
    assert stored.startswith("$argon2id$") and verify_password(stored, "Correct-horse-9")
    assert not verify_password(stored, "correct-horse-9") and not verify_password(None, "x")
    for bad, code in [("short", "password_too_short"), ("azertyuiop", "password_too_common"),
                      ("aaaaaaaaaabbbb", "password_too_common")]:
        with pytest.raises(ValidationFailed) as e:
            check_policy(bad, min_length=10)
        assert e.value.code == code
    with pytest.raises(ValidationFailed):
        check_policy("lea.martin-2026", min_length=10, email="lea.martin@example.org")


def test_totp_matches_rfc_6238_vectors():
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890"
    assert code_at(secret, 59) == "287082" and code_at(secret, 1111111109) == "081804"
    assert verify_totp(secret, "081804", at=1111111109 + 25) and not verify_totp(secret, "081805", at=1111111109)


def test_secrets_are_generated_once_into_the_data_folder_and_reused(tmp_path):
    first = Settings.load(env={"DATA_DIR": str(tmp_path)})
    again = Settings.load(env={"DATA_DIR": str(tmp_path)})
    assert first.secret_key and first.secret_key == again.secret_key
    assert first.vapid_private_key == again.vapid_private_key and len(first.vapid_public_key) == 87
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first.database_url == f"sqlite://{tmp_path.resolve()}/guichet.sqlite3"
    given = Settings.load(env={"DATA_DIR": str(tmp_path), "SECRET_KEY": "given", "MAX_PHOTOS": "3",
                               "WORKER_IN_PROCESS": "0"})
    assert given.secret_key == "given" and given.max_photos == 3 and given.worker_in_process is False
    with pytest.raises(ValueError):
        Settings.load(env={"DATA_DIR": str(tmp_path), "WORKER_IN_PROCESS": "maybe"})


def test_the_readme_documents_every_setting():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [name for name, _, _ in documented_settings() if f"`{name}`" not in readme]
    assert not missing, f"README.md lacks: {missing}"


def test_committed_migrations_match_the_models(tmp_path):
    from tortoise.context import TortoiseContext
    from tortoise.migrations.autodetector import MigrationAutodetector

    from backend.db import tortoise_config

    async def changes():
        config = tortoise_config(f"sqlite://{tmp_path}/x.sqlite3")
        async with TortoiseContext() as ctx:
            await ctx.init(config=config)
            return await MigrationAutodetector(ctx.apps, config["apps"]).changes()

    pending = asyncio.run(changes())
    assert not pending, "models changed without a migration: run `.venv/bin/tortoise makemigrations`"


def test_create_admin_explains_a_refused_password_without_a_traceback(tmp_path):
    import subprocess
    import sys

    env = {"DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "backend", "create-admin", "--email", "a@example.org", "--name", "A"],
                            input="azertyuiop\n", capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "create-admin: This password is too common" in result.stderr and "Traceback" not in result.stderr
