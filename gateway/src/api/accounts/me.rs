//! The caller's own account: its details and its password.

use axum::{Json, extract::State, http::StatusCode};
use axum_extra::extract::cookie::CookieJar;
use id77_proto::identity::v1 as pb;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Account, Body, body_error};
use crate::{
    error::{ApiError, Problem},
    extract::ApiSession,
    session::REFRESH_COOKIE,
    state::AppState,
};

/// The caller's account.
#[utoipa::path(get, path = "/me", tag = "comptes", responses((status = 200, body = Account), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn get_me(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> Result<Json<Account>, ApiError> {
    let account = state
        .identity()?
        .get_me(&session, pb::GetMeRequest {})
        .await?;
    Ok(Json(account.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MeBody {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    /// A new address is confirmed by mail before it replaces the current one.
    pub email: Option<String>,
}

/// Changes the caller's name, phone or e-mail.
#[utoipa::path(patch, path = "/me", tag = "comptes", request_body = MeBody,
    responses((status = 200, body = Account), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_me(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Body(body): Body<MeBody>,
) -> Result<Json<Account>, ApiError> {
    let request = pb::UpdateMeRequest {
        first_name: body.first_name,
        last_name: body.last_name,
        phone: body.phone,
        email: body.email,
    };
    let account = state
        .identity()?
        .update_me(&session, request)
        .await
        .map_err(body_error)?;
    Ok(Json(account.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordBody {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's password; the account's other sessions end.
#[utoipa::path(put, path = "/me/password", tag = "comptes", request_body = PasswordBody,
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    jar: CookieJar,
    Body(body): Body<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    // The browser's own session (its refresh cookie) survives; every other one ends.
    let request = pb::ChangePasswordRequest {
        current_password: body.current_password,
        new_password: body.new_password,
        refresh_token: jar
            .get(REFRESH_COOKIE)
            .map(|c| c.value().to_owned())
            .unwrap_or_default(),
    };
    state
        .identity()?
        .change_password(&session, request)
        .await
        .map_err(body_error)?;
    Ok(StatusCode::NO_CONTENT)
}
