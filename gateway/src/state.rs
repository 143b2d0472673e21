//! What every handler shares: gRPC clients of the services, the token verifier, settings and
//! the embedded assets.
//!
//! A client runs over a [`GrpcChannel`]: a network channel in the distributed deployment, or
//! the service's own tower service in the all-in-one process (same gRPC encoding, no socket).

use std::{sync::Arc, time::Duration};

use id77_kit::auth::Verifier;
use tonic::{
    body::Body,
    transport::{Channel, Endpoint},
};
use tower::{BoxError, ServiceExt as _, util::BoxCloneSyncService};

use crate::{
    assets::Assets,
    clients::{CatalogClient, IdentityClient},
    error::AppError,
};

/// A gRPC connection to a service, whatever carries it.
pub type GrpcChannel = BoxCloneSyncService<http::Request<Body>, http::Response<Body>, ChannelError>;

/// A transport failure. A concrete type rather than `BoxError`: boxed trait-object errors trip
/// the compiler's `Send` inference in the handlers' futures.
#[derive(Debug)]
pub struct ChannelError(BoxError);

impl std::fmt::Display for ChannelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ChannelError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.0.as_ref())
    }
}

/// A channel to a service at `address` (`http://host:port`). It connects lazily: the gateway
/// starts even when a service is not up yet, and `/readyz` says so.
pub fn connect(address: &str) -> anyhow::Result<GrpcChannel> {
    let channel: Channel = Endpoint::from_shared(address.to_owned())?
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(10))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .connect_lazy();
    Ok(BoxCloneSyncService::new(
        channel
            .map_request(with_trace_context)
            .map_err(|e| ChannelError(e.into())),
    ))
}

/// Carries the calling request's trace into the service (gRPC metadata are HTTP/2 headers).
fn with_trace_context(mut request: http::Request<Body>) -> http::Request<Body> {
    id77_kit::telemetry::inject_context(&tracing::Span::current(), request.headers_mut());
    request
}

/// A channel that calls a service's tower service in-process (all-in-one mode).
pub fn in_process(routes: tonic::service::Routes) -> GrpcChannel {
    BoxCloneSyncService::new(tower::ServiceExt::<http::Request<Body>>::map_err(
        routes,
        |never: std::convert::Infallible| -> ChannelError { match never {} },
    ))
}

/// The services the gateway calls.
pub struct Services {
    pub catalog: GrpcChannel,
    /// `None` when the gateway serves the public catalogue alone (no accounts).
    pub identity: Option<GrpcChannel>,
}

/// Gateway settings beside the services.
#[derive(Clone, Default)]
pub struct Settings {
    /// Checks access tokens; `None` disables sessions.
    pub verifier: Option<Verifier>,
    /// `https://…` makes the session cookies `Secure`.
    pub public_url: String,
}

/// Cloned for every request (once per extractor and middleware), so it is one reference count:
/// with three, their increments and decrements bouncing between cores showed in the profile.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What every request shares: the service clients, the settings and the embedded assets.
pub struct Shared {
    clients: Clients,
    pub settings: Settings,
    pub assets: Arc<Assets>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

struct Clients {
    catalog: CatalogClient,
    catalog_channel: GrpcChannel,
    identity: Option<IdentityClient>,
    identity_channel: Option<GrpcChannel>,
}

impl AppState {
    pub fn new(services: Services, settings: Settings) -> Self {
        Self(Arc::new(Shared {
            clients: Clients {
                catalog: CatalogClient::new(services.catalog.clone()),
                catalog_channel: services.catalog,
                identity: services.identity.clone().map(IdentityClient::new),
                identity_channel: services.identity,
            },
            settings,
            assets: Arc::new(Assets::load()),
        }))
    }

    pub fn catalog(&self) -> CatalogClient {
        self.clients.catalog.clone()
    }

    pub fn catalog_channel(&self) -> GrpcChannel {
        self.clients.catalog_channel.clone()
    }

    /// The identity service, or UNAVAILABLE when this gateway runs without accounts.
    pub fn identity(&self) -> Result<IdentityClient, AppError> {
        self.clients.identity.clone().ok_or_else(|| {
            AppError::Unavailable(
                "Les comptes ne sont pas disponibles sur cette plateforme.".to_owned(),
            )
        })
    }

    pub fn identity_channel(&self) -> Option<GrpcChannel> {
        self.clients.identity_channel.clone()
    }

    pub fn secure_cookies(&self) -> bool {
        self.settings.public_url.starts_with("https://")
    }
}
