# alembic: init, autogenerate a revision from models.py, upgrade and downgrade on SQLite.
set -e
alembic init migrations
sed -i 's|^sqlalchemy.url = .*|sqlalchemy.url = sqlite:///app.db|' alembic.ini
sed -i 's|^target_metadata = None|import sys; sys.path.insert(0, ".")\nfrom models import metadata as target_metadata|' migrations/env.py
alembic revision --autogenerate --rev-id 0001 -m "create user and address"
alembic upgrade head
alembic current
alembic history
alembic downgrade base
alembic upgrade head --sql
