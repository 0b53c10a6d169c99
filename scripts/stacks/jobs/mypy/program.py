from dataclasses import dataclass
from typing import Protocol


class Greeter(Protocol):
    def greet(self, name: str) -> str: ...


@dataclass
class English:
    punctuation: str = "!"

    def greet(self, name: str) -> str:
        return f"Hello, {name}{self.punctuation}"


def welcome(g: Greeter, names: list[str]) -> list[str]:
    return [g.greet(n) for n in names]


welcome(English(), ["a", "b"])
welcome(English(), "ab")
count: int = welcome(English(), ["c"])
reveal_type(English().punctuation)  # noqa: F821  (a mypy builtin)
