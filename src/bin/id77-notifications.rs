//! The notifications service alone (distributed mode): `ID77_DATABASE_URL`, `ID77_BUS_URL`,
//! `ID77_SMTP_URL` (e.g. `smtp://mail.example:587?tls=required`), `ID77_MAIL_FROM`,
//! `ID77_PUBLIC_URL`.

use anyhow::Context as _;
use id77_kit::config::var_or;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let _telemetry = id77_kit::telemetry::init("id77-notifications");
    id77_kit::metrics::serve_from_env().await?;
    let config = id77_notifications::Config {
        database_url: var_or(
            "ID77_DATABASE_URL",
            "sqlite://data/notifications.db".to_owned(),
        )?,
        mail_url: var_or("ID77_SMTP_URL", "smtp://127.0.0.1:25".to_owned())?,
        mail_from: var_or(
            "ID77_MAIL_FROM",
            "ID77 <ne-pas-repondre@id77.fr>".to_owned(),
        )?,
        public_url: var_or("ID77_PUBLIC_URL", "http://127.0.0.1:8080".to_owned())?,
    };
    let bus_url: String = var_or(
        "ID77_BUS_URL",
        "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned(),
    )?;
    let bus = id77_kit::bus::Bus::connect(&bus_url)
        .await
        .context("connecting to the event bus")?;
    let subscriber = id77_notifications::start(config, &bus).await?;
    id77_kit::shutdown::signal().await;
    // Lets the mail being sent finish and be acknowledged.
    subscriber.stop().await;
    Ok(())
}
