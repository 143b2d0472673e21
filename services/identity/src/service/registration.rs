//! Joining: a member organisation registers and confirms its address, an invited user (a
//! member approved by ID77, or a staff member) chooses a password.

use id77_proto::events::v1 as ev;
use uuid::Uuid;

use super::{Identity, new_token, now, redemption};
use crate::{
    domain::{Account, AccountStatus, Organisation, Registration, RegistrationInput, Role},
    error::Error,
    events::{self, event, recipient},
    store::{Redemption, Store, StoreError},
    token::TokenPurpose,
};

impl<S: Store> Identity<S> {
    /// Registers a member organisation and its account (`pending_email`) and sends the
    /// confirmation link. Answers the same when the identifier or address is taken, without
    /// writing anything, so that registration does not tell which accounts exist.
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
}
