//! How the notifications service is configured.

use id77_kit::config::{secret, var_or};
use secrecy::SecretString;

/// How the notifications service is configured (by the all-in-one process, or [`Config::from_env`]).
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` or `postgres://…` (the inbox).
    pub database_url: String,
    /// `smtp://…`, `smtps://…` or a folder (`file:///…`) for `.eml` files; secret, since an
    /// SMTP URL carries its password.
    pub mail_url: SecretString,
    /// The sender of every mail, e.g. `ID77 <ne-pas-repondre@id77.fr>`.
    pub mail_from: String,
    /// Where links in mails lead, e.g. `https://www.id77.fr`.
    pub public_url: String,
}

impl Config {
    /// The `id77-notifications` process's settings: `ID77_DATABASE_URL` (default
    /// `sqlite://data/notifications.db`), `ID77_SMTP_URL` (default `smtp://127.0.0.1:25`),
    /// `ID77_MAIL_FROM`, `ID77_PUBLIC_URL` (the start of the links in mails). The bus is
    /// connected by the caller (`ID77_BUS_URL`).
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            database_url: var_or(
                "ID77_DATABASE_URL",
                "sqlite://data/notifications.db".to_owned(),
            )?,
            mail_url: secret("ID77_SMTP_URL")?.unwrap_or_else(|| "smtp://127.0.0.1:25".into()),
            mail_from: var_or(
                "ID77_MAIL_FROM",
                "ID77 <ne-pas-repondre@id77.fr>".to_owned(),
            )?,
            public_url: var_or("ID77_PUBLIC_URL", "http://127.0.0.1:8080".to_owned())?,
        })
    }
}
