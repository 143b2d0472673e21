//! Prometheus metrics: one recorder per process, rendered at `GET /metrics` on a listener of its
//! own (`ID77_METRICS_ADDR`; off when unset), so that the public HTTP port never exposes them.
//!
//! What is counted: HTTP requests of the gateway by route and status, gRPC calls of each server
//! by method and code (both with durations), events handled by the bus consumers, mails sent.
//! Labels come from bounded sets only (matched routes, known methods, event kinds), never from
//! raw paths or user input.

use std::{
    future::Future,
    net::SocketAddr,
    pin::Pin,
    sync::atomic::{AtomicBool, Ordering},
    task::{Context, Poll},
    time::Instant,
};

use anyhow::Context as _;
use axum::{Router, extract::MatchedPath, routing::get};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The environment variable naming the metrics listener, e.g. `0.0.0.0:9464`.
pub const ADDR_VAR: &str = "ID77_METRICS_ADDR";

/// Seconds: from a fast search to a slow password hash or mail.
const DURATION_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Installs the process's recorder and serves `/metrics` on `ID77_METRICS_ADDR` when it is set.
/// Call once, from the binary, inside the runtime.
pub async fn serve_from_env() -> anyhow::Result<()> {
    let Some(addr) = std::env::var(ADDR_VAR)
        .ok()
        .filter(|a| !a.trim().is_empty())
    else {
        return Ok(());
    };
    let addr: SocketAddr = addr
        .trim()
        .parse()
        .with_context(|| format!("{ADDR_VAR} is not an address such as 0.0.0.0:9464"))?;
    let handle = install()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} for metrics"))?;
    tracing::info!(address = %addr, "metrics on /metrics");
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router(handle)).await {
            tracing::error!(%error, "metrics listener stopped");
        }
    });
    Ok(())
}

/// Whether a recorder is installed: without one, the layers skip building their labels.
static ENABLED: AtomicBool = AtomicBool::new(false);

/// Installs the Prometheus recorder of this process.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    let handle = PrometheusBuilder::new()
        .set_buckets(DURATION_BUCKETS)
        .context("histogram buckets")?
        .install_recorder()
        .context("installing the metrics recorder")?;
    ENABLED.store(true, Ordering::Relaxed);
    Ok(handle)
}

/// `GET /metrics` in the Prometheus text format.
pub fn router(handle: PrometheusHandle) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let handle = handle.clone();
            async move {
                (
                    [(
                        http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    handle.render(),
                )
            }
        }),
    )
}

/// What a [`MetricsLayer`] measures.
#[derive(Clone, Copy, Debug)]
enum Protocol {
    /// axum routes: `http_requests_total{method, route, status}`.
    Http,
    /// tonic servers: `grpc_server_requests_total{method, code}`.
    Grpc,
}

/// Counts requests and records their duration; see [`MetricsLayer::http`] and
/// [`MetricsLayer::grpc`].
#[derive(Clone, Copy, Debug)]
pub struct MetricsLayer {
    protocol: Protocol,
}

impl MetricsLayer {
    /// For an axum router (added with `Router::layer`, where the matched route is known).
    pub fn http() -> Self {
        Self {
            protocol: Protocol::Http,
        }
    }

    /// For a tonic server.
    pub fn grpc() -> Self {
        Self {
            protocol: Protocol::Grpc,
        }
    }
}

impl<S> tower::Layer<S> for MetricsLayer {
    type Service = Metrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Metrics {
            inner,
            protocol: self.protocol,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Metrics<S> {
    inner: S,
    protocol: Protocol,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B, RB> tower::Service<http::Request<B>> for Metrics<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<RB>>,
    S::Future: Send + 'static,
    S::Error: 'static,
    RB: 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if !ENABLED.load(Ordering::Relaxed) {
            return Box::pin(self.inner.call(request));
        }
        let started = Instant::now();
        let protocol = self.protocol;
        let method = request.method().as_str().to_owned();
        let route = match protocol {
            Protocol::Http => request
                .extensions()
                .get::<MatchedPath>()
                .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned()),
            Protocol::Grpc => request.uri().path().to_owned(),
        };
        let response = self.inner.call(request);
        Box::pin(async move {
            let response = response.await?;
            let seconds = started.elapsed().as_secs_f64();
            match protocol {
                Protocol::Http => {
                    let status = response.status().as_u16().to_string();
                    let labels = [("method", method), ("route", route), ("status", status)];
                    metrics::counter!("http_requests_total", &labels).increment(1);
                    metrics::histogram!("http_request_duration_seconds", &labels).record(seconds);
                }
                Protocol::Grpc => {
                    // Errors come as trailers-only responses, with the code in the headers; a
                    // unary success has its code in the trailers, after this point: OK.
                    let code = response
                        .headers()
                        .get("grpc-status")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("0")
                        .to_owned();
                    // An unknown path (UNIMPLEMENTED) is not a method: keep labels bounded.
                    let method = if code == "12" {
                        "unknown".to_owned()
                    } else {
                        route
                    };
                    let labels = [("method", method), ("code", code)];
                    metrics::counter!("grpc_server_requests_total", &labels).increment(1);
                    metrics::histogram!("grpc_server_request_duration_seconds", &labels)
                        .record(seconds);
                }
            }
            Ok(response)
        })
    }
}
