//! Cross-site request forgery protection for every state-changing request.
//!
//! Browsers say where a request comes from (`Sec-Fetch-Site`, `Origin`); a POST from another
//! site is refused. A request that says nothing is refused when it carries the session cookies
//! (it could be a browser's), and let through otherwise: a script without cookies has no
//! ambient authority to abuse. API clients authenticate with a bearer header, which a browser
//! never adds by itself.

use axum::{
    extract::Request,
    http::{Method, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{
    error::{ApiError, AppError},
    session::{ACCESS_COOKIE, REFRESH_COOKIE},
    state::AppState,
};

fn same_origin(request: &Request, public_url: &str) -> Option<bool> {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return Some(matches!(site, "same-origin" | "none"));
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())?;
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    Some(
        origin_host == host
            || (!public_url.is_empty() && origin == public_url.trim_end_matches('/')),
    )
}

fn has_session_cookie(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|cookies| cookies.contains(ACCESS_COOKIE) || cookies.contains(REFRESH_COOKIE))
}

/// The refusal, when `request` changes state on behalf of another site. Called first by
/// [`crate::session::middleware`] (one middleware for both: each costs a boxed call per
/// request).
pub fn refusal(state: &AppState, request: &Request) -> Option<Response> {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let bearer = request.headers().contains_key(header::AUTHORIZATION);
    if safe || bearer {
        return None;
    }
    let allowed = match same_origin(request, &state.settings.public_url) {
        Some(same) => same,
        None => !has_session_cookie(request),
    };
    if allowed {
        return None;
    }
    tracing::warn!(path = %request.uri().path(), "cross-site request refused");
    let error = AppError::Forbidden(
        "Requête refusée : elle ne vient pas de la plateforme ID77. Rechargez la page et réessayez."
            .to_owned(),
    );
    Some(if crate::error::is_api(request.uri().path()) {
        ApiError(error).into_response()
    } else {
        (StatusCode::FORBIDDEN, crate::web::error_page(state, &error)).into_response()
    })
}
