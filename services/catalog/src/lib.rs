//! The catalog service: domains, thematics, typologies and offers, and their search.
//!
//! [`run`] is what the `id77-catalog` binary and the all-in-one process call; tests call it
//! too, on a listener bound to port 0.

use std::{future::Future, sync::Arc};

use anyhow::Context as _;
use id77_kit::{
    db::{self, DbKind},
    serve::GrpcHost,
};
use id77_proto::catalog::v1::catalog_service_server::CatalogServiceServer;
use tokio::net::TcpListener;
use tonic::service::Routes;

mod config;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod search;
pub mod seed;
pub mod service;
pub mod store;

pub use grpc::CatalogGrpc;
pub use service::Catalog;
use store::{PgStore, SqliteStore, Store};

/// How the catalog service is configured (`ID77_*` variables in the binaries).
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Write the demo catalogue into an empty database.
    pub seed_demo: bool,
    /// Verifies access tokens for the per-account RPCs (favourites); `None` serves the public
    /// catalogue only.
    pub verifier: Option<id77_kit::auth::Verifier>,
}

/// Opens the database named by the URL, migrates it, seeds it when asked, and serves the
/// catalogue over gRPC on `listener` until `shutdown` resolves.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    id77_kit::serve::serve_routes(routes(config).await?, listener, shutdown).await
}

/// The catalog's gRPC services (catalogue, health, reflection) ready to be served on a socket
/// or called in-process.
pub async fn routes(config: Config) -> anyhow::Result<Routes> {
    match DbKind::of_url(&config.database_url)? {
        DbKind::Postgres => {
            let store = PgStore::new(db::open_postgres(&config.database_url).await?);
            build(store, config.seed_demo, config.verifier).await
        }
        DbKind::Sqlite => {
            let store = SqliteStore::new(db::open_sqlite(&config.database_url).await?);
            build(store, config.seed_demo, config.verifier).await
        }
    }
}

async fn build<S: Store>(
    store: S,
    seed_demo: bool,
    verifier: Option<id77_kit::auth::Verifier>,
) -> anyhow::Result<Routes> {
    store
        .migrate()
        .await
        .context("migrating the catalog database")?;
    if seed_demo
        && seed::seed_if_empty(&store)
            .await
            .context("seeding the demo catalogue")?
    {
        tracing::info!("demo catalogue written into the empty database");
    }
    let catalog = Arc::new(
        Catalog::load(store)
            .await
            .context("loading the catalogue")?,
    );
    tracing::info!(offers = catalog.index().len(), "catalogue loaded");
    // The probe holds the catalogue weakly: it stops when the service is dropped.
    let probed = Arc::downgrade(&catalog);
    GrpcHost::new()
        .readiness(Arc::new(move || {
            let catalog = probed.upgrade();
            Box::pin(async move { Some(catalog?.store().ping().await.is_ok()) })
        }))
        .add_service(CatalogServiceServer::new(CatalogGrpc::new(
            catalog, verifier,
        )))
        .into_routes()
        .await
}
