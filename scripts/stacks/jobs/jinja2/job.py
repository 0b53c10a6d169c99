"""Jinja2: inheritance, macros, filters, autoescaping, a sandbox and async rendering."""

import asyncio

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape(), undefined=StrictUndefined)
env.filters["shout"] = lambda s: s.upper() + "!"
html = env.get_template("report.html").render(title="Scores <2024>", scores={"bo": 3.5, "al": 9.25, "cy": 1})
with open("report.html", "w") as fh:
    fh.write(html)
print(html)
print(env.from_string("{{ 'hi'|shout }} {{ [3, 1, 2]|sort|join(',') }}").render())
try:
    env.from_string("{{ missing.attr }}").render()
except UndefinedError as exc:
    print("UndefinedError:", exc)
sandbox = SandboxedEnvironment()
try:
    sandbox.from_string("{{ ''.__class__.__mro__ }}").render()
except SecurityError as exc:
    print("SecurityError:", exc)
print(repr(sandbox.from_string("{{ x.__class__ }}").render(x=1)))
aenv = Environment(enable_async=True)


async def main() -> str:
    async def numbers():
        for i in range(3):
            yield i

    return await aenv.from_string("{% for n in numbers() %}{{ n }};{% endfor %}").render_async(numbers=numbers)


print(asyncio.run(main()))
print(sorted(env.list_templates()))
