from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

metadata = MetaData()
user = Table("user", metadata, Column("id", Integer, primary_key=True), Column("name", String(40), nullable=False))
address = Table(
    "address",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("user.id")),
    Column("email", String(100), index=True),
)
