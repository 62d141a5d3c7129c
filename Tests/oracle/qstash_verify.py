#!/usr/bin/env python3
"""Verify an Upstash-Signature token with Upstash's official Python SDK.

Usage: qstash_verify.py CASE_FILE
CASE_FILE is JSON: {"signature", "body", "url", "current_signing_key", "next_signing_key"}.
Exit 0: the SDK's Receiver.verify accepted it. Exit 1: it rejected it (the reason on stderr).
Exit 3: the qstash module is not installed. Exit 2: bad usage.
"""
import json
import sys

try:
    import qstash
    from qstash import Receiver
except ImportError as error:  # pragma: no cover - reported to the Swift test
    print(f"qstash module missing: {error}", file=sys.stderr)
    sys.exit(3)


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: qstash_verify.py CASE_FILE", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as handle:
        case = json.load(handle)
    receiver = Receiver(
        current_signing_key=case["current_signing_key"],
        next_signing_key=case["next_signing_key"],
    )
    try:
        receiver.verify(signature=case["signature"], body=case["body"], url=case["url"])
    except Exception as error:  # SignatureError, or KeyError for a token without "body"
        print(f"rejected: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"accepted by qstash {getattr(qstash, '__version__', '?')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
