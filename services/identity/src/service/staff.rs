//! ID77's staff: the registrations desk (approve, reject), staff accounts, and the bootstrap
//! administrator of an empty database.

use anyhow::anyhow;
use id77_kit::{
    auth::{self, Claims},
    violations::FieldViolation,
};
use id77_proto::events::v1 as ev;
use uuid::Uuid;

use super::{AccountView, Identity, blocking, new_token, now};
use crate::{
    domain::{
        Account, AccountStatus, Email, Identifier, Organisation, PersonName, Role, Violations,
    },
    error::Error,
    events::{self, event, recipient},
    password::Password,
    store::{Decision, Store, StoreError},
    token::TokenPurpose,
};

/// Identifier of the bootstrap administrator.
pub const BOOTSTRAP_ADMIN: &str = "admin";

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

/// The bootstrap administrator just created.
#[derive(Debug, Clone)]
pub struct BootstrapAdmin {
    /// Its id.
    pub account_id: Uuid,
    /// The password generated for it, when none was configured: to be shown once.
    pub generated_password: Option<String>,
}

impl<S: Store> Identity<S> {
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
        let mut v = Violations::default();
        let identifier = v.keep("identifier", Identifier::parse(&input.identifier));
        let email = v.keep("email", Email::parse(&input.email));
        let first_name = v.keep(
            "first_name",
            PersonName::parse_field("first_name", &input.first_name),
        );
        let last_name = v.keep(
            "last_name",
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
            return Err(Error::Invalid(v.into_vec()));
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
