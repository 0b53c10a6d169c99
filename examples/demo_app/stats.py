"""Statistics over the numbers; ``decimal`` and ``fractions`` serve exact mode only."""

import decimal
import fractions
import statistics


def summarise(numbers: list[float], exact: bool = False) -> dict[str, float]:
    if exact:
        values = [fractions.Fraction(decimal.Decimal(str(n))) for n in numbers]
        return {"mean": float(statistics.mean(values))}
    return {"mean": statistics.mean(numbers), "median": statistics.median(numbers)}
