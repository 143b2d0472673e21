//! "Mon compte" and the organisation profile: the caller's account, its address change, the
//! organisation's profile, logo and technical contacts.

use anyhow::anyhow;
use id77_kit::auth::Claims;
use id77_proto::events::v1 as ev;
use uuid::Uuid;

use super::{
    AccountUpdate, AccountView, ContactInput, Identity, OrganisationUpdate, blocking, new_token,
    now, redemption,
};
use crate::{
    domain::{AccountPatch, Contact, Email, Logo, Organisation, OrganisationPatch},
    error::Error,
    events::{self, event, recipient},
    logo::{self, LogoError},
    store::{ProfileChange, Redemption, Store},
    token::TokenPurpose,
};

impl<S: Store> Identity<S> {
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
        let patch = AccountPatch::parse(&update)?;
        let first_name = patch.first_name.map_or_else(
            || account.first_name.clone(),
            |name| name.as_str().to_owned(),
        );
        let last_name = patch.last_name.map_or_else(
            || account.last_name.clone(),
            |name| name.as_str().to_owned(),
        );
        let phone = patch.phone.unwrap_or_else(|| account.phone.clone());
        let email = patch.email;
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
        OrganisationPatch::parse(&update)?.apply_to(&mut organisation);
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
        let contact = Contact::parse(&input, Uuid::now_v7(), organisation_id, now())?;
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
}

/// `bytes` random bytes in lower-case hex.
fn random_hex(bytes: usize) -> Result<String, Error> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|e| anyhow!("no randomness: {e}"))?;
    Ok(hex::encode(buffer))
}
