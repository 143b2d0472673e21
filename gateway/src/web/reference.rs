//! Reference data the forms offer, asked of the service that owns it rather than copied here.

use id77_proto::identity::v1 as pb;

use crate::{error::AppError, state::AppState};

/// The cantons the identity service accepts, in the order of a select list.
pub async fn cantons(state: &AppState) -> Result<Vec<String>, AppError> {
    Ok(state
        .identity()?
        .list_cantons(pb::ListCantonsRequest {})
        .await?
        .names)
}
