//! The identity service alone (distributed mode): `ID77_DATABASE_URL`, `ID77_GRPC_ADDR`,
//! `ID77_JWT_PRIVATE_KEY` (base64 PKCS#8 Ed25519; the other services get its public key),
//! `ID77_BUS_URL` (`amqp://…`), `ID77_ADMIN_PASSWORD`, `ID77_ADMIN_EMAIL`.

use std::net::SocketAddr;

use anyhow::Context as _;
use id77_kit::config::var_or;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let _telemetry = id77_kit::telemetry::init("id77-identity");
    id77_kit::metrics::serve_from_env().await?;
    let database_url: String = var_or("ID77_DATABASE_URL", "sqlite://data/identity.db".to_owned())?;
    let grpc_addr = var_or("ID77_GRPC_ADDR", SocketAddr::from(([0, 0, 0, 0], 50052)))?;
    let bus_url: String = var_or(
        "ID77_BUS_URL",
        "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned(),
    )?;
    let signer = id77_kit::auth::Signer::from_env()?;
    let mut config = id77_identity::Config::new(database_url, signer).with_admin_from_env()?;
    config.bus = Some(
        id77_kit::bus::Bus::connect(&bus_url)
            .await
            .context("connecting to the event bus")?,
    );
    let listener = tokio::net::TcpListener::bind(grpc_addr)
        .await
        .with_context(|| format!("cannot listen on {grpc_addr}"))?;
    id77_identity::run(config, listener, id77_kit::shutdown::signal()).await
}
