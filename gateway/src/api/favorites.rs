//! The caller's favourites, kept by the catalog service.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use id77_proto::catalog::v1 as pb;
use serde::Serialize;
use utoipa::ToSchema;

use super::catalog::OfferSummary;
use crate::{
    error::{ApiError, AppError, Problem},
    extract::ApiSession,
    state::AppState,
    time::timestamp,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Favorite<'a> {
    pub offer: Option<OfferSummary<'a>>,
    pub added_at: Option<DateTime<Utc>>,
}

impl<'a> Favorite<'a> {
    fn new(f: &'a pb::Favorite, references: &'a pb::References) -> Self {
        Self {
            offer: f.offer.as_ref().map(|o| OfferSummary::new(o, references)),
            added_at: timestamp(f.added_at.as_ref()),
        }
    }
}

/// The caller's favourites, most recently added first.
#[utoipa::path(get, path = "/favorites", tag = "favoris",
    responses((status = 200, body = [Favorite<'_>]), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> Result<Response, ApiError> {
    let response = state
        .catalog()
        .list_favorites(&session, pb::ListFavoritesRequest {})
        .await?;
    let references = response.references.unwrap_or_default();
    let body: Vec<Favorite<'_>> = response
        .favorites
        .iter()
        .map(|f| Favorite::new(f, &references))
        .collect();
    Ok(Json(body).into_response())
}

/// Adds an offer to the caller's favourites (201 the first time, 200 after).
#[utoipa::path(put, path = "/favorites/{code}", tag = "favoris", params(("code" = String, Path)),
    responses((status = 201, body = Favorite<'_>), (status = 200, body = Favorite<'_>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn add(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let response = state
        .catalog()
        .add_favorite(&session, pb::AddFavoriteRequest { code })
        .await?;
    let status = if response.added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let favorite = response
        .favorite
        .ok_or_else(|| AppError::Internal("catalog returned no favourite".to_owned()))?;
    let references = response.references.unwrap_or_default();
    Ok((status, Json(Favorite::new(&favorite, &references))).into_response())
}

/// Removes an offer from the caller's favourites.
#[utoipa::path(delete, path = "/favorites/{code}", tag = "favoris", params(("code" = String, Path)),
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn remove(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(code): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .catalog()
        .remove_favorite(&session, pb::RemoveFavoriteRequest { code })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
