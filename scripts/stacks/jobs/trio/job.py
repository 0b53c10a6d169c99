"""Trio: nurseries, memory channels, cancel scopes, locks and a TCP echo server on
127.0.0.1 that the job closes; output is ordered so that it is deterministic."""

from functools import partial

import trio


async def producer(send: trio.MemorySendChannel, n: int) -> None:
    async with send:
        for i in range(n):
            await send.send(i * i)


async def consumer(receive: trio.MemoryReceiveChannel, results: list) -> None:
    async with receive:
        async for value in receive:
            results.append(value)


async def echo_handler(stream: trio.SocketStream) -> None:
    async with stream:
        data = await stream.receive_some(100)
        await stream.send_all(data[::-1])


async def main() -> None:
    results: list[int] = []
    send, receive = trio.open_memory_channel(0)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(producer, send, 5)
        nursery.start_soon(consumer, receive, results)
    print("channel:", results)
    with trio.move_on_after(0.05) as scope:
        await trio.sleep(10)
    print("cancelled:", scope.cancelled_caught)
    try:
        with trio.fail_after(0.01):
            await trio.sleep(1)
    except trio.TooSlowError:
        print("TooSlowError")
    lock = trio.Lock()
    order: list[str] = []

    async def worker(name: str) -> None:
        async with lock:
            order.append(name)
            await trio.sleep(0)

    async with trio.open_nursery() as nursery:
        for name in "abc":
            nursery.start_soon(worker, name)
    print("lock holders:", sorted(order))
    async with trio.open_nursery() as nursery:
        listeners = await nursery.start(partial(trio.serve_tcp, echo_handler, 0, host="127.0.0.1"))
        port = listeners[0].socket.getsockname()[1]
        client = await trio.open_tcp_stream("127.0.0.1", port)
        async with client:
            await client.send_all(b"hello trio")
            print("echo:", await client.receive_some(100))
        nursery.cancel_scope.cancel()
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio.sleep, 0)

            async def boom() -> None:
                raise ValueError("boom")

            nursery.start_soon(boom)
    except Exception as group:  # an ExceptionGroup (Python 3.11)
        print(type(group).__name__, [str(e) for e in group.exceptions])


trio.run(main)
