//! Accounts: their role and the life cycle of their status.
//!
//! ```text
//!  register ─▶ pending_email ─confirm_email─▶ pending_approval ─approve─▶ invited ─activate─▶ active
//!                                                   │                                       ▲  │
//!                                                 reject                              enable│  │disable
//!                                                   ▼                                       │  ▼
//!                                                rejected                                 disabled
//! ```
//! Staff accounts are created directly as `invited` by an administrator.

use std::{fmt, str::FromStr};

use chrono::{DateTime, Utc};
use id77_kit::violations::FieldViolation;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Email, Identifier, PersonName, Phone, Violations};

/// Longest rejection reason accepted, in characters.
pub const MAX_REJECTION_REASON_CHARS: usize = 1000;

/// What an account may do (see DESIGN.md, "Roles").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A member organisation's account.
    Member,
    /// An ID77 staff member leading offers ("chef de file").
    Lead,
    /// An ID77 administrator.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Member, Role::Lead, Role::Admin];

    /// The storage and token value: `member`, `lead`, `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Lead => "lead",
            Role::Admin => "admin",
        }
    }

    /// The French label shown in the back office.
    pub fn label(self) -> &'static str {
        match self {
            Role::Member => "Adhérent",
            Role::Lead => "Chef de file",
            Role::Admin => "Administrateur",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored value that names no role or status: the database holds something this code does
/// not know, which is a bug or a botched migration, not bad user input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind}: {value:?}")]
pub struct UnknownValue {
    kind: &'static str,
    value: String,
}

impl FromStr for Role {
    type Err = UnknownValue;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == value)
            .ok_or_else(|| UnknownValue {
                kind: "role",
                value: value.to_owned(),
            })
    }
}

impl From<Role> for id77_kit::auth::Role {
    fn from(role: Role) -> Self {
        match role {
            Role::Member => id77_kit::auth::Role::Member,
            Role::Lead => id77_kit::auth::Role::Lead,
            Role::Admin => id77_kit::auth::Role::Admin,
        }
    }
}

/// Where an account stands in its life cycle (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Registered; the e-mail address is not confirmed yet.
    PendingEmail,
    /// Address confirmed; ID77 has to check the membership.
    PendingApproval,
    /// Approved (or created by an administrator); the invitation link lets the user choose a
    /// password.
    Invited,
    /// Password chosen: the account may log in.
    Active,
    /// Registration refused by ID77, with a reason.
    Rejected,
    /// Access withdrawn by an administrator; may be given back.
    Disabled,
}

/// An action the current status does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The action does not apply to an account in this status.
    #[error("Impossible {action} : le compte est {}.", .from.label())]
    NotAllowed {
        /// The status the account is in.
        from: AccountStatus,
        /// What was attempted, in French after "Impossible" (`de valider l'inscription`).
        action: &'static str,
    },
    /// The rejection reason is empty or too long.
    #[error("{}", .0.message)]
    InvalidReason(FieldViolation),
}

/// Why ID77 refused a registration: sent to the applicant, 1 to 1000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RejectionReason(String);

