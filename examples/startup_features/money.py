"""``money AMOUNT RATE YEARS``: compound interest in exact decimals (decimal)."""

import decimal


def run(amount: str, rate: str, years: int) -> str:
    decimal.getcontext().prec = 28
    total = decimal.Decimal(amount) * (1 + decimal.Decimal(rate) / 100) ** years
    return str(total.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_EVEN))
