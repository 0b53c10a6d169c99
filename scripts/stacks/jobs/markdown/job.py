"""Python-Markdown: extensions loaded by name (toc, tables, fenced code with Pygments
highlighting, definition lists, footnotes), a custom extension, the command line."""

import subprocess
import sys

import markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor


class Shout(Preprocessor):
    def run(self, lines):
        return [line.replace("!!", "(!)") for line in lines]


class ShoutExtension(Extension):
    def extendMarkdown(self, md):
        md.preprocessors.register(Shout(md), "shout", 30)


md = markdown.Markdown(extensions=["toc", "tables", "fenced_code", "codehilite", "def_list", "footnotes", ShoutExtension()], output_format="html")
with open("doc.md") as fh:
    html = md.convert(fh.read() + "\nLoud!!\n")
with open("doc.html", "w") as fh:
    fh.write(html)
print(html)
print(md.toc_tokens)
out = subprocess.run([sys.executable, "-m", "markdown", "-x", "extra", "doc.md"], capture_output=True, text=True)
print(out.returncode, len(out.stdout), out.stderr)
