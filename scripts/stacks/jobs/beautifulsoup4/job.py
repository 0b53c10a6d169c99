"""Beautiful Soup: parsing with html.parser and lxml, find_all, CSS selectors (soupsieve),
tree edits, prettify, encoding detection (UnicodeDammit)."""

from bs4 import BeautifulSoup, UnicodeDammit

with open("page.html") as fh:
    text = fh.read()
for parser in ("html.parser", "lxml"):
    soup = BeautifulSoup(text, parser)
    print(parser, soup.title.string, [li.get_text(" ", strip=True) for li in soup.find_all("li")])
soup = BeautifulSoup(text, "html.parser")
print(sorted((li.contents[0], int(li["data-price"])) for li in soup.select("ul.items > li")))
print([a["href"] for a in soup.select("a[href^='/']")], soup.select_one("li:has(span.new)").contents[0])
print({row.td.text: int(row.find_all("td")[1].text) for row in soup.table.find_all("tr")[1:]})
soup.find("span", class_="new").decompose()
new = soup.new_tag("li", attrs={"data-price": "1"})
new.string = "Clip"
soup.ul.append(new)
with open("edited.html", "w") as fh:
    fh.write(soup.prettify())
print(soup.ul.prettify(), end="")
dammit = UnicodeDammit("Sacr\xe9 bleu!".encode("latin-1"))
print(dammit.unicode_markup, dammit.original_encoding)
