"""python-dateutil: parsing, relativedelta, rrule recurrences, time zones (its own
zoneinfo data), easter."""

import datetime

from dateutil import easter, parser, relativedelta, rrule, tz

for text in ("2024-02-29T13:45:00+01:00", "March 3, 2021 5pm", "3/4/05", "Tue, 1 Jul 2025 10:00:00 GMT"):
    print(text, "->", parser.parse(text).isoformat())
print(parser.parse("10/11/12", dayfirst=True, yearfirst=False).date())
start = datetime.datetime(2024, 1, 31)
print(start + relativedelta.relativedelta(months=+1), relativedelta.relativedelta(datetime.date(2025, 3, 1), datetime.date(2023, 1, 15)))
rule = rrule.rrule(rrule.MONTHLY, byweekday=rrule.FR(-1), dtstart=datetime.datetime(2024, 1, 1), count=4)
print([d.date().isoformat() for d in rule])
print(rrule.rrulestr("DTSTART:20240101T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3").between(datetime.datetime(2024, 1, 1), datetime.datetime(2024, 2, 1), inc=True))
paris = tz.gettz("Europe/Paris")
ny = tz.gettz("America/New_York")
moment = datetime.datetime(2024, 3, 31, 1, 30, tzinfo=tz.UTC)
print(moment.astimezone(paris), moment.astimezone(ny), moment.astimezone(paris).tzname())
print(datetime.datetime(2024, 3, 31, 2, 30, tzinfo=paris).isoformat(), tz.datetime_exists(datetime.datetime(2024, 3, 31, 2, 30), tz=paris))
print([easter.easter(y) for y in (2024, 2025)])
try:
    parser.parse("not a date")
except parser.ParserError as exc:
    print("ParserError:", exc)
