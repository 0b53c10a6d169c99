"""AnyIO: the same structured-concurrency code on the asyncio and the trio backends:
task groups, memory object streams, cancellation, threads, a TCP listener on 127.0.0.1."""

import anyio
from anyio.abc import SocketStream


async def handle(stream: SocketStream) -> None:
    async with stream:
        await stream.send((await stream.receive()).upper())


async def main() -> str:
    out = []
    send, receive = anyio.create_memory_object_stream[int](5)
    async with anyio.create_task_group() as tg:
        async def produce() -> None:
            async with send:
                for i in range(4):
                    await send.send(i)

        tg.start_soon(produce)
        async with receive:
            out.append(sum([v async for v in receive]))
    with anyio.move_on_after(0.02) as scope:
        await anyio.sleep(5)
    out.append(scope.cancelled_caught)
    out.append(await anyio.to_thread.run_sync(lambda: sum(range(10))))
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        async with await anyio.connect_tcp("127.0.0.1", port) as client:
            await client.send(b"ping")
            out.append(await client.receive())
        tg.cancel_scope.cancel()
    await anyio.Path("anyio.txt").write_text("written\n")
    out.append(await anyio.Path("anyio.txt").read_text())
    return repr(out)


for backend in ("asyncio", "trio"):
    print(backend, anyio.run(main, backend=backend))
