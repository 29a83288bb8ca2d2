"""Database locks for writes that must not interleave."""

import zlib

from django.db import connection


def advisory_xact_lock(name):
    """Hold a named lock until the current transaction ends.

    On PostgreSQL this is pg_advisory_xact_lock. SQLite needs nothing more:
    with transaction_mode=IMMEDIATE every write transaction already holds the
    database's single write lock from its first statement.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("advisory_xact_lock must be taken inside transaction.atomic()")
    if connection.vendor == "postgresql":
        key = zlib.crc32(name.encode()) - 2**31  # fits a signed 32-bit int
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
