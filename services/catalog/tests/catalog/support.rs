//! Fresh databases and an in-process catalog server for the tests.

use std::time::{Duration, Instant};

use id77_catalog::{
    Config,
    store::{PgStore, SqliteStore},
};
use id77_proto::catalog::v1::{
    ListTypologiesRequest, catalog_service_client::CatalogServiceClient,
};
use tokio::net::TcpListener;
use tonic::transport::Channel;

/// Names of the PostgreSQL databases the tests create, followed by a UUIDv7.
const TEST_DATABASE_PREFIX: &str = "id77_catalog_test_";
/// How long `spawn_catalog` waits for the service to answer.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Fresh, empty databases, one per call.
pub struct TestDb;

impl TestDb {
    /// The URL of a SQLite file that does not exist yet, under the system's temp directory.
    pub fn sqlite_url() -> String {
        id77_kit::testing::fresh_sqlite_url("id77-catalog-tests")
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
    /// `ID77_TEST_DATABASE_URL` (a test calling it is ignored unless asked for).
    pub async fn postgres_url() -> String {
        id77_kit::testing::fresh_postgres_url(TEST_DATABASE_PREFIX).await
    }

    /// A store on a fresh PostgreSQL database (not migrated yet); see [`TestDb::postgres_url`].
    pub async fn postgres_store() -> PgStore {
        let url = Self::postgres_url().await;
        let pool = id77_kit::db::open_postgres(&url).await.unwrap_or_else(|e| {
            panic!(
                "opening the PostgreSQL test database {}: {e:#}",
                id77_kit::db::redact(&url)
            )
        });
        PgStore::new(pool)
    }
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
