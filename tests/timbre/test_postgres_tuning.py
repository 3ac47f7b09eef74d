"""The embedded PostgreSQL is sized for the machine it runs on."""

from __future__ import annotations

import pytest
from django.db import connection

from timbre.embedded import _same_setting, postgres_settings

GB = 1024**3


def test_settings_scale_with_memory_and_cores() -> None:
    small = postgres_settings(memory_bytes=2 * GB, cores=2)
    large = postgres_settings(memory_bytes=128 * GB, cores=16)

    assert small["shared_buffers"] == "512MB" and large["shared_buffers"] == "8192MB"  # capped
    assert small["effective_cache_size"] == "1024MB"
    assert large["maintenance_work_mem"] == "4096MB"
    assert (small["max_parallel_workers_per_gather"], large["max_parallel_workers_per_gather"]) == (
        "1", "4",
    )  # fmt: skip
    assert small["jit"] == "off"


def test_settings_compare_across_units() -> None:
    assert _same_setting("128MB", "16384", "8kB")
    assert _same_setting("64MB", "65536", "kB")
    assert not _same_setting("256MB", "16384", "8kB")
    assert _same_setting("off", "off", None)


@pytest.mark.django_db
def test_the_running_embedded_server_was_tuned() -> None:
    if not (connection.settings_dict.get("HOST") or "").startswith("/"):
        # The embedded server listens on a Unix socket only; another is its administrator's.
        pytest.skip("an external PostgreSQL is configured by its administrator")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
