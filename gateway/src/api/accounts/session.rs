//! Logging in and out, and resetting a forgotten password.

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, Utc};
use id77_proto::identity::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Account, Body, Message, TokenPasswordBody, body_error, message};
use crate::{
    error::{ApiError, Problem},
    session::{REFRESH_COOKIE, cleared_cookies, session_cookies},
    state::AppState,
    time::timestamp,
};

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginBody {
    /// Identifier or e-mail.
    pub identifier: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionBody {
    /// Bearer token for the API (15 minutes).
    pub access_token: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub account: Option<Account>,
}

/// Logs in by identifier or e-mail. Returns an access token and sets the session cookies.
#[utoipa::path(post, path = "/session", tag = "comptes", request_body = LoginBody,
    responses((status = 200, body = SessionBody), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    jar: CookieJar,
    Body(body): Body<LoginBody>,
) -> Result<Response, ApiError> {
    let session = state
        .identity()?
        .login(pb::LoginRequest {
            identifier: body.identifier,
            password: body.password,
            client_address: peer.ip().to_string(),
        })
        .await?;
    let jar = session_cookies(jar, &session, state.secure_cookies());
    let body = SessionBody {
        access_token: session.access_token.clone(),
        expires_at: timestamp(session.access_expires_at.as_ref()),
        account: session.account.map(Account::from),
    };
    Ok((jar, Json(body)).into_response())
}

/// Logs out: revokes the refresh token and clears the cookies.
#[utoipa::path(delete, path = "/session", tag = "comptes", responses((status = 204)))]
pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response, ApiError> {
    if let Some(refresh) = jar.get(REFRESH_COOKIE).map(|c| c.value().to_owned()) {
        state
            .identity()?
            .logout(pb::LogoutRequest {
                refresh_token: refresh,
            })
            .await?;
    }
    Ok((cleared_cookies(jar), StatusCode::NO_CONTENT).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailBody {
    pub email: String,
}

pub const RESET_SENT: &str = "Si un compte actif correspond à cette adresse, un lien pour choisir un nouveau mot de passe vient d'y être envoyé (valable 30 minutes).";

/// Asks for a password reset link. Same answer whether or not the address has an account.
#[utoipa::path(post, path = "/password-resets", tag = "comptes", request_body = EmailBody,
    responses((status = 202, body = Message)))]
pub async fn request_reset(
    State(state): State<AppState>,
    Body(body): Body<EmailBody>,
) -> Result<Response, ApiError> {
    state
        .identity()?
        .request_password_reset(pb::RequestPasswordResetRequest { email: body.email })
        .await
        .map_err(body_error)?;
    Ok((StatusCode::ACCEPTED, message(RESET_SENT)).into_response())
}

/// Sets a new password from a reset link; the account's other sessions end.
#[utoipa::path(post, path = "/password-resets/complete", tag = "comptes", request_body = TokenPasswordBody,
    responses((status = 200, body = Message), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn complete_reset(
    State(state): State<AppState>,
    Body(body): Body<TokenPasswordBody>,
) -> Result<Json<Message>, ApiError> {
    state
        .identity()?
        .complete_password_reset(pb::CompletePasswordResetRequest {
            token: body.token,
            password: body.password,
        })
        .await
        .map_err(body_error)?;
    Ok(message(
        "Mot de passe modifié : vous pouvez vous connecter.",
    ))
}
