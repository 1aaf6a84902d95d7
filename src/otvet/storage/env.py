"""The shared body of every component's Alembic ``env.py``.

A component's migration folder holds an ``env.py`` of two lines::

    from otvet.storage.env import run_migrations
    run_migrations()

and its ``versions/``; :func:`otvet.storage.database.migrate` provides the connection and the
component's own version table.
"""

from __future__ import annotations

from alembic import context


def run_migrations() -> None:
    """Run the component's migrations on the connection given by ``migrate``."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("otvet migrations run only through otvet.storage.migrate()")
    context.configure(
        connection=connection,
        version_table=config.attributes["version_table"],
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
