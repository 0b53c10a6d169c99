"""attrs: define, validators, converters, frozen classes, evolve, asdict, slots, ordering."""

import attrs
from attrs import define, field, frozen, validators


@define(order=True, frozen=True)
class Version:
    major: int = field(converter=int)
    minor: int = field(converter=int, default=0)
    tag: str = field(default="", validator=validators.in_(["", "rc", "beta"]), order=False)

    @classmethod
    def parse(cls, text: str) -> "Version":
        main, _, tag = text.partition("-")
        return cls(*main.split(".")[:2], tag=tag)


@frozen
class Package:
    name: str = field(validator=[validators.instance_of(str), validators.min_len(1)])
    version: Version
    deps: tuple[str, ...] = field(factory=tuple, converter=tuple)


vs = sorted(Version.parse(t) for t in ("1.10", "1.2", "0.9-rc", "1.2.0"))
print(vs)
pkg = Package("demo", Version(1, 2), ["a", "b"])
print(pkg, attrs.asdict(pkg), attrs.astuple(pkg))
print(attrs.evolve(pkg, name="demo2"))
print([a.name for a in attrs.fields(Package)], attrs.has(Package), hash(pkg) == hash(Package("demo", Version(1, 2), ("a", "b"))))
for bad in (lambda: Version(1, tag="alpha"), lambda: Package("", Version(1)), lambda: setattr(pkg, "name", "x")):
    try:
        bad()
    except (ValueError, TypeError, attrs.exceptions.FrozenInstanceError) as exc:
        print(type(exc).__name__, str(exc).split(",")[0][:80])
print(Version.__slots__, attrs.fields_dict(Version)["tag"].default)
