//! What the scenarios run on: a bus (memory or RabbitMQ), databases, broker stop/start.

use std::{
    env,
    str::FromStr as _,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use id77_kit::bus::{Bus, Event, MemoryBus, RabbitBus, RabbitConfig};
use lapin::{Connection, ConnectionProperties, options::QueueDeleteOptions};
use sqlx::{
    Connection as _, PgConnection, PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard, mpsc};

/// The RabbitMQ the tests use.
const AMQP_URL_VAR: &str = "ID77_TEST_AMQP_URL";
/// The PostgreSQL server the tests create their schemas on.
const DATABASE_URL_VAR: &str = "ID77_TEST_DATABASE_URL";
/// Prefix of the PostgreSQL schemas the tests create, followed by a UUIDv7.
const SCHEMA_PREFIX: &str = "id77_bus_test_";
/// How long a scenario waits for an event that must come.
pub const PATIENCE: Duration = Duration::from_secs(10);
/// How long a scenario watches for an event that must not come.
pub const QUIET: Duration = Duration::from_millis(300);

/// Tests that stop the broker take it exclusively; the other RabbitMQ tests share it.
static BROKER: RwLock<()> = RwLock::const_new(());

enum BrokerLock {
    Shared(#[allow(dead_code)] RwLockReadGuard<'static, ()>),
    Exclusive(#[allow(dead_code)] RwLockWriteGuard<'static, ()>),
}

/// A bus for one scenario, with unique names so that tests running at the same time never see
/// each other's events.
pub struct Harness {
    pub bus: Bus,
    /// Unique first word of this test's routing keys.
    pub prefix: String,
    amqp_url: Option<String>,
    queues: std::sync::Mutex<Vec<String>>,
    _lock: Option<BrokerLock>,
}

impl Harness {
    pub fn memory() -> Self {
        Self::new(Bus::Memory(MemoryBus::new()), None, None)
    }

    /// A RabbitMQ bus sharing the broker with other tests.
    pub async fn rabbit() -> Self {
        let url = amqp_url();
        let lock = BrokerLock::Shared(BROKER.read().await);
        Self::new(rabbit_bus(&url).await, Some(url), Some(lock))
    }

    /// A RabbitMQ bus with the broker to itself, for a test that stops it.
    pub async fn rabbit_exclusive() -> Self {
        let url = amqp_url();
        let lock = BrokerLock::Exclusive(BROKER.write().await);
        Self::new(rabbit_bus(&url).await, Some(url), Some(lock))
    }

    fn new(bus: Bus, amqp_url: Option<String>, lock: Option<BrokerLock>) -> Self {
        // The bus's logs, when asked for with RUST_LOG (e.g. `id77_kit=debug`).
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init()
            .ok();
        Self {
            bus,
            prefix: format!("t{}", uuid::Uuid::now_v7().simple()),
            amqp_url,
            queues: std::sync::Mutex::new(Vec::new()),
            _lock: lock,
        }
    }

    /// A queue name unique to this test (deleted by [`Harness::cleanup`]).
    pub fn queue(&self, name: &str) -> String {
        let queue = format!("id77test.{}.{name}", self.prefix);
        self.queues.lock().expect("queue list").push(queue.clone());
        queue
    }

    /// A routing key unique to this test: `<prefix>.<rest>`.
    pub fn key(&self, rest: &str) -> String {
        format!("{}.{rest}", self.prefix)
    }

    /// A test event of kind `<prefix>.<rest>` whose payload is `payload`.
    pub fn event(&self, rest: &str, payload: &str) -> Event {
        Event::new(self.key(rest), "id77-test", payload.as_bytes().to_vec())
    }

    /// Makes publishing fail, as when the broker is down: memory marks itself unavailable,
    /// RabbitMQ is stopped (`rabbitmqctl stop_app`). The guard brings it back when dropped, even
    /// when the test panics.
    pub async fn outage(&self) -> Outage {
        match &self.bus {
            Bus::Memory(bus) => {
                bus.set_unavailable(true);
                Outage::Memory(bus.clone())
            }
            Bus::Rabbit(_) => {
                assert!(
                    matches!(self._lock, Some(BrokerLock::Exclusive(_))),
                    "stopping the broker needs Harness::rabbit_exclusive"
                );
                rabbitmqctl("stop_app").await;
                Outage::Rabbit(BrokerRestart::armed())
            }
        }
    }

    /// Waits until the dead-letter queue of `queue` holds an event and takes them all.
    pub async fn wait_dead_letters(&self, queue: &str) -> Vec<Event> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let events = self
                .bus
                .take_dead_letters(queue, 100)
                .await
                .expect("reading dead letters");
            if !events.is_empty() {
                return events;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no dead letter in {queue}.dlq within {PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Deletes this test's queues from the broker (best effort: a failed test leaves them).
    pub async fn cleanup(&self) {
        let Some(url) = &self.amqp_url else { return };
        let queues = std::mem::take(&mut *self.queues.lock().expect("queue list"));
        let Ok(connection) = Connection::connect(url, ConnectionProperties::default()).await else {
            return;
        };
        if let Ok(channel) = connection.create_channel().await {
            for queue in queues {
                for name in [format!("{queue}.dlq"), queue] {
                    if let Err(error) = channel
                        .queue_delete(name.as_str().into(), QueueDeleteOptions::default())
                        .await
                    {
                        eprintln!("deleting test queue {name}: {error}");
                    }
                }
            }
        }
        connection.close(200, "done".into()).await.ok();
    }
}

async fn rabbit_bus(url: &str) -> Bus {
    // Short backoffs so that the outage tests catch up quickly.
    let config = RabbitConfig::new(url)
        .connection_name("id77-kit tests")
        .reconnect_backoff(Duration::from_millis(100), Duration::from_millis(500));
    let bus = RabbitBus::connect(config).await.unwrap_or_else(|e| {
        panic!(
            "RabbitMQ is unreachable at {} ({AMQP_URL_VAR}): {e}",
            id77_kit::db::redact(url)
        )
    });
    Bus::Rabbit(bus)
}

fn amqp_url() -> String {
    configured(
        AMQP_URL_VAR,
        "RabbitMQ, e.g. amqp://guest:guest@127.0.0.1:5672/%2f",
    )
}

/// The variable's value. The tests that need it are ignored unless asked for (`cargo xtask
/// test` sets it), so a missing value fails the test rather than passing it unrun.
fn configured(var: &str, what: &str) -> String {
    match env::var(var) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!("{var} must point at {what} (cargo xtask test sets it)"),
    }
}

/// While alive, the broker (or the memory bus) refuses publishes.
pub enum Outage {
    Memory(MemoryBus),
    Rabbit(BrokerRestart),
}

impl Outage {
    /// Ends the outage and waits until the broker runs again.
    pub async fn end(self) {
        match &self {
            Outage::Memory(bus) => bus.set_unavailable(false),
            Outage::Rabbit(restart) => {
                restart.disarm();
                rabbitmqctl("start_app").await;
            }
        }
    }
}

impl Drop for Outage {
    fn drop(&mut self) {
        if let Outage::Memory(bus) = self {
            bus.set_unavailable(false);
        }
    }
}

/// Restarts the broker when dropped armed (a test panicked while it was stopped), blocking:
/// a stopped broker would fail every later test and developer.
pub struct BrokerRestart {
    armed: AtomicBool,
}

impl BrokerRestart {
    fn armed() -> Self {
        Self {
            armed: AtomicBool::new(true),
        }
    }

    fn disarm(&self) {
        self.armed.store(false, Ordering::SeqCst);
    }
}

impl Drop for BrokerRestart {
    fn drop(&mut self) {
        if self.armed.load(Ordering::SeqCst) {
            eprintln!("restarting the broker after a failed test");
            match std::process::Command::new("rabbitmqctl")
                .arg("start_app")
                .output()
            {
                Ok(output) if output.status.success() => {}
                Ok(output) => eprintln!(
                    "rabbitmqctl start_app failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                ),
                Err(error) => eprintln!("cannot run rabbitmqctl start_app: {error}"),
            }
        }
    }
}

async fn rabbitmqctl(command: &str) {
    let output = tokio::process::Command::new("rabbitmqctl")
        .arg(command)
        .output()
        .await
        .unwrap_or_else(|e| {
            panic!("running rabbitmqctl {command} (needed to stop/start the broker): {e}")
        });
    assert!(
        output.status.success(),
        "rabbitmqctl {command} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A handler that forwards every event to the returned receiver and succeeds.
pub fn collector() -> (
    impl Fn(Event) -> std::future::Ready<Result<(), id77_kit::bus::HandlerError>>
    + Send
    + Sync
    + 'static,
    mpsc::UnboundedReceiver<Event>,
) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let handler = move |event| {
        sender.send(event).ok();
        std::future::ready(Ok(()))
    };
    (handler, receiver)
}

/// The next event, failing the test after [`PATIENCE`].
pub async fn next(receiver: &mut mpsc::UnboundedReceiver<Event>) -> Event {
    tokio::time::timeout(PATIENCE, receiver.recv())
        .await
        .unwrap_or_else(|_| panic!("no event within {PATIENCE:?}"))
        .expect("the handler is gone")
}

/// Fails if an event arrives within [`QUIET`].
pub async fn nothing_more(receiver: &mut mpsc::UnboundedReceiver<Event>) {
    if let Ok(Some(event)) = tokio::time::timeout(QUIET, receiver.recv()).await {
        panic!("unexpected event {} ({})", event.kind, event.id);
    }
}

/// A fresh SQLite database (a file: `sqlite::memory:` is one database per connection).
pub async fn sqlite_pool() -> SqlitePool {
    let dir = env::temp_dir().join("id77-kit-bus-tests");
    std::fs::create_dir_all(&dir).expect("creating the test database directory");
    remove_stale_files(&dir);
    let url = format!(
        "sqlite://{}",
        dir.join(format!("{}.db", uuid::Uuid::now_v7())).display()
    );
    id77_kit::db::open_sqlite(&url)
        .await
        .expect("opening the SQLite test database")
}

/// A pool on a fresh schema of the PostgreSQL server named by `ID77_TEST_DATABASE_URL`.
pub async fn postgres_pool() -> PgPool {
    let url = configured(
        DATABASE_URL_VAR,
        "PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/postgres",
    );
    let redacted = id77_kit::db::redact(&url);
    let schema = format!("{SCHEMA_PREFIX}{}", uuid::Uuid::now_v7().simple());
    let mut connection = PgConnection::connect(&url).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is unreachable at {redacted} ({DATABASE_URL_VAR}): {e}")
    });
    sqlx::query(sqlx::AssertSqlSafe(format!(r#"CREATE SCHEMA "{schema}""#)))
        .execute(&mut connection)
        .await
        .unwrap_or_else(|e| panic!("creating the test schema {schema} at {redacted}: {e}"));
    drop_stale_schemas(&mut connection).await;
    connection.close().await.ok();
    let options = PgConnectOptions::from_str(&url)
        .expect("parsing ID77_TEST_DATABASE_URL")
        .options([("search_path", schema.as_str())]);
    PgPoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .expect("connecting to the PostgreSQL test schema")
}

/// Test schemas and files older than this are removed (newer ones may belong to a running test
/// or be kept for looking into a failure).
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

async fn drop_stale_schemas(connection: &mut PgConnection) {
    let Ok(names) = sqlx::query_scalar::<_, String>(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'id77\\_bus\\_test\\_%'",
    )
    .fetch_all(&mut *connection)
    .await
    else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    for name in names {
        let created = name
            .strip_prefix(SCHEMA_PREFIX)
            .and_then(|id| uuid::Uuid::try_parse(id).ok())
            .and_then(|id| id.get_timestamp())
            .map(|timestamp| Duration::from_secs(timestamp.to_unix().0));
        if created.is_some_and(|created| now.saturating_sub(created) > STALE_AFTER) {
            let drop = format!(r#"DROP SCHEMA IF EXISTS "{name}" CASCADE"#);
            sqlx::query(sqlx::AssertSqlSafe(drop))
                .execute(&mut *connection)
                .await
                .ok();
        }
    }
}

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
