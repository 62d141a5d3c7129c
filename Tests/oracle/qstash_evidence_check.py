#!/usr/bin/env python3
"""Drives Upstash's official Python SDK (`qstash` on PyPI, written against 3.4.0) through QStash's evidence
endpoints at a QStash base URL: publish with a deduplication id, the log with filters and cursor paging, and the
dead-letter queue. Usage:

    qstash_evidence_check.py BASE_URL TOKEN DESTINATION

The caller has seeded, before running it:
  - 250 log entries of schedule `sdk-paged` (and others of other schedules), in states the SDK knows;
  - dead-letter entries: two of schedule `sdk-a`, one of `sdk-b`, one of `sdk-keep`.

qstash-py 3.4.0's LogApi prints every raw response to stdout, so only the LAST line of stdout is the result: one JSON
object describing what the SDK saw. Exit 0 when everything matched; any mismatch raises (exit 1).
What it leaves behind for the caller to read with its own clients: the published message (id in the result) and
the `sdk-keep` dead-letter entry.
"""
import json
import sys

from qstash import QStash
from qstash.errors import QStashError


def main() -> int:
    base_url, token, destination = sys.argv[1], sys.argv[2], sys.argv[3]
    client = QStash(token, base_url=base_url, retry=False)
    seen = {}

    # publish twice with one deduplication id: the second is deduplicated and names the first message
    first = client.message.publish(
        url=destination,
        body='{"fire":"2026-01-01T00:00:00Z"}',
        content_type="application/json",
        method="POST",
        headers={"X-Fire": "sdk"},
        retries=0,
        timeout="10s",
        deduplication_id="sdk-fire-1",
        label="sdk-backfill",
    )
    assert first.deduplicated is False, first
    again = client.message.publish_json(url=destination, body={"other": True}, deduplication_id="sdk-fire-1")
    assert again.deduplicated is True, again
    assert again.message_id == first.message_id, (again, first)
    seen["published"] = first.message_id
    seen["deduplicated"] = again.deduplicated

    # the log of one schedule, paged by cursor: 250 entries in pages of at most 100
    pages, entries, cursor = 0, [], None
    while True:
        page = client.log.list(cursor=cursor, count=100, filter={"schedule_id": "sdk-paged"})
        pages += 1
        assert len(page.logs) <= 100, len(page.logs)
        entries += page.logs
        cursor = page.cursor
        if not cursor:
            break
        assert pages < 10, "the cursor never ends"
    assert pages == 3, pages
    assert len(entries) == 250, len(entries)
    assert all(e.schedule_id == "sdk-paged" for e in entries)
    times = [e.time for e in entries]
    assert times == sorted(times, reverse=True), "newest first"
    assert len({(e.message_id, e.state.value) for e in entries}) == 250, "no entry twice"
    failed = [e for e in entries if e.state.value == "ERROR"]
    assert failed and all(e.response_status == 500 for e in failed), failed[:1]
    seen["log_pages"] = pages
    seen["log_entries"] = len(entries)

    # a time window, inclusive at both ends
    lo, hi = times[-1], times[-1] + 60_000
    window = client.log.list(filter={"schedule_id": "sdk-paged", "from_time": lo, "to_time": hi}).logs
    assert window and all(lo <= e.time <= hi for e in window), [e.time for e in window]
    assert min(e.time for e in window) == lo
    seen["window"] = len(window)

    # the published message's own log, by message id: it carries the label
    mine = client.log.list(filter={"message_id": first.message_id}).logs
    assert mine and all(e.message_id == first.message_id for e in mine)
    assert any(e.state.value == "CREATED" for e in mine)
    assert all(e.label == "sdk-backfill" and e.url == destination for e in mine), mine[0]
    seen["own_log"] = sorted({e.state.value for e in mine})

    # the dead-letter queue, filtered by schedule
    listed = client.dlq.list(filter={"schedule_id": "sdk-a"})
    assert len(listed.messages) == 2 and listed.cursor is None, listed
    assert all(m.schedule_id == "sdk-a" for m in listed.messages)
    one = client.dlq.get(listed.messages[0].dlq_id)
    assert one.message_id == listed.messages[0].message_id
    assert one.response_status == 500 and one.response_body == "boom", one
    assert one.max_retries == 3 and one.method == "POST" and one.created_at > 0
    assert one.headers == {"Authorization": ["Bearer sdk-forwarded"]}, one.headers
    assert one.body == '{"job":"a"}', one.body
    seen["dlq_listed"] = len(listed.messages)

    paged = client.dlq.list(count=1)
    assert len(paged.messages) == 1 and paged.cursor, paged
    rest = client.dlq.list(cursor=paged.cursor, count=100)
    assert len(rest.messages) == 3 and rest.cursor is None, rest
    seen["dlq_total"] = 1 + len(rest.messages)

    client.dlq.delete(listed.messages[0].dlq_id)
    try:
        client.dlq.get(listed.messages[0].dlq_id)
        raise AssertionError("a deleted dead letter is still there")
    except QStashError as e:
        assert "404" in str(e), str(e)
    try:
        client.dlq.delete(listed.messages[0].dlq_id)
        raise AssertionError("deleting twice succeeded")
    except QStashError as e:
        seen["delete_missing"] = "404" in str(e)
    assert seen["delete_missing"]

    b = client.dlq.list(filter={"schedule_id": "sdk-b"}).messages
    assert len(b) == 1
    deleted = client.dlq.delete_many([listed.messages[1].dlq_id, b[0].dlq_id, "dlq-never-there"])
    assert deleted == 2, deleted
    seen["dlq_deleted_many"] = deleted
    left = client.dlq.list().messages
    assert [m.schedule_id for m in left] == ["sdk-keep"], [m.schedule_id for m in left]

    try:
        QStash("wrong-token", base_url=base_url, retry=False).dlq.list()
        raise AssertionError("a wrong token was accepted")
    except QStashError as e:
        seen["unauthorized"] = "401" in str(e)
    assert seen["unauthorized"]

    print(json.dumps(seen, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
