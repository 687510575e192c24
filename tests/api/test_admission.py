"""Admission lanes: a crowd of hold requests never makes a customer who is paying wait."""

from __future__ import annotations

import asyncio

from api.admission import AdmissionMiddleware


def test_paying_customers_have_slots_the_crowd_cannot_take():
    release = asyncio.Event()
    inside: list[str] = []

    async def app(scope, receive, send) -> None:  # a slow endpoint
        inside.append(scope["path"])
        await release.wait()

    gate = AdmissionMiddleware(app, limit=3)  # 2 general slots, 1 priority slot

    async def request(path: str) -> None:
        await gate({"type": "http", "method": "POST", "path": path}, None, None)

    async def scenario() -> list[str]:
        tasks = [asyncio.create_task(request("/v1/holds")) for _ in range(4)]
        await asyncio.sleep(0.01)
        assert inside == ["/v1/holds", "/v1/holds"]  # the other two holds wait
        tasks.append(asyncio.create_task(request("/v1/checkout")))
        await asyncio.sleep(0.01)
        seen = list(inside)  # the checkout went straight in
        release.set()
        await asyncio.gather(*tasks)
        return seen

    assert asyncio.run(scenario()) == ["/v1/holds", "/v1/holds", "/v1/checkout"]
    assert inside.count("/v1/holds") == 4
