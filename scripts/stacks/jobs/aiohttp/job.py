"""aiohttp: a web application served on 127.0.0.1 (an ephemeral port), a ClientSession
talking to it (JSON, a websocket, streaming), then the server is shut down."""

import asyncio

from aiohttp import ClientSession, WSMsgType, web


async def hello(request: web.Request) -> web.Response:
    return web.json_response({"hello": request.match_info["name"], "q": request.query.get("q")})


async def echo(request: web.Request) -> web.Response:
    data = await request.json()
    return web.json_response({"echo": data, "len": request.content_length})


async def ws(request: web.Request) -> web.WebSocketResponse:
    sock = web.WebSocketResponse()
    await sock.prepare(request)
    async for msg in sock:
        if msg.type == WSMsgType.TEXT:
            await sock.send_str(msg.data.upper())
    return sock


async def stream(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse()
    await resp.prepare(request)
    for i in range(3):
        await resp.write(f"chunk{i};".encode())
    await resp.write_eof()
    return resp


@web.middleware
async def tag(request, handler):
    response = await handler(request)
    response.headers["X-Tag"] = "stacks"
    return response


async def main() -> None:
    app = web.Application(middlewares=[tag])
    app.add_routes([web.get("/hello/{name}", hello), web.post("/echo", echo), web.get("/ws", ws), web.get("/stream", stream)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}"
    try:
        async with ClientSession() as session:
            async with session.get(f"{base}/hello/world", params={"q": "x"}) as r:
                print(r.status, r.headers["X-Tag"], await r.json())
            async with session.post(f"{base}/echo", json={"a": [1, 2]}) as r:
                print(await r.json())
            async with session.get(f"{base}/missing") as r:
                print(r.status, r.reason)
            async with session.get(f"{base}/stream") as r:
                print(r.headers.get("Transfer-Encoding"), await r.text())
            async with session.ws_connect(f"{base}/ws") as sock:
                await sock.send_str("ping")
                print((await sock.receive()).data)
                await sock.close()
    finally:
        await runner.cleanup()
    print("server stopped")


asyncio.run(main())
