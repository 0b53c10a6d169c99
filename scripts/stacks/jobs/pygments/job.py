"""Pygments: lexers by name, filename and guess; HTML, terminal, LaTeX and SVG formatters;
a style; the command-line tool on a file."""

import subprocess
import sys

from pygments import highlight, lex
from pygments.formatters import HtmlFormatter, LatexFormatter, SvgFormatter, TerminalFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename, guess_lexer
from pygments.styles import get_style_by_name

code = 'def add(a: int, b: int = 2) -> int:\n    """Add."""\n    return a + b  # sum\n'
print(highlight(code, get_lexer_by_name("python"), TerminalFormatter()), end="")
with open("code.html", "w") as fh:
    fh.write(highlight(code, get_lexer_by_name("python"), HtmlFormatter(full=True, linenos="table", style="monokai")))
with open("code.tex", "w") as fh:
    fh.write(highlight(code, get_lexer_for_filename("x.py"), LatexFormatter(full=False)))
with open("code.svg", "w") as fh:
    fh.write(highlight(code, get_lexer_by_name("python"), SvgFormatter()))
print(get_lexer_for_filename("main.rs").name, get_lexer_for_filename("Makefile").name)
print(guess_lexer("#!/bin/bash\necho hi\n").name)
print([(str(t), v) for t, v in lex("x = 1", get_lexer_by_name("python"))][:4])
print(get_style_by_name("friendly").background_color)
print(HtmlFormatter(style="default").get_style_defs(".hl").splitlines()[:3])
with open("snippet.js", "w") as fh:
    fh.write("const x = () => 42;\n")
out = subprocess.run([sys.executable, "-m", "pygments", "-f", "html", "-O", "nowrap", "snippet.js"], capture_output=True, text=True)
print(out.returncode, out.stdout, out.stderr)
