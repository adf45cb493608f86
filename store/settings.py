"""All settings of the dashboard, declared once.

Every value can be set through an environment variable with the prefix ``DASHBOARD_``
(e.g. ``DASHBOARD_DB=/srv/dashboard.duckdb``). The defaults describe the embedded setup:
a local DuckDB file, demo identity, demo data seeded on first start.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Typed settings; see the README table for what each one means."""

    model_config = SettingsConfigDict(env_prefix="DASHBOARD_", extra="ignore")

    db: Path = Field(default=PROJECT_ROOT / "data" / "dashboard.duckdb")
    auth_mode: Literal["demo", "proxy", "oidc"] = "demo"
    seed_demo: bool = True
    max_upload_mb: int = 20
    max_rows: int = 100_000
    strict_light_reason: bool = False
    eakte_target_date: date = date(2027, 12, 31)
    cache_ttl_seconds: int = 600

    # Personal data and legal texts (README "Barrierefreiheit"; pages "Barrierefreiheit" and
    # "Impressum / Datenschutz"). Texts are plain text, shown escaped; empty = not yet set.
    contact_retention_days: int = Field(default=365, ge=0)
    legal_operator: str = "Senatskanzlei Berlin – Chief Digital Officer (CDO)"
    legal_address: str = ""
    legal_contact_email: str = ""
    legal_contact_phone: str = ""
    legal_representative: str = ""
    privacy_officer: str = ""
    a11y_feedback_email: str = ""
    a11y_statement_date: date = date(2026, 11, 29)
    a11y_enforcement_body: str = "Landesbeauftragte für digitale Barrierefreiheit Berlin"

    # Identity and hardening (docs/security.md). Demo mode serves loopback only unless allowed.
    allow_remote_demo: bool = False
    public_view: bool = False
    session_max_age_hours: float = 10.0
    oidc_provider: str | None = None
    oidc_roles_claim: str = "groups"
    oidc_name_claim: str = "name"
    role_value_prefix: str = ""
    role_map: dict[str, str] = Field(default_factory=dict)
    proxy_user_header: str = "X-Forwarded-User"
    proxy_groups_header: str = "X-Forwarded-Groups"
    proxy_trusted_ips: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    backup_dir: Path | None = None

    # Recommendation rules (kpi.recommendations, page "Handlungsempfehlungen"; README).
    recommendation_stale_periods: int = Field(default=2, ge=1)
    recommendation_slip_days: int = Field(default=60, ge=0)
    recommendation_unreported_cost_periods: int = Field(default=2, ge=1)
    recommendation_similarity_threshold: int = Field(default=85, ge=50, le=100)
    recommendation_similarity_min_authorities: int = Field(default=2, ge=2)
    recommendation_similarity_exclude_programmes: list[str] = Field(
        default_factory=lambda: ["eakte"]
    )
    recommendation_eakte_grace_days: int = Field(default=90, ge=0)
    recommendation_quota_gap: float = Field(default=0.15, gt=0, lt=1)
    recommendation_quota_min_services: int = Field(default=5, ge=1)

    @property
    def backup_directory(self) -> Path:
        """Where backups go: the only directory the locked-down database may write to."""
        return (self.backup_dir or Path(self.db).parent / "backups").resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings are read once per process; tests call ``get_settings.cache_clear()``."""
    return Settings()
