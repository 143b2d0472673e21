//! Who is calling: a bearer token (API clients) or the session cookies (browsers).
//!
//! Browsers hold a short-lived access JWT and a rotating refresh token, both in `HttpOnly`,
//! `SameSite=Lax` cookies (`Secure` under HTTPS). When the access token has expired, the
//! middleware refreshes it with the identity service before the handler runs, and sends the new
//! cookies with the response.

use axum::{
    extract::{FromRequestParts, Request, State},
    http::{header, request::Parts},
    middleware::Next,
    response::{IntoResponse as _, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use id77_kit::auth::Claims;
use id77_proto::identity::v1 as pb;

use crate::state::AppState;

pub const ACCESS_COOKIE: &str = "id77_access";
pub const REFRESH_COOKIE: &str = "id77_refresh";

/// An authenticated caller and the token to forward to the services.
#[derive(Debug, Clone)]
pub struct Session {
    pub claims: Claims,
    pub access_token: String,
}

impl Session {
    /// A gRPC request carrying the caller's token; only the service clients (`crate::clients`)
    /// build requests.
    pub(crate) fn request<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        // A token we verified is ASCII; a failure here would only drop the header, and the
        // service would then answer UNAUTHENTICATED.
        let _ = id77_kit::auth::set_bearer(&mut request, &self.access_token);
        request
    }
}

/// The caller, if any (read from what the middleware found).
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Option<Session>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<Session>().cloned()))
    }
}

fn bearer(parts: &http::HeaderMap) -> Option<&str> {
    parts
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Cookies carrying a new session.
pub fn session_cookies(jar: CookieJar, session: &pb::Session, secure: bool) -> CookieJar {
    let now = chrono::Utc::now().timestamp();
    let max_age = |expires: Option<&prost_types::Timestamp>, fallback: i64| {
        cookie_time(expires.map_or(fallback, |t| (t.seconds - now).max(0)))
    };
    let access = Cookie::build((ACCESS_COOKIE, session.access_token.clone()))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(max_age(session.access_expires_at.as_ref(), 900));
    let refresh = Cookie::build((REFRESH_COOKIE, session.refresh_token.clone()))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(max_age(session.refresh_expires_at.as_ref(), 14 * 86_400));
    jar.add(access).add(refresh)
}

fn cookie_time(seconds: i64) -> cookie::time::Duration {
    cookie::time::Duration::seconds(seconds)
}

/// Cookies that end the browser session.
pub fn cleared_cookies(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(ACCESS_COOKIE).path("/"))
        .remove(Cookie::build(REFRESH_COOKIE).path("/"))
}

/// Refuses cross-site state changes ([`crate::csrf::refusal`]), then finds the caller and puts
/// its [`Session`] in the request's extensions.
pub async fn middleware(
    State(state): State<AppState>,
    jar: CookieJar,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(refused) = crate::csrf::refusal(&state, &request) {
        return refused;
    }
    // Borrowed: a verifier's clone allocates its validation sets, on every request.
    let Some(verifier) = state.settings.verifier.as_ref() else {
        return next.run(request).await;
    };
    // API clients: the bearer token alone decides (an invalid one is simply no session).
    if let Some(token) = bearer(request.headers()) {
        if let Ok(claims) = verifier.verify(token) {
            let session = Session {
                claims,
                access_token: token.to_owned(),
            };
            request.extensions_mut().insert(session);
        }
        return next.run(request).await;
    }
    if let Some(token) = jar.get(ACCESS_COOKIE).map(|c| c.value().to_owned())
        && let Ok(claims) = verifier.verify(&token)
    {
        request.extensions_mut().insert(Session {
            claims,
            access_token: token,
        });
        return next.run(request).await;
    }
    let Some(refresh_token) = jar.get(REFRESH_COOKIE).map(|c| c.value().to_owned()) else {
        return next.run(request).await;
    };
    // The access token expired (or is missing): rotate the refresh token once, here.
    let refreshed = match state.identity() {
        Ok(mut identity) => identity
            .refresh(pb::RefreshRequest { refresh_token })
            .await
            .ok(),
        Err(_) => None,
    };
    let renewed = refreshed.and_then(|session| {
        let claims = verifier.verify(&session.access_token).ok()?;
        Some((claims, session))
    });
    let cookies = match &renewed {
        Some((claims, session)) => {
            request.extensions_mut().insert(Session {
                claims: claims.clone(),
                access_token: session.access_token.clone(),
            });
            session_cookies(CookieJar::new(), session, state.secure_cookies())
        }
        // A refresh token that no longer works: forget it (removing the cookies the browser
        // sent), the visitor is anonymous.
        None => cleared_cookies(jar),
    };
    // The jar's Set-Cookie headers are added to the handler's own.
    (cookies, next.run(request).await).into_response()
}
