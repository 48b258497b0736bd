"""The application factory and the schema migrations."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from navigator import migrations
from navigator.extensions import database
from navigator.models import metadata
from tests.factories import make_row, write_csv


def test_each_app_has_its_own_database(app, tmp_path):
    assert app.config["TESTING"] and app.config["INDEX_DIR"] == str(tmp_path / "index")
    assert database(app).engine.url.render_as_string(hide_password=False) == app.config["DATABASE_URL"]


def test_home_page_answers_in_russian(app, client, runner, tmp_path):
    (tmp_path / "index").write_text("a file where the index folder should be")
    imported = runner.invoke(args=["import", str(write_csv(tmp_path / "p.csv", [make_row(1), make_row(2)]))])
    assert imported.exit_code == 0 and "will catch up" in imported.output
    page = client.get("/")  # no search index: said in Russian, not a crash
    assert page.status_code == 503 and "Сервис временно недоступен" in page.get_data(as_text=True)
    (tmp_path / "index").unlink()
    runner.invoke(args=["index-follow", "--once"])
    page = client.get("/")
    assert page.status_code == 200 and 'lang="ru"' in page.get_data(as_text=True)


def test_migrations_create_exactly_the_models_schema(app):
    """A model changed without a migration fails here, on SQLite and on PostgreSQL."""
    engine = database(app).engine
    assert migrations.current_revision(engine) == migrations.head_revision()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
