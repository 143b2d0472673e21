//! The catalog service alone (distributed mode); its variables are `id77_catalog::Config`'s
//! and `ID77_GRPC_ADDR` (README, Configuration).

use anyhow::Context as _;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let _telemetry = id77_kit::telemetry::init("id77-catalog");
    id77_kit::metrics::serve_from_env().await?;
    let config = id77_catalog::Config::from_env()?;
    let grpc_addr = id77_kit::config::grpc_addr(50051)?;
    let listener = tokio::net::TcpListener::bind(grpc_addr)
        .await
        .with_context(|| format!("cannot listen on {grpc_addr}"))?;
    id77_catalog::run(config, listener, id77_kit::shutdown::signal()).await
}
