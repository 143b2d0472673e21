//! The gRPC host every service runs in: health (`grpc.health.v1`), server reflection over the
//! descriptor set of every ID77 package, request tracing and graceful shutdown.

use std::{convert::Infallible, future::Future, pin::Pin, sync::Arc, time::Duration};

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{
    body::Body,
    server::NamedService,
    service::{Routes, RoutesBuilder},
    transport::Server,
};

/// Whether the service can work now (its database answers); `None` once the service is gone.
pub type ReadinessProbe =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Option<bool>> + Send>> + Send + Sync>;

/// How often the readiness probe runs.
const PROBE_INTERVAL: Duration = Duration::from_secs(2);

/// Collects a process's gRPC services, then serves them on a listener until shutdown.
pub struct GrpcHost {
    routes: RoutesBuilder,
    served: Vec<&'static str>,
    readiness: Option<ReadinessProbe>,
}

impl Default for GrpcHost {
    fn default() -> Self {
        Self::new()
    }
}

impl GrpcHost {
    pub fn new() -> Self {
        Self {
            routes: RoutesBuilder::default(),
            served: Vec::new(),
            readiness: None,
        }
    }

    /// Adds a service; it is reported SERVING by the health service once the host starts.
    pub fn add_service<S>(mut self, service: S) -> Self
    where
        S: tonic::codegen::Service<tonic::codegen::http::Request<Body>, Error = Infallible>
            + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Response: axum::response::IntoResponse,
        S::Future: Send + 'static,
    {
        self.routes.add_service(service);
        self.served.push(S::NAME);
        self
    }

    /// Reports the services NOT_SERVING on the health service while `probe` answers `false`
    /// (checked every two seconds), so that Kubernetes and the gateway's `/readyz` stop sending
    /// them work when their database is unreachable. The probe ends with `None`.
    pub fn readiness(mut self, probe: ReadinessProbe) -> Self {
        self.readiness = Some(probe);
        self
    }

    /// Every service with health and reflection, as one tower service: what [`Self::serve`]
    /// serves on a socket, and what an in-process client (the all-in-one gateway) calls directly.
    pub async fn into_routes(mut self) -> anyhow::Result<Routes> {
        let (health_reporter, health_service) = tonic_health::server::health_reporter();
        for name in &self.served {
            health_reporter
                .set_service_status(*name, tonic_health::ServingStatus::Serving)
                .await;
        }
        let reflection = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(id77_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .build_v1()
            .context("building the gRPC reflection service")?;
        if let Some(probe) = self.readiness.take() {
            let reporter = health_reporter.clone();
            let served = self.served.clone();
            tokio::spawn(async move {
                let mut ready = true;
                let mut ticks = tokio::time::interval(PROBE_INTERVAL);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    ticks.tick().await;
                    let Some(now_ready) = probe().await else {
                        return;
                    };
                    if now_ready == ready {
                        continue;
                    }
                    ready = now_ready;
                    let status = if ready {
                        tracing::info!(services = ?served, "ready again");
                        tonic_health::ServingStatus::Serving
                    } else {
                        tracing::warn!(services = ?served, "not ready: the database does not answer");
                        tonic_health::ServingStatus::NotServing
                    };
                    for name in &served {
                        reporter.set_service_status(*name, status).await;
                    }
                }
            });
        }
        self.routes.add_service(health_service);
        self.routes.add_service(reflection);
        tracing::info!(services = ?self.served, "gRPC services ready");
        Ok(self.routes.routes())
    }

    /// Serves until `shutdown` resolves, then lets in-flight calls finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> anyhow::Result<()> {
        serve_routes(self.into_routes().await?, listener, shutdown).await
    }
}

/// Serves already-built routes on a socket until `shutdown` resolves.
pub async fn serve_routes(
    routes: Routes,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let local = listener.local_addr().ok();
    tracing::info!(address = ?local, "gRPC server listening");
    Server::builder()
        .layer(crate::metrics::MetricsLayer::grpc())
        .trace_fn(|request| {
            let span = tracing::info_span!("grpc", path = %request.uri().path());
            crate::telemetry::set_parent_from_headers(&span, request.headers());
            span
        })
        .add_routes(routes)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await
        .context("serving gRPC")?;
    tracing::info!(address = ?local, "gRPC server stopped");
    Ok(())
}
