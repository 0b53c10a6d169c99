import dataclasses


@dataclasses.dataclass
class Point:
    x: int
    y: int


def grow(n: int) -> Point:
    return Point(n, n * n)


CALLS = 0  # module state: per worker process in path mode


def shift(p: Point, d: int) -> Point:
    global CALLS
    CALLS += 1
    return Point(p.x + d, p.y + d)


def calls() -> int:
    return CALLS
