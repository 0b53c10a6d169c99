import dataclasses


@dataclasses.dataclass
class Point:
    x: int
    y: int


def grow(n: int) -> Point:
    return Point(n, n * n)
