//! The organisation's logo: the upload form.

use axum::{
    extract::{Multipart, State, multipart::MultipartRejection},
    response::{IntoResponse, Redirect, Response},
};
use id77_proto::identity::v1 as pb;

use super::profile::{ProfileSent, profile_again};
use crate::{
    error::AppError,
    extract::PageSession,
    session::CurrentUser,
    state::AppState,
    web::{Flash, PageError},
};

/// Largest logo accepted, as the identity service says.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;
const LOGO_TOO_LARGE: &str =
    "Cette image dépasse 2 Mo : choisissez une image plus légère (PNG, JPEG ou WebP).";
const LOGO_MISSING: &str = "Choisissez une image PNG, JPEG ou WebP de 2 Mo au plus.";
/// The `logo` part of the upload, read up to [`MAX_LOGO_BYTES`].
async fn read_logo(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Vec<u8>, &'static str> {
    let mut multipart = multipart.map_err(|_| LOGO_MISSING)?;
    // A body over the route's limit fails while being read: too large.
    while let Some(mut field) = multipart.next_field().await.map_err(|_| LOGO_TOO_LARGE)? {
        if field.name() != Some("logo") {
            continue;
        }
        let mut image = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| LOGO_TOO_LARGE)? {
            if image.len() + chunk.len() > MAX_LOGO_BYTES {
                return Err(LOGO_TOO_LARGE);
            }
            image.extend_from_slice(&chunk);
        }
        return if image.is_empty() {
            Err(LOGO_MISSING)
        } else {
            Ok(image)
        };
    }
    Err(LOGO_MISSING)
}

pub async fn upload_logo(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let error = match read_logo(multipart).await {
        Ok(image) => {
            let request = pb::SetLogoRequest { image };
            match async { state.identity()?.set_logo(&session, request).await }.await {
                Ok(_) => {
                    let done = Flash::LogoSaved.url("/compte/profil");
                    return Ok(Redirect::to(&done).into_response());
                }
                Err(error) => error,
            }
        }
        Err(message) => {
            AppError::Unprocessable(vec![crate::error::FieldError::new("logo", message)])
        }
    };
    profile_again(&state, &user, &session, error, |error| {
        let logo_error = match error {
            AppError::Invalid(errors) | AppError::Unprocessable(errors) => errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            other => other.detail(),
        };
        ProfileSent {
            logo_error: Some(logo_error),
            ..ProfileSent::default()
        }
    })
    .await
}
