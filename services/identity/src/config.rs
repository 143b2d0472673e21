//! How the identity service is configured: by the all-in-one process, or from the environment
//! for the `id77-identity` binary.

use id77_kit::{
    auth::Signer,
    bus::Bus,
    config::{secret, var_or},
};
use secrecy::SecretString;

/// Address of the bootstrap administrator unless configured (`ID77_ADMIN_EMAIL`).
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@id77.local";
/// The bootstrap administrator's password; generated and shown once when unset.
pub const ADMIN_PASSWORD_VAR: &str = "ID77_ADMIN_PASSWORD";
/// The bootstrap administrator's address.
pub const ADMIN_EMAIL_VAR: &str = "ID77_ADMIN_EMAIL";

/// How the identity service is configured (`ID77_*` variables in the binaries).
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Signs the access tokens (`ID77_JWT_PRIVATE_KEY`); the other services verify them with
    /// its public key.
    pub signer: Signer,
    /// Password of the bootstrap administrator created in an empty database; `None` generates
    /// one and logs it once.
    pub admin_password: Option<SecretString>,
    /// Address of the bootstrap administrator.
    pub admin_email: String,
    /// Where [`run`] publishes the outbox's events; `None` leaves them in the outbox (a relay
    /// run elsewhere with [`Outbox::relay`], or tests that read them there).
    pub bus: Option<Bus>,
}

impl Config {
    /// A configuration with the defaults: generated administrator password, default address,
    /// no bus.
    pub fn new(database_url: impl Into<String>, signer: Signer) -> Self {
        Self {
            database_url: database_url.into(),
            signer,
            admin_password: None,
            admin_email: DEFAULT_ADMIN_EMAIL.to_owned(),
            bus: None,
        }
    }

    /// The `id77-identity` process's settings: `ID77_DATABASE_URL` (default
    /// `sqlite://data/identity.db`), `ID77_JWT_PRIVATE_KEY` (required), `ID77_ADMIN_PASSWORD`
    /// (unset: generated and logged once), `ID77_ADMIN_EMAIL`. The bus is connected by the
    /// caller (`ID77_BUS_URL`).
    pub fn from_env() -> anyhow::Result<Self> {
        let mut config = Self::new(
            var_or("ID77_DATABASE_URL", "sqlite://data/identity.db".to_owned())?,
            Signer::from_env()?,
        );
        config.admin_email = var_or(ADMIN_EMAIL_VAR, config.admin_email)?;
        config.admin_password = secret(ADMIN_PASSWORD_VAR)?;
        Ok(config)
    }
}
