//! The ID77 identity service: accounts, member organisations (profiles, logos, technical
//! contacts), registration and approval, invitations, passwords and sessions.
//!
//! - [`domain`]: the entities, values parsed at the edge, the registration form, roles and
//!   statuses; [`password`] (policy, argon2id) and [`token`] (one-time and refresh tokens, stored
//!   hashed).
//! - [`store`]: the `Store` trait, one SQL body for PostgreSQL and SQLite; every change that
//!   others must hear about writes its event to the outbox in the same transaction.
//! - [`service`]: the use cases ([`Identity`]); [`grpc`]: `id77.identity.v1.IdentityService`;
//!   [`error`]: the one error type and its mapping to `tonic::Status`.
//! - [`events`]: event kinds and payloads; [`logo`]: logo sniffing and resizing.
//!
//! [`run`] is what the binaries call; [`routes`] gives the gRPC routes (for an in-process
//! gateway) and the [`Outbox`] whose relay publishes the events.

use std::{future::Future, sync::Arc};

use anyhow::Context as _;
use id77_kit::{
    bus::{
        Bus,
        outbox::{OutboxDatabase, OutboxRelay},
    },
    db::{self, DbKind},
    serve::GrpcHost,
};
use id77_proto::identity::v1::identity_service_server::IdentityServiceServer;
use secrecy::ExposeSecret;
use sqlx::{PgPool, SqlitePool};
use tokio::{net::TcpListener, sync::Notify};
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod grpc;
pub mod logo;
pub mod password;
pub mod service;
pub mod store;
pub mod token;

pub use config::{ADMIN_EMAIL_VAR, ADMIN_PASSWORD_VAR, Config, DEFAULT_ADMIN_EMAIL};
pub use error::Error;
pub use grpc::IdentityGrpc;
pub use service::Identity;
use store::{PgStore, SqliteStore, Store};

/// Opens the database, migrates it, creates the bootstrap administrator in an empty one, and
/// serves the identity service over gRPC on `listener` until `shutdown` resolves; with a bus
/// configured, the outbox relay runs beside it and stops with it.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let bus = config.bus.clone();
    let (routes, outbox) = routes(config).await?;
    let stop_relay = CancellationToken::new();
    let relay = bus.map(|bus| tokio::spawn(outbox.relay(bus, stop_relay.clone())));
    let served = id77_kit::serve::serve_routes(routes, listener, shutdown).await;
    stop_relay.cancel();
    if let Some(relay) = relay
        && let Err(error) = relay.await
    {
        tracing::error!(%error, "the outbox relay task failed");
    }
    served
}

/// The identity service's gRPC routes (identity, health, reflection) ready to be served on a
/// socket or called in-process, and its [`Outbox`] for the relay. Migrates the database and
/// creates the bootstrap administrator when there is no account yet.
pub async fn routes(config: Config) -> anyhow::Result<(Routes, Outbox)> {
    let notify = Arc::new(Notify::new());
    match DbKind::of_url(&config.database_url)? {
        DbKind::Postgres => {
            let store = PgStore::new(db::open_postgres(&config.database_url).await?);
            let outbox = Outbox {
                pool: OutboxPool::Postgres(store.pool().clone()),
                notify: notify.clone(),
            };
            Ok((build(store, config, notify).await?, outbox))
        }
        DbKind::Sqlite => {
            let store = SqliteStore::new(db::open_sqlite(&config.database_url).await?);
            let outbox = Outbox {
                pool: OutboxPool::Sqlite(store.pool().clone()),
                notify: notify.clone(),
            };
            Ok((build(store, config, notify).await?, outbox))
        }
    }
}

async fn build<S: Store>(store: S, config: Config, notify: Arc<Notify>) -> anyhow::Result<Routes> {
    store
        .migrate()
        .await
        .context("migrating the identity database")?;
    let identity = Arc::new(Identity::new(store, config.signer, notify)?);
    let admin = identity
        .bootstrap_admin(
            &config.admin_email,
            config
                .admin_password
                .as_ref()
                .map(ExposeSecret::expose_secret),
        )
        .await
        .context("creating the bootstrap administrator")?;
    if let Some(admin) = admin {
        match admin.generated_password {
            // Shown once, on purpose: there is no other way to learn it. Set
            // ID77_ADMIN_PASSWORD to choose it instead.
            Some(password) => tracing::warn!(
                identifier = service::BOOTSTRAP_ADMIN,
                email = %config.admin_email,
                %password,
                "bootstrap administrator created with a generated password: note it now, it will \
                 not be shown again"
            ),
            None => tracing::info!(
                identifier = service::BOOTSTRAP_ADMIN,
                email = %config.admin_email,
                "bootstrap administrator created with the password of {ADMIN_PASSWORD_VAR}"
            ),
        }
    }
    // The probe holds the service weakly: it stops when the service is dropped.
    let probed = Arc::downgrade(&identity);
    GrpcHost::new()
        .readiness(Arc::new(move || {
            let identity = probed.upgrade();
            Box::pin(async move { Some(identity?.store().ping().await.is_ok()) })
        }))
        .add_service(IdentityServiceServer::from_arc(Arc::new(
            IdentityGrpc::new(identity),
        )))
        .into_routes()
        .await
}

/// The identity database's outbox, for the relay that publishes its events. Run one relay per
/// database (see `id77_kit::bus::outbox`).
#[derive(Debug, Clone)]
pub struct Outbox {
    pool: OutboxPool,
    /// Notified by the service after each commit that wrote an event.
    notify: Arc<Notify>,
}

#[derive(Debug, Clone)]
enum OutboxPool {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

impl Outbox {
    /// Publishes the outbox's events to `bus` until `cancel`: at once after each commit of this
    /// process's service, and by polling for the rest (see `OutboxRelay::run`).
    pub async fn relay(self, bus: Bus, cancel: CancellationToken) {
        match self.pool {
            OutboxPool::Postgres(pool) => {
                drive(OutboxRelay::new(pool, bus), self.notify, cancel).await;
            }
            OutboxPool::Sqlite(pool) => {
                drive(OutboxRelay::new(pool, bus), self.notify, cancel).await;
            }
        }
    }
}

/// Runs the relay, passing the service's commit notifications on to it (the relay makes its
/// own `Notify`, and the service exists before the bus is known).
async fn drive<DB: OutboxDatabase>(
    relay: OutboxRelay<DB>,
    service: Arc<Notify>,
    cancel: CancellationToken,
) {
    let relay_notify = relay.notifier();
    let forward = async {
        loop {
            service.notified().await;
            relay_notify.notify_one();
        }
    };
    tokio::select! {
        () = relay.run(cancel) => {}
        () = forward => {}
    }
}
