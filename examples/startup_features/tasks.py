"""``tasks N``: run N concurrent asyncio tasks and report when all are done (asyncio)."""

import asyncio


async def _work(i: int) -> int:
    await asyncio.sleep(0.01)
    return i * i


async def _main(n: int) -> int:
    return sum(await asyncio.gather(*(_work(i) for i in range(n))))


def run(n: int) -> str:
    return f"{n} tasks done, sum of squares {asyncio.run(_main(n))}"
