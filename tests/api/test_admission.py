"""Admission: a crowd of hold requests never queues ahead of a customer who is paying."""

from __future__ import annotations

import asyncio

from api.admission import AdmissionMiddleware


def test_a_paying_customer_is_admitted_before_the_waiting_crowd():
    order: list[str] = []
    finish: dict[str, asyncio.Event] = {}

    async def app(scope, receive, send) -> None:  # a slow endpoint
        order.append(scope["path"])
        await finish[scope["path"]].wait()

    gate = AdmissionMiddleware(app, limit=2)

    async def request(path: str) -> None:
        finish[path] = asyncio.Event()
        await gate({"type": "http", "method": "POST", "path": path}, None, None)

    async def scenario() -> None:
        tasks = [asyncio.create_task(request(f"/v1/holds/{n}")) for n in range(4)]
        await asyncio.sleep(0.01)
        assert order == ["/v1/holds/0", "/v1/holds/1"]  # two more holds wait
        tasks.append(asyncio.create_task(request("/v1/checkout")))
        await asyncio.sleep(0.01)
        assert len(order) == 2  # no slot free: the checkout waits too...
        finish["/v1/holds/0"].set()
        await asyncio.sleep(0.01)
        assert order[2] == "/v1/checkout"  # ...but takes the first slot that frees
        for event in finish.values():
            event.set()
        await asyncio.gather(*tasks)

    asyncio.run(scenario())
    assert sorted(order[3:]) == ["/v1/holds/2", "/v1/holds/3"]


def test_a_cancelled_waiter_gives_up_its_place():
    async def app(scope, receive, send) -> None:
        await asyncio.sleep(0.02)

    gate = AdmissionMiddleware(app, limit=1)
    scope = {"type": "http", "method": "POST", "path": "/v1/holds"}

    async def scenario() -> None:
        first = asyncio.create_task(gate(scope, None, None))
        waiter = asyncio.create_task(gate(scope, None, None))
        await asyncio.sleep(0.005)
        waiter.cancel()
        await first
        await asyncio.wait_for(gate(scope, None, None), 1)  # the slot is not lost

    asyncio.run(scenario())
