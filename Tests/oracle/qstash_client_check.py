#!/usr/bin/env python3
"""Drives Upstash's official Python SDK (`qstash` on PyPI) against a QStash base URL.

Used by the Swift tests to prove the loopback stand-in answers the schedule endpoints the way the
SDK expects (paths, headers, JSON field names, status codes). Usage:

    qstash_client_check.py BASE_URL TOKEN DESTINATION

Prints one JSON line describing what the SDK saw and exits 0; any mismatch raises (exit 1).
The schedule `sdk-made` is left in place so the caller can read it with its own client.
"""
import json
import sys

from qstash import QStash
from qstash.errors import QStashError


def main() -> int:
    base_url, token, destination = sys.argv[1], sys.argv[2], sys.argv[3]
    client = QStash(token, base_url=base_url, retry=False)
    seen = {}

    # create with every header rbscron sends, and an id of our choosing
    made = client.schedule.create(
        destination=destination,
        cron="CRON_TZ=America/Mexico_City 0 9 * * *",
        method="GET",
        retries=2,
        timeout="30s",
        headers={"Authorization": "Bearer sdk-forwarded-value"},
        schedule_id="sdk-made",
    )
    assert made == "sdk-made", made
    # create without an id: the server chooses one
    generated = client.schedule.create(destination=destination, cron="*/5 * * * *")
    assert generated and generated != "sdk-made", generated

    listed = client.schedule.list()
    ids = sorted(s.schedule_id for s in listed)
    assert "sdk-made" in ids and generated in ids, ids
    seen["listed"] = len(listed)

    got = client.schedule.get("sdk-made")
    assert got.destination == destination, got.destination
    assert got.cron == "CRON_TZ=America/Mexico_City 0 9 * * *", got.cron
    assert got.method == "GET", got.method
    assert got.retries == 2, got.retries
    assert got.timeout == 30, got.timeout
    assert got.headers == {"Authorization": ["Bearer sdk-forwarded-value"]}, got.headers
    assert got.paused is False
    assert isinstance(got.created_at, int) and got.created_at > 0

    client.schedule.pause("sdk-made")
    assert client.schedule.get("sdk-made").paused is True
    client.schedule.resume("sdk-made")
    assert client.schedule.get("sdk-made").paused is False

    # upsert: same id, new cron
    client.schedule.create(destination=destination, cron="0 10 * * *", schedule_id="sdk-made",
                           method="GET", retries=2, timeout=30,
                           headers={"Authorization": "Bearer sdk-forwarded-value"})
    assert client.schedule.get("sdk-made").cron == "0 10 * * *"
    assert len(client.schedule.list()) == len(listed), "an upsert must not add a schedule"

    client.schedule.delete(generated)
    assert generated not in [s.schedule_id for s in client.schedule.list()]

    try:
        client.schedule.get(generated)
        raise AssertionError("get of a deleted schedule succeeded")
    except QStashError as e:
        seen["missing"] = "404" in str(e)
    assert seen["missing"]

    try:
        QStash("wrong-token", base_url=base_url, retry=False).schedule.list()
        raise AssertionError("a wrong token was accepted")
    except QStashError as e:
        seen["unauthorized"] = "401" in str(e)
    assert seen["unauthorized"]

    print(json.dumps(seen, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
