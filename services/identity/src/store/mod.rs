//! Persistence of the identity service behind one [`Store`] trait, with a PostgreSQL and a
//! SQLite implementation sharing their SQL (see `sql.rs`).
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
    domain::{
        AccountStatus, Canton, Category, Civility, Email, Identifier, OrganisationName, PersonName,
        Phone, Population, Referent, Representative, RepresentativeTitle, Role, Siret, Website,
    },
    token::TokenPurpose,
};

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

/// A member organisation's profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Its id.
    pub id: Uuid,
    /// "Collectivité ou organisme".
    pub name: OrganisationName,
    /// At least one, in the order ticked.
    pub categories: Vec<Category>,
    /// The establishment number.
    pub siret: Siret,
    /// Inhabitants.
    pub population: Population,
    /// One of the 23 cantons.
    pub canton: Canton,
    /// The mayor or president.
    pub representative: Representative,
    /// The administrative referent.
    pub admin_referent: Referent,
    /// The website, when given.
    pub website: Option<Website>,
    /// The current logo's version (cache busting); `None` without a logo.
    pub logo_version: Option<String>,
    /// When it registered.
    pub created_at: DateTime<Utc>,
    /// Last change of the profile or the logo.
    pub updated_at: DateTime<Utc>,
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

/// A technical contact of an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Its id.
    pub id: Uuid,
    /// The organisation it belongs to.
    pub organisation_id: Uuid,
    /// Job title ("Directeur des services techniques").
    pub title: String,
    /// First and last name as one field.
    pub full_name: String,
    /// The department.
    pub service: String,
    /// Address.
    pub email: Email,
    /// Phone number.
    pub phone: Phone,
    /// When it was added (contacts are listed in that order).
    pub created_at: DateTime<Utc>,
}

/// An organisation's logo as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// The image bytes.
    pub image: Vec<u8>,
    /// Its media type (`image/png`).
    pub content_type: String,
    /// Changes with every upload.
    pub version: String,
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

// Rows as read, and their conversion to the domain types. A value that does not parse any more
// is reported as corrupt rather than served.

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

fn uuid(what: &str, value: &str) -> Result<Uuid, StoreError> {
    Uuid::try_parse(value).map_err(|_| corrupt(what, value))
}

fn parsed<T, E>(
    what: &str,
    value: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    parse(value).map_err(|_| corrupt(what, value))
}

/// The comma-separated storage of categories.
fn categories_to_storage(categories: &[Category]) -> String {
    categories
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(sqlx::FromRow)]
struct OrganisationRow {
    id: String,
    name: String,
    categories: String,
    siret: String,
    population: i64,
    canton: String,
    representative_title: String,
    representative_civility: String,
    representative_first_name: String,
    representative_last_name: String,
    referent_civility: String,
    referent_first_name: String,
    referent_last_name: String,
    website: Option<String>,
    logo_version: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = StoreError;

