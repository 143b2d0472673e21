//! The HTTP gateway alone (distributed mode); its variables are `id77_gateway::Config`'s and
//! `ID77_HTTP_ADDR` (README, Configuration).

use std::net::SocketAddr;

use anyhow::Context as _;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let _telemetry = id77_kit::telemetry::init("id77-gateway");
    id77_kit::metrics::serve_from_env().await?;
    let state = id77_gateway::Config::from_env()?.connect()?;
    let http_addr = id77_kit::config::http_addr(SocketAddr::from(([0, 0, 0, 0], 8080)))?;
    let listener = tokio::net::TcpListener::bind(http_addr)
        .await
        .with_context(|| format!("cannot listen on {http_addr}"))?;
    id77_gateway::run(state, listener, id77_kit::shutdown::signal()).await
}
