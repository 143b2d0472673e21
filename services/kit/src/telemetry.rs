//! Logs and traces: `tracing` to stderr (text, or JSON with `ID77_LOG_FORMAT=json`), filtered by
//! `RUST_LOG`, and exported over OTLP/gRPC when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::{Resource, trace::SdkTracerProvider};
use tracing_subscriber::{EnvFilter, layer::SubscriberExt as _, util::SubscriberInitExt as _};

/// Flushes and stops the trace exporter when dropped (at the end of `main`).
#[must_use = "traces are flushed when the guard is dropped"]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            // The batch exporter blocks on shutdown: keep that off the async workers.
            let stop = move || {
                if let Err(error) = provider.shutdown() {
                    eprintln!("trace exporter shutdown: {error}");
                }
            };
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    drop(handle.spawn_blocking(stop));
                }
                Err(_) => stop(),
            }
        }
    }
}

/// Installs the global subscriber. Call once, from inside the tokio runtime.
pub fn init(service_name: &'static str) -> TelemetryGuard {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info,h2=warn,tonic=info"));
    let json = std::env::var("ID77_LOG_FORMAT").is_ok_and(|format| format == "json");
    let provider = std::env::var_os("OTEL_EXPORTER_OTLP_ENDPOINT").and_then(|_| {
        match opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .build()
        {
            Ok(exporter) => Some(
                SdkTracerProvider::builder()
                    .with_batch_exporter(exporter)
                    .with_resource(Resource::builder().with_service_name(service_name).build())
                    .build(),
            ),
            Err(error) => {
                eprintln!("OTLP exporter disabled: {error}");
                None
            }
        }
    });
    let otel_layer = provider
        .as_ref()
        .map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer(service_name)));
    let registry = tracing_subscriber::registry().with(filter).with(otel_layer);
    let result = if json {
        registry
            .with(tracing_subscriber::fmt::layer().json())
            .try_init()
    } else {
        registry
            .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
            .try_init()
    };
    if let Err(error) = result {
        // Tests and the all-in-one binary may call this more than once; the first one wins.
        tracing::debug!(%error, "tracing subscriber already installed");
    }
    TelemetryGuard { provider }
}