impl RejectionReason {
    /// Trimmed; must say something and stay readable in an e-mail.
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        let reason = input.trim();
        let length = reason.chars().count();
        if length == 0 || length > MAX_REJECTION_REASON_CHARS {
            return Err(FieldViolation::new(
                "reason",
                format!(
                    "Indiquez le motif du refus (de 1 à {MAX_REJECTION_REASON_CHARS} caractères) \
                     : il est envoyé au demandeur."
                ),
            ));
        }
        Ok(Self(reason.to_owned()))
    }

    /// The reason as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AccountStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [AccountStatus; 6] = [
        AccountStatus::PendingEmail,
        AccountStatus::PendingApproval,
        AccountStatus::Invited,
        AccountStatus::Active,
        AccountStatus::Rejected,
        AccountStatus::Disabled,
    ];

    /// The storage value: `pending_email`, `pending_approval`, `invited`, `active`, `rejected`,
    /// `disabled`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::PendingEmail => "pending_email",
            AccountStatus::PendingApproval => "pending_approval",
            AccountStatus::Invited => "invited",
            AccountStatus::Active => "active",
            AccountStatus::Rejected => "rejected",
            AccountStatus::Disabled => "disabled",
        }
    }

    /// The French label, as an adjective phrase after "un compte".
    pub fn label(self) -> &'static str {
        match self {
            AccountStatus::PendingEmail => "en attente de confirmation de l'adresse e-mail",
            AccountStatus::PendingApproval => "en attente de validation par ID77",
            AccountStatus::Invited => "invité, sans mot de passe choisi",
            AccountStatus::Active => "actif",
            AccountStatus::Rejected => "refusé",
            AccountStatus::Disabled => "désactivé",
        }
    }

    /// Only an active account may log in.
    pub fn can_log_in(self) -> bool {
        self == AccountStatus::Active
    }

    /// The applicant clicked the confirmation link: `pending_email` → `pending_approval`.
    pub fn confirm_email(self) -> Result<Self, TransitionError> {
        self.step(
            AccountStatus::PendingEmail,
            AccountStatus::PendingApproval,
            "de confirmer l'adresse e-mail",
        )
    }

    /// ID77 accepts the membership: `pending_approval` → `invited`.
    pub fn approve(self) -> Result<Self, TransitionError> {
        self.step(
            AccountStatus::PendingApproval,
            AccountStatus::Invited,
            "de valider l'inscription",
        )
    }

    /// ID77 refuses the membership, saying why: `pending_approval` → `rejected`. The status is
    /// checked before the reason, so that a late click on an already decided registration says
    /// so rather than asking for a reason.
    pub fn reject(self, reason: &str) -> Result<(Self, RejectionReason), TransitionError> {
        let next = self.step(
            AccountStatus::PendingApproval,
            AccountStatus::Rejected,
            "de refuser l'inscription",
        )?;
        let reason = RejectionReason::parse(reason).map_err(TransitionError::InvalidReason)?;
        Ok((next, reason))
    }

    /// The invited user chose a password: `invited` → `active`.
    pub fn activate(self) -> Result<Self, TransitionError> {
        self.step(
            AccountStatus::Invited,
            AccountStatus::Active,
            "d'activer le compte",
        )
    }

    /// An administrator withdraws access: `active` → `disabled`. Accounts not active yet are
    /// refused (pending) or left to expire (invited), so `enable` always has one status to return
    /// to.
    pub fn disable(self) -> Result<Self, TransitionError> {
        self.step(
            AccountStatus::Active,
            AccountStatus::Disabled,
            "de désactiver le compte",
        )
    }

    /// An administrator gives access back: `disabled` → `active`.
    pub fn enable(self) -> Result<Self, TransitionError> {
        self.step(
            AccountStatus::Disabled,
            AccountStatus::Active,
            "de réactiver le compte",
        )
    }

    fn step(
        self,
        from: AccountStatus,
        to: AccountStatus,
        action: &'static str,
    ) -> Result<Self, TransitionError> {
        if self == from {
            Ok(to)
        } else {
            Err(TransitionError::NotAllowed { from: self, action })
        }
    }
}

impl fmt::Display for AccountStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountStatus {
    type Err = UnknownValue;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        AccountStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
            .ok_or_else(|| UnknownValue {
                kind: "account status",
                value: value.to_owned(),
            })
    }
}

/// A login: an organisation's account or an ID77 staff member's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its id (the `sub` of its access tokens).
    pub id: Uuid,
    /// The member organisation; `None` for staff.
    pub organisation_id: Option<Uuid>,
    /// The login identifier, in the case typed.
    pub identifier: Identifier,
    /// The confirmed address.
    pub email: Email,
    /// A new address waiting for confirmation.
    pub pending_email: Option<Email>,
    /// First name; validated by `PersonName` when a person typed it, empty for the bootstrap
    /// administrator.
    pub first_name: String,
    /// Last name (see `first_name`).
    pub last_name: String,
    /// Phone number, when known.
    pub phone: Option<Phone>,
    /// What the account may do.
    pub role: Role,
    /// Where it stands in its life cycle.
    pub status: AccountStatus,
    /// argon2id hash; `None` until the invitation is accepted.
    pub password_hash: Option<String>,
    /// Why ID77 refused the registration.
    pub rejection_reason: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Account {
    /// How to name the person: first and last name, or the identifier when they are empty.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let name = name.trim();
        if name.is_empty() {
            self.identifier.as_str().to_owned()
        } else {
            name.to_owned()
        }
    }
}

/// "Mon compte" changes as typed; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AccountUpdate {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Phone number; empty removes it.
    pub phone: Option<String>,
    /// A new address, confirmed before it replaces the current one.
    pub email: Option<String>,
}

/// "Mon compte" changes whose every field is valid; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountPatch {
    /// New first name.
    pub first_name: Option<PersonName>,
    /// New last name.
    pub last_name: Option<PersonName>,
    /// New phone number; `Some(None)` removes it.
    pub phone: Option<Option<Phone>>,
    /// The address asked for (the current one when unchanged).
    pub email: Option<Email>,
}

impl AccountPatch {
    /// Checks every field given with the rules of the registration form and reports every
    /// problem at once.
    pub fn parse(update: &AccountUpdate) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::default();
        let patch =
            Self {
                first_name: update.first_name.as_ref().and_then(|name| {
                    v.keep("first_name", PersonName::parse_field("first_name", name))
                }),
                last_name: update.last_name.as_ref().and_then(|name| {
                    v.keep("last_name", PersonName::parse_field("last_name", name))
                }),
                phone: match update.phone.as_deref().map(str::trim) {
                    None => None,
                    Some("") => Some(None),
                    Some(phone) => v.keep("phone", Phone::parse(phone)).map(Some),
                },
                email: update
                    .email
                    .as_ref()
                    .and_then(|email| v.keep("email", Email::parse(email))),
            };
        v.finish(Some(patch))
    }
}

