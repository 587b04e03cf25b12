"""Where data lives and which database to open (read once, by the composition root)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from iopdesk.db.urls import sqlite_path, sqlite_url

APP_NAME = "IOPDesk"
DATABASE_FILE = "iopdesk.sqlite3"
DEMO_DATABASE_FILE = "demo.sqlite3"
BACKUPS_KEPT = 10


AUDIT_KEY_FILE = "audit-hmac.key"


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    workstation: str
    config_dir: Path | None = None
    backups_kept: int = BACKUPS_KEPT
    # Back up when the last session here ends and once a day (IOPDESK_AUTO_BACKUP=0: off,
    # for a workstation whose database another one backs up).
    automatic_backups: bool = True

    @property
    def audit_key_path(self) -> Path:
        """The HMAC key of the audit chain: outside the database, readable by its owner only.
        The practice's one key: every workstation of a shared database holds a copy (`iopdesk
        audit key export|import`); the database keeps only its fingerprint."""
        return (self.config_dir or self.data_dir) / AUDIT_KEY_FILE

    @property
    def database_path(self) -> Path | None:
        return sqlite_path(self.database_url)

    @property
    def icd10_path(self) -> Path:
        """The ICD-10-CM code table built from the installed simple-icd-10-cm (see
        iopdesk.services.icd10): one file per library version, so an upgrade builds anew."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            release = version("simple-icd-10-cm")
        except PackageNotFoundError:
            release = "unavailable"
        return self.data_dir / f"icd10cm-{release}.sqlite3"

    @property
    def backup_dir(self) -> Path:
        """Backups go beside an SQLite database, else in the data directory."""
        path = self.database_path
        base = path.parent if path is not None else self.data_dir
        return base / "backups"


def default_data_dir(env: Mapping[str, str]) -> Path:
    if env.get("IOPDESK_DATA_DIR"):
        return Path(env["IOPDESK_DATA_DIR"]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, APP_NAME))


def default_config_dir(env: Mapping[str, str]) -> Path:
    if env.get("IOPDESK_CONFIG_DIR"):
        return Path(env["IOPDESK_CONFIG_DIR"]).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, APP_NAME))


def load_config(database: str | None = None, *, demo: bool = False,
                env: Mapping[str, str] | None = None,
                default_file: str = DATABASE_FILE) -> Config:
    """Which database: `--database` wins; then `demo` (`--demo`: the demo practice's file in
    the data directory); then IOPDESK_DATABASE_URL; then `default_file` in the data directory
    (the practice's, or for `iopdesk demo` the demo practice's). The same for every command.

    A bare path is taken as an SQLite file. Nothing is created here.
    """
    env = os.environ if env is None else env
    data_dir = default_data_dir(env)
    if demo and not database:
        chosen, default_file = None, DEMO_DATABASE_FILE
    else:
        chosen = database or env.get("IOPDESK_DATABASE_URL")
    if chosen:
        url = chosen if "://" in chosen else sqlite_url(Path(chosen).expanduser().resolve())
    else:
        url = sqlite_url(data_dir / default_file)
    import socket       # here, not at start-up: only a configuration without a name needs it

    workstation = env.get("IOPDESK_WORKSTATION") or socket.gethostname() or "unknown"
    return Config(data_dir=data_dir, database_url=url, workstation=workstation,
                  config_dir=default_config_dir(env), backups_kept=_backups_kept(env),
                  automatic_backups=env.get("IOPDESK_AUTO_BACKUP", "1").strip().lower()
                  not in ("0", "off", "no", "false"))


def _backups_kept(env: Mapping[str, str]) -> int:
    """IOPDESK_BACKUPS_KEPT: how many backups this workstation keeps (1 or more)."""
    value = env.get("IOPDESK_BACKUPS_KEPT", "").strip()
    return max(int(value), 1) if value.isdigit() else BACKUPS_KEPT
