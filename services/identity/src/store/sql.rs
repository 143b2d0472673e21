//! The SQL of the identity store, written once and instantiated for each backend.
//!
//! Ids are stored as text (UUID), times as `TIMESTAMPTZ` on PostgreSQL and as sqlx's RFC 3339
//! text on SQLite, where comparing them as text orders them correctly: every time is UTC
//! (`+00:00`) and a shorter fraction sorts before a longer one with the same digits.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use id77_kit::bus::{Event, outbox};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use uuid::Uuid;

use super::{
    Decision, NewRefreshToken, NewToken, ProfileChange, Redemption, Store, StoreError,
    StoredRefreshToken, StoredToken, Unique, from_write,
    rows::{
        AccountRow, ContactRow, LogoRow, OrganisationRow, OutboxRow, RefreshRow, TokenRow,
        categories_to_storage,
    },
};
use crate::domain::{Account, AccountStatus, Contact, Logo, Organisation};

mod statements;

/// The identity store in PostgreSQL (distributed mode).
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// A store over an open pool (see `id77_kit::db::open_postgres`).
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The pool, for the outbox relay.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// The identity store in a SQLite file (all-in-one mode).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// A store over an open pool (see `id77_kit::db::open_sqlite`).
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// The pool, for the outbox relay.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

const ACCOUNT_COLUMNS: &str = "SELECT id, organisation_id, identifier, email, pending_email, \
    first_name, last_name, phone, role, status, password_hash, rejection_reason, created_at, \
    updated_at FROM accounts";

const ORGANISATION_COLUMNS: &str = "SELECT id, name, categories, siret, population, canton, \
    representative_title, representative_civility, representative_first_name, \
    representative_last_name, referent_civility, referent_first_name, referent_last_name, \
    website, logo_version, created_at, updated_at FROM organisations";

const CONTACT_COLUMNS: &str = "SELECT id, organisation_id, title, full_name, service, email, \
    phone, created_at FROM contacts";

