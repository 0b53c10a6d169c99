"""httpx: sync and async clients over a MockTransport (no network), hooks, errors."""

import asyncio
import json

import httpx


def handler(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/missing":
        return httpx.Response(404, json={"error": "missing"})
    if request.url.path == "/redirect":
        return httpx.Response(302, headers={"Location": "/final"})
    return httpx.Response(200, json={"method": request.method, "path": request.url.path, "query": str(request.url.query, "ascii"), "body": request.content.decode()})


events = []
with httpx.Client(transport=httpx.MockTransport(handler), base_url="https://svc.test", event_hooks={"request": [lambda r: events.append(r.url.path)]}) as client:
    print(client.get("/items", params={"page": 2}).json())
    print(client.post("/items", json={"a": 1}).json())
    r = client.get("/redirect", follow_redirects=True)
    print(r.status_code, r.url, [h.status_code for h in r.history])
    r = client.get("/missing")
    try:
        r.raise_for_status()
    except httpx.HTTPStatusError as exc:
        print("HTTPStatusError:", exc.response.status_code, exc.request.url)
print("events:", events)


async def main() -> None:
    async def ahandler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=f"async {request.url.path}")

    async with httpx.AsyncClient(transport=httpx.MockTransport(ahandler), base_url="https://svc.test") as client:
        responses = await asyncio.gather(*(client.get(f"/n/{i}") for i in range(3)))
        print([r.text for r in responses])


asyncio.run(main())
print(json.dumps(dict(httpx.Headers({"X-B": "2", "x-a": "1"}).multi_items())))
print(httpx.URL("https://a.test/p?q=1").copy_merge_params({"r": "2"}))
