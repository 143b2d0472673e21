//! Passwords: the reset by mail link, and the change by a logged-in user.

use id77_kit::auth::Claims;
use id77_proto::events::v1 as ev;

use super::{Identity, account_key, blocking, new_token, now, redemption};
use crate::{
    domain::Email,
    error::Error,
    events::{self, event, recipient},
    password,
    store::{Redemption, Store},
    token::{RefreshToken, TokenPurpose},
};

impl<S: Store> Identity<S> {
    /// Sends a reset link if the address is an active account's. Answers the same otherwise.
    pub async fn request_password_reset(&self, email: &str) -> Result<(), Error> {
        let email = Email::parse(email)?;
        let now = now();
        let account = self.store.account_by_login(&email.normalized()).await?;
        let Some(account) = account.filter(|a| a.status.can_log_in()) else {
            tracing::info!("password reset asked for an address without an active account");
            return Ok(());
        };
        let (token, stored) = new_token(account.id, TokenPurpose::PasswordReset, None, now)?;
        let message = ev::PasswordResetRequested {
            account_id: account.id.to_string(),
            identifier: account.identifier.as_str().to_owned(),
            recipient: Some(recipient(&account)),
            reset_token: token.as_str().to_owned(),
        };
        self.store
            .issue_token(
                &stored,
                &event(events::PASSWORD_RESET_REQUESTED, &message, None),
            )
            .await?;
        self.published();
        Ok(())
    }

    /// Sets a new password from a reset link; every session of the account ends.
    pub async fn complete_password_reset(&self, token: &str, password: &str) -> Result<(), Error> {
        let now = now();
        let (stored, account) = self
            .usable_token(token, TokenPurpose::PasswordReset, now)
            .await?;
        if !account.status.can_log_in() {
            return Err(Error::InvalidLink);
        }
        let hash = self
            .new_password_hash(&account, password, "password")
            .await?;
        let message = ev::PasswordChanged {
            account_id: account.id.to_string(),
            recipient: Some(recipient(&account)),
        };
        self.redeem(Redemption {
            password_hash: Some(hash),
            revoke_sessions: true,
            event: Some(event(events::PASSWORD_CHANGED, &message, None)),
            ..redemption(&stored, now)
        })
        .await?;
        // Whoever was locked out by failed attempts can log in with the new password.
        self.store
            .clear_login_failures(&account_key(account.id))
            .await?;
        Ok(())
    }

    /// Changes the caller's password after checking the current one; every session ends but
    /// the one of `keep_refresh_token`, when it is the caller's.
    pub async fn change_password(
        &self,
        claims: &Claims,
        current: &str,
        new: &str,
        keep_refresh_token: Option<&str>,
    ) -> Result<(), Error> {
        let account = self.current_account(claims).await?;
        let hash = account.password_hash.clone();
        let candidate = current.to_owned();
        let correct = blocking(move || match hash {
            Some(hash) => password::verify(&hash, &candidate),
            None => false,
        })
        .await?;
        if !correct {
            return Err(Error::invalid(
                "current_password",
                "Le mot de passe actuel est incorrect.",
            ));
        }
        let hash = self
            .new_password_hash(&account, new, "new_password")
            .await?;
        let now = now();
        let keep_family = match keep_refresh_token.and_then(|t| RefreshToken::parse(t).ok()) {
            Some(token) => self
                .store
                .refresh_token(&token.hash())
                .await?
                .filter(|t| t.account_id == account.id && t.revoked_at.is_none())
                .map(|t| t.family_id),
            None => None,
        };
        let message = ev::PasswordChanged {
            account_id: account.id.to_string(),
            recipient: Some(recipient(&account)),
        };
        self.store
            .change_password(
                account.id,
                &hash,
                keep_family,
                &event(events::PASSWORD_CHANGED, &message, Some(account.id)),
                now,
            )
            .await?;
        self.published();
        Ok(())
    }
}
