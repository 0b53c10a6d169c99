"""SQLAlchemy: declarative ORM models on a SQLite file, relationships, queries, events."""

from sqlalchemy import ForeignKey, String, create_engine, event, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    books: Mapped[list["Book"]] = relationship(back_populates="author", order_by="Book.title")


class Book(Base):
    __tablename__ = "book"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    year: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))
    author: Mapped[Author] = relationship(back_populates="books")


engine = create_engine("sqlite:///library.db")
statements = []
event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2].split()[0]))
Base.metadata.create_all(engine)
with Session(engine) as session:
    session.add_all(
        [
            Author(name="Le Guin", books=[Book(title="The Dispossessed", year=1974), Book(title="Earthsea", year=1968)]),
            Author(name="Lem", books=[Book(title="Solaris", year=1961)]),
        ]
    )
    session.commit()
    for author, count in session.execute(
        select(Author.name, func.count(Book.id)).join(Author.books).group_by(Author.name).order_by(Author.name)
    ):
        print(author, count)
    lem = session.scalars(select(Author).where(Author.name == "Lem")).one()
    print([b.title for b in lem.books])
    old = session.scalars(select(Book).where(Book.year < 1970).order_by(Book.year)).all()
    print([(b.title, b.author.name) for b in old])
    session.delete(old[0])
    session.commit()
    print("books left:", session.scalar(select(func.count()).select_from(Book)))
print("statement kinds:", sorted(set(statements)))
print(select(Book.title).where(Book.year > 1900).compile(engine))
