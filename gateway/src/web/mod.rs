//! The French web UI, rendered on the server (askama) so that it works without JavaScript;
//! `assets/app.js` only makes it instant.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    http::{StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::{error::AppError, state::AppState};

mod catalogue;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue::home))
        .route("/offres/{code}", get(catalogue::offer))
}

/// What the base layout needs: the hashed asset URLs.
pub struct Layout {
    pub css_url: String,
    pub js_url: String,
    pub logo_url: String,
    pub icons_url: String,
}

impl Layout {
    pub fn new(state: &AppState) -> Self {
        Self {
            css_url: state.assets.url("app.css"),
            js_url: state.assets.url("app.js"),
            logo_url: state.assets.url("logo.svg"),
            icons_url: state.assets.url("icons.svg"),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    detail: String,
}

/// An [`AppError`] as a French HTML page with the right status.
pub fn error_page(state: &AppState, error: &AppError) -> Response {
    let heading = match error {
        AppError::Invalid(_) | AppError::Unprocessable(_) => "Adresse incorrecte",
        AppError::Unauthenticated(_) => "Connexion nécessaire",
        AppError::Forbidden(_) => "Accès refusé",
        AppError::Conflict(_) => "Action impossible",
        AppError::TooManyRequests(_) => "Trop de tentatives",
        AppError::NotFound(_) => "Page introuvable",
        AppError::Unavailable(_) => "Service momentanément indisponible",
        AppError::Internal(_) => "Une erreur est survenue",
    };
    let page = ErrorPage {
        layout: Layout::new(state),
        heading: heading.to_owned(),
        detail: error.detail(),
    };
    (error.status(), page).into_response()
}

pub async fn not_found(state: axum::extract::State<AppState>, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError(AppError::NotFound(String::new())).into_response();
    }
    let error = AppError::NotFound(
        "La page demandée n'existe pas ou a été déplacée. Le catalogue des offres reste accessible depuis l'accueil."
            .to_owned(),
    );
    let mut response = error_page(&state, &error);
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
