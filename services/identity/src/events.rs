//! The events the identity service publishes: their kinds (routing keys) and how each is built
//! around its `id77.events.v1` payload.
//!
//! Events that carry a one-time token are the only place the token exists in clear after the
//! request that made it; they are never logged.

use id77_kit::bus::Event;
use id77_proto::events::v1 as pb;
use prost::Message;
use uuid::Uuid;

use crate::domain::Account;

/// The `source` of every event of this service.
pub const SOURCE: &str = "id77-identity";

/// A registration form was accepted: mail "confirmez votre adresse" with the token.
pub const REGISTRATION_SUBMITTED: &str = "identity.registration.submitted.v1";
/// A registration used an address that has an account: notice to its holder, nothing created.
pub const REGISTRATION_DUPLICATE: &str = "identity.registration.duplicate.v1";
/// A registration chose an identifier in use: mail to its (new) address, nothing created.
pub const REGISTRATION_IDENTIFIER_TAKEN: &str = "identity.registration.identifier_taken.v1";
/// The address was confirmed: mail "inscription reçue", admins notified.
pub const REGISTRATION_CONFIRMED: &str = "identity.registration.confirmed.v1";
/// An administrator approved a registration: invitation mail with the token.
pub const REGISTRATION_APPROVED: &str = "identity.registration.approved.v1";
/// An administrator rejected a registration: mail with the reason.
pub const REGISTRATION_REJECTED: &str = "identity.registration.rejected.v1";
/// A staff account was created: invitation mail with the token.
pub const ACCOUNT_INVITED: &str = "identity.account.invited.v1";
/// A password reset was asked for an existing active account: mail with the token.
pub const PASSWORD_RESET_REQUESTED: &str = "identity.password.reset_requested.v1";
/// The password was changed or reset: security notice.
pub const PASSWORD_CHANGED: &str = "identity.password.changed.v1";
/// A new address is to be confirmed: mail to it with the token, notice to the old one.
pub const EMAIL_CHANGE_REQUESTED: &str = "identity.email.change_requested.v1";
/// The new address was confirmed: notice to the old one.
pub const EMAIL_CHANGED: &str = "identity.email.changed.v1";
/// An organisation's profile or logo changed.
pub const ORGANISATION_UPDATED: &str = "identity.organisation.updated.v1";
/// A technical contact was added or removed.
pub const CONTACT_CHANGED: &str = "identity.contact.changed.v1";

/// Every kind this service publishes.
pub const ALL_KINDS: [&str; 13] = [
    REGISTRATION_SUBMITTED,
    REGISTRATION_DUPLICATE,
    REGISTRATION_IDENTIFIER_TAKEN,
    REGISTRATION_CONFIRMED,
    REGISTRATION_APPROVED,
    REGISTRATION_REJECTED,
    ACCOUNT_INVITED,
    PASSWORD_RESET_REQUESTED,
    PASSWORD_CHANGED,
    EMAIL_CHANGE_REQUESTED,
    EMAIL_CHANGED,
    ORGANISATION_UPDATED,
    CONTACT_CHANGED,
];

/// An event of `kind` with `message` as payload. `actor` is the authenticated account that
/// caused it; anonymous flows (registration, links, reset) have none, so that the person the
/// mail is for is never taken for the actor and skipped.
pub fn event(kind: &str, message: &impl Message, actor: Option<Uuid>) -> Event {
    let mut event = Event::new(kind, SOURCE, message.encode_to_vec());
    if let Some(traceparent) = id77_kit::telemetry::traceparent(&tracing::Span::current()) {
        event = event.with_traceparent(traceparent);
    }
    match actor {
        Some(actor) => event.with_actor(actor.to_string()),
        None => event,
    }
}

/// Where and how to write to an account's holder.
pub fn recipient(account: &Account) -> pb::Recipient {
    pb::Recipient {
        email: account.email.as_str().to_owned(),
        display_name: account.display_name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_a_valid_routing_key_of_this_service() {
        for kind in ALL_KINDS {
            assert!(
                kind.starts_with("identity.") && kind.ends_with(".v1"),
                "{kind}"
            );
            let event = event(kind, &pb::PasswordChanged::default(), None);
            assert!(event.validate().is_ok(), "{kind}");
            assert_eq!(event.source, SOURCE);
            assert_eq!(event.actor, None);
        }
        let actor = Uuid::now_v7();
        let event = event(
            PASSWORD_CHANGED,
            &pb::PasswordChanged::default(),
            Some(actor),
        );
        assert_eq!(event.actor, Some(actor.to_string()));
    }

    #[test]
    fn the_payload_is_the_encoded_message() {
        let message = pb::ContactChanged {
            organisation_id: "o".into(),
            contact_id: "c".into(),
            change: "added".into(),
        };
        let event = event(CONTACT_CHANGED, &message, None);
        assert_eq!(
            pb::ContactChanged::decode(event.payload.as_slice()).unwrap(),
            message
        );
    }
}
