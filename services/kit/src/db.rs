//! Opening a service's database from its URL: `sqlite://path` (all-in-one) or `postgres://…`
//! (distributed). Each service runs its own migrations for the kind it gets.

use std::{str::FromStr as _, time::Duration};

use anyhow::{Context as _, bail};
use sqlx::{
    PgPool, SqlitePool,
    migrate::MigrateDatabase as _,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Postgres,
    Sqlite,
}

impl DbKind {
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else {
            bail!(
                "unsupported database URL (expected postgres:// or sqlite://): {}",
                redact(url)
            )
        }
    }
}

/// Opens (and creates when missing) a SQLite database in WAL mode with foreign keys on.
pub async fn open_sqlite(url: &str) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("invalid SQLite URL {url}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .with_context(|| format!("opening SQLite database {url}"))
}

/// Connects to PostgreSQL, creating the database first when it does not exist yet.
pub async fn open_postgres(url: &str) -> anyhow::Result<PgPool> {
    let exists = sqlx::Postgres::database_exists(url)
        .await
        .with_context(|| format!("reaching PostgreSQL at {}", redact(url)))?;
    if !exists {
        tracing::info!(url = %redact(url), "creating database");
        sqlx::Postgres::create_database(url)
            .await
            .with_context(|| format!("creating database {}", redact(url)))?;
    }
    PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .with_context(|| format!("connecting to PostgreSQL at {}", redact(url)))
}

/// The URL with its password replaced, for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_scheme() {
        assert_eq!(
            DbKind::of_url("postgres://u@h/db").unwrap(),
            DbKind::Postgres
        );
        assert_eq!(
            DbKind::of_url("sqlite://data/catalog.db").unwrap(),
            DbKind::Sqlite
        );
        assert!(DbKind::of_url("mysql://h/db").is_err());
    }

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            redact("postgres://id77:s3cret@db:5432/catalog"),
            "postgres://id77:***@db:5432/catalog"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
    }
}
