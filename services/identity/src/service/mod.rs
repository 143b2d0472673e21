//! The identity service's operations, one method per use case, over a [`Store`]: one room
//! (module, each its own `impl` block) per group of use cases — `registration`, `session`,
//! `password`, `profile`, `staff`. This module holds the service, the types its callers share,
//! and the helpers several rooms use.
//!
//! Inputs are parsed into domain types here (violations named as in the JSON forms), the rules
//! are applied, and the store writes each change with its event in one transaction. The gRPC
//! layer (`grpc.rs`) only maps wire messages to these calls and [`Error`] to `Status`.

use std::sync::Arc;

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, SubsecRound as _, Utc};
use id77_kit::auth::{Claims, Signer, Verifier};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::{
    domain::Account,
    error::Error,
    password::Password,
    store::{NewToken, Redemption, Store, StoreError, StoredToken},
    token::{OneTimeToken, TokenPurpose},
};

mod password;
mod profile;
mod registration;
mod session;
mod staff;

pub use session::{MAX_LOGIN_FAILURES, THROTTLE_WINDOW};
pub use staff::{BOOTSTRAP_ADMIN, BootstrapAdmin, StaffInput};
// The forms' inputs are the domain's, which parses them; kept reachable here, where callers
// found them first.
pub use crate::domain::{AccountUpdate, ContactInput, MAX_CONTACT_FIELD_CHARS, OrganisationUpdate};

/// A login session as handed to the client.
#[derive(Debug, Clone)]
pub struct Session {
    /// The access JWT.
    pub access_token: String,
    /// When the access token expires.
    pub access_expires_at: DateTime<Utc>,
    /// The refresh token (never stored in clear).
    pub refresh_token: String,
    /// When the refresh token expires unless rotated.
    pub refresh_expires_at: DateTime<Utc>,
    /// The account, as "Mon compte" shows it.
    pub account: AccountView,
}

/// An account with its organisation's name, as the API shows it.
#[derive(Debug, Clone)]
pub struct AccountView {
    /// The account.
    pub account: Account,
    /// Its organisation's name, for member accounts.
    pub organisation_name: Option<String>,
}

/// The identity service over its store.
pub struct Identity<S> {
    store: S,
    signer: Signer,
    verifier: Verifier,
    /// Woken after each commit that wrote an event, so the outbox relay publishes it now.
    outbox_notify: Arc<Notify>,
}

impl<S: Store> Identity<S> {
    /// The service over `store`, signing access tokens with `signer`. `outbox_notify` is
    /// notified after each transaction that wrote an event.
    pub fn new(store: S, signer: Signer, outbox_notify: Arc<Notify>) -> anyhow::Result<Self> {
        let verifier = signer
            .verifier()
            .map_err(|e| anyhow!("the signer's public key is unusable: {e}"))?;
        Ok(Self {
            store,
            signer,
            verifier,
            outbox_notify,
        })
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The claims of the request's access token.
    pub fn authenticate<T>(&self, request: &tonic::Request<T>) -> Result<Claims, Error> {
        self.verifier.authenticate(request).map_err(Error::Access)
    }

    fn published(&self) {
        self.outbox_notify.notify_one();
    }

    // ----- Shared by several rooms ------------------------------------------------------------

    /// The active account of a valid access token.
    async fn current_account(&self, claims: &Claims) -> Result<Account, Error> {
        match self.store.account(claims.sub).await? {
            Some(account) if account.status.can_log_in() => Ok(account),
            _ => Err(Error::AccountInactive),
        }
    }

    async fn view(&self, account: Account) -> Result<AccountView, Error> {
        let organisation_name = self.organisation_name(&account).await?;
        Ok(AccountView {
            account,
            organisation_name,
        })
    }

    async fn organisation_name(&self, account: &Account) -> Result<Option<String>, Error> {
        Ok(match account.organisation_id {
            Some(id) => self
                .store
                .organisation(id)
                .await?
                .map(|o| o.name.as_str().to_owned()),
            None => None,
        })
    }

    /// Checks a new password against the policy for this account and hashes it; violations are
    /// reported under `field`.
    async fn new_password_hash(
        &self,
        account: &Account,
        password: &str,
        field: &str,
    ) -> Result<String, Error> {
        let names = [account.first_name.as_str(), account.last_name.as_str()];
        let password = Password::parse(
            password,
            account.identifier.as_str(),
            account.email.as_str(),
            &names,
        )
        .map_err(|mut violation| {
            field.clone_into(&mut violation.field);
            violation
        })?;
        blocking(move || password.hash())
            .await?
            .context("hashing a password")
            .map_err(Error::Internal)
    }

    // ----- One-time tokens --------------------------------------------------------------------

    /// The stored token and its account, if `token` is usable for `purpose` at `now`. Every
    /// failure is the same [`Error::InvalidLink`].
    async fn usable_token(
        &self,
        token: &str,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<(StoredToken, Account), Error> {
        let token = OneTimeToken::parse(token).map_err(|_| Error::InvalidLink)?;
        let stored = self
            .store
            .one_time_token(&token.hash())
            .await?
            .filter(|t| t.usable_for(purpose, now))
            .ok_or(Error::InvalidLink)?;
        let account = self
            .store
            .account(stored.account_id)
            .await?
            .ok_or(Error::InvalidLink)?;
        Ok((stored, account))
    }

    async fn redeem(&self, redemption: Redemption) -> Result<(), Error> {
        let emits = redemption.event.is_some();
        match self.store.redeem_token(&redemption).await {
            Ok(()) => {}
            // Used, expired or overtaken by a concurrent request since it was read.
            Err(StoreError::Stale) => return Err(Error::InvalidLink),
            Err(error) => return Err(error.into()),
        }
        if emits {
            self.published();
        }
        Ok(())
    }
}

/// The current time, to the microsecond (what PostgreSQL keeps), so that times read back
/// compare equal to those written.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn account_key(account_id: Uuid) -> String {
    format!("account:{account_id}")
}

/// A redemption of `stored` at `now` that changes nothing else yet.
fn redemption(stored: &StoredToken, now: DateTime<Utc>) -> Redemption {
    Redemption {
        token_hash: stored.hash.clone(),
        account_id: stored.account_id,
        now,
        status: None,
        password_hash: None,
        new_email: None,
        revoke_sessions: false,
        event: None,
    }
}

fn new_token(
    account_id: Uuid,
    purpose: TokenPurpose,
    payload: Option<String>,
    now: DateTime<Utc>,
) -> Result<(OneTimeToken, NewToken), Error> {
    let token = OneTimeToken::generate().context("generating a one-time token")?;
    let stored = NewToken {
        hash: token.hash(),
        account_id,
        purpose,
        expires_at: purpose.expires_at(now),
        payload,
        created_at: now,
    };
    Ok((token, stored))
}

/// Runs CPU-bound work (argon2, image decoding) off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(anyhow!("a blocking task failed: {e}")))
}
