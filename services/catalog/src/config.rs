//! The catalog's configuration from the environment (the `id77-catalog` binary); the
//! all-in-one process builds [`Config`] itself.

use id77_kit::config::{flag_or, var_or};

use crate::Config;

impl Config {
    /// `ID77_DATABASE_URL` (default `sqlite://data/catalog.db`), `ID77_SEED_DEMO` (default
    /// true), `ID77_JWT_PUBLIC_KEY` (unset: no favourites, the public catalogue alone).
    pub fn from_env() -> anyhow::Result<Self> {
        let verifier = match std::env::var(id77_kit::auth::PUBLIC_KEY_VAR) {
            Ok(key) if !key.trim().is_empty() => Some(id77_kit::auth::Verifier::from_env()?),
            _ => {
                tracing::warn!("ID77_JWT_PUBLIC_KEY is not set: favourites are disabled");
                None
            }
        };
        Ok(Self {
            database_url: var_or("ID77_DATABASE_URL", "sqlite://data/catalog.db".to_owned())?,
            seed_demo: flag_or("ID77_SEED_DEMO", true)?,
            verifier,
        })
    }
}
