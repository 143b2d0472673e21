//! The caller's session as handler arguments, one extractor per face: what a route that needs a
//! session answers to a visitor without one is decided here, not in each handler.
//!
//! The session middleware ([`crate::session::middleware`]) has already put the caller's
//! [`Session`] in the request's extensions; [`CurrentUser`] is the optional variant for both
//! faces.

use axum::{
    extract::FromRequestParts,
    http::{HeaderValue, Method, Uri, header, request::Parts},
    response::Redirect,
};

use crate::{
    error::{ApiError, AppError},
    session::Session,
    web::login_url,
};

pub use crate::session::CurrentUser;

/// The caller of an API route that needs a session; without one, 401 problem+json.
#[derive(Debug, Clone)]
pub struct ApiSession(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for ApiSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .map(Self)
            .ok_or_else(|| {
                ApiError(AppError::Unauthenticated(
                    "Authentification requise : connectez-vous.".to_owned(),
                ))
            })
    }
}

/// The caller of a page that needs a session; without one, the login page, which comes back
/// here afterwards.
#[derive(Debug, Clone)]
pub struct PageSession(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for PageSession {
    type Rejection = Redirect;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Session>() {
            Some(session) => Ok(Self(session.clone())),
            None => Err(Redirect::to(&login_url(&return_path(
                &parts.method,
                &parts.uri,
                parts.headers.get(header::REFERER),
            )))),
        }
    }
}

/// Where to come back after logging in: the page itself for a GET; for a form sent without a
/// session (it expired meanwhile), the page the form was on, as the browser's `Referer` says.
pub(crate) fn return_path(method: &Method, uri: &Uri, referer: Option<&HeaderValue>) -> String {
    if method == Method::GET || method == Method::HEAD {
        return uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    }
    referer
        .and_then(|referer| referer.to_str().ok())
        .and_then(|referer| referer.parse::<http::Uri>().ok())
        .and_then(|uri| uri.path_and_query().map(|p| p.as_str().to_owned()))
        .unwrap_or_else(|| "/".to_owned())
}
