"""``xml NAME...``: print the names as a pretty XML document (xml.dom.minidom)."""

import xml.dom.minidom


def run(names: list[str]) -> str:
    doc = xml.dom.minidom.Document()
    root = doc.appendChild(doc.createElement("people"))
    for name in names:
        root.appendChild(doc.createElement("person")).setAttribute("name", name)
    return doc.toprettyxml(indent="  ").rstrip()
