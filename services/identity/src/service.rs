//! The identity service's operations, one method per use case, over a [`Store`].
//!
//! Inputs are parsed into domain types here (violations named as in the JSON forms), the rules
//! are applied, and the store writes each change with its event in one transaction. The gRPC
//! layer (`grpc.rs`) only maps wire messages to these calls and [`Error`] to `Status`.

use std::sync::Arc;

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, SubsecRound as _, TimeDelta, Utc};
use id77_kit::{
    auth::{self, Claims, Signer, Verifier},
    violations::FieldViolation,
};
use id77_proto::events::v1 as ev;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::{
    domain::{
        AccountStatus, Canton, Civility, Email, Identifier, OrganisationName, PersonName, Phone,
        Population, Referent, ReferentInput, Registration, RegistrationInput, Representative,
        RepresentativeInput, RepresentativeTitle, Role, Siret, Website, parse_categories,
    },
    error::Error,
    events::{self, event, recipient},
    logo::{self, LogoError},
    password::{self, Password},
    store::{
        Account, Contact, Decision, Logo, NewRefreshToken, NewToken, Organisation, ProfileChange,
        Redemption, Store, StoreError, StoredToken,
    },
    token::{OneTimeToken, RefreshToken, TokenPurpose},
};

/// Failed logins that an account or an address may make within [`THROTTLE_WINDOW`]; further
/// attempts in the window are refused like a wrong password.
pub const MAX_LOGIN_FAILURES: u64 = 5;
/// The sliding window of login throttling.
pub const THROTTLE_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// Longest free-text contact field (title, full name, service), in characters.
pub const MAX_CONTACT_FIELD_CHARS: usize = 100;
/// Identifier of the bootstrap administrator.
pub const BOOTSTRAP_ADMIN: &str = "admin";

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

/// "Mon compte" changes; `None` leaves a field as it is.
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

/// Profile form changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OrganisationUpdate {
    /// "Collectivité ou organisme".
    pub name: Option<String>,
    /// Replaces the categories (an empty list is refused).
    pub categories: Option<Vec<String>>,
    /// SIRET.
    pub siret: Option<String>,
    /// Population.
    pub population: Option<u32>,
    /// Canton.
    pub canton: Option<String>,
    /// Replaces the representative (all four fields).
    pub representative: Option<RepresentativeInput>,
    /// Replaces the administrative referent (all three fields).
    pub admin_referent: Option<ReferentInput>,
    /// Website; empty removes it.
    pub website: Option<String>,
}

/// A technical contact as typed.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    /// Job title.
    pub title: String,
    /// First and last name.
    pub full_name: String,
    /// Department.
    pub service: String,
    /// Address.
    pub email: String,
    /// Phone number.
    pub phone: String,
}

/// A staff account to create, as typed by an administrator.
#[derive(Debug, Clone)]
pub struct StaffInput {
    /// Login identifier.
    pub identifier: String,
    /// Where the invitation goes.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Lead or admin; `None` when the request named no valid role.
    pub role: Option<Role>,
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

    // ----- Registration -----------------------------------------------------------------------

    /// Registers a member organisation and its account (`pending_email`) and sends the
    /// confirmation link. Answers the same when the identifier or address is taken, without
    /// writing anything, so that registration does not tell which accounts exist.
    /// A registration clashed with an existing account: the holder of the address hears of it
    /// when the address is known (whoever submitted the form learns nothing), otherwise the new
    /// address hears that its identifier is taken.
    async fn tell_of_duplicate(
        &self,
        organisation: &Organisation,
        attempt: &Account,
    ) -> Result<(), Error> {
        let holder = self
            .store
            .account_by_login(&attempt.email.normalized())
            .await?;
        let notice = match holder {
            Some(holder) => event(
                events::REGISTRATION_DUPLICATE,
                &ev::RegistrationDuplicate {
                    account_id: holder.id.to_string(),
                    identifier: holder.identifier.as_str().to_owned(),
                    recipient: Some(recipient(&holder)),
                },
                None,
            ),
            None => event(
                events::REGISTRATION_IDENTIFIER_TAKEN,
                &ev::RegistrationIdentifierTaken {
                    organisation_name: organisation.name.as_str().to_owned(),
                    identifier: attempt.identifier.as_str().to_owned(),
                    recipient: Some(recipient(attempt)),
                },
                None,
            ),
        };
        self.store.enqueue_event(&notice).await?;
        self.published();
        Ok(())
    }

