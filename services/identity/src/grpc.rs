//! `id77.identity.v1.IdentityService`: the wire format around [`Identity`]. Each RPC maps its
//! request to a service call and the result back; errors become `Status` in one place
//! (`From<Error> for Status`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use id77_proto::identity::v1 as pb;
use tonic::{Request, Response, Status};

use crate::{
    domain::{
        Account, AccountStatus, Canton, Contact, Organisation, ReferentInput, RegistrationInput,
        RepresentativeInput, Role,
    },
    error::Error,
    service::{
        AccountUpdate, AccountView, ContactInput, Identity, OrganisationUpdate, Session, StaffInput,
    },
    store::Store,
};

/// The tonic service over a shared [`Identity`].
pub struct IdentityGrpc<S> {
    identity: Arc<Identity<S>>,
}

impl<S> IdentityGrpc<S> {
    /// The gRPC face of `identity`.
    pub fn new(identity: Arc<Identity<S>>) -> Self {
        Self { identity }
    }
}

type Answer<T> = Result<Response<T>, Status>;

fn reply<T>(result: Result<T, Error>) -> Answer<T> {
    result.map(Response::new).map_err(Status::from)
}

fn timestamp(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: i32::try_from(at.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

fn role_to_pb(role: Role) -> pb::Role {
    match role {
        Role::Member => pb::Role::Member,
        Role::Lead => pb::Role::Lead,
        Role::Admin => pb::Role::Admin,
    }
}

fn role_from_pb(role: i32) -> Option<Role> {
    match pb::Role::try_from(role) {
        Ok(pb::Role::Member) => Some(Role::Member),
        Ok(pb::Role::Lead) => Some(Role::Lead),
        Ok(pb::Role::Admin) => Some(Role::Admin),
        Ok(pb::Role::Unspecified) | Err(_) => None,
    }
}

fn status_to_pb(status: AccountStatus) -> pb::AccountStatus {
    match status {
        AccountStatus::PendingEmail => pb::AccountStatus::PendingEmail,
        AccountStatus::PendingApproval => pb::AccountStatus::PendingApproval,
        AccountStatus::Invited => pb::AccountStatus::Invited,
        AccountStatus::Active => pb::AccountStatus::Active,
        AccountStatus::Rejected => pb::AccountStatus::Rejected,
        AccountStatus::Disabled => pb::AccountStatus::Disabled,
    }
}

/// `None` for unspecified (the default filter); an unknown value is a field violation.
fn status_from_pb(status: i32) -> Result<Option<AccountStatus>, Error> {
    match pb::AccountStatus::try_from(status) {
        Ok(pb::AccountStatus::Unspecified) => Ok(None),
        Ok(pb::AccountStatus::PendingEmail) => Ok(Some(AccountStatus::PendingEmail)),
        Ok(pb::AccountStatus::PendingApproval) => Ok(Some(AccountStatus::PendingApproval)),
        Ok(pb::AccountStatus::Invited) => Ok(Some(AccountStatus::Invited)),
        Ok(pb::AccountStatus::Active) => Ok(Some(AccountStatus::Active)),
        Ok(pb::AccountStatus::Rejected) => Ok(Some(AccountStatus::Rejected)),
        Ok(pb::AccountStatus::Disabled) => Ok(Some(AccountStatus::Disabled)),
        Err(_) => Err(Error::invalid("status", "Statut de compte inconnu.")),
    }
}

fn account_to_pb(account: &Account, organisation_name: Option<&str>) -> pb::Account {
    pb::Account {
        id: account.id.to_string(),
        identifier: account.identifier.as_str().to_owned(),
        email: account.email.as_str().to_owned(),
        pending_email: account
            .pending_email
            .as_ref()
            .map(|e| e.as_str().to_owned())
            .unwrap_or_default(),
        first_name: account.first_name.clone(),
        last_name: account.last_name.clone(),
        phone: account
            .phone
            .as_ref()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        role: role_to_pb(account.role).into(),
        status: status_to_pb(account.status).into(),
        organisation_id: account
            .organisation_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        organisation_name: organisation_name.unwrap_or_default().to_owned(),
        created_at: Some(timestamp(account.created_at)),
        rejection_reason: account.rejection_reason.clone().unwrap_or_default(),
    }
}

fn view_to_pb(view: &AccountView) -> pb::Account {
    account_to_pb(&view.account, view.organisation_name.as_deref())
}

fn contact_to_pb(contact: &Contact) -> pb::Contact {
    pb::Contact {
        id: contact.id.to_string(),
        title: contact.title.clone(),
        full_name: contact.full_name.clone(),
        service: contact.service.clone(),
        email: contact.email.as_str().to_owned(),
        phone: contact.phone.as_str().to_owned(),
    }
}

fn organisation_to_pb(organisation: &Organisation, contacts: &[Contact]) -> pb::Organisation {
    let representative = &organisation.representative;
    let referent = &organisation.admin_referent;
    pb::Organisation {
        id: organisation.id.to_string(),
        organisation_name: organisation.name.as_str().to_owned(),
        categories: organisation
            .categories
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        siret: organisation.siret.as_str().to_owned(),
        population: organisation.population.get(),
        canton: organisation.canton.name().to_owned(),
        representative: Some(pb::Representative {
            title: representative.title.as_str().to_owned(),
            civility: representative.civility.as_str().to_owned(),
            first_name: representative.first_name.as_str().to_owned(),
            last_name: representative.last_name.as_str().to_owned(),
        }),
        admin_referent: Some(pb::Person {
            civility: referent.civility.as_str().to_owned(),
            first_name: referent.first_name.as_str().to_owned(),
            last_name: referent.last_name.as_str().to_owned(),
        }),
        website: organisation
            .website
            .as_ref()
            .map(|w| w.as_str().to_owned())
            .unwrap_or_default(),
        logo_version: organisation.logo_version.clone().unwrap_or_default(),
        contacts: contacts.iter().map(contact_to_pb).collect(),
    }
}

fn session_to_pb(session: Session) -> pb::Session {
    pb::Session {
        access_token: session.access_token,
        access_expires_at: Some(timestamp(session.access_expires_at)),
        refresh_token: session.refresh_token,
        refresh_expires_at: Some(timestamp(session.refresh_expires_at)),
        account: Some(view_to_pb(&session.account)),
    }
}

fn representative_input(representative: pb::Representative) -> RepresentativeInput {
    RepresentativeInput {
        title: representative.title,
        civility: representative.civility,
        first_name: representative.first_name,
        last_name: representative.last_name,
    }
}

fn referent_input(person: pb::Person) -> ReferentInput {
    ReferentInput {
        civility: person.civility,
        first_name: person.first_name,
        last_name: person.last_name,
    }
}

#[tonic::async_trait]
impl<S: Store> pb::identity_service_server::IdentityService for IdentityGrpc<S> {
    async fn register(
        &self,
        request: Request<pb::RegisterRequest>,
    ) -> Answer<pb::RegisterResponse> {
        let r = request.into_inner();
        let input = RegistrationInput {
            organisation_name: r.organisation_name,
            categories: r.categories,
            siret: r.siret,
            // Zero is proto3's "unset": left empty so that it reads as a missing field.
            population: if r.population == 0 {
                String::new()
            } else {
                r.population.to_string()
            },
            canton: r.canton,
            representative: r
                .representative
                .map(representative_input)
                .unwrap_or_default(),
            admin_referent: r.admin_referent.map(referent_input).unwrap_or_default(),
            identifier: r.identifier,
            email: r.email,
            phone: r.phone,
        };
        reply(
            self.identity
                .register(input)
                .await
                .map(|()| pb::RegisterResponse {}),
        )
    }

    async fn confirm_email(
        &self,
        request: Request<pb::ConfirmEmailRequest>,
    ) -> Answer<pb::ConfirmEmailResponse> {
        let token = request.into_inner().token;
        reply(
            self.identity
                .confirm_email(&token)
                .await
                .map(|()| pb::ConfirmEmailResponse {}),
        )
    }

    async fn accept_invitation(
        &self,
        request: Request<pb::AcceptInvitationRequest>,
    ) -> Answer<pb::AcceptInvitationResponse> {
        let r = request.into_inner();
        reply(
            self.identity
                .accept_invitation(&r.token, &r.password)
                .await
                .map(|()| pb::AcceptInvitationResponse {}),
        )
    }

    async fn login(&self, request: Request<pb::LoginRequest>) -> Answer<pb::Session> {
        // The gateway passes the end user's address; a direct caller is throttled by its own.
        let peer = request
            .remote_addr()
            .map(|address| address.ip().to_string());
        let r = request.into_inner();
        let address = Some(r.client_address.trim())
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .or(peer);
        reply(
            self.identity
                .login(&r.identifier, &r.password, address.as_deref())
                .await
                .map(session_to_pb),
        )
    }

    async fn refresh(&self, request: Request<pb::RefreshRequest>) -> Answer<pb::Session> {
        let token = request.into_inner().refresh_token;
        reply(self.identity.refresh(&token).await.map(session_to_pb))
    }

    async fn logout(&self, request: Request<pb::LogoutRequest>) -> Answer<pb::LogoutResponse> {
        let token = request.into_inner().refresh_token;
        reply(
            self.identity
                .logout(&token)
                .await
                .map(|()| pb::LogoutResponse {}),
        )
    }

    async fn request_password_reset(
        &self,
        request: Request<pb::RequestPasswordResetRequest>,
    ) -> Answer<pb::RequestPasswordResetResponse> {
        let email = request.into_inner().email;
        reply(
            self.identity
                .request_password_reset(&email)
                .await
                .map(|()| pb::RequestPasswordResetResponse {}),
        )
    }

    async fn complete_password_reset(
        &self,
        request: Request<pb::CompletePasswordResetRequest>,
    ) -> Answer<pb::CompletePasswordResetResponse> {
        let r = request.into_inner();
        reply(
            self.identity
                .complete_password_reset(&r.token, &r.password)
                .await
                .map(|()| pb::CompletePasswordResetResponse {}),
        )
    }

    async fn get_me(&self, request: Request<pb::GetMeRequest>) -> Answer<pb::Account> {
        let result = async {
            let claims = self.identity.authenticate(&request)?;
            self.identity.me(&claims).await
        }
        .await;
        reply(result.map(|view| view_to_pb(&view)))
    }

    async fn update_me(&self, request: Request<pb::UpdateMeRequest>) -> Answer<pb::Account> {
        let result = async {
            let claims = self.identity.authenticate(&request)?;
            let r = request.into_inner();
            let update = AccountUpdate {
                first_name: r.first_name,
                last_name: r.last_name,
                phone: r.phone,
                email: r.email,
            };
            self.identity.update_me(&claims, update).await
        }
        .await;
        reply(result.map(|view| view_to_pb(&view)))
    }

    async fn confirm_email_change(
        &self,
        request: Request<pb::ConfirmEmailChangeRequest>,
    ) -> Answer<pb::ConfirmEmailChangeResponse> {
        let token = request.into_inner().token;
        reply(
            self.identity
                .confirm_email_change(&token)
                .await
                .map(|()| pb::ConfirmEmailChangeResponse {}),
        )
    }

    async fn change_password(
        &self,
        request: Request<pb::ChangePasswordRequest>,
    ) -> Answer<pb::ChangePasswordResponse> {
        let result = async {
            let claims = self.identity.authenticate(&request)?;
            let r = request.into_inner();
            let keep = Some(r.refresh_token.as_str()).filter(|t| !t.trim().is_empty());
            self.identity
                .change_password(&claims, &r.current_password, &r.new_password, keep)
                .await
        }
        .await;
        reply(result.map(|()| pb::ChangePasswordResponse {}))
    }

    async fn get_organisation(
        &self,
        request: Request<pb::GetOrganisationRequest>,
    ) -> Answer<pb::Organisation> {
        let result = async {
            let claims = self.identity.authenticate(&request)?;
            self.identity.organisation(&claims).await
        }
        .await;
        reply(result.map(|(organisation, contacts)| organisation_to_pb(&organisation, &contacts)))
    }

    async fn update_organisation(
        &self,
        request: Request<pb::UpdateOrganisationRequest>,
    ) -> Answer<pb::Organisation> {
        let result = async {
            let claims = self.identity.authenticate(&request)?;
            let r = request.into_inner();
            let update = OrganisationUpdate {
                organisation_name: r.organisation_name,
                categories: r.set_categories.then_some(r.categories),
                siret: r.siret,
                population: r.population,
                canton: r.canton,
                representative: r.representative.map(representative_input),
                admin_referent: r.admin_referent.map(referent_input),
                website: r.website,
            };
            self.identity.update_organisation(&claims, update).await
        }
        .await;
        reply(result.map(|(organisation, contacts)| organisation_to_pb(&organisation, &contacts)))
    }

    async fn set_logo(&self, request: Request<pb::SetLogoRequest>) -> Answer<pb::Organisation> {
        let result = async {
            let claims = self.identity.authenticate(&request)?;
            let image = request.into_inner().image;
            self.identity.set_logo(&claims, image).await
        }
        .await;
        reply(result.map(|(organisation, contacts)| organisation_to_pb(&organisation, &contacts)))
    }

    async fn list_cantons(
        &self,
        _request: Request<pb::ListCantonsRequest>,
    ) -> Answer<pb::ListCantonsResponse> {
        Ok(Response::new(pb::ListCantonsResponse {
            names: Canton::ALL.iter().map(|c| c.name().to_owned()).collect(),
        }))
    }

    async fn get_logo(&self, request: Request<pb::GetLogoRequest>) -> Answer<pb::GetLogoResponse> {
        let id = request.into_inner().organisation_id;
        reply(
            self.identity
                .logo(&id)
                .await
                .map(|logo| pb::GetLogoResponse {
                    image: logo.image,
                    content_type: logo.content_type,
                    version: logo.version,
                }),
        )
    }

    async fn add_contact(&self, request: Request<pb::AddContactRequest>) -> Answer<pb::Contact> {
        let result = async {
            let claims = self.identity.authenticate(&request)?;
            let r = request.into_inner();
            let input = ContactInput {
                title: r.title,
                full_name: r.full_name,
                service: r.service,
                email: r.email,
                phone: r.phone,
            };
            self.identity.add_contact(&claims, input).await
        }
        .await;
        reply(result.map(|contact| contact_to_pb(&contact)))
    }

    async fn remove_contact(
        &self,
        request: Request<pb::RemoveContactRequest>,
    ) -> Answer<pb::RemoveContactResponse> {
        let result = async {
            let claims = self.identity.authenticate(&request)?;
            let id = request.into_inner().contact_id;
            self.identity.remove_contact(&claims, &id).await
        }
        .await;
        reply(result.map(|()| pb::RemoveContactResponse {}))
    }

    async fn list_registrations(
        &self,
        request: Request<pb::ListRegistrationsRequest>,
    ) -> Answer<pb::ListRegistrationsResponse> {
        let result = async {
            let claims = self.identity.authenticate(&request)?;
            let status = status_from_pb(request.into_inner().status)?;
            self.identity.registrations(&claims, status).await
        }
        .await;
        reply(result.map(|registrations| {
            pb::ListRegistrationsResponse {
                registrations: registrations
                    .iter()
                    .map(|(account, organisation)| pb::Registration {
                        account: Some(account_to_pb(account, Some(organisation.name.as_str()))),
                        organisation: Some(organisation_to_pb(organisation, &[])),
                    })
                    .collect(),
            }
        }))
    }

    async fn approve_registration(
        &self,
        request: Request<pb::ApproveRegistrationRequest>,
    ) -> Answer<pb::Account> {
        let result = async {
            let claims = self.identity.authenticate(&request)?;
            let id = request.into_inner().account_id;
            self.identity.approve(&claims, &id).await
        }
        .await;
        reply(result.map(|view| view_to_pb(&view)))
    }

    async fn reject_registration(
        &self,
        request: Request<pb::RejectRegistrationRequest>,
    ) -> Answer<pb::Account> {
        let result = async {
            let claims = self.identity.authenticate(&request)?;
            let r = request.into_inner();
            self.identity
                .reject(&claims, &r.account_id, &r.reason)
                .await
        }
        .await;
        reply(result.map(|view| view_to_pb(&view)))
    }

    async fn create_staff(&self, request: Request<pb::CreateStaffRequest>) -> Answer<pb::Account> {
        let result = async {
            let claims = self.identity.authenticate(&request)?;
            let r = request.into_inner();
            let input = StaffInput {
                identifier: r.identifier,
                email: r.email,
                first_name: r.first_name,
                last_name: r.last_name,
                role: role_from_pb(r.role),
            };
            self.identity.create_staff(&claims, input).await
        }
        .await;
        reply(result.map(|view| view_to_pb(&view)))
    }
}
