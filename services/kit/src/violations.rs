//! Validation failures as `INVALID_ARGUMENT` with field violations (google.rpc.BadRequest), so
//! that callers (the gateway first) can show each message next to its field.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt as _};

/// One field's problem, with a French message meant for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    pub field: String,
    pub message: String,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Builds the `INVALID_ARGUMENT` status carrying every violation.
pub fn invalid_argument(violations: &[FieldViolation]) -> Status {
    let mut details = ErrorDetails::new();
    for violation in violations {
        details.add_bad_request_violation(violation.field.clone(), violation.message.clone());
    }
    let summary = violations
        .iter()
        .map(|v| v.message.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Status::with_error_details(Code::InvalidArgument, summary, details)
}

/// Reads the field violations back out of a status (empty when it carries none).
pub fn field_violations(status: &Status) -> Vec<FieldViolation> {
    status
        .get_details_bad_request()
        .map(|bad_request| {
            bad_request
                .field_violations
                .into_iter()
                .map(|v| FieldViolation {
                    field: v.field,
                    message: v.description,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_round_trip_through_a_status() {
        let sent = vec![
            FieldViolation::new("per_page", "Au plus 100 offres par page."),
            FieldViolation::new("sort", "Tri inconnu."),
        ];
        let status = invalid_argument(&sent);
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(field_violations(&status), sent);
    }
}
