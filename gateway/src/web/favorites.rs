//! "Favoris": the caller's favourite offers, and the star of the catalogue that adds or
//! removes one.
//!
//! The star is a form (POST `/favoris/{code}` adds, `…/supprimer` removes) that comes back to
//! the page it was on (`retour`, a local path). A script may post it with
//! `Accept: application/json` and get `{"code", "favorite"}` instead of the redirect.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Json,
    extract::{Path, RawForm, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use id77_proto::catalog::v1 as pb;

use super::{
    Flash, Layout, PageError, back_to_login, catalogue::OfferCard, catalogue::offer_card, date_fr,
    forms::FormData, iso_date, local_path, login_url, wants_json,
};
use crate::{
    error::{ApiError, AppError},
    extract::PageSession,
    session::CurrentUser,
    state::AppState,
};

pub struct FavoriteItem {
    pub offer: OfferCard,
    /// `28/11/2026`.
    pub added: String,
    pub added_iso: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "favorites.html")]
pub struct FavoritesPage {
    pub layout: Layout,
    pub items: Vec<FavoriteItem>,
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    RawQuery(raw): RawQuery,
) -> Result<FavoritesPage, PageError> {
    let response = state
        .catalog()
        .list_favorites(&session, pb::ListFavoritesRequest {})
        .await?;
    let references = response.references.unwrap_or_default();
    let items = response
        .favorites
        .into_iter()
        .filter_map(|favorite| {
            let offer = favorite.offer?;
            let mut card = offer_card(offer, &references, true);
            card.favorite = true;
            card.return_to = "/favoris".to_owned();
            Some(FavoriteItem {
                offer: card,
                added: date_fr(favorite.added_at.as_ref()),
                added_iso: iso_date(favorite.added_at.as_ref()),
            })
        })
        .collect();
    Ok(FavoritesPage {
        layout: Layout::new(&state, &user)
            .current("/favoris")
            .flash(raw.as_deref()),
        items,
    })
}

/// The page to come back to: the form's `retour` when it is a local path.
fn back(body: &[u8], default: &str) -> String {
    let data = FormData::parse(body);
    local_path(data.get("retour")).unwrap_or(default).to_owned()
}

enum Toggle {
    Add,
    Remove,
}

async fn toggle(
    state: AppState,
    user: CurrentUser,
    jar: CookieJar,
    headers: &HeaderMap,
    code: String,
    body: &[u8],
    toggle: Toggle,
) -> Response {
    let json = wants_json(headers);
    let back = back(
        body,
        &match toggle {
            Toggle::Add => format!("/offres/{code}"),
            Toggle::Remove => "/favoris".to_owned(),
        },
    );
    let Some(session) = user.0.clone() else {
        if json {
            return ApiError(AppError::Unauthenticated(
                "Authentification requise : connectez-vous.".to_owned(),
            ))
            .into_response();
        }
        return Redirect::to(&login_url(&back)).into_response();
    };
    let mut catalog = state.catalog();
    let result = match toggle {
        Toggle::Add => catalog
            .add_favorite(&session, pb::AddFavoriteRequest { code: code.clone() })
            .await
            .map(|_| true),
        Toggle::Remove => catalog
            .remove_favorite(&session, pb::RemoveFavoriteRequest { code: code.clone() })
            .await
            .map(|_| false),
    };
    match result {
        Ok(favorite) if json => (
            StatusCode::OK,
            Json(serde_json::json!({ "code": code, "favorite": favorite })),
        )
            .into_response(),
        Ok(false) if back == "/favoris" => {
            Redirect::to(&Flash::FavoriteRemoved.url("/favoris")).into_response()
        }
        Ok(_) => Redirect::to(&back).into_response(),
        Err(error) if json => ApiError(error).into_response(),
        Err(AppError::Unauthenticated(_)) => back_to_login(jar, &back),
        Err(error) => PageError(error).into_response(),
    }
}

pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
    headers: HeaderMap,
    Path(code): Path<String>,
    RawForm(body): RawForm,
) -> Response {
    toggle(state, user, jar, &headers, code, &body, Toggle::Add).await
}

pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
    headers: HeaderMap,
    Path(code): Path<String>,
    RawForm(body): RawForm,
) -> Response {
    toggle(state, user, jar, &headers, code, &body, Toggle::Remove).await
}
