"""Enqueue many messages at once.

Dramatiq's Redis broker enqueues one message per round trip (~1,300/s here), so 10,000 runs due
at 09:00 would wait ~8 s for their messages. This writes a whole batch in one Redis transaction,
in Dramatiq's own queue layout and message encoding. Other brokers (the in-memory stub of the
embedded default) enqueue one by one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import dramatiq
from dramatiq.common import current_millis, dq_name
from dramatiq.middleware import Middleware

from jobs.release import park

PIPELINE_CHUNK = 2000

# (actor, positional arguments, delay in ms or None)
Send = tuple[dramatiq.Actor, tuple, int | None]


def enqueue_many(broker: dramatiq.Broker, sends: Sequence[Send], *, park_delayed: bool = False) -> None:
    """Enqueue every (actor, args, delay) on `broker`.

    With `park_delayed` (Redis only), delayed messages are parked for the clock's release loop
    (jobs.release) instead of Dramatiq's delay queue, so a burst is released at once at its time.
    """
    try:
        from dramatiq.brokers.redis import RedisBroker
    except ImportError:  # redis extra not installed: nothing to batch
        RedisBroker = ()  # type: ignore[assignment]
    if not isinstance(broker, RedisBroker) or len(sends) < 2:
        for actor, args, delay in sends:
            broker.enqueue(actor.message(*args), delay=delay)
        return
    for start in range(0, len(sends), PIPELINE_CHUNK):
        _redis_transaction(broker, sends[start:start + PIPELINE_CHUNK], park_delayed)


def _redis_transaction(broker, sends: Sequence[Send], park_delayed: bool) -> None:
    """Write messages exactly where Dramatiq's "enqueue" script puts them, one transaction per chunk.

    The script does `HSET $ns:$queue.msgs id data` and `RPUSH $ns:$queue id` per message; doing the
    same for the whole chunk in two commands per queue is what makes 10,000 messages take
    milliseconds. `tests/jobs/test_bulk_enqueue.py` proves a real worker consumes them.
    """
    hooks = _enqueue_hooks(broker)
    encode = dramatiq.get_encoder().encode
    now_ms = current_millis()
    ids = _unique_ids(len(sends))
    by_queue: dict[str, tuple[dict[str, bytes], list[str]]] = {}
    pipe = broker.client.pipeline(transaction=True)
    announced = []
    for (actor, args, delay), message_id in zip(sends, ids, strict=True):
        parked = park_delayed and delay is not None
        fields = _fields(actor, args, delay, message_id, now_ms, parked)
        if hooks:
            message = dramatiq.Message(**fields)
            broker.emit_before("enqueue", message, delay)
            announced.append((message, delay))
        data = encode(fields)
        if parked:
            park(broker, pipe, fields["queue_name"], message_id, data, now_ms + delay)
            continue
        hashed, order = by_queue.setdefault(fields["queue_name"], ({}, []))
        hashed[message_id] = data
        order.append(message_id)
    for queue_name, (hashed, order) in by_queue.items():
        key = f"{broker.namespace}:{queue_name}"
        pipe.hset(f"{key}.msgs", mapping=hashed)
        pipe.rpush(key, *order)
    pipe.execute()
    for message, delay in announced:
        broker.emit_after("enqueue", message, delay)


def _fields(actor: dramatiq.Actor, args: tuple, delay: int | None, message_id: str, now_ms: int,
            parked: bool) -> dict[str, Any]:
    """The fields of the message RedisBroker.enqueue would write, built without Message copies.

    A fresh message's id is unique, so it also serves as its Redis id (Dramatiq draws a second
    one only because a retried message is enqueued again under the same message id). At 10,000
    messages a tick, Message objects, their copies and 20,000 uuid4 calls cost ~0.4 s.
    """
    queue_name = actor.queue_name
    options: dict[str, Any] = {"redis_message_id": message_id}
    if delay is not None and not parked:
        queue_name = dq_name(queue_name)
        options["eta"] = now_ms + delay
    return {"queue_name": queue_name, "actor_name": actor.actor_name, "args": args, "kwargs": {},
            "options": options, "message_id": message_id, "message_timestamp": now_ms}


def _unique_ids(count: int) -> list[str]:
    """`count` random 128-bit ids in UUID text form, from one read of the system's randomness."""
    pool = os.urandom(16 * count).hex()
    return [f"{pool[i:i + 8]}-{pool[i + 8:i + 12]}-{pool[i + 12:i + 16]}-{pool[i + 16:i + 20]}-{pool[i + 20:i + 32]}"
            for i in range(0, 32 * count, 32)]


def _enqueue_hooks(broker: dramatiq.Broker) -> bool:
    """True when some middleware acts on enqueue (Dramatiq's defaults don't; Prometheus does),
    so Message objects are built only when someone looks at them."""
    return any(type(m).before_enqueue is not Middleware.before_enqueue
               or type(m).after_enqueue is not Middleware.after_enqueue for m in broker.middleware)
