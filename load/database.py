"""The load test's own PostgreSQL database, made fresh for every scenario.

Migrating and seeding take about half a minute, so they happen once per `python -m load`, into a
template database (`<name>_template`); each scenario then starts from a copy of it
(CREATE DATABASE ... TEMPLATE), which takes a second. Both are dropped and made again each run,
so a run never measures what an earlier one left behind.
"""

from dataclasses import dataclass

import dj_database_url
import psycopg
from psycopg import sql


class LoadDatabaseError(RuntimeError):
    pass


@dataclass(frozen=True)
class Target:
    url: str
    name: str
    params: dict

    @classmethod
    def parse(cls, url: str) -> "Target":
        config = dj_database_url.parse(url)
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise LoadDatabaseError(
                "The load test runs on PostgreSQL: give a postgres:// URL "
                "(gunicorn's two workers and the Celery worker write at the same time)."
            )
        params = {
            "host": config.get("HOST") or "127.0.0.1",
            "port": config.get("PORT") or 5432,
            "user": config.get("USER") or None,
            "password": config.get("PASSWORD") or None,
        }
        return cls(url, config["NAME"], {k: v for k, v in params.items() if v is not None})

    @property
    def template_name(self) -> str:
        return f"{self.name}_template"

    @property
    def template_url(self) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + self.template_name

    def connect(self, dbname: str | None = None) -> psycopg.Connection:
        return psycopg.connect(
            dbname=dbname or self.name, autocommit=True, connect_timeout=5, **self.params
        )

    def reachable(self) -> str | None:
        """None if the server answers, else why not."""
        try:
            with self.connect("postgres"):
                return None
        except psycopg.Error as exc:
            return str(exc).strip()

    def recreate(self, name: str, template: str | None = None) -> None:
        with self.connect("postgres") as server:
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            server.execute(create)

    def exists(self, name: str) -> bool:
        with self.connect("postgres") as server:
            found = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return found.fetchone() is not None

    def scalar(self, query: str, params=()) -> int:
        with self.connect() as conn:
            return conn.execute(query, params).fetchone()[0]

    def rows(self, query: str, params=()) -> list[tuple]:
        with self.connect() as conn:
            return conn.execute(query, params).fetchall()
