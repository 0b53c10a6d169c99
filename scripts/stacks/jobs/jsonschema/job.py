"""jsonschema: Draft 2020-12 validation, every error with its path, $ref through a
registry, format checking, best_match."""

import json

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validate
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

address = {"$id": "https://example.test/address", "type": "object", "properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}}, "required": ["zip"]}
schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 2},
        "age": {"type": "integer", "minimum": 0},
        "email": {"type": "string", "format": "email"},
        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "home": {"$ref": "https://example.test/address"},
    },
    "required": ["name", "age"],
    "additionalProperties": False,
}
registry = Registry().with_resource("https://example.test/address", DRAFT202012.create_resource(address))
validator = Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())
good = {"name": "Ada", "age": 36, "email": "ada@example.test", "tags": ["x"], "home": {"zip": "12345"}}
bad = {"name": "A", "age": -1, "email": "nope", "tags": ["x", "x"], "home": {"zip": "1"}, "extra": 1}
print("good valid:", validator.is_valid(good))
for error in sorted(validator.iter_errors(bad), key=lambda e: (list(e.absolute_path), e.validator)):
    print(list(error.absolute_path), error.validator, error.message)
print("best:", best_match(validator.iter_errors(bad)).message)
try:
    validate([1, "2"], {"type": "array", "items": {"type": "integer"}})
except ValidationError as exc:
    print(json.dumps({"path": list(exc.path), "message": exc.message}))
Draft202012Validator.check_schema(schema)
print("schema ok")
