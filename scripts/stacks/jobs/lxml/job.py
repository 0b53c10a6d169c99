"""lxml: parsing, XPath with namespaces, element building, XSLT, XML Schema validation,
HTML parsing with lxml.html, and writing files."""

from lxml import etree, html

tree = etree.parse("catalog.xml")
ns = {"d": "urn:demo"}
print(tree.xpath("//book[@year < 1970]/title/text()"))
print(sum(float(p) for p in tree.xpath("//d:price/text()", namespaces=ns)))
xslt = etree.XSLT(etree.XML("""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text"/>
<xsl:template match="/"><xsl:for-each select="//book"><xsl:sort select="@year"/><xsl:value-of select="@year"/>: <xsl:value-of select="title"/>;</xsl:for-each></xsl:template>
</xsl:stylesheet>"""))
print(str(xslt(tree)))
root = etree.Element("report", version="1")
for book in tree.iterfind("book"):
    etree.SubElement(root, "entry", ref=book.get("id")).text = book.findtext("title").upper()
etree.ElementTree(root).write("report.xml", pretty_print=True, xml_declaration=True, encoding="utf-8")
print(etree.tostring(root, pretty_print=True).decode(), end="")
schema = etree.XMLSchema(etree.XML("""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
<xs:element name="report"><xs:complexType><xs:sequence><xs:element name="entry" maxOccurs="2"/></xs:sequence>
<xs:attribute name="version"/></xs:complexType></xs:element></xs:schema>"""))
print("valid:", schema.validate(root), [e.message for e in schema.error_log][:1])
doc = html.fromstring("<div><p class='a'>one <b>two</b></p><a href='/x'>link</a><p>three</div>")
print(doc.text_content(), doc.xpath("//a/@href"), html.tostring(doc).decode())
try:
    etree.fromstring("<a><b></a>")
except etree.XMLSyntaxError as exc:
    print("XMLSyntaxError:", exc)
