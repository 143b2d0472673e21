//! The one error type of the catalog service, and its single mapping to `tonic::Status`.

use id77_kit::violations::{FieldViolation, invalid_argument};
use tonic::Status;

use crate::{domain::OfferCode, store::StoreError};

/// What a request to the catalog service can end with, other than success.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule, with a French message per field: `INVALID_ARGUMENT`.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldViolation>),
    /// No published offer has this code: `NOT_FOUND`.
    #[error("no published offer {0}")]
    NotFound(OfferCode),
    /// A per-account RPC on a service started without a `Verifier`: `UNAUTHENTICATED`.
    #[error("this service accepts no accounts")]
    Unauthenticated,
    /// The caller's access token was refused, or its role has no favourites: the status from
    /// `id77_kit::auth`, whose French messages are shared by every service.
    #[error("access refused: {}", .0.message())]
    Access(Status),
    /// The database failed: `INTERNAL` (logged here, once).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One violation (an offer code, a sort order, a list too long).
impl From<FieldViolation> for Error {
    fn from(violation: FieldViolation) -> Self {
        Self::Invalid(vec![violation])
    }
}

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::Invalid(violations) => invalid_argument(&violations),
            Error::NotFound(code) => Status::not_found(format!(
                "Aucune offre publiée ne porte l'identifiant {code}."
            )),
            Error::Unauthenticated => Status::unauthenticated(
                "Ce service n'accepte pas encore de comptes : connectez-vous plus tard.",
            ),
            Error::Access(status) => status,
            Error::Store(error) => {
                tracing::error!(%error, "catalog store failed");
                Status::internal("Le catalogue est momentanément indisponible.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use tonic::Code;

    use super::*;

    #[test]
    fn each_error_keeps_its_code_and_french_message() {
        let code = OfferCode::parse("o99").unwrap();
        let status = Status::from(Error::NotFound(code));
        assert_eq!(status.code(), Code::NotFound);
        assert_eq!(
            status.message(),
            "Aucune offre publiée ne porte l'identifiant O99."
        );
        let status = Status::from(Error::Store(StoreError::Corrupt("bad row".into())));
        assert_eq!(status.code(), Code::Internal);
        assert_eq!(
            status.message(),
            "Le catalogue est momentanément indisponible."
        );
        assert_eq!(
            Status::from(Error::Unauthenticated).code(),
            Code::Unauthenticated
        );
        let status = Status::from(Error::from(FieldViolation::new("codes", "Trop.")));
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(
            id77_kit::violations::field_violations(&status),
            [FieldViolation::new("codes", "Trop.")]
        );
    }
}
