//! The identity service alone (distributed mode); its variables are `id77_identity::Config`'s,
//! `ID77_GRPC_ADDR` and `ID77_BUS_URL` (README, Configuration).

use anyhow::Context as _;
use secrecy::ExposeSecret as _;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let _telemetry = id77_kit::telemetry::init("id77-identity");
    id77_kit::metrics::serve_from_env().await?;
    let mut config = id77_identity::Config::from_env()?;
    let grpc_addr = id77_kit::config::grpc_addr(50052)?;
    let bus_url = id77_kit::config::bus_url()?;
    config.bus = Some(
        id77_kit::bus::Bus::connect(bus_url.expose_secret())
            .await
            .context("connecting to the event bus")?,
    );
    let listener = tokio::net::TcpListener::bind(grpc_addr)
        .await
        .with_context(|| format!("cannot listen on {grpc_addr}"))?;
    id77_identity::run(config, listener, id77_kit::shutdown::signal()).await
}
