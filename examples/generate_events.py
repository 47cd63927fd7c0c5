#!/usr/bin/env python3
"""Writes examples/events.jsonl: 3,000 CloudEvents of several types, the same every run."""

import base64
import json
import random
from datetime import datetime, timedelta, timezone

rng = random.Random(20261125)
start = datetime(2026, 1, 1, tzinfo=timezone.utc)
kinds = [
    ("com.example.order.placed", "/shop/orders", 30),
    ("com.example.order.paid", "/shop/payments", 25),
    ("com.example.order.shipped", "/shop/warehouse", 20),
    ("com.example.order.cancelled", "/shop/orders", 5),
    ("com.example.user.signed-up", "/accounts", 10),
    ("com.example.sensor.reading", "urn:sensor:hall", 10),
]
types = [k for k, _, w in kinds for _ in range(w)]
sources = {k: s for k, s, _ in kinds}

with open("events.jsonl", "w") as out:
    for i in range(3000):
        event_type = rng.choice(types)
        time = start + timedelta(seconds=i * 37 + rng.randint(0, 30))
        event = {
            "specversion": "1.0",
            "id": f"evt-{i:05d}",
            "source": sources[event_type],
            "type": event_type,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if event_type.endswith("sensor.reading"):
            event["datacontenttype"] = "application/octet-stream"
            event["data_base64"] = base64.b64encode(rng.randbytes(8)).decode()
        else:
            order = rng.randint(1, 400)
            event["subject"] = f"order-{order}" if ".order." in event_type else f"user-{order}"
            event["datacontenttype"] = "application/json"
            event["data"] = {"order": order, "amount": rng.randint(100, 50000), "currency": "EUR"}
        if rng.random() < 0.1:
            event["traceparent"] = f"00-{rng.getrandbits(128):032x}-{rng.getrandbits(64):016x}-01"
        out.write(json.dumps(event, separators=(",", ":")) + "\n")
