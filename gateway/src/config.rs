//! The gateway's configuration from the environment (the `id77-gateway` binary); the
//! all-in-one process builds its [`AppState`](crate::AppState) itself.

use id77_kit::config::var_or;

use crate::{Config, Settings};

impl Config {
    /// `ID77_CATALOG_ADDR` (default `http://127.0.0.1:50051`), `ID77_IDENTITY_ADDR` (unset:
    /// the public catalogue alone), `ID77_JWT_PUBLIC_KEY` (unset: no sessions),
    /// `ID77_PUBLIC_URL` (`https://…` makes the cookies `Secure`).
    pub fn from_env() -> anyhow::Result<Self> {
        let verifier = match std::env::var(id77_kit::auth::PUBLIC_KEY_VAR) {
            Ok(key) if !key.trim().is_empty() => Some(id77_kit::auth::Verifier::from_env()?),
            _ => None,
        };
        let identity_addr: String = var_or("ID77_IDENTITY_ADDR", String::new())?;
        Ok(Self {
            catalog_addr: var_or("ID77_CATALOG_ADDR", "http://127.0.0.1:50051".to_owned())?,
            identity_addr: Some(identity_addr).filter(|a| !a.is_empty()),
            settings: Settings {
                verifier,
                public_url: var_or("ID77_PUBLIC_URL", String::new())?,
            },
        })
    }
}
