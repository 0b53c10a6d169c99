"""PyYAML: safe loading with anchors and merges, dumping, custom tags, the C loader,
multi-document streams, errors with positions."""

import yaml

with open("config.yaml") as fh:
    config = yaml.safe_load(fh)
print(config)
print(yaml.safe_dump(config, sort_keys=True, default_flow_style=False), end="")


class Point(yaml.YAMLObject):
    yaml_tag = "!point"
    yaml_loader = yaml.SafeLoader

    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def __repr__(self) -> str:
        return f"Point({self.x}, {self.y})"


print(yaml.safe_load("p: !point {x: 1, y: 2}"))
print(yaml.dump({"p": Point(3, 4)}), end="")
print(list(yaml.safe_load_all("--- 1\n--- [a, b]\n--- {k: v}\n")))
print("CLoader:", hasattr(yaml, "CSafeLoader") and yaml.load("a: [1, 2]", Loader=yaml.CSafeLoader))
try:
    yaml.safe_load("a: [1, 2\nb: 3")
except yaml.YAMLError as exc:
    print(type(exc).__name__, str(exc).splitlines()[0], exc.problem_mark.line)
with open("out.yaml", "w") as fh:
    yaml.safe_dump_all([{"a": 1}, ["x", {"y": None}]], fh, explicit_start=True)