#[cfg(test)]
mod tests {
    use super::AccountStatus::*;
    use super::*;

    type Transition = fn(AccountStatus) -> Result<AccountStatus, TransitionError>;

    /// Every transition by name, with the one status it starts from and where it leads.
    fn transitions() -> Vec<(&'static str, Transition, AccountStatus, AccountStatus)> {
        vec![
            (
                "confirm_email",
                AccountStatus::confirm_email,
                PendingEmail,
                PendingApproval,
            ),
            ("approve", AccountStatus::approve, PendingApproval, Invited),
            (
                "reject",
                |s: AccountStatus| s.reject("Collectivité hors département").map(|(s, _)| s),
                PendingApproval,
                Rejected,
            ),
            ("activate", AccountStatus::activate, Invited, Active),
            ("disable", AccountStatus::disable, Active, Disabled),
            ("enable", AccountStatus::enable, Disabled, Active),
        ]
    }

    #[test]
    fn each_transition_is_allowed_from_its_status_only() {
        for (name, transition, from, to) in transitions() {
            for status in AccountStatus::ALL {
                let result = transition(status);
                if status == from {
                    assert_eq!(result, Ok(to), "{name} from {status}");
                } else {
                    match result {
                        Err(TransitionError::NotAllowed { from: refused, .. }) => {
                            assert_eq!(refused, status, "{name} from {status}");
                        }
                        other => panic!("{name} from {status}: {other:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn the_registration_path_to_an_active_account() {
        let status = PendingEmail
            .confirm_email()
            .and_then(AccountStatus::approve)
            .and_then(AccountStatus::activate)
            .unwrap();
        assert_eq!(status, Active);
        assert!(status.can_log_in());
        let disabled = status.disable().unwrap();
        assert!(!disabled.can_log_in());
        assert_eq!(disabled.enable().unwrap(), Active);
        for status in [PendingEmail, PendingApproval, Invited, Rejected, Disabled] {
            assert!(!status.can_log_in(), "{status}");
        }
    }

    #[test]
    fn refused_transitions_explain_in_french() {
        let error = Rejected.approve().unwrap_err();
        assert_eq!(
            error.to_string(),
            "Impossible de valider l'inscription : le compte est refusé."
        );
    }

    #[test]
    fn rejection_needs_a_reason_of_at_most_1000_characters() {
        let (status, reason) = PendingApproval.reject("  Hors Seine-et-Marne  ").unwrap();
        assert_eq!(status, Rejected);
        assert_eq!(reason.as_str(), "Hors Seine-et-Marne");
        assert!(PendingApproval.reject(&"é".repeat(1000)).is_ok());
        for reason in ["", "   ", &"é".repeat(1001)] {
            match PendingApproval.reject(reason) {
                Err(TransitionError::InvalidReason(violation)) => {
                    assert_eq!(violation.field, "reason");
                    assert!(violation.message.contains("motif du refus"));
                }
                other => panic!("{reason:?}: {other:?}"),
            }
        }
        // A decided registration says so, even without a reason.
        assert!(matches!(
            Rejected.reject(""),
            Err(TransitionError::NotAllowed { from: Rejected, .. })
        ));
    }

    #[test]
    fn values_round_trip_through_strings_and_json() {
        for status in AccountStatus::ALL {
            assert_eq!(status.as_str().parse::<AccountStatus>(), Ok(status));
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{}\"", status.as_str())
            );
        }
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(
                id77_kit::auth::Role::from(role).as_str(),
                role.as_str(),
                "token role of {role}"
            );
        }
        assert!("Active".parse::<AccountStatus>().is_err());
        assert!("service".parse::<Role>().is_err());
    }

    #[test]
    fn an_account_patch_keeps_absent_fields_and_removes_an_empty_phone() {
        let patch = AccountPatch::parse(&AccountUpdate {
            first_name: Some(" Anne ".into()),
            phone: Some("  ".into()),
            ..AccountUpdate::default()
        })
        .unwrap();
        assert_eq!(
            patch.first_name.as_ref().map(PersonName::as_str),
            Some("Anne")
        );
        assert_eq!(patch.last_name, None);
        assert_eq!(patch.phone, Some(None));
        assert_eq!(patch.email, None);
        let violations = AccountPatch::parse(&AccountUpdate {
            first_name: Some("4nne".into()),
            last_name: Some(String::new()),
            phone: Some("12".into()),
            email: Some("nobody".into()),
        })
        .unwrap_err();
        let fields: Vec<&str> = violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["first_name", "last_name", "phone", "email"]);
    }
}
