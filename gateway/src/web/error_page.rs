//! The French error page, inside the full layout with the caller's session.
//!
//! A page handler fails with a [`PageError`]; [`render_page_errors`], the innermost middleware,
//! renders it with the session the request came with, so the header of an error page (a 404
//! included) is the one the visitor sees everywhere else. Whether a failure is answered as a
//! page or as problem+json is [`crate::error::is_api`]'s to say.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;

use super::{Layout, login_url};
use crate::{
    error::{ApiError, AppError, is_api},
    extract::return_path,
    session::{CurrentUser, Session, cleared_cookies},
    state::AppState,
};

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    detail: String,
}

/// A page handler's failure, rendered as the French error page by [`render_page_errors`].
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

/// The failure travels to [`render_page_errors`] in the response's extensions.
#[derive(Clone)]
struct PageFailure(Arc<AppError>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut response = self.0.status().into_response();
        response
            .extensions_mut()
            .insert(PageFailure(Arc::new(self.0)));
        response
    }
}

/// Renders a [`PageError`] returned by the handler with the caller's session. A session the
/// services no longer accept goes back to the login page, which then returns where the visitor
/// was (cookies cleared, else the login page would send the visitor straight back).
pub async fn render_page_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let user = CurrentUser(request.extensions().get::<Session>().cloned());
    // Every request passes here, the API's searches included: keep what the login redirect
    // would need (reference-counted clones), and work it out only if the handler failed.
    let method = request.method().clone();
    let uri = request.uri().clone();
    let referer = request.headers().get(header::REFERER).cloned();
    let cookies: Vec<HeaderValue> = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .cloned()
        .collect();
    let mut response = next.run(request).await;
    match response.extensions_mut().remove::<PageFailure>() {
        Some(PageFailure(error)) => match *error {
            AppError::Unauthenticated(_) => {
                let mut headers = HeaderMap::new();
                for cookie in cookies {
                    headers.append(header::COOKIE, cookie);
                }
                let here = return_path(&method, &uri, referer.as_ref());
                back_to_login(CookieJar::from_headers(&headers), &here)
            }
            ref other => error_page_for(&state, &user, other),
        },
        None => response,
    }
}

/// The login page for a session the services no longer accept, then back to `here`.
pub fn back_to_login(jar: CookieJar, here: &str) -> Response {
    (cleared_cookies(jar), Redirect::to(&login_url(here))).into_response()
}

/// A form's failure: what the form shows next to its fields or above them, or, for a session
/// the services no longer accept, the page's failure (back to the login page).
pub fn shown_in_form(error: AppError) -> Result<AppError, PageError> {
    match error {
        AppError::Unauthenticated(_) => Err(PageError(error)),
        other => Ok(other),
    }
}

/// An [`AppError`] as a French HTML page with the right status, for an anonymous visitor.
pub fn error_page(state: &AppState, error: &AppError) -> Response {
    error_page_for(state, &CurrentUser(None), error)
}

/// An [`AppError`] as a French HTML page with the right status.
fn error_page_for(state: &AppState, user: &CurrentUser, error: &AppError) -> Response {
    let heading = match error {
        AppError::Invalid(_) | AppError::Unprocessable(_) => "Adresse incorrecte",
        AppError::Unauthenticated(_) => "Connexion nécessaire",
        AppError::Forbidden(_) => "Accès refusé",
        AppError::Conflict(_) => "Action impossible",
        AppError::TooManyRequests(_) => "Trop de tentatives",
        AppError::TooLarge(_) => "Envoi trop volumineux",
        AppError::NotFound(_) => "Page introuvable",
        AppError::Unavailable(_) => "Service momentanément indisponible",
        AppError::Internal(_) => "Une erreur est survenue",
    };
    let page = ErrorPage {
        layout: Layout::new(state, user),
        heading: heading.to_owned(),
        detail: error.detail(),
    };
    (error.status(), page).into_response()
}

/// No route: problem+json on the API, the 404 page elsewhere.
pub async fn not_found(uri: Uri) -> Response {
    if is_api(uri.path()) {
        return ApiError(AppError::NotFound(String::new())).into_response();
    }
    PageError(AppError::NotFound(
        "La page demandée n'existe pas ou a été déplacée. Le catalogue des offres reste accessible depuis l'accueil."
            .to_owned(),
    ))
    .into_response()
}

/// The status of a form sent back with errors.
pub fn form_status(error: &AppError) -> StatusCode {
    match error {
        AppError::Invalid(_) | AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
        other => other.status(),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    #[test]
    fn a_page_error_keeps_its_status_until_rendered() {
        let response = PageError(AppError::NotFound(String::new())).into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.extensions().get::<PageFailure>().is_some());
    }
}
