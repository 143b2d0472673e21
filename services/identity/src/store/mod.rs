//! Persistence of the identity service behind one [`Store`] trait, with a PostgreSQL and a
//! SQLite implementation sharing their SQL (see `sql.rs`). The entities are the domain's
//! ([`Account`], [`Organisation`]…); `rows.rs` reads them back from the rows.
//!
//! Each method that changes state is one transaction, and the ones whose change others must hear
//! about take the [`Event`] to write to the outbox in that same transaction. The rules (which
//! status may follow which, who may do what) are decided by the service before it calls the
//! store; the store re-checks the state it was decided on (`WHERE status = $expected`,
//! `used_at IS NULL`), so that two concurrent requests cannot both win.

use std::future::Future;

use chrono::{DateTime, Utc};
use id77_kit::bus::Event;
use uuid::Uuid;

use crate::{
    domain::{Account, AccountStatus, Contact, Email, Logo, Organisation, Phone},
    token::TokenPurpose,
};

mod rows;
mod sql;

pub use sql::{PgStore, SqliteStore};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed or is unreachable.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value does not parse (a bug or a botched migration, not user input).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The identifier or e-mail address belongs to another account.
    #[error("the {0} is already used by another account")]
    Taken(Unique),
    /// The state the change was decided on no longer holds: the token was used or expired
    /// meanwhile, or the account's status changed (a concurrent request won).
    #[error("the record changed meanwhile")]
    Stale,
}

/// The unique values of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    /// `identifier_normalized`.
    Identifier,
    /// `email_normalized`.
    Email,
}

impl std::fmt::Display for Unique {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unique::Identifier => "identifier",
            Unique::Email => "e-mail address",
        })
    }
}

/// A one-time token to store: its hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// SHA-256 hex of the token.
    pub hash: String,
    /// The account it acts on.
    pub account_id: Uuid,
    /// What it is for.
    pub purpose: TokenPurpose,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// What it carries beyond the account (the new address of an e-mail change).
    pub payload: Option<String>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
}

/// A one-time token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// SHA-256 hex of the token.
    pub hash: String,
    /// The account it acts on.
    pub account_id: Uuid,
    /// What it is for.
    pub purpose: TokenPurpose,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used, if it was.
    pub used_at: Option<DateTime<Utc>>,
    /// See [`NewToken::payload`].
    pub payload: Option<String>,
}

impl StoredToken {
    /// Not used yet and not expired at `now`, for `purpose`.
    pub fn usable_for(&self, purpose: TokenPurpose, now: DateTime<Utc>) -> bool {
        self.purpose == purpose && self.used_at.is_none() && now < self.expires_at
    }
}

/// Using a one-time token and what it does, in one transaction. The token is marked used only
/// if it is still unused and unexpired at `now`; otherwise nothing changes
/// ([`StoreError::Stale`]).
#[derive(Debug, Clone)]
pub struct Redemption {
    /// The token's hash.
    pub token_hash: String,
    /// The account it acts on.
    pub account_id: Uuid,
    /// When.
    pub now: DateTime<Utc>,
    /// A status change `(expected, new)`; [`StoreError::Stale`] when the account is no longer
    /// in `expected`.
    pub status: Option<(AccountStatus, AccountStatus)>,
    /// A new password hash.
    pub password_hash: Option<String>,
    /// The pending address that becomes the account's ([`StoreError::Taken`] when another
    /// account got it meanwhile).
    pub new_email: Option<Email>,
    /// End every session of the account.
    pub revoke_sessions: bool,
    /// The event of the change.
    pub event: Option<Event>,
}

/// An administrator's decision on a registration, in one transaction.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The applicant's account.
    pub account_id: Uuid,
    /// The status the decision was taken on.
    pub from: AccountStatus,
    /// The status it leads to.
    pub to: AccountStatus,
    /// Why, when rejected.
    pub rejection_reason: Option<String>,
    /// The invitation, when approved.
    pub invitation: Option<NewToken>,
    /// The event of the decision.
    pub event: Event,
    /// When.
    pub now: DateTime<Utc>,
}

/// "Mon compte" changes, in one transaction.
#[derive(Debug, Clone)]
pub struct ProfileChange {
    /// The account.
    pub account_id: Uuid,
    /// New first name.
    pub first_name: String,
    /// New last name.
    pub last_name: String,
    /// New phone number.
    pub phone: Option<Phone>,
    /// A new address to confirm: it becomes the pending address, with its confirmation token
    /// and the event that sends it.
    pub email_change: Option<(Email, NewToken, Event)>,
    /// When.
    pub now: DateTime<Utc>,
}

/// A refresh token to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefreshToken {
    /// SHA-256 hex of the token.
    pub hash: String,
    /// The account.
    pub account_id: Uuid,
    /// The session (login) it belongs to, kept across rotations.
    pub family_id: Uuid,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
}

/// A refresh token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRefreshToken {
    /// SHA-256 hex of the token.
    pub hash: String,
    /// The account.
    pub account_id: Uuid,
    /// The session.
    pub family_id: Uuid,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked (rotated, logged out, password changed).
    pub revoked_at: Option<DateTime<Utc>>,
    /// The hash of the token that replaced it, when rotated.
    pub replaced_by: Option<String>,
}