    pub async fn register(&self, input: RegistrationInput) -> Result<(), Error> {
        let registration = Registration::parse(input)?;
        let now = now();
        let organisation = Organisation {
            id: Uuid::now_v7(),
            name: registration.organisation_name,
            categories: registration.categories,
            siret: registration.siret,
            population: registration.population,
            canton: registration.canton,
            representative: registration.representative,
            admin_referent: registration.admin_referent.clone(),
            website: None,
            logo_version: None,
            created_at: now,
            updated_at: now,
        };
        // The account is the organisation's login, used by its administrative referent: the
        // person "Mon compte" names.
        let account = Account {
            id: Uuid::now_v7(),
            organisation_id: Some(organisation.id),
            identifier: registration.identifier,
            email: registration.email,
            pending_email: None,
            first_name: registration.admin_referent.first_name.as_str().to_owned(),
            last_name: registration.admin_referent.last_name.as_str().to_owned(),
            phone: Some(registration.phone),
            role: Role::Member,
            status: AccountStatus::PendingEmail,
            password_hash: None,
            rejection_reason: None,
            created_at: now,
            updated_at: now,
        };
        let (token, stored) = new_token(account.id, TokenPurpose::EmailConfirmation, None, now)?;
        let message = ev::RegistrationSubmitted {
            account_id: account.id.to_string(),
            organisation_name: organisation.name.as_str().to_owned(),
            identifier: account.identifier.as_str().to_owned(),
            recipient: Some(recipient(&account)),
            confirmation_token: token.as_str().to_owned(),
        };
        let submitted = event(events::REGISTRATION_SUBMITTED, &message, None);
        match self
            .store
            .create_registration(&organisation, &account, &stored, &submitted)
            .await
        {
            Ok(()) => {
                self.published();
                Ok(())
            }
            Err(StoreError::Taken(_)) => {
                // Same answer as a success, and the identifier or address is not logged; the
                // mail tells the one who can read it.
                tracing::info!("registration with an identifier or address already in use ignored");
                self.tell_of_duplicate(&organisation, &account).await
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The applicant clicked the confirmation link: `pending_email` → `pending_approval`.
    pub async fn confirm_email(&self, token: &str) -> Result<(), Error> {
        let now = now();
        let (stored, account) = self
            .usable_token(token, TokenPurpose::EmailConfirmation, now)
            .await?;
        let next = account
            .status
            .confirm_email()
            .map_err(|_| Error::InvalidLink)?;
        let organisation_name = self.organisation_name(&account).await?.unwrap_or_default();
        let message = ev::RegistrationConfirmed {
            account_id: account.id.to_string(),
            organisation_name,
            identifier: account.identifier.as_str().to_owned(),
            recipient: Some(recipient(&account)),
        };
        self.redeem(Redemption {
            status: Some((account.status, next)),
            event: Some(event(events::REGISTRATION_CONFIRMED, &message, None)),
            ..redemption(&stored, now)
        })
        .await
    }

    /// The invited user chose a password: `invited` → `active`.
    pub async fn accept_invitation(&self, token: &str, password: &str) -> Result<(), Error> {
        let now = now();
        let (stored, account) = self
            .usable_token(token, TokenPurpose::Invitation, now)
            .await?;
        let next = account.status.activate().map_err(|_| Error::InvalidLink)?;
        let hash = self
            .new_password_hash(&account, password, "password")
            .await?;
        self.redeem(Redemption {
            status: Some((account.status, next)),
            password_hash: Some(hash),
            ..redemption(&stored, now)
        })
        .await
    }

    // ----- Sessions ---------------------------------------------------------------------------

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

    // ----- Passwords --------------------------------------------------------------------------

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

    // ----- Mon compte -------------------------------------------------------------------------

    /// The caller's account.
    pub async fn me(&self, claims: &Claims) -> Result<AccountView, Error> {
        let account = self.current_account(claims).await?;
        self.view(account).await
    }

    /// Changes the caller's names and phone at once; a new address is only recorded as pending
    /// and a confirmation link sent to it.
    pub async fn update_me(
        &self,
        claims: &Claims,
        update: AccountUpdate,
    ) -> Result<AccountView, Error> {
        let account = self.current_account(claims).await?;
        let mut violations = Vec::new();
        let first_name = match &update.first_name {
            Some(name) => collect(&mut violations, PersonName::parse_field("first_name", name))
                .map(|n| n.as_str().to_owned()),
            None => Some(account.first_name.clone()),
        };
        let last_name = match &update.last_name {
            Some(name) => collect(&mut violations, PersonName::parse_field("last_name", name))
                .map(|n| n.as_str().to_owned()),
            None => Some(account.last_name.clone()),
        };
        let phone = match update.phone.as_deref().map(str::trim) {
            Some("") => Some(None),
            Some(phone) => collect(&mut violations, Phone::parse(phone)).map(Some),
            None => Some(account.phone.clone()),
        };
        let email = match &update.email {
            Some(email) => collect(&mut violations, Email::parse(email)).map(Some),
            None => Some(None),
        };
        let (Some(first_name), Some(last_name), Some(phone), Some(email)) =
            (first_name, last_name, phone, email)
        else {
            return Err(Error::Invalid(violations));
        };
        let now = now();
        let email_change = match email {
            Some(email) if email.normalized() != account.email.normalized() => {
                let (token, stored) = new_token(
                    account.id,
                    TokenPurpose::EmailChange,
                    Some(email.as_str().to_owned()),
                    now,
                )?;
                let message = ev::EmailChangeRequested {
                    account_id: account.id.to_string(),
                    new_recipient: Some(ev::Recipient {
                        email: email.as_str().to_owned(),
                        display_name: account.display_name(),
                    }),
                    old_recipient: Some(recipient(&account)),
                    confirmation_token: token.as_str().to_owned(),
                };
                let requested = event(events::EMAIL_CHANGE_REQUESTED, &message, Some(account.id));
                Some((email, stored, requested))
            }
            _ => None,
        };
        let emits = email_change.is_some();
        self.store
            .update_profile(&ProfileChange {
                account_id: account.id,
                first_name,
                last_name,
                phone,
                email_change,
                now,
            })
            .await?;
        if emits {
            self.published();
        }
        self.me(claims).await
    }

    /// The new address was confirmed: it replaces the old one.
    pub async fn confirm_email_change(&self, token: &str) -> Result<(), Error> {
        let now = now();
        let (stored, account) = self
            .usable_token(token, TokenPurpose::EmailChange, now)
            .await?;
        // Only the latest change asked for counts: an older link names another address.
        let new_email = stored
            .payload
            .as_deref()
            .and_then(|email| Email::parse(email).ok())
            .filter(|email| account.pending_email.as_ref() == Some(email))
            .ok_or(Error::InvalidLink)?;
        let message = ev::EmailChanged {
            account_id: account.id.to_string(),
            old_recipient: Some(recipient(&account)),
            new_email: new_email.as_str().to_owned(),
        };
        let result = self
            .redeem(Redemption {
                new_email: Some(new_email),
                event: Some(event(events::EMAIL_CHANGED, &message, None)),
                ..redemption(&stored, now)
            })
            .await;
        match result {
            Err(Error::Invalid(_)) => Err(Error::Precondition(
                "Cette adresse e-mail est désormais utilisée par un autre compte : choisissez-en \
                 une autre dans « Mon compte »."
                    .to_owned(),
            )),
            other => other,
        }
    }

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

    // ----- Organisation profile ---------------------------------------------------------------

    /// The caller's organisation (from the token's `org` claim, never from the request) and
    /// its contacts.
    pub async fn organisation(
        &self,
        claims: &Claims,
    ) -> Result<(Organisation, Vec<Contact>), Error> {
        let id = self.own_organisation(claims).await?;
        let organisation = self
            .store
            .organisation(id)
            .await?
            .ok_or(Error::NoOrganisation)?;
        let contacts = self.store.contacts(id).await?;
        Ok((organisation, contacts))
    }

    /// Changes the caller's organisation profile; every field given is checked, and all
    /// problems are reported at once.
    pub async fn update_organisation(
        &self,
        claims: &Claims,
        update: OrganisationUpdate,
    ) -> Result<(Organisation, Vec<Contact>), Error> {
        let (mut organisation, _) = self.organisation(claims).await?;
        let mut v = Vec::new();
        if let Some(name) = &update.name
            && let Some(name) = collect(&mut v, rename(OrganisationName::parse(name), "name"))
        {
            organisation.name = name;
        }
        if let Some(categories) = &update.categories
            && let Some(categories) = collect(&mut v, parse_categories(categories))
        {
            organisation.categories = categories;
        }
        if let Some(siret) = &update.siret
            && let Some(siret) = collect(&mut v, Siret::parse(siret))
        {
            organisation.siret = siret;
        }
        if let Some(population) = update.population
            && let Some(population) = collect(&mut v, Population::parse(&population.to_string()))
        {
            organisation.population = population;
        }
        if let Some(canton) = &update.canton
            && let Some(canton) = collect(&mut v, Canton::parse(canton))
        {
            organisation.canton = canton;
        }
        if let Some(input) = &update.representative {
            let title = collect(
                &mut v,
                rename(
                    RepresentativeTitle::parse(&input.title),
                    "representative.title",
                ),
            );
            let civility = collect(
                &mut v,
                rename(Civility::parse(&input.civility), "representative.civility"),
            );
            let first_name = collect(
                &mut v,
                PersonName::parse_field("representative.first_name", &input.first_name),
            );
            let last_name = collect(
                &mut v,
                PersonName::parse_field("representative.last_name", &input.last_name),
            );
            if let (Some(title), Some(civility), Some(first_name), Some(last_name)) =
                (title, civility, first_name, last_name)
            {
                organisation.representative = Representative {
                    title,
                    civility,
                    first_name,
                    last_name,
                };
            }
        }
        if let Some(input) = &update.admin_referent {
            let civility = collect(
                &mut v,
                rename(Civility::parse(&input.civility), "admin_referent.civility"),
            );
            let first_name = collect(
                &mut v,
                PersonName::parse_field("admin_referent.first_name", &input.first_name),
            );
            let last_name = collect(
                &mut v,
                PersonName::parse_field("admin_referent.last_name", &input.last_name),
            );
            if let (Some(civility), Some(first_name), Some(last_name)) =
                (civility, first_name, last_name)
            {
                organisation.admin_referent = Referent {
                    civility,
                    first_name,
                    last_name,
                };
            }
        }
        if let Some(website) = &update.website
            && let Some(website) = collect(&mut v, Website::parse(website))
        {
            organisation.website = website;
        }
        if !v.is_empty() {
            return Err(Error::Invalid(v));
        }
        organisation.updated_at = now();
        let message = ev::OrganisationUpdated {
            organisation_id: organisation.id.to_string(),
            name: organisation.name.as_str().to_owned(),
        };
        self.store
            .update_organisation(
                &organisation,
                &event(events::ORGANISATION_UPDATED, &message, Some(claims.sub)),
            )
            .await?;
        self.published();
        self.organisation(claims).await
    }

    /// Replaces the caller's organisation logo (see [`logo::process`]).
    pub async fn set_logo(
        &self,
        claims: &Claims,
        upload: Vec<u8>,
    ) -> Result<(Organisation, Vec<Contact>), Error> {
        let (organisation, _) = self.organisation(claims).await?;
        let png = blocking(move || logo::process(&upload))
            .await?
            .map_err(|error| match error {
                LogoError::Invalid(violation) => Error::Invalid(vec![violation]),
                encode @ LogoError::Encode(_) => Error::Internal(encode.into()),
            })?;
        let logo = Logo {
            image: png,
            content_type: logo::CONTENT_TYPE.to_owned(),
            version: random_hex(12)?,
        };
        let message = ev::OrganisationUpdated {
            organisation_id: organisation.id.to_string(),
            name: organisation.name.as_str().to_owned(),
        };
        let updated = self
            .store
            .set_logo(
                organisation.id,
                &logo,
                &event(events::ORGANISATION_UPDATED, &message, Some(claims.sub)),
                now(),
            )
            .await?;
        if !updated {
            return Err(Error::NoOrganisation);
        }
        self.published();
        self.organisation(claims).await
    }

    /// An organisation's logo, public (pages show it to anyone).
    pub async fn logo(&self, organisation_id: &str) -> Result<Logo, Error> {
        const NO_LOGO: &str = "Cette collectivité n'a pas de logo.";
        let id = Uuid::try_parse(organisation_id.trim()).map_err(|_| Error::NotFound(NO_LOGO))?;
        self.store.logo(id).await?.ok_or(Error::NotFound(NO_LOGO))
    }

    /// Adds a technical contact to the caller's organisation.
    pub async fn add_contact(
        &self,
        claims: &Claims,
        input: ContactInput,
    ) -> Result<Contact, Error> {
        let organisation_id = self.own_organisation(claims).await?;
        let mut v = Vec::new();
        let title = collect(
            &mut v,
            contact_text("title", "l'intitulé du poste", &input.title),
        );
        let full_name = collect(
            &mut v,
            contact_text("full_name", "le prénom et le nom", &input.full_name),
        );
        let service = collect(
            &mut v,
            contact_text("service", "le service", &input.service),
        );
        let email = collect(&mut v, Email::parse(&input.email));
        let phone = collect(&mut v, Phone::parse(&input.phone));
        let (Some(title), Some(full_name), Some(service), Some(email), Some(phone)) =
            (title, full_name, service, email, phone)
        else {
            return Err(Error::Invalid(v));
        };
        let contact = Contact {
            id: Uuid::now_v7(),
            organisation_id,
            title,
            full_name,
            service,
            email,
            phone,
            created_at: now(),
        };
        let message = ev::ContactChanged {
            organisation_id: organisation_id.to_string(),
            contact_id: contact.id.to_string(),
            change: "added".to_owned(),
        };
        self.store
            .add_contact(
                &contact,
                &event(events::CONTACT_CHANGED, &message, Some(claims.sub)),
            )
            .await?;
        self.published();
        Ok(contact)
    }

    /// Removes a technical contact of the caller's organisation; another organisation's
    /// contact is "not found", like one that does not exist.
    pub async fn remove_contact(&self, claims: &Claims, contact_id: &str) -> Result<(), Error> {
        const NOT_FOUND: &str = "Ce contact n'existe pas (ou plus).";
        let organisation_id = self.own_organisation(claims).await?;
        let contact_id =
            Uuid::try_parse(contact_id.trim()).map_err(|_| Error::NotFound(NOT_FOUND))?;
        let message = ev::ContactChanged {
            organisation_id: organisation_id.to_string(),
            contact_id: contact_id.to_string(),
            change: "removed".to_owned(),
        };
        let removed = self
            .store
            .remove_contact(
                organisation_id,
                contact_id,
                &event(events::CONTACT_CHANGED, &message, Some(claims.sub)),
            )
            .await?;
        if !removed {
            return Err(Error::NotFound(NOT_FOUND));
        }
        self.published();
        Ok(())
    }

    /// The organisation of the caller's token, once the account is checked to be active and
    /// still that organisation's.
    async fn own_organisation(&self, claims: &Claims) -> Result<Uuid, Error> {
        let organisation_id = claims.org.ok_or(Error::NoOrganisation)?;
        let account = self.current_account(claims).await?;
        if account.organisation_id != Some(organisation_id) {
            return Err(Error::AccountInactive);
        }
        Ok(organisation_id)
    }

    // ----- Administration ---------------------------------------------------------------------

    /// Registrations in `status` (by default those waiting for approval), oldest first.
    pub async fn registrations(
        &self,
        claims: &Claims,
        status: Option<AccountStatus>,
    ) -> Result<Vec<(Account, Organisation)>, Error> {
        self.admin(claims).await?;
        Ok(self
            .store
            .registrations(status.unwrap_or(AccountStatus::PendingApproval))
            .await?)
    }

    /// Approves a registration and sends the invitation link.
    pub async fn approve(&self, claims: &Claims, account_id: &str) -> Result<AccountView, Error> {
        self.admin(claims).await?;
        let account = self.registration(account_id).await?;
        let next = account.status.approve()?;
        let now = now();
        let (token, invitation) = new_token(account.id, TokenPurpose::Invitation, None, now)?;
        let message = ev::RegistrationApproved {
            account_id: account.id.to_string(),
            organisation_name: self.organisation_name(&account).await?.unwrap_or_default(),
            identifier: account.identifier.as_str().to_owned(),
            recipient: Some(recipient(&account)),
            invitation_token: token.as_str().to_owned(),
        };
        self.decide(Decision {
            account_id: account.id,
            from: account.status,
            to: next,
            rejection_reason: None,
            invitation: Some(invitation),
            event: event(events::REGISTRATION_APPROVED, &message, Some(claims.sub)),
            now,
        })
        .await
    }

    /// Rejects a registration with a reason sent to the applicant.
    pub async fn reject(
        &self,
        claims: &Claims,
        account_id: &str,
        reason: &str,
    ) -> Result<AccountView, Error> {
        self.admin(claims).await?;
        let account = self.registration(account_id).await?;
        let (next, reason) = account.status.reject(reason)?;
        let message = ev::RegistrationRejected {
            account_id: account.id.to_string(),
            organisation_name: self.organisation_name(&account).await?.unwrap_or_default(),
            recipient: Some(recipient(&account)),
            reason: reason.as_str().to_owned(),
        };
        self.decide(Decision {
            account_id: account.id,
            from: account.status,
            to: next,
            rejection_reason: Some(reason.as_str().to_owned()),
            invitation: None,
            event: event(events::REGISTRATION_REJECTED, &message, Some(claims.sub)),
            now: now(),
        })
        .await
    }

    /// Creates a lead or admin account and sends its invitation link.
    pub async fn create_staff(
        &self,
        claims: &Claims,
        input: StaffInput,
    ) -> Result<AccountView, Error> {
        self.admin(claims).await?;
        let mut v = Vec::new();
        let identifier = collect(&mut v, Identifier::parse(&input.identifier));
        let email = collect(&mut v, Email::parse(&input.email));
        let first_name = collect(
            &mut v,
            PersonName::parse_field("first_name", &input.first_name),
        );
        let last_name = collect(
            &mut v,
            PersonName::parse_field("last_name", &input.last_name),
        );
        let role = match input.role {
            Some(role @ (Role::Lead | Role::Admin)) => Some(role),
            _ => {
                v.push(FieldViolation::new(
                    "role",
                    "Choisissez le rôle : chef de file ou administrateur.",
                ));
                None
            }
        };
        let (Some(identifier), Some(email), Some(first_name), Some(last_name), Some(role)) =
            (identifier, email, first_name, last_name, role)
        else {
            return Err(Error::Invalid(v));
        };
        let now = now();
        let account = Account {
            id: Uuid::now_v7(),
            organisation_id: None,
            identifier,
            email,
            pending_email: None,
            first_name: first_name.as_str().to_owned(),
            last_name: last_name.as_str().to_owned(),
            phone: None,
            role,
            status: AccountStatus::Invited,
            password_hash: None,
            rejection_reason: None,
            created_at: now,
            updated_at: now,
        };
        let (token, invitation) = new_token(account.id, TokenPurpose::Invitation, None, now)?;
        let message = ev::AccountInvited {
            account_id: account.id.to_string(),
            identifier: account.identifier.as_str().to_owned(),
            role: role.as_str().to_owned(),
            recipient: Some(recipient(&account)),
            invitation_token: token.as_str().to_owned(),
        };
        self.store
            .create_account(
                &account,
                Some(&invitation),
                Some(&event(events::ACCOUNT_INVITED, &message, Some(claims.sub))),
            )
            .await?;
        self.published();
        self.view(account).await
    }

    /// Creates the bootstrap administrator `admin` when there is no account at all, active at
    /// once with `password`, or with a generated one that is returned (to be shown once).
    /// Returns `None` when the database already had accounts.
    pub async fn bootstrap_admin(
        &self,
        email: &str,
        password: Option<&str>,
    ) -> anyhow::Result<Option<BootstrapAdmin>> {
        if self.store.count_accounts().await? > 0 {
            return Ok(None);
        }
        let email = Email::parse(email)
            .map_err(|v| anyhow!("invalid administrator e-mail: {}", v.message))?;
        let identifier = Identifier::parse(BOOTSTRAP_ADMIN)
            .map_err(|v| anyhow!("invalid administrator identifier: {}", v.message))?;
        let (password, generated) = match password {
            Some(password) => (
                Password::parse(password, identifier.as_str(), email.as_str(), &[])
                    .map_err(|v| anyhow!("the administrator password is refused: {}", v.message))?,
                None,
            ),
            None => generate_password(&identifier, &email)?,
        };
        let hash = blocking(move || password.hash())
            .await
            .map_err(|e| anyhow!("{e}"))??;
        let now = now();
        let account = Account {
            id: Uuid::now_v7(),
            organisation_id: None,
            identifier,
            email,
            pending_email: None,
            first_name: String::new(),
            last_name: String::new(),
            phone: None,
            role: Role::Admin,
            status: AccountStatus::Active,
            password_hash: Some(hash),
            rejection_reason: None,
            created_at: now,
            updated_at: now,
        };
        match self.store.create_account(&account, None, None).await {
            Ok(()) => Ok(Some(BootstrapAdmin {
                account_id: account.id,
                generated_password: generated,
            })),
            // Another instance on the same database made it first.
            Err(StoreError::Taken(_)) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    async fn admin(&self, claims: &Claims) -> Result<(), Error> {
        auth::require_role(claims, &[auth::Role::Admin]).map_err(Error::Access)?;
        self.current_account(claims).await?;
        Ok(())
    }

    /// A member account by id, for the admin screens.
    async fn registration(&self, account_id: &str) -> Result<Account, Error> {
        const NOT_FOUND: &str = "Cette inscription n'existe pas.";
        let id = Uuid::try_parse(account_id.trim()).map_err(|_| Error::NotFound(NOT_FOUND))?;
        self.store
            .account(id)
            .await?
            .filter(|a| a.organisation_id.is_some())
            .ok_or(Error::NotFound(NOT_FOUND))
    }

    async fn decide(&self, decision: Decision) -> Result<AccountView, Error> {
        match self.store.decide_registration(&decision).await {
            Ok(()) => {}
            Err(StoreError::Stale) => {
                return Err(Error::Precondition(
                    "Cette inscription a été traitée entre-temps : rechargez la liste.".to_owned(),
                ));
            }
            Err(error) => return Err(error.into()),
        }
        self.published();
        let account = self
            .store
            .account(decision.account_id)
            .await?
            .ok_or(Error::NotFound("Cette inscription n'existe pas."))?;
        self.view(account).await
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

/// The bootstrap administrator just created.
#[derive(Debug, Clone)]
pub struct BootstrapAdmin {
    /// Its id.
    pub account_id: Uuid,
    /// The password generated for it, when none was configured: to be shown once.
    pub generated_password: Option<String>,
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

/// A strong random password for the bootstrap administrator (24 URL-safe characters, 144 bits).
fn generate_password(
    identifier: &Identifier,
    email: &Email,
) -> anyhow::Result<(Password, Option<String>)> {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    // A random string passes the policy but for astronomically rare draws (one containing
    // "admin"); draw again then.
    for _ in 0..8 {
        let mut bytes = [0u8; 18];
        getrandom::fill(&mut bytes).map_err(|e| anyhow!("no randomness for a password: {e}"))?;
        let candidate = URL_SAFE_NO_PAD.encode(bytes);
        if let Ok(password) = Password::parse(&candidate, identifier.as_str(), email.as_str(), &[])
        {
            return Ok((password, Some(candidate)));
        }
    }
    Err(anyhow!(
        "could not generate an acceptable administrator password"
    ))
}

/// `bytes` random bytes in lower-case hex.
fn random_hex(bytes: usize) -> Result<String, Error> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|e| anyhow!("no randomness: {e}"))?;
    Ok(hex::encode(buffer))
}

/// Runs CPU-bound work (argon2, image decoding) off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(anyhow!("a blocking task failed: {e}")))
}

/// The value, or `None` with the violation kept.
fn collect<T>(
    violations: &mut Vec<FieldViolation>,
    result: Result<T, FieldViolation>,
) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(violation) => {
            violations.push(violation);
            None
        }
    }
}

/// The violation reported under `field`.
fn rename<T>(result: Result<T, FieldViolation>, field: &str) -> Result<T, FieldViolation> {
    result.map_err(|mut violation| {
        field.clone_into(&mut violation.field);
        violation
    })
}

/// A contact's free-text field: trimmed, 1 to 100 characters, no control characters.
fn contact_text(field: &str, what: &str, input: &str) -> Result<String, FieldViolation> {
    let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = text.chars().count();
    if length == 0 || length > MAX_CONTACT_FIELD_CHARS || text.chars().any(char::is_control) {
        return Err(FieldViolation::new(
            field,
            format!("Indiquez {what} (de 1 à {MAX_CONTACT_FIELD_CHARS} caractères)."),
        ));
    }
    Ok(text)
}