    fn try_from(row: OrganisationRow) -> Result<Self, StoreError> {
        let categories = row
            .categories
            .split(',')
            .map(|c| parsed("category", c, Category::parse))
            .collect::<Result<Vec<_>, _>>()?;
        let website = match row.website.as_deref() {
            Some(site) => parsed("website", site, Website::parse)?,
            None => None,
        };
        Ok(Self {
            id: uuid("organisation id", &row.id)?,
            name: parsed("organisation name", &row.name, OrganisationName::parse)?,
            categories,
            siret: parsed("siret", &row.siret, Siret::parse)?,
            population: parsed("population", &row.population.to_string(), Population::parse)?,
            canton: parsed("canton", &row.canton, Canton::parse)?,
            representative: Representative {
                title: parsed(
                    "representative title",
                    &row.representative_title,
                    RepresentativeTitle::parse,
                )?,
                civility: parsed("civility", &row.representative_civility, Civility::parse)?,
                first_name: parsed("name", &row.representative_first_name, PersonName::parse)?,
                last_name: parsed("name", &row.representative_last_name, PersonName::parse)?,
            },
            admin_referent: Referent {
                civility: parsed("civility", &row.referent_civility, Civility::parse)?,
                first_name: parsed("name", &row.referent_first_name, PersonName::parse)?,
                last_name: parsed("name", &row.referent_last_name, PersonName::parse)?,
            },
            website,
            logo_version: row.logo_version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: String,
    organisation_id: Option<String>,
    identifier: String,
    email: String,
    pending_email: Option<String>,
    first_name: String,
    last_name: String,
    phone: Option<String>,
    role: String,
    status: String,
    password_hash: Option<String>,
    rejection_reason: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;

    fn try_from(row: AccountRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: uuid("account id", &row.id)?,
            organisation_id: row
                .organisation_id
                .as_deref()
                .map(|id| uuid("organisation id", id))
                .transpose()?,
            identifier: parsed("identifier", &row.identifier, Identifier::parse)?,
            email: parsed("e-mail", &row.email, Email::parse)?,
            pending_email: row
                .pending_email
                .as_deref()
                .map(|email| parsed("e-mail", email, Email::parse))
                .transpose()?,
            first_name: row.first_name,
            last_name: row.last_name,
            phone: row
                .phone
                .as_deref()
                .map(|phone| parsed("phone", phone, Phone::parse))
                .transpose()?,
            role: parsed("role", &row.role, str::parse)?,
            status: parsed("status", &row.status, str::parse)?,
            password_hash: row.password_hash,
            rejection_reason: row.rejection_reason,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: String,
    organisation_id: String,
    title: String,
    full_name: String,
    service: String,
    email: String,
    phone: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<ContactRow> for Contact {
    type Error = StoreError;

    fn try_from(row: ContactRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: uuid("contact id", &row.id)?,
            organisation_id: uuid("organisation id", &row.organisation_id)?,
            title: row.title,
            full_name: row.full_name,
            service: row.service,
            email: parsed("e-mail", &row.email, Email::parse)?,
            phone: parsed("phone", &row.phone, Phone::parse)?,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct LogoRow {
    logo: Option<Vec<u8>>,
    logo_content_type: Option<String>,
    logo_version: Option<String>,
}

impl LogoRow {
    fn into_logo(self) -> Option<Logo> {
        match (self.logo, self.logo_content_type, self.logo_version) {
            (Some(image), Some(content_type), Some(version)) => Some(Logo {
                image,
                content_type,
                version,
            }),
            _ => None,
        }
    }
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    token_hash: String,
    account_id: String,
    purpose: String,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    payload: Option<String>,
}

impl TryFrom<TokenRow> for StoredToken {
    type Error = StoreError;

    fn try_from(row: TokenRow) -> Result<Self, StoreError> {
        Ok(Self {
            account_id: uuid("account id", &row.account_id)?,
            purpose: TokenPurpose::from_storage(&row.purpose)
                .ok_or_else(|| corrupt("token purpose", &row.purpose))?,
            hash: row.token_hash,
            expires_at: row.expires_at,
            used_at: row.used_at,
            payload: row.payload,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RefreshRow {
    token_hash: String,
    account_id: String,
    family_id: String,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    replaced_by: Option<String>,
}

impl TryFrom<RefreshRow> for StoredRefreshToken {
    type Error = StoreError;

    fn try_from(row: RefreshRow) -> Result<Self, StoreError> {
        Ok(Self {
            account_id: uuid("account id", &row.account_id)?,
            family_id: uuid("session id", &row.family_id)?,
            hash: row.token_hash,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            replaced_by: row.replaced_by,
        })
    }
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: String,
    kind: String,
    source: String,
    time: DateTime<Utc>,
    actor: Option<String>,
    traceparent: Option<String>,
    payload: Vec<u8>,
}

impl TryFrom<OutboxRow> for Event {
    type Error = StoreError;

    fn try_from(row: OutboxRow) -> Result<Self, StoreError> {
        Ok(Event {
            id: uuid("event id", &row.id)?,
            kind: row.kind,
            source: row.source,
            time: row.time,
            actor: row.actor,
            traceparent: row.traceparent,
            payload: row.payload,
        })
    }
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
