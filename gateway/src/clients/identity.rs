//! The identity service: accounts, sessions, organisations and the registrations desk.

use id77_proto::identity::v1::{self as pb, identity_service_client::IdentityServiceClient};

use crate::{error::AppError, session::Session, state::GrpcChannel};

/// The identity service's RPCs, as the gateway calls them. Cheap to clone (one channel handle).
#[derive(Clone)]
pub struct IdentityClient(IdentityServiceClient<GrpcChannel>);

impl IdentityClient {
    pub fn new(channel: GrpcChannel) -> Self {
        Self(IdentityServiceClient::new(channel))
    }

    rpcs! {
        // Anonymous: the visitor has no session yet, or proves who they are with a link's
        // token, a password or a refresh token.
        anonymous register(RegisterRequest) -> RegisterResponse;
        anonymous confirm_email(ConfirmEmailRequest) -> ConfirmEmailResponse;
        anonymous accept_invitation(AcceptInvitationRequest) -> AcceptInvitationResponse;
        anonymous list_cantons(ListCantonsRequest) -> ListCantonsResponse;
        /// `client_address` in the request is the end user's address, for the login throttling.
        anonymous login(LoginRequest) -> Session;
        anonymous refresh(RefreshRequest) -> Session;
        anonymous logout(LogoutRequest) -> LogoutResponse;
        anonymous request_password_reset(RequestPasswordResetRequest) -> RequestPasswordResetResponse;
        anonymous complete_password_reset(CompletePasswordResetRequest) -> CompletePasswordResetResponse;
        anonymous confirm_email_change(ConfirmEmailChangeRequest) -> ConfirmEmailChangeResponse;
        anonymous get_logo(GetLogoRequest) -> GetLogoResponse;
        // For the session's holder: the service reads who acts from the bearer token.
        signed get_me(GetMeRequest) -> Account;
        signed update_me(UpdateMeRequest) -> Account;
        signed change_password(ChangePasswordRequest) -> ChangePasswordResponse;
        signed get_organisation(GetOrganisationRequest) -> Organisation;
        signed update_organisation(UpdateOrganisationRequest) -> Organisation;
        signed set_logo(SetLogoRequest) -> Organisation;
        signed add_contact(AddContactRequest) -> Contact;
        signed remove_contact(RemoveContactRequest) -> RemoveContactResponse;
        signed list_registrations(ListRegistrationsRequest) -> ListRegistrationsResponse;
        signed approve_registration(ApproveRegistrationRequest) -> Account;
        signed reject_registration(RejectRegistrationRequest) -> Account;
        signed create_staff(CreateStaffRequest) -> Account;
    }
}
