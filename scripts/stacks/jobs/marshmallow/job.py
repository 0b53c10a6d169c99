"""marshmallow: schemas with nested fields, validation, load/dump, post_load hooks,
unknown-field handling."""

import datetime
from dataclasses import dataclass

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate


@dataclass
class Album:
    title: str
    released: datetime.date
    tracks: list


class TrackSchema(Schema):
    name = fields.Str(required=True)
    seconds = fields.Int(validate=validate.Range(min=1))


class AlbumSchema(Schema):
    class Meta:
        unknown = EXCLUDE
        ordered = True

    title = fields.Str(required=True, validate=validate.Length(min=1))
    released = fields.Date()
    tracks = fields.List(fields.Nested(TrackSchema))
    length = fields.Method("total", dump_only=True)

    def total(self, album: Album) -> int:
        return sum(t["seconds"] for t in album.tracks)

    @post_load
    def make(self, data, **kwargs):
        return Album(**data)


schema = AlbumSchema()
album = schema.load({"title": "Blue", "released": "1971-06-22", "tracks": [{"name": "All I Want", "seconds": 214}, {"name": "River", "seconds": 240}], "label": "ignored"})
print(album)
print(schema.dumps(album))
try:
    schema.load({"title": "", "released": "someday", "tracks": [{"seconds": 0}]})
except ValidationError as exc:
    print(sorted(exc.messages.items()))
print(AlbumSchema(many=True, only=("title",)).dump([album, album]))
