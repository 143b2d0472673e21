//! The catalog service alone (distributed mode): `ID77_DATABASE_URL`, `ID77_GRPC_ADDR`,
//! `ID77_SEED_DEMO`, `ID77_JWT_PUBLIC_KEY` (favourites need it; without it the public catalogue
//! is served alone).

use std::net::SocketAddr;

use anyhow::Context as _;
use id77_kit::config::{flag_or, var_or};

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let _telemetry = id77_kit::telemetry::init("id77-catalog");
    id77_kit::metrics::serve_from_env().await?;
    let database_url: String = var_or("ID77_DATABASE_URL", "sqlite://data/catalog.db".to_owned())?;
    let grpc_addr = var_or("ID77_GRPC_ADDR", SocketAddr::from(([0, 0, 0, 0], 50051)))?;
    let seed_demo = flag_or("ID77_SEED_DEMO", true)?;
    let verifier = match std::env::var(id77_kit::auth::PUBLIC_KEY_VAR) {
        Ok(key) if !key.trim().is_empty() => Some(id77_kit::auth::Verifier::from_env()?),
        _ => {
            tracing::warn!("ID77_JWT_PUBLIC_KEY is not set: favourites are disabled");
            None
        }
    };
    let listener = tokio::net::TcpListener::bind(grpc_addr)
        .await
        .with_context(|| format!("cannot listen on {grpc_addr}"))?;
    id77_catalog::run(
        id77_catalog::Config {
            database_url,
            seed_demo,
            verifier,
        },
        listener,
        id77_kit::shutdown::signal(),
    )
    .await
}
