//! Fresh databases and an in-process catalog server for the tests.

use std::{
    env,
    time::{Duration, Instant},
};

use id77_catalog::{
    Config,
    store::{PgStore, SqliteStore},
};
use id77_proto::catalog::v1::{
    ListTypologiesRequest, catalog_service_client::CatalogServiceClient,
};
use sqlx::{Connection as _, PgConnection};
use tokio::net::TcpListener;
use tonic::transport::Channel;

/// The PostgreSQL server the tests create their databases on.
const DATABASE_URL_VAR: &str = "ID77_TEST_DATABASE_URL";
/// Names of the PostgreSQL databases the tests create, followed by a UUIDv7.
const TEST_DATABASE_PREFIX: &str = "id77_catalog_test_";
/// Test databases (and SQLite files) older than this are dropped (the newer ones may belong to a running test, or
/// be kept for looking into a failure).
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);
/// How long `spawn_catalog` waits for the service to answer.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Fresh, empty databases, one per call.
pub struct TestDb;

impl TestDb {
    /// The URL of a SQLite file that does not exist yet, under the system's temp directory.
    pub fn sqlite_url() -> String {
        let dir = env::temp_dir().join("id77-catalog-tests");
        std::fs::create_dir_all(&dir).expect("creating the directory of the test databases");
        remove_stale_files(&dir);
        let path = dir.join(format!("{}.db", uuid::Uuid::now_v7()));
        format!("sqlite://{}", path.display())
    }

    /// A store on a fresh SQLite file (not migrated yet).
    pub async fn sqlite_store() -> SqliteStore {
        let url = Self::sqlite_url();
        let pool = id77_kit::db::open_sqlite(&url)
            .await
            .unwrap_or_else(|e| panic!("opening the SQLite test database {url}: {e:#}"));
        SqliteStore::new(pool)
    }

    /// The URL of a fresh, empty PostgreSQL database on the server named by
    /// `ID77_TEST_DATABASE_URL`; `None` (said on stderr) when the variable is not set outside CI.
    pub async fn postgres_url() -> Option<String> {
        let Ok(server_url) = env::var(DATABASE_URL_VAR) else {
            assert!(
                env::var_os("CI").is_none(),
                "{DATABASE_URL_VAR} must point at PostgreSQL in CI"
            );
            eprintln!("skipping PostgreSQL: {DATABASE_URL_VAR} is not set");
            return None;
        };
        let name = format!("{TEST_DATABASE_PREFIX}{}", uuid::Uuid::now_v7().simple());
        let redacted = id77_kit::db::redact(&server_url);
        let mut connection = PgConnection::connect(&server_url)
            .await
            .unwrap_or_else(|e| {
                panic!("PostgreSQL is unreachable at {redacted} ({DATABASE_URL_VAR}): {e}")
            });
        sqlx::query(sqlx::AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#)))
            .execute(&mut connection)
            .await
            .unwrap_or_else(|e| panic!("creating the test database {name} at {redacted}: {e}"));
        drop_stale_databases(&mut connection).await;
        connection.close().await.ok();
        Some(with_database(&server_url, &name))
    }

    /// A store on a fresh PostgreSQL database (not migrated yet); see [`TestDb::postgres_url`].
    pub async fn postgres_store() -> Option<PgStore> {
        let url = Self::postgres_url().await?;
        let pool = id77_kit::db::open_postgres(&url).await.unwrap_or_else(|e| {
            panic!(
                "opening the PostgreSQL test database {}: {e:#}",
                id77_kit::db::redact(&url)
            )
        });
        Some(PgStore::new(pool))
    }
}

/// Best effort: drops the test databases of earlier runs, told by the time in their UUIDv7.
async fn drop_stale_databases(connection: &mut PgConnection) {
    let names: Vec<String> = match sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE datname LIKE 'id77\\_catalog\\_test\\_%'",
    )
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
            .strip_prefix(TEST_DATABASE_PREFIX)
            .and_then(|id| uuid::Uuid::try_parse(id).ok())
            .and_then(|id| id.get_timestamp())
            .map(|timestamp| Duration::from_secs(timestamp.to_unix().0));
        let Some(created) = created else { continue };
        if now.saturating_sub(created) > STALE_AFTER {
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
fn remove_stale_files(dir: &std::path::Path) {
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
fn with_database(url: &str, name: &str) -> String {
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

/// Starts the catalog service on `127.0.0.1:0` with the given database and returns its address
/// (`http://127.0.0.1:port`) and a connected client, once the service answers.
pub async fn spawn_catalog(
    database_url: &str,
    seed_demo: bool,
) -> (String, CatalogServiceClient<Channel>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding a port for the catalog service");
    let address = format!(
        "http://{}",
        listener
            .local_addr()
            .expect("reading the catalog service's address")
    );
    let config = Config {
        database_url: database_url.to_owned(),
        seed_demo,
        verifier: Some(signer().verifier().expect("a verifier for the test key")),
    };
    let server = tokio::spawn(id77_catalog::run(config, listener, std::future::pending()));
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    loop {
        let attempt = match CatalogServiceClient::connect(address.clone()).await {
            Ok(mut client) => match client.list_typologies(ListTypologiesRequest {}).await {
                Ok(_) => return (address, client),
                Err(status) => format!("{status:?}"),
            },
            Err(error) => format!("{error:?}"),
        };
        if server.is_finished() {
            let outcome = server.await;
            panic!("the catalog service stopped before serving: {outcome:?} (client: {attempt})");
        }
        assert!(
            Instant::now() < deadline,
            "the catalog service did not answer at {address} within {STARTUP_TIMEOUT:?}: {attempt}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn the_database_name_is_replaced_in_the_url() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        with_database("postgres://u:p@db/postgres?sslmode=disable", "t1"),
        "postgres://u:p@db/t1?sslmode=disable"
    );
    assert_eq!(
        with_database("postgresql://db:5432", "t1"),
        "postgresql://db:5432/t1"
    );
}

/// The key that signs the test tokens; every catalog started by `spawn_catalog` trusts it.
pub fn signer() -> &'static id77_kit::auth::Signer {
    static SIGNER: std::sync::OnceLock<id77_kit::auth::Signer> = std::sync::OnceLock::new();
    SIGNER.get_or_init(|| id77_kit::auth::Signer::generate().expect("an Ed25519 key"))
}

/// A request carrying a fresh access token for `account` with `role`.
pub fn as_account<T>(
    message: T,
    account: uuid::Uuid,
    role: id77_kit::auth::Role,
) -> tonic::Request<T> {
    let claims = id77_kit::auth::Claims::new(account, None, role, "Compte de test");
    let token = signer().sign(&claims).expect("a signed token");
    let mut request = tonic::Request::new(message);
    id77_kit::auth::set_bearer(&mut request, &token).expect("a valid header");
    request
}
