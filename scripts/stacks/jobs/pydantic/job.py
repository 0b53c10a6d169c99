"""pydantic: models, validators, nested data, errors, JSON Schema, settings-like parsing."""

import datetime
import enum
import json
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    TypeAdapter,
    ValidationError,
    computed_field,
    field_validator,
)


class Role(enum.Enum):
    admin = "admin"
    user = "user"


class Address(BaseModel):
    city: str
    zip: Annotated[str, Field(pattern=r"^\d{5}$")]


class User(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    id: int
    name: str
    role: Role = Role.user
    joined: datetime.date
    addresses: list[Address] = []
    kind: Literal["person", "bot"] = "person"

    @field_validator("name")
    @classmethod
    def title(cls, v: str) -> str:
        return v.title()

    @computed_field
    @property
    def years(self) -> int:
        return 2025 - self.joined.year


u = User.model_validate({"id": "7", "name": "  ada lovelace ", "joined": "2015-12-10", "addresses": [{"city": "London", "zip": "12345"}]})
print(repr(u))
print(u.model_dump_json())
try:
    User(id="x", name="b", joined="never", addresses=[{"city": "Paris", "zip": "1"}])
except ValidationError as exc:
    print(exc.error_count(), "errors")
    for err in exc.errors():
        print(err["loc"], err["type"])
print(json.dumps(User.model_json_schema(), sort_keys=True)[:400])
print(TypeAdapter(list[int]).validate_json("[1, 2, 3]"))
try:
    TypeAdapter(EmailStr).validate_python("nobody")
except ImportError as exc:
    print("email-validator not installed:", exc)
except ValidationError as exc:
    print(exc.errors()[0]["type"])
