//! Logs and traces: `tracing` to stderr (text, or JSON with `ID77_LOG_FORMAT=json`), filtered by
//! `RUST_LOG`, and exported over OTLP/gRPC when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
//!
//! One user action is one trace across processes: the W3C trace context (`traceparent`) goes
//! from the browser's request into the gateway, from the gateway into gRPC metadata, from a
//! gRPC handler into the events it writes, and from an event into its consumer's span. The
//! functions below are the only places that read or write it.

use std::collections::HashMap;

use opentelemetry::{
    propagation::{Extractor, Injector, TextMapPropagator as _},
    trace::{TraceContextExt as _, TracerProvider as _},
};
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::{
    EnvFilter, Layer as _, layer::SubscriberExt as _, util::SubscriberInitExt as _,
};

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
///
/// `RUST_LOG` filters the log lines; exported spans have their own filter, `ID77_TRACE_FILTER`
/// (default `info`), so that quiet logs do not silence the traces.
pub fn init(service_name: &'static str) -> TelemetryGuard {
    let log_filter = EnvFilter::try_from_default_env()
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
    let otel_layer = provider.as_ref().map(|provider| {
        let trace_filter = EnvFilter::try_from_env("ID77_TRACE_FILTER")
            .unwrap_or_else(|_| EnvFilter::new("info,h2=warn,hyper=warn,tower=warn,lapin=warn"));
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer(service_name))
            .with_filter(trace_filter)
    });
    let log_layer = if json {
        tracing_subscriber::fmt::layer().json().boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .boxed()
    };
    let result = tracing_subscriber::registry()
        .with(otel_layer)
        .with(log_layer.with_filter(log_filter))
        .try_init();
    if let Err(error) = result {
        // Tests and the all-in-one binary may call this more than once; the first one wins.
        tracing::debug!(%error, "tracing subscriber already installed");
    }
    TelemetryGuard { provider }
}

struct HeaderInjector<'a>(&'a mut http::HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(key.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

/// Writes the span's trace context into the headers of an outgoing request (gRPC metadata are
/// headers). Nothing is written when traces are not exported: the span has no trace then.
pub fn inject_context(span: &tracing::Span, headers: &mut http::HeaderMap) {
    TraceContextPropagator::new().inject_context(&span.context(), &mut HeaderInjector(headers));
}

/// Makes `span` continue the trace of an incoming request, when it carries a valid one.
pub fn set_parent_from_headers(span: &tracing::Span, headers: &http::HeaderMap) {
    set_parent(
        span,
        TraceContextPropagator::new().extract(&HeaderExtractor(headers)),
    );
}

/// The span's W3C `traceparent`, for an event written on its behalf; `None` when traces are
/// not exported.
pub fn traceparent(span: &tracing::Span) -> Option<String> {
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&span.context(), &mut carrier);
    carrier.remove("traceparent")
}

/// Makes `span` continue the trace named by an event's `traceparent`.
pub fn set_parent_from_traceparent(span: &tracing::Span, traceparent: &str) {
    let carrier = HashMap::from([("traceparent".to_owned(), traceparent.to_owned())]);
    set_parent(span, TraceContextPropagator::new().extract(&carrier));
}

fn set_parent(span: &tracing::Span, parent: opentelemetry::Context) {
    if parent.span().span_context().is_valid() {
        // Fails only when no OpenTelemetry layer is installed: there is no trace to continue.
        let _ = span.set_parent(parent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traceparent_survives_headers_and_events_when_traces_are_recorded() {
        let provider = SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
            let mut headers = http::HeaderMap::new();
            headers.insert("traceparent", http::HeaderValue::from_static(incoming));

            let request = tracing::info_span!("request");
            set_parent_from_headers(&request, &headers);
            let written = traceparent(&request).expect("a recorded span has a traceparent");
            assert!(written.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
            assert_ne!(written, incoming, "the span is a child, with its own id");

            let consumer = tracing::info_span!("event");
            set_parent_from_traceparent(&consumer, &written);
            let mut outgoing = http::HeaderMap::new();
            inject_context(&consumer, &mut outgoing);
            let header = outgoing["traceparent"].to_str().expect("ASCII header");
            assert!(header.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
        });
    }

    #[test]
    fn without_exported_traces_nothing_is_propagated() {
        let span = tracing::info_span!("request");
        assert_eq!(traceparent(&span), None);
        let mut headers = http::HeaderMap::new();
        inject_context(&span, &mut headers);
        assert!(headers.is_empty());
    }
}
