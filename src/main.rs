//! `cargo run --release`: the whole ID77 platform in one process on http://127.0.0.1:8080.

use anyhow::Context as _;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Two TLS stacks may be linked; pick one process-wide before anything opens a connection.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let _telemetry = id77_kit::telemetry::init("id77");
    id77_kit::metrics::serve_from_env().await?;
    let config = id77::Config::from_env()?;
    let listener = tokio::net::TcpListener::bind(config.http_addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (set ID77_HTTP_ADDR to another address)",
                config.http_addr
            )
        })?;
    let platform = id77::Platform::start(config, listener).await?;
    tracing::info!("ID77 platform ready on http://{}", platform.http_addr);
    platform.run_until(id77_kit::shutdown::signal()).await
}
