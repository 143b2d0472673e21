//! The identity service: accounts, sessions, organisations and the registrations desk.

use id77_proto::identity::v1::{self as pb, identity_service_client::IdentityServiceClient};

use super::{outgoing, reply};
use crate::{error::AppError, session::Session, state::GrpcChannel};

/// The identity service's RPCs, as the gateway calls them. Cheap to clone (one channel handle).
#[derive(Clone)]
pub struct IdentityClient(IdentityServiceClient<GrpcChannel>);

impl IdentityClient {
    pub fn new(channel: GrpcChannel) -> Self {
        Self(IdentityServiceClient::new(channel))
    }

    /// Anonymous, as the calls below up to `get_logo`: the visitor has no session yet, or
    /// proves who they are with a token, a password or a refresh token.
    pub async fn register(
        &mut self,
        request: pb::RegisterRequest,
    ) -> Result<pb::RegisterResponse, AppError> {
        reply(self.0.register(outgoing(None, request))).await
    }

    pub async fn confirm_email(
        &mut self,
        request: pb::ConfirmEmailRequest,
    ) -> Result<pb::ConfirmEmailResponse, AppError> {
        reply(self.0.confirm_email(outgoing(None, request))).await
    }

    pub async fn accept_invitation(
        &mut self,
        request: pb::AcceptInvitationRequest,
    ) -> Result<pb::AcceptInvitationResponse, AppError> {
        reply(self.0.accept_invitation(outgoing(None, request))).await
    }

    pub async fn list_cantons(
        &mut self,
        request: pb::ListCantonsRequest,
    ) -> Result<pb::ListCantonsResponse, AppError> {
        reply(self.0.list_cantons(outgoing(None, request))).await
    }

    /// `client_address` in the request is the end user's address, for the throttling.
    pub async fn login(&mut self, request: pb::LoginRequest) -> Result<pb::Session, AppError> {
        reply(self.0.login(outgoing(None, request))).await
    }

    pub async fn refresh(&mut self, request: pb::RefreshRequest) -> Result<pb::Session, AppError> {
        reply(self.0.refresh(outgoing(None, request))).await
    }

    pub async fn logout(
        &mut self,
        request: pb::LogoutRequest,
    ) -> Result<pb::LogoutResponse, AppError> {
        reply(self.0.logout(outgoing(None, request))).await
    }

    pub async fn request_password_reset(
        &mut self,
        request: pb::RequestPasswordResetRequest,
    ) -> Result<pb::RequestPasswordResetResponse, AppError> {
        reply(self.0.request_password_reset(outgoing(None, request))).await
    }

    pub async fn complete_password_reset(
        &mut self,
        request: pb::CompletePasswordResetRequest,
    ) -> Result<pb::CompletePasswordResetResponse, AppError> {
        reply(self.0.complete_password_reset(outgoing(None, request))).await
    }

    pub async fn confirm_email_change(
        &mut self,
        request: pb::ConfirmEmailChangeRequest,
    ) -> Result<pb::ConfirmEmailChangeResponse, AppError> {
        reply(self.0.confirm_email_change(outgoing(None, request))).await
    }

    pub async fn get_logo(
        &mut self,
        request: pb::GetLogoRequest,
    ) -> Result<pb::GetLogoResponse, AppError> {
        reply(self.0.get_logo(outgoing(None, request))).await
    }

    /// The caller's own account, as the calls below: they act for the session's holder.
    pub async fn get_me(
        &mut self,
        session: &Session,
        request: pb::GetMeRequest,
    ) -> Result<pb::Account, AppError> {
        reply(self.0.get_me(outgoing(Some(session), request))).await
    }

    pub async fn update_me(
        &mut self,
        session: &Session,
        request: pb::UpdateMeRequest,
    ) -> Result<pb::Account, AppError> {
        reply(self.0.update_me(outgoing(Some(session), request))).await
    }

    pub async fn change_password(
        &mut self,
        session: &Session,
        request: pb::ChangePasswordRequest,
    ) -> Result<pb::ChangePasswordResponse, AppError> {
        reply(self.0.change_password(outgoing(Some(session), request))).await
    }

    pub async fn get_organisation(
        &mut self,
        session: &Session,
        request: pb::GetOrganisationRequest,
    ) -> Result<pb::Organisation, AppError> {
        reply(self.0.get_organisation(outgoing(Some(session), request))).await
    }

    pub async fn update_organisation(
        &mut self,
        session: &Session,
        request: pb::UpdateOrganisationRequest,
    ) -> Result<pb::Organisation, AppError> {
        reply(self.0.update_organisation(outgoing(Some(session), request))).await
    }

    pub async fn set_logo(
        &mut self,
        session: &Session,
        request: pb::SetLogoRequest,
    ) -> Result<pb::Organisation, AppError> {
        reply(self.0.set_logo(outgoing(Some(session), request))).await
    }

    pub async fn add_contact(
        &mut self,
        session: &Session,
        request: pb::AddContactRequest,
    ) -> Result<pb::Contact, AppError> {
        reply(self.0.add_contact(outgoing(Some(session), request))).await
    }

    pub async fn remove_contact(
        &mut self,
        session: &Session,
        request: pb::RemoveContactRequest,
    ) -> Result<pb::RemoveContactResponse, AppError> {
        reply(self.0.remove_contact(outgoing(Some(session), request))).await
    }

    pub async fn list_registrations(
        &mut self,
        session: &Session,
        request: pb::ListRegistrationsRequest,
    ) -> Result<pb::ListRegistrationsResponse, AppError> {
        reply(self.0.list_registrations(outgoing(Some(session), request))).await
    }

    pub async fn approve_registration(
        &mut self,
        session: &Session,
        request: pb::ApproveRegistrationRequest,
    ) -> Result<pb::Account, AppError> {
        reply(
            self.0
                .approve_registration(outgoing(Some(session), request)),
        )
        .await
    }

    pub async fn reject_registration(
        &mut self,
        session: &Session,
        request: pb::RejectRegistrationRequest,
    ) -> Result<pb::Account, AppError> {
        reply(self.0.reject_registration(outgoing(Some(session), request))).await
    }

    pub async fn create_staff(
        &mut self,
        session: &Session,
        request: pb::CreateStaffRequest,
    ) -> Result<pb::Account, AppError> {
        reply(self.0.create_staff(outgoing(Some(session), request))).await
    }
}
