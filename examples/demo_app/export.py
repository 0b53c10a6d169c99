"""Export formats: each one needs its own heavy-ish standard library module."""

import csv
import email.message
import io
import sqlite3
import xml.etree.ElementTree as ET


def write(summary: dict[str, float], fmt: str) -> str:
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(sorted(summary.items()))
        return out.getvalue()
    if fmt == "xml":
        root = ET.Element("summary", {k: str(v) for k, v in summary.items()})
        return ET.tostring(root, encoding="unicode")
    if fmt == "sqlite":
        db = sqlite3.connect(":memory:")
        db.execute("create table s (k text, v real)")
        db.executemany("insert into s values (?, ?)", summary.items())
        return repr(db.execute("select * from s order by k").fetchall())
    msg = email.message.EmailMessage()
    msg.set_content(repr(summary))
    return msg.as_string()
