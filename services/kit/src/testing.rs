//! Test support shared by the services' suites (feature `testing`): fresh, empty databases on
//! the test servers, and the cleanup of those left by earlier runs.
//!
//! PostgreSQL tests use the server named by `ID77_TEST_DATABASE_URL`; they are ignored by a plain
//! `cargo test` and run by `cargo xtask test`, which starts the server and sets the variable.

use std::{path::Path, time::Duration};

use sqlx::{Connection as _, PgConnection};

/// The PostgreSQL server the tests create their databases on.
pub const DATABASE_URL_VAR: &str = "ID77_TEST_DATABASE_URL";
/// Test databases (and SQLite files) older than this are removed by later runs.
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

/// The URL of a SQLite file that does not exist yet, in `folder` under the temp directory.
#[allow(clippy::expect_used)] // Test support: failing here is failing the test.
pub fn fresh_sqlite_url(folder: &str) -> String {
    let dir = std::env::temp_dir().join(folder);
    std::fs::create_dir_all(&dir).expect("creating the directory of the test databases");
    remove_stale_files(&dir);
    let path = dir.join(format!("{}.db", uuid::Uuid::now_v7()));
    format!("sqlite://{}", path.display())
}

/// The URL of a fresh, empty PostgreSQL database named `<prefix><uuid v7>`. The tests that call
/// this are `#[ignore = "needs PostgreSQL …"]`, run by `cargo xtask test`: when asked to run,
/// they fail without the server (unset or unreachable), never pass without it.
pub async fn fresh_postgres_url(prefix: &str) -> String {
    let server_url = std::env::var(DATABASE_URL_VAR).unwrap_or_else(|_| {
        panic!("{DATABASE_URL_VAR} must name a PostgreSQL server (cargo xtask test sets it)")
    });
    let name = format!("{prefix}{}", uuid::Uuid::now_v7().simple());
    let redacted = crate::db::redact(&server_url);
    let mut connection = PgConnection::connect(&server_url)
        .await
        .unwrap_or_else(|e| {
            panic!("PostgreSQL is unreachable at {redacted} ({DATABASE_URL_VAR}): {e}")
        });
    sqlx::query(sqlx::AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#)))
        .execute(&mut connection)
        .await
        .unwrap_or_else(|e| panic!("creating the test database {name} at {redacted}: {e}"));
    drop_stale_databases(&mut connection, prefix).await;
    connection.close().await.ok();
    with_database(&server_url, &name)
}

/// Best effort: drops the databases of earlier runs, told by the time in their UUIDv7.
async fn drop_stale_databases(connection: &mut PgConnection, prefix: &str) {
    let pattern = format!("{}%", prefix.replace('_', "\\_"));
    let names: Vec<String> =
        match sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE $1")
            .bind(pattern)
            .fetch_all(&mut *connection)
            .await
        {
            Ok(names) => names,
            Err(e) => {
                eprintln!("listing stale test databases: {e}");
                return;
            }
        };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    for name in names {
        let created = name
            .strip_prefix(prefix)
            .and_then(|id| uuid::Uuid::try_parse(id).ok())
            .and_then(|id| id.get_timestamp())
            .map(|timestamp| Duration::from_secs(timestamp.to_unix().0));
        if created.is_some_and(|created| now.saturating_sub(created) > STALE_AFTER) {
            let drop = format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#);
            if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(drop))
                .execute(&mut *connection)
                .await
            {
                eprintln!("dropping the stale test database {name}: {e}");
            }
        }
    }
}

/// Best effort: removes the SQLite files (and their WAL) of earlier runs.
pub fn remove_stale_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if stale {
            std::fs::remove_file(entry.path()).ok();
        }
    }
}

/// `url` with the database name in its path replaced by `name` (query string kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    format!("{server}/{name}{query}")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_in_the_url() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "t1"),
            "postgres://u@h:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "t2"),
            "postgres://u@h/t2?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "t3"), "postgres://u@h/t3");
    }
}
