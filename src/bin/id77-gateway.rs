//! The HTTP gateway alone (distributed mode): `ID77_HTTP_ADDR`, `ID77_CATALOG_ADDR`,
//! `ID77_IDENTITY_ADDR` and `ID77_JWT_PUBLIC_KEY` (accounts; unset: public catalogue only),
//! `ID77_PUBLIC_URL` (an `https://` URL makes the session cookies `Secure`).

use std::net::SocketAddr;

use anyhow::Context as _;
use id77_kit::config::var_or;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let _telemetry = id77_kit::telemetry::init("id77-gateway");
    id77_kit::metrics::serve_from_env().await?;
    let http_addr = var_or("ID77_HTTP_ADDR", SocketAddr::from(([0, 0, 0, 0], 8080)))?;
    let catalog_addr: String = var_or("ID77_CATALOG_ADDR", "http://127.0.0.1:50051".to_owned())?;
    let listener = tokio::net::TcpListener::bind(http_addr)
        .await
        .with_context(|| format!("cannot listen on {http_addr}"))?;
    let identity_addr: String = var_or("ID77_IDENTITY_ADDR", String::new())?;
    let verifier = match std::env::var(id77_kit::auth::PUBLIC_KEY_VAR) {
        Ok(key) if !key.trim().is_empty() => Some(id77_kit::auth::Verifier::from_env()?),
        _ => None,
    };
    let public_url: String = var_or("ID77_PUBLIC_URL", String::new())?;
    let state = id77_gateway::Config {
        catalog_addr,
        identity_addr: Some(identity_addr).filter(|a| !a.is_empty()),
        settings: id77_gateway::Settings {
            verifier,
            public_url,
        },
    }
    .connect()?;
    id77_gateway::run(state, listener, id77_kit::shutdown::signal()).await
}