/// A one-row change that must find its row: anything else means the state it was decided on
/// changed meanwhile.
fn expect_one(rows_affected: u64) -> Result<(), StoreError> {
    if rows_affected == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

/// Same body for both backends: the SQL is portable, only the pool and database types differ.
macro_rules! impl_store {
    ($store:ty, $db:ty, $migrations:literal) => {
        statements::impl_statements!($store, $db);

        impl Store for $store {
            async fn migrate(&self) -> Result<(), StoreError> {
                sqlx::migrate!($migrations).run(&self.pool).await?;
                Ok(())
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn count_accounts(&self) -> Result<u64, StoreError> {
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(u64::try_from(count).unwrap_or(0))
            }

            async fn create_registration(
                &self,
                organisation: &Organisation,
                account: &Account,
                token: &NewToken,
                event: &Event,
            ) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                let insert = sqlx::query(
                    "INSERT INTO organisations (id, name, categories, siret, population, canton, \
                     representative_title, representative_civility, representative_first_name, \
                     representative_last_name, referent_civility, referent_first_name, \
                     referent_last_name, website, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                )
                .bind(organisation.id.to_string());
                Self::bind_profile(insert, organisation)
                .bind(organisation.created_at)
                .bind(organisation.updated_at)
                .execute(&mut *tx)
                .await?;
                Self::insert_account(&mut tx, account).await?;
                Self::insert_token(&mut tx, token).await?;
                outbox::enqueue(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_account(
                &self,
                account: &Account,
                invitation: Option<&NewToken>,
                event: Option<&Event>,
            ) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                Self::insert_account(&mut tx, account).await?;
                if let Some(token) = invitation {
                    Self::insert_token(&mut tx, token).await?;
                }
                if let Some(event) = event {
                    outbox::enqueue(&mut tx, event).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn account(&self, id: Uuid) -> Result<Option<Account>, StoreError> {
                let query = sqlx::AssertSqlSafe(format!("{ACCOUNT_COLUMNS} WHERE id = $1"));
                sqlx::query_as::<_, AccountRow>(query)
                    .bind(id.to_string())
                    .fetch_optional(&self.pool)
                    .await?
                    .map(Account::try_from)
                    .transpose()
            }

            async fn account_by_login(&self, login: &str) -> Result<Option<Account>, StoreError> {
                // Identifiers have no `@`, so a login matches one column at most.
                let query = sqlx::AssertSqlSafe(format!(
                    "{ACCOUNT_COLUMNS} WHERE identifier_normalized = $1 OR email_normalized = $1"
                ));
                sqlx::query_as::<_, AccountRow>(query)
                    .bind(login)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(Account::try_from)
                    .transpose()
            }

            async fn registrations(
                &self,
                status: AccountStatus,
            ) -> Result<Vec<(Account, Organisation)>, StoreError> {
                let query = sqlx::AssertSqlSafe(format!(
                    "{ACCOUNT_COLUMNS} WHERE status = $1 AND organisation_id IS NOT NULL \
                     ORDER BY created_at, id"
                ));
                let accounts: Vec<AccountRow> = sqlx::query_as(query)
                    .bind(status.as_str())
                    .fetch_all(&self.pool)
                    .await?;
                let query = sqlx::AssertSqlSafe(format!(
                    "{ORGANISATION_COLUMNS} WHERE id IN \
                     (SELECT organisation_id FROM accounts WHERE status = $1)"
                ));
                let organisations: Vec<OrganisationRow> = sqlx::query_as(query)
                    .bind(status.as_str())
                    .fetch_all(&self.pool)
                    .await?;
                let mut organisations = organisations
                    .into_iter()
                    .map(|row| Organisation::try_from(row).map(|o| (o.id, o)))
                    .collect::<Result<HashMap<_, _>, _>>()?;
                let mut registrations = Vec::with_capacity(accounts.len());
                for row in accounts {
                    let account = Account::try_from(row)?;
                    let organisation = account
                        .organisation_id
                        .and_then(|id| organisations.remove(&id));
                    // Read outside one snapshot: an account whose status changed between the two
                    // queries is left out rather than shown without its organisation.
                    if let Some(organisation) = organisation {
                        registrations.push((account, organisation));
                    }
                }
                Ok(registrations)
            }

            async fn decide_registration(&self, decision: &Decision) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE accounts SET status = $1, rejection_reason = $2, updated_at = $3 \
                     WHERE id = $4 AND status = $5",
                )
                .bind(decision.to.as_str())
                .bind(&decision.rejection_reason)
                .bind(decision.now)
                .bind(decision.account_id.to_string())
                .bind(decision.from.as_str())
                .execute(&mut *tx)
                .await?;
                expect_one(done.rows_affected())?;
                if let Some(token) = &decision.invitation {
                    Self::insert_token(&mut tx, token).await?;
                }
                outbox::enqueue(&mut tx, &decision.event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn update_profile(&self, change: &ProfileChange) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE accounts SET first_name = $1, last_name = $2, phone = $3, \
                     updated_at = $4 WHERE id = $5",
                )
                .bind(&change.first_name)
                .bind(&change.last_name)
                .bind(change.phone.as_ref().map(|p| p.as_str().to_owned()))
                .bind(change.now)
                .bind(change.account_id.to_string())
                .execute(&mut *tx)
                .await?;
                expect_one(done.rows_affected())?;
                if let Some((email, token, event)) = &change.email_change {
                    Self::check_unique(&mut tx, None, &email.normalized(), Some(change.account_id))
                        .await?;
                    sqlx::query("UPDATE accounts SET pending_email = $1 WHERE id = $2")
                        .bind(email.as_str())
                        .bind(change.account_id.to_string())
                        .execute(&mut *tx)
                        .await?;
                    Self::insert_token(&mut tx, token).await?;
                    outbox::enqueue(&mut tx, event).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn change_password(
                &self,
                account_id: Uuid,
                password_hash: &str,
                keep_family: Option<Uuid>,
                event: &Event,
                now: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3",
                )
                .bind(password_hash)
                .bind(now)
                .bind(account_id.to_string())
                .execute(&mut *tx)
                .await?;
                expect_one(done.rows_affected())?;
                Self::revoke_in(&mut tx, account_id, keep_family, now).await?;
                outbox::enqueue(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn upgrade_password_hash(
                &self,
                account_id: Uuid,
                old_hash: &str,
                new_hash: &str,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE accounts SET password_hash = $1 WHERE id = $2 AND password_hash = $3",
                )
                .bind(new_hash)
                .bind(account_id.to_string())
                .bind(old_hash)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn enqueue_event(&self, event: &Event) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                outbox::enqueue(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn issue_token(&self, token: &NewToken, event: &Event) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                Self::insert_token(&mut tx, token).await?;
                outbox::enqueue(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn one_time_token(&self, hash: &str) -> Result<Option<StoredToken>, StoreError> {
                sqlx::query_as::<_, TokenRow>(
                    "SELECT token_hash, account_id, purpose, expires_at, used_at, payload \
                     FROM one_time_tokens WHERE token_hash = $1",
                )
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?
                .map(StoredToken::try_from)
                .transpose()
            }

            async fn redeem_token(&self, redemption: &Redemption) -> Result<(), StoreError> {
                let r = redemption;
                let account_id = r.account_id.to_string();
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE one_time_tokens SET used_at = $1 WHERE token_hash = $2 \
                     AND account_id = $3 AND used_at IS NULL AND expires_at > $1",
                )
                .bind(r.now)
                .bind(&r.token_hash)
                .bind(&account_id)
                .execute(&mut *tx)
                .await?;
                expect_one(done.rows_affected())?;
                if let Some((from, to)) = r.status {
                    let done = sqlx::query(
                        "UPDATE accounts SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
                    )
                    .bind(to.as_str())
                    .bind(r.now)
                    .bind(&account_id)
                    .bind(from.as_str())
                    .execute(&mut *tx)
                    .await?;
                    expect_one(done.rows_affected())?;
                }
                if let Some(hash) = &r.password_hash {
                    sqlx::query("UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3")
                        .bind(hash)
                        .bind(r.now)
                        .bind(&account_id)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(email) = &r.new_email {
                    let done = sqlx::query(
                        "UPDATE accounts SET email = $1, email_normalized = $2, pending_email = NULL, \
                         updated_at = $3 WHERE id = $4 AND pending_email = $1",
                    )
                    .bind(email.as_str())
                    .bind(email.normalized())
                    .bind(r.now)
                    .bind(&account_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(from_write)?;
                    expect_one(done.rows_affected())?;
                }
                if r.revoke_sessions {
                    Self::revoke_in(&mut tx, r.account_id, None, r.now).await?;
                }
                if let Some(event) = &r.event {
                    outbox::enqueue(&mut tx, event).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn create_refresh_token(&self, token: &NewRefreshToken) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                Self::insert_refresh(&mut tx, token).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn refresh_token(
                &self,
                hash: &str,
            ) -> Result<Option<StoredRefreshToken>, StoreError> {
                sqlx::query_as::<_, RefreshRow>(
                    "SELECT token_hash, account_id, family_id, expires_at, revoked_at, replaced_by \
                     FROM refresh_tokens WHERE token_hash = $1",
                )
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?
                .map(StoredRefreshToken::try_from)
                .transpose()
            }

            async fn rotate_refresh_token(
                &self,
                old_hash: &str,
                new: &NewRefreshToken,
                now: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE refresh_tokens SET revoked_at = $1, replaced_by = $2 \
                     WHERE token_hash = $3 AND revoked_at IS NULL AND expires_at > $1",
                )
                .bind(now)
                .bind(&new.hash)
                .bind(old_hash)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                Self::insert_refresh(&mut tx, new).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn revoke_family(&self, family_id: Uuid, now: DateTime<Utc>) -> Result<u64, StoreError> {
                let done = sqlx::query(
                    "UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL",
                )
                .bind(now)
                .bind(family_id.to_string())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn revoke_sessions(
                &self,
                account_id: Uuid,
                keep_family: Option<Uuid>,
                now: DateTime<Utc>,
            ) -> Result<u64, StoreError> {
                let mut tx = self.pool.begin().await?;
                let revoked = Self::revoke_in(&mut tx, account_id, keep_family, now).await?;
                tx.commit().await?;
                Ok(revoked)
            }

            async fn login_failures(&self, key: &str, since: DateTime<Utc>) -> Result<u64, StoreError> {
                let count: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM login_attempts WHERE key = $1 AND at > $2",
                )
                .bind(key)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
                Ok(u64::try_from(count).unwrap_or(0))
            }

            async fn record_login_failure(
                &self,
                keys: &[String],
                at: DateTime<Utc>,
                forget_before: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM login_attempts WHERE at < $1")
                    .bind(forget_before)
                    .execute(&mut *tx)
                    .await?;
                for key in keys {
                    sqlx::query("INSERT INTO login_attempts (key, at) VALUES ($1, $2)")
                        .bind(key)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM login_attempts WHERE key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn organisation(&self, id: Uuid) -> Result<Option<Organisation>, StoreError> {
                let query = sqlx::AssertSqlSafe(format!("{ORGANISATION_COLUMNS} WHERE id = $1"));
                sqlx::query_as::<_, OrganisationRow>(query)
                    .bind(id.to_string())
                    .fetch_optional(&self.pool)
                    .await?
                    .map(Organisation::try_from)
                    .transpose()
            }

            async fn update_organisation(
                &self,
                organisation: &Organisation,
                event: &Event,
            ) -> Result<(), StoreError> {
                let o = organisation;
                let mut tx = self.pool.begin().await?;
                let update = sqlx::query(
                    "UPDATE organisations SET name = $1, categories = $2, siret = $3, \
                     population = $4, canton = $5, representative_title = $6, \
                     representative_civility = $7, representative_first_name = $8, \
                     representative_last_name = $9, referent_civility = $10, \
                     referent_first_name = $11, referent_last_name = $12, website = $13, \
                     updated_at = $14 WHERE id = $15",
                );
                let done = Self::bind_profile(update, o)
                .bind(o.updated_at)
                .bind(o.id.to_string())
                .execute(&mut *tx)
                .await?;
                expect_one(done.rows_affected())?;
                outbox::enqueue(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn set_logo(
                &self,
                organisation_id: Uuid,
                logo: &Logo,
                event: &Event,
                now: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE organisations SET logo = $1, logo_content_type = $2, logo_version = $3, \
                     updated_at = $4 WHERE id = $5",
                )
                .bind(&logo.image)
                .bind(&logo.content_type)
                .bind(&logo.version)
                .bind(now)
                .bind(organisation_id.to_string())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                outbox::enqueue(&mut tx, event).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn logo(&self, organisation_id: Uuid) -> Result<Option<Logo>, StoreError> {
                let row: Option<LogoRow> = sqlx::query_as(
                    "SELECT logo, logo_content_type, logo_version FROM organisations WHERE id = $1",
                )
                .bind(organisation_id.to_string())
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.and_then(LogoRow::into_logo))
            }

            async fn contacts(&self, organisation_id: Uuid) -> Result<Vec<Contact>, StoreError> {
                let query = sqlx::AssertSqlSafe(format!(
                    "{CONTACT_COLUMNS} WHERE organisation_id = $1 ORDER BY created_at, id"
                ));
                let rows: Vec<ContactRow> = sqlx::query_as(query)
                    .bind(organisation_id.to_string())
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map(Contact::try_from).collect()
            }

            async fn add_contact(&self, contact: &Contact, event: &Event) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO contacts (id, organisation_id, title, full_name, service, email, \
                     phone, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(contact.id.to_string())
                .bind(contact.organisation_id.to_string())
                .bind(&contact.title)
                .bind(&contact.full_name)
                .bind(&contact.service)
                .bind(contact.email.as_str())
                .bind(contact.phone.as_str())
                .bind(contact.created_at)
                .execute(&mut *tx)
                .await?;
                outbox::enqueue(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn remove_contact(
                &self,
                organisation_id: Uuid,
                contact_id: Uuid,
                event: &Event,
            ) -> Result<bool, StoreError> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query("DELETE FROM contacts WHERE id = $1 AND organisation_id = $2")
                    .bind(contact_id.to_string())
                    .bind(organisation_id.to_string())
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                outbox::enqueue(&mut tx, event).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn outbox(&self) -> Result<Vec<Event>, StoreError> {
                let rows: Vec<OutboxRow> = sqlx::query_as(
                    "SELECT id, kind, source, time, actor, traceparent, payload FROM outbox ORDER BY id",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(Event::try_from).collect()
            }
        }
    };
}

impl_store!(PgStore, Postgres, "./migrations/postgres");
impl_store!(SqliteStore, Sqlite, "./migrations/sqlite");