/// What the identity service needs from its database.
pub trait Store: Send + Sync + 'static {
    /// Brings the schema up to date.
    fn migrate(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Whether the database answers.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Number of accounts, whatever their status.
    fn count_accounts(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Writes a new organisation, its account (`pending_email`), the confirmation token and
    /// the event; [`StoreError::Taken`] (and nothing written) when the identifier or e-mail
    /// address is already used.
    fn create_registration(
        &self,
        organisation: &Organisation,
        account: &Account,
        token: &NewToken,
        event: &Event,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Writes an account without organisation (staff, the bootstrap administrator), with its
    /// invitation and event when given; [`StoreError::Taken`] when the identifier or e-mail
    /// address is already used.
    fn create_account(
        &self,
        account: &Account,
        invitation: Option<&NewToken>,
        event: Option<&Event>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The account with this id.
    fn account(&self, id: Uuid)
    -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;
    /// The account whose normalized identifier or e-mail address is `login` (lower case).
    fn account_by_login(
        &self,
        login: &str,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;
    /// Member accounts in `status`, oldest first, each with its organisation (without
    /// contacts).
    fn registrations(
        &self,
        status: AccountStatus,
    ) -> impl Future<Output = Result<Vec<(Account, Organisation)>, StoreError>> + Send;
    /// Applies an administrator's decision; [`StoreError::Stale`] when the status changed.
    fn decide_registration(
        &self,
        decision: &Decision,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Applies "Mon compte" changes; [`StoreError::Taken`] when the new address belongs to
    /// another account.
    fn update_profile(
        &self,
        change: &ProfileChange,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Replaces the password hash, ends every session but `keep_family`, and writes the event.
    fn change_password(
        &self,
        account_id: Uuid,
        password_hash: &str,
        keep_family: Option<Uuid>,
        event: &Event,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Replaces the password hash by the same password hashed with today's parameters, unless
    /// the password changed meanwhile (compare-and-set on the old hash). Sessions and events
    /// are left alone: for its owner, nothing changed. `false` when the hash had changed.
    fn upgrade_password_hash(
        &self,
        account_id: Uuid,
        old_hash: &str,
        new_hash: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Stores a one-time token with the event that sends it.
    fn issue_token(
        &self,
        token: &NewToken,
        event: &Event,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The one-time token with this hash, used or not.
    fn one_time_token(
        &self,
        hash: &str,
    ) -> impl Future<Output = Result<Option<StoredToken>, StoreError>> + Send;
    /// Uses a one-time token and applies what it does (see [`Redemption`]).
    fn redeem_token(
        &self,
        redemption: &Redemption,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores the first refresh token of a session.
    fn create_refresh_token(
        &self,
        token: &NewRefreshToken,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The refresh token with this hash, revoked or not.
    fn refresh_token(
        &self,
        hash: &str,
    ) -> impl Future<Output = Result<Option<StoredRefreshToken>, StoreError>> + Send;
    /// Replaces `old_hash` by `new` in its session, if `old_hash` is still unrevoked and
    /// unexpired at `now`; false (nothing changed) otherwise.
    fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Revokes every token of a session; how many were still live.
    fn revoke_family(
        &self,
        family_id: Uuid,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Revokes every session of an account but `keep_family`; how many tokens were live.
    fn revoke_sessions(
        &self,
        account_id: Uuid,
        keep_family: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Failed logins recorded under `key` since `since`.
    fn login_failures(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Records a failed login under each key, and forgets failures older than
    /// `forget_before` (they no longer count).
    fn record_login_failure(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Forgets the failures under `key` (after a successful login).
    fn clear_login_failures(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The organisation with this id, without contacts.
    fn organisation(
        &self,
        id: Uuid,
    ) -> impl Future<Output = Result<Option<Organisation>, StoreError>> + Send;
    /// Replaces the profile fields (not the logo) and writes the event.
    fn update_organisation(
        &self,
        organisation: &Organisation,
        event: &Event,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Replaces the logo; false when the organisation does not exist.
    fn set_logo(
        &self,
        organisation_id: Uuid,
        logo: &Logo,
        event: &Event,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The organisation's logo, when it has one.
    fn logo(
        &self,
        organisation_id: Uuid,
    ) -> impl Future<Output = Result<Option<Logo>, StoreError>> + Send;
    /// The organisation's contacts, oldest first.
    fn contacts(
        &self,
        organisation_id: Uuid,
    ) -> impl Future<Output = Result<Vec<Contact>, StoreError>> + Send;
    /// Adds a contact and writes the event.
    fn add_contact(
        &self,
        contact: &Contact,
        event: &Event,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Removes a contact of this organisation and writes the event; false (and no event) when
    /// the organisation has no such contact.
    fn remove_contact(
        &self,
        organisation_id: Uuid,
        contact_id: Uuid,
        event: &Event,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Every outbox row, published or not, oldest first: for tests and operators (the relay
    /// reads the table itself).
    fn outbox(&self) -> impl Future<Output = Result<Vec<Event>, StoreError>> + Send;
    /// Writes an event that goes with no change of the tables (a refused duplicate
    /// registration is still worth a mail).
    fn enqueue_event(&self, event: &Event) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Which unique value a database error says was duplicated, if it is a unique violation.
fn unique_violation(error: &sqlx::Error) -> Option<Unique> {
    let database = error.as_database_error()?;
    if !database.is_unique_violation() {
        return None;
    }
    // PostgreSQL names the constraint (`accounts_identifier_normalized_key`), SQLite the column
    // in its message (`UNIQUE constraint failed: accounts.identifier_normalized`).
    let text = format!(
        "{} {}",
        database.constraint().unwrap_or_default(),
        database.message()
    );
    if text.contains("identifier") {
        Some(Unique::Identifier)
    } else if text.contains("email") {
        Some(Unique::Email)
    } else {
        None
    }
}

/// The database error as a [`StoreError`], telling duplicated identifiers and addresses apart.
fn from_write(error: sqlx::Error) -> StoreError {
    match unique_violation(&error) {
        Some(unique) => StoreError::Taken(unique),
        None => StoreError::Database(error),
    }
}
