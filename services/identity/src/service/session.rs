//! Sessions: login with throttling, rotating refresh tokens with reuse detection, logout.

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, TimeDelta, Utc};
use id77_kit::auth::Claims;
use uuid::Uuid;

use super::{Identity, Session, account_key, blocking, now};
use crate::{
    domain::Account,
    error::Error,
    password,
    store::{NewRefreshToken, Store},
    token::RefreshToken,
};

/// Failed logins that an account or an address may make within [`THROTTLE_WINDOW`]; further
/// attempts in the window are refused like a wrong password.
pub const MAX_LOGIN_FAILURES: u64 = 5;
/// The sliding window of login throttling.
pub const THROTTLE_WINDOW: TimeDelta = TimeDelta::minutes(15);

impl<S: Store> Identity<S> {
    /// Logs in by identifier or e-mail. Every failure is [`Error::LoginFailed`] after the same
    /// work (one argon2 verification), whether the account exists or not; after
    /// [`MAX_LOGIN_FAILURES`] failures within [`THROTTLE_WINDOW`] for the account or the client
    /// address, attempts are refused the same way without checking the password.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        client_address: Option<&str>,
    ) -> Result<Session, Error> {
        let now = now();
        let login = login.trim().to_lowercase();
        let account = if login.is_empty() {
            None
        } else {
            self.store.account_by_login(&login).await?
        };
        let mut keys = Vec::with_capacity(2);
        if let Some(account) = &account {
            keys.push(account_key(account.id));
        }
        if let Some(address) = client_address.map(str::trim).filter(|a| !a.is_empty()) {
            keys.push(format!("addr:{address}"));
        }
        let since = now - THROTTLE_WINDOW;
        let mut throttled = false;
        for key in &keys {
            if self.store.login_failures(key, since).await? >= MAX_LOGIN_FAILURES {
                throttled = true;
            }
        }
        let hash = match (&account, throttled) {
            (Some(account), false) => account.password_hash.clone(),
            _ => None,
        };
        let candidate = password.to_owned();
        let verified = blocking(move || match hash {
            Some(hash) => password::verify(&hash, &candidate),
            None => {
                password::dummy_verify(&candidate);
                false
            }
        })
        .await?;
        let account = match account {
            Some(account) if verified && account.status.can_log_in() => account,
            _ => {
                // Attempts refused by the throttle are not counted: the window then ends
                // 15 minutes after the fifth failure, whatever an attacker keeps sending.
                if !throttled && !keys.is_empty() {
                    self.store.record_login_failure(&keys, now, since).await?;
                }
                return Err(Error::LoginFailed);
            }
        };
        self.store
            .clear_login_failures(&account_key(account.id))
            .await?;
        self.upgrade_hash(&account, password).await;
        let family = Uuid::now_v7();
        let (refresh, stored) = new_refresh(account.id, family, now)?;
        self.store.create_refresh_token(&stored).await?;
        self.session(account, refresh, stored.expires_at).await
    }

    /// After a successful login, re-hashes the password when its hash was made with older
    /// argon2 parameters, so that raising them reaches every account that logs in. A failure
    /// is logged and the login goes on: the old hash still works.
    async fn upgrade_hash(&self, account: &Account, password: &str) {
        let Some(old) = account.password_hash.clone() else {
            return;
        };
        if !password::needs_rehash(&old) {
            return;
        }
        let candidate = password.to_owned();
        let outcome = match blocking(move || password::rehash(&candidate)).await {
            Ok(Ok(new)) => self
                .store
                .upgrade_password_hash(account.id, &old, &new)
                .await
                .map_err(|e| anyhow!(e)),
            Ok(Err(error)) => Err(anyhow!(error)),
            Err(error) => Err(anyhow!(error)),
        };
        match outcome {
            Ok(upgraded) => tracing::info!(account = %account.id, upgraded, "password re-hashed"),
            Err(error) => tracing::warn!(account = %account.id, %error, "password re-hash failed"),
        }
    }

    /// Exchanges a refresh token for a new session state; the old token stops working. A token
    /// that was already rotated is a stolen copy or a replay: its whole session ends.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Session, Error> {
        let now = now();
        let presented = RefreshToken::parse(refresh_token).map_err(|_| Error::SessionEnded)?;
        let stored = self
            .store
            .refresh_token(&presented.hash())
            .await?
            .ok_or(Error::SessionEnded)?;
        if stored.revoked_at.is_some() {
            if stored.replaced_by.is_some() {
                let revoked = self.store.revoke_family(stored.family_id, now).await?;
                tracing::warn!(
                    account = %stored.account_id,
                    revoked,
                    "a rotated refresh token was presented again: session ended"
                );
            }
            return Err(Error::SessionEnded);
        }
        if stored.expires_at <= now {
            return Err(Error::SessionEnded);
        }
        let account = match self.store.account(stored.account_id).await? {
            Some(account) if account.status.can_log_in() => account,
            _ => {
                self.store.revoke_family(stored.family_id, now).await?;
                return Err(Error::SessionEnded);
            }
        };
        let (refresh, new) = new_refresh(account.id, stored.family_id, now)?;
        if !self
            .store
            .rotate_refresh_token(&stored.hash, &new, now)
            .await?
        {
            // Another request rotated it first: the same token used twice.
            self.store.revoke_family(stored.family_id, now).await?;
            tracing::warn!(account = %account.id, "refresh token used twice: session ended");
            return Err(Error::SessionEnded);
        }
        self.session(account, refresh, new.expires_at).await
    }

    /// Ends the session of this refresh token. Always succeeds: an unknown or already revoked
    /// token has nothing left to end.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), Error> {
        let Ok(presented) = RefreshToken::parse(refresh_token) else {
            return Ok(());
        };
        if let Some(stored) = self.store.refresh_token(&presented.hash()).await? {
            self.store.revoke_family(stored.family_id, now()).await?;
        }
        Ok(())
    }

    async fn session(
        &self,
        account: Account,
        refresh: RefreshToken,
        refresh_expires_at: DateTime<Utc>,
    ) -> Result<Session, Error> {
        let claims = Claims::new(
            account.id,
            account.organisation_id,
            account.role.into(),
            account.display_name(),
        );
        let access_token = self
            .signer
            .sign(&claims)
            .context("signing an access token")?;
        let access_expires_at = i64::try_from(claims.exp)
            .ok()
            .and_then(|exp| DateTime::from_timestamp(exp, 0))
            .context("access token expiry out of range")?;
        Ok(Session {
            access_token,
            access_expires_at,
            refresh_token: refresh.as_str().to_owned(),
            refresh_expires_at,
            account: self.view(account).await?,
        })
    }
}

fn new_refresh(
    account_id: Uuid,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(RefreshToken, NewRefreshToken), Error> {
    let token = RefreshToken::generate().context("generating a refresh token")?;
    let stored = NewRefreshToken {
        hash: token.hash(),
        account_id,
        family_id,
        expires_at: now + RefreshToken::TTL,
        created_at: now,
    };
    Ok((token, stored))
}
