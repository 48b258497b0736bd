"""Configuration: defaults, instance file, environment, test overrides — and every setting documented."""

from __future__ import annotations

import re
from pathlib import Path

from navigator import config, create_app

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_live_in_the_instance_folder(tmp_path):
    values = config.load(tmp_path / "instance", {}, None)
    assert values["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'navigator.db'}"
    assert values["INDEX_DIR"] == str(tmp_path / "search_index")


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = config.load(tmp_path / "instance", {}, None)["SECRET_KEY"]
    second = config.load(tmp_path / "instance", {}, None)["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0


def test_priority_default_file_environment_overrides(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "navigator.cfg").write_text('INDEX_DIR = "/from/file"\nDATABASE_URL = "sqlite:///file.db"\n')
    values = config.load(instance, {"NAVIGATOR_DATABASE_URL": "sqlite:///env.db"}, {"SECRET_KEY": "given"})
    assert (values["INDEX_DIR"], values["DATABASE_URL"], values["SECRET_KEY"]) == (
        "/from/file", "sqlite:///env.db", "given")


def test_create_app_reads_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NAVIGATOR_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("NAVIGATOR_SECRET_KEY", "from-env")
    app = create_app(instance_path=str(tmp_path / "instance"))
    assert app.config["DATABASE_URL"].endswith("env.db") and app.config["SECRET_KEY"] == "from-env"


def test_every_setting_is_documented():
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(NAVIGATOR_[A-Z_]+)`", docs))
    assert set(config.setting_names()) <= documented
    assert documented <= set(config.setting_names()), "docs name settings that do not exist"


def test_every_command_is_documented():
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"}, instance_path="/nonexistent")
    readme = (ROOT / "README.md").read_text(encoding="utf-8") + (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in app.cli.list_commands(None):
        assert f"navigator {name}" in readme, name
