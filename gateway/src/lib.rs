//! The HTTP gateway: the only process that speaks HTTP to the outside. It serves the JSON API
//! (`/api/v1`, OpenAPI at `/api/v1/openapi.json`), the French web UI and its assets, and turns
//! each request into gRPC calls to the services.

use std::{future::Future, time::Duration};

use anyhow::Context as _;
use axum::{
    Router,
    extract::State,
    http::{HeaderName, HeaderValue, StatusCode, header},
    response::IntoResponse,
    routing::get,
};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

pub mod api;
pub mod assets;
pub mod clients;
mod config;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod params;
pub mod session;
pub mod state;
pub mod time;
pub mod web;

pub use state::{AppState, Services, Settings};

/// Where the gateway finds the services, and its settings (distributed mode).
#[derive(Clone)]
pub struct Config {
    /// gRPC address of the catalog service, e.g. `http://127.0.0.1:50051`.
    pub catalog_addr: String,
    /// gRPC address of the identity service; `None` serves the public catalogue alone.
    pub identity_addr: Option<String>,
    pub settings: Settings,
}

impl Config {
    /// Network channels to every service.
    pub fn connect(self) -> anyhow::Result<AppState> {
        let catalog = state::connect(&self.catalog_addr)
            .with_context(|| format!("invalid catalog address {}", self.catalog_addr))?;
        let identity = match &self.identity_addr {
            Some(address) => Some(
                state::connect(address)
                    .with_context(|| format!("invalid identity address {address}"))?,
            ),
            None => None,
        };
        Ok(AppState::new(Services { catalog, identity }, self.settings))
    }
}

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
    connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The whole HTTP application.
///
/// The middleware is one `ServiceBuilder` given to one `Router::layer`: every `Router::layer` call
/// wraps each route in another boxed service, and a route's service is cloned and dropped for
/// every request, so a dozen separate calls cost a dozen allocations and clones per request.
pub fn app(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    // Outermost first: the request id exists before the span that logs it, and the session
    // middleware sits next to the handlers.
    let middleware = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(
            x_request_id.clone(),
            MakeRequestUuid,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::new(x_request_id))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            explain_too_large,
        ))
        // Logos are 2 MB at most; request attachments will get their own, larger limit.
        .layer(RequestBodyLimitLayer::new(3 * 1024 * 1024))
        // The limit wraps the body in its own type; the layers below take axum's.
        .map_request(|request: axum::http::Request<_>| request.map(axum::body::Body::new))
        .map_response(security_headers)
        .layer(CompressionLayer::new())
        .layer(id77_kit::metrics::MetricsLayer::http())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::middleware,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::render_page_errors,
        ));
    Router::new()
        .merge(api::router())
        .merge(web::router())
        .route("/assets/{name}", get(assets::serve))
        .route("/logos/{id}", get(api::accounts::logo))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .fallback(web::not_found)
        .layer(middleware)
        .with_state(state)
}

/// The headers every response carries, set (replacing any a handler set) in one layer rather
/// than one layer each.
fn security_headers<B>(mut response: axum::http::Response<B>) -> axum::http::Response<B> {
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
}

/// A body over a limit is refused with an empty 413 (by the limit layer) or a plain-text one
/// (by an extractor): say it in French, as problem+json for the API and as a page otherwise.
async fn explain_too_large(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let api = error::is_api(request.uri().path());
    let response = next.run(request).await;
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE
        || response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"application/problem+json"))
    {
        return response;
    }
    let error = error::AppError::TooLarge(
        "L'envoi dépasse la taille permise : une image de logo fait 2 Mo au plus. \
         Choisissez un fichier plus léger, ou réduisez l'image, puis recommencez."
            .to_owned(),
    );
    if api {
        error::ApiError(error).into_response()
    } else {
        web::error_page(&state, &error)
    }
}

/// The span of one HTTP request; it continues the caller's trace when the request carries a
/// `traceparent` (a departmental system calling the API, say).
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let span = tracing::info_span!(
        "http",
        method = %request.method(),
        path = %request.uri().path(),
    );
    id77_kit::telemetry::set_parent_from_headers(&span, request.headers());
    span
}

/// Ready when every service the gateway calls reports SERVING on its health service.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let mut checks = vec![(
        "catalog",
        id77_proto::catalog::v1::catalog_service_server::SERVICE_NAME,
        state.catalog_channel(),
    )];
    if let Some(identity) = state.identity_channel() {
        checks.push((
            "identity",
            id77_proto::identity::v1::identity_service_server::SERVICE_NAME,
            identity,
        ));
    }
    for (name, service, channel) in checks {
        let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
        let check = health.check(tonic_health::pb::HealthCheckRequest {
            service: service.to_owned(),
        });
        let problem = match tokio::time::timeout(Duration::from_secs(2), check).await {
            Ok(Ok(response))
                if response.get_ref().status
                    == tonic_health::pb::health_check_response::ServingStatus::Serving as i32 =>
            {
                continue;
            }
            Ok(Ok(_)) => "not serving",
            Ok(Err(status)) => {
                tracing::warn!(%status, service = name, "health check failed");
                "unreachable"
            }
            Err(_) => "timed out",
        };
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{name}: {problem}"),
        );
    }
    (StatusCode::OK, "ready".to_owned())
}

/// Serves the gateway on `listener` until `shutdown` resolves, then drains open requests.
pub async fn run(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let local = listener.local_addr().ok();
    tracing::info!(address = ?local, "HTTP gateway listening");
    // The peer address feeds login throttling per client address.
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving HTTP")?;
    tracing::info!("HTTP gateway stopped");
    Ok(())
}
