//! The notifications service alone (distributed mode); its variables are
//! `id77_notifications::Config`'s and `ID77_BUS_URL` (README, Configuration).

use anyhow::Context as _;
use secrecy::ExposeSecret as _;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let _telemetry = id77_kit::telemetry::init("id77-notifications");
    id77_kit::metrics::serve_from_env().await?;
    let config = id77_notifications::Config::from_env()?;
    let bus = id77_kit::bus::Bus::connect(id77_kit::config::bus_url()?.expose_secret())
        .await
        .context("connecting to the event bus")?;
    let subscriber = id77_notifications::start(config, &bus).await?;
    id77_kit::shutdown::signal().await;
    // Lets the mail being sent finish and be acknowledged.
    subscriber.stop().await;
    Ok(())
}
