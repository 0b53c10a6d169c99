"""tomlkit: edit a TOML document keeping comments and layout; the standard tomllib reads it."""

import tomlkit
import tomllib

source = '''# project settings
[project]
name = "demo"  # the name
version = "1.0"
dependencies = [
    "a>=1",  # first
]

[tool.demo]
flag = true
'''
doc = tomlkit.parse(source)
doc["project"]["version"] = "1.1"
doc["project"]["dependencies"].append("b==2")
tool = doc["tool"]["demo"]
tool["when"] = tomlkit.date("2024-05-01")
tool.add(tomlkit.comment("added by the job"))
tool["matrix"] = tomlkit.inline_table()
tool["matrix"].update({"py": ["3.11", "3.12"]})
text = tomlkit.dumps(doc)
print(text)
with open("pyproject-edited.toml", "w") as fh:
    fh.write(text)
print(tomllib.loads(text))
try:
    tomlkit.parse("a = = 1")
except tomlkit.exceptions.ParseError as exc:
    print("ParseError:", exc)
