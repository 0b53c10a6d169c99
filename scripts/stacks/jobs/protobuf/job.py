"""protobuf: a message type built at run time from a FileDescriptorProto (what protoc's
generated modules do), serialisation, JSON, well-known types, unknown-field handling."""

import json

from google.protobuf import (
    descriptor_pb2,
    descriptor_pool,
    json_format,
    message_factory,
    text_format,
)
from google.protobuf.struct_pb2 import Struct
from google.protobuf.timestamp_pb2 import Timestamp

fdp = descriptor_pb2.FileDescriptorProto(name="demo.proto", package="demo", syntax="proto3")
person = fdp.message_type.add(name="Person")
F = descriptor_pb2.FieldDescriptorProto
person.field.add(name="name", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
person.field.add(name="id", number=2, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
person.field.add(name="emails", number=3, type=F.TYPE_STRING, label=F.LABEL_REPEATED)
person.field.add(name="born", number=4, type=F.TYPE_MESSAGE, type_name=".google.protobuf.Timestamp", label=F.LABEL_OPTIONAL)
fdp.dependency.append("google/protobuf/timestamp.proto")
pool = descriptor_pool.Default()
pool.Add(fdp)
Person = message_factory.GetMessageClass(pool.FindMessageTypeByName("demo.Person"))
p = Person(name="Ada", id=7, emails=["ada@example.test"])
p.born.FromJsonString("1815-12-10T00:00:00Z")
data = p.SerializeToString()
print(data.hex())
q = Person.FromString(data)
print(text_format.MessageToString(q), end="")
print(json_format.MessageToJson(q, indent=1, sort_keys=True))
print(json_format.Parse('{"name": "Bob", "id": 3}', Person()).id)
s = Struct()
s.update({"a": 1, "b": [True, None, "x"]})
# Sorted: upb iterates a map in an order seeded per process (a random order eagerly too).
print(json.dumps(json_format.MessageToDict(s), sort_keys=True))
ts = Timestamp(seconds=1700000000, nanos=500)
print(ts.ToJsonString(), ts.ToDatetime().isoformat())
try:
    json_format.Parse('{"nope": 1}', Person())
except json_format.ParseError as exc:
    print("ParseError:", exc)
with open("person.bin", "wb") as fh:
    fh.write(data)
from google.protobuf.internal import api_implementation  # noqa: E402

print("implementation:", api_implementation.Type())
