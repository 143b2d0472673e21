//! Accounts over JSON: registration, invitations, sessions, password resets, the caller's
//! account and organisation (profile, logo, technical contacts) and the administrators'
//! registrations desk. Each handler translates to one identity RPC; the identity service
//! decides and validates, and its field violations come back as 422 problems.

use axum::{
    Json,
    body::Bytes,
    extract::{ConnectInfo, FromRequest, Path, Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, Utc};
use id77_proto::identity::v1 as pb;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use utoipa::ToSchema;

use crate::{
    error::{ApiError, AppError, FieldError, Problem},
    extract::ApiSession,
    session::{REFRESH_COOKIE, cleared_cookies, session_cookies},
    state::AppState,
};

/// A JSON body whose syntax errors are 422 problems in French rather than plain text.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(|_| {
            AppError::Unprocessable(vec![FieldError::new("", "Corps de requête illisible.")])
        })?;
        serde_json::from_slice(&bytes).map(Body).map_err(|error| {
            ApiError(AppError::Unprocessable(vec![FieldError::new(
                "",
                format!("JSON invalide : {error}"),
            )]))
        })
    }
}

/// A gRPC error on a request body: validation failures are 422.
fn body_error(status: tonic::Status) -> ApiError {
    ApiError(AppError::from(status).in_body())
}

fn time(t: Option<prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).unwrap_or(0)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Default)]
pub struct PersonBody {
    /// `femme` or `homme`.
    #[serde(default)]
    pub civility: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Default)]
pub struct RepresentativeBody {
    /// `maire` or `president`.
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub civility: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
}

impl From<PersonBody> for pb::Person {
    fn from(p: PersonBody) -> Self {
        Self {
            civility: p.civility,
            first_name: p.first_name,
            last_name: p.last_name,
        }
    }
}

impl From<RepresentativeBody> for pb::Representative {
    fn from(r: RepresentativeBody) -> Self {
        Self {
            title: r.title,
            civility: r.civility,
            first_name: r.first_name,
            last_name: r.last_name,
        }
    }
}

fn person(p: Option<pb::Person>) -> PersonBody {
    let p = p.unwrap_or_default();
    PersonBody {
        civility: p.civility,
        first_name: p.first_name,
        last_name: p.last_name,
    }
}

fn representative(r: Option<pb::Representative>) -> RepresentativeBody {
    let r = r.unwrap_or_default();
    RepresentativeBody {
        title: r.title,
        civility: r.civility,
        first_name: r.first_name,
        last_name: r.last_name,
    }
}

/// The registration form of a member organisation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegistrationBody {
    #[serde(default)]
    pub organisation_name: String,
    /// `communes`, `epci`, `syndicats`.
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub siret: String,
    #[serde(default)]
    pub population: u32,
    /// The canton's name, e.g. `Fontainebleau`.
    #[serde(default)]
    pub canton: String,
    #[serde(default)]
    pub representative: RepresentativeBody,
    #[serde(default)]
    pub admin_referent: PersonBody,
    #[serde(default)]
    pub identifier: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

impl From<RegistrationBody> for pb::RegisterRequest {
    fn from(b: RegistrationBody) -> Self {
        Self {
            organisation_name: b.organisation_name,
            categories: b.categories,
            siret: b.siret,
            population: b.population,
            canton: b.canton,
            representative: Some(b.representative.into()),
            admin_referent: Some(b.admin_referent.into()),
            identifier: b.identifier,
            email: b.email,
            phone: b.phone,
        }
    }
}

/// What the platform says back, in French.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    pub message: String,
}

fn message(text: &str) -> Json<Message> {
    Json(Message {
        message: text.to_owned(),
    })
}

pub const REGISTERED: &str = "Demande d'inscription enregistrée. Confirmez votre adresse e-mail grâce au lien que nous venons de vous envoyer ; ID77 vérifiera ensuite votre adhésion.";

/// Registers a member organisation. The answer is the same whether or not the identifier or
/// e-mail is already used.
#[utoipa::path(post, path = "/registrations", tag = "comptes", request_body = RegistrationBody,
    responses((status = 202, body = Message), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    Body(body): Body<RegistrationBody>,
) -> Result<Response, ApiError> {
    state
        .identity()?
        .register(pb::RegisterRequest::from(body))
        .await
        .map_err(body_error)?;
    Ok((StatusCode::ACCEPTED, message(REGISTERED)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenBody {
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenPasswordBody {
    pub token: String,
    pub password: String,
}

/// Confirms the e-mail address of a registration (the link's `token`).
#[utoipa::path(post, path = "/registrations/confirm", tag = "comptes", request_body = TokenBody,
    responses((status = 200, body = Message), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn confirm_registration(
    State(state): State<AppState>,
    Body(body): Body<TokenBody>,
) -> Result<Json<Message>, ApiError> {
    state
        .identity()?
        .confirm_email(pb::ConfirmEmailRequest { token: body.token })
        .await
        .map_err(body_error)?;
    Ok(message(
        "Adresse e-mail confirmée. ID77 va maintenant vérifier votre adhésion ; vous recevrez une invitation par e-mail.",
    ))
}

/// Chooses the first password from an invitation link.
#[utoipa::path(post, path = "/invitations/accept", tag = "comptes", request_body = TokenPasswordBody,
    responses((status = 200, body = Message), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    Body(body): Body<TokenPasswordBody>,
) -> Result<Json<Message>, ApiError> {
    state
        .identity()?
        .accept_invitation(pb::AcceptInvitationRequest {
            token: body.token,
            password: body.password,
        })
        .await
        .map_err(body_error)?;
    Ok(message(
        "Votre compte est activé : vous pouvez vous connecter.",
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginBody {
    /// Identifier or e-mail.
    pub identifier: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub id: String,
    pub identifier: String,
    pub email: String,
    /// The new address waiting for confirmation, if any.
    pub pending_email: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    /// `member`, `lead` or `admin`.
    pub role: String,
    /// `pending_email`, `pending_approval`, `invited`, `active`, `rejected`, `disabled`.
    pub status: String,
    pub organisation_id: Option<String>,
    pub organisation_name: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub rejection_reason: Option<String>,
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

impl From<pb::Account> for Account {
    fn from(a: pb::Account) -> Self {
        let role = match pb::Role::try_from(a.role) {
            Ok(pb::Role::Admin) => "admin",
            Ok(pb::Role::Lead) => "lead",
            _ => "member",
        };
        let status = match pb::AccountStatus::try_from(a.status) {
            Ok(pb::AccountStatus::PendingEmail) => "pending_email",
            Ok(pb::AccountStatus::PendingApproval) => "pending_approval",
            Ok(pb::AccountStatus::Invited) => "invited",
            Ok(pb::AccountStatus::Active) => "active",
            Ok(pb::AccountStatus::Rejected) => "rejected",
            Ok(pb::AccountStatus::Disabled) => "disabled",
            _ => "unknown",
        };
        Self {
            id: a.id,
            identifier: a.identifier,
            email: a.email,
            pending_email: non_empty(a.pending_email),
            first_name: a.first_name,
            last_name: a.last_name,
            phone: a.phone,
            role: role.to_owned(),
            status: status.to_owned(),
            organisation_id: non_empty(a.organisation_id),
            organisation_name: non_empty(a.organisation_name),
            created_at: time(a.created_at),
            rejection_reason: non_empty(a.rejection_reason),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionBody {
    /// Bearer token for the API (15 minutes).
    pub access_token: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub account: Option<Account>,
}

/// Logs in by identifier or e-mail. Returns an access token and sets the session cookies.
#[utoipa::path(post, path = "/session", tag = "comptes", request_body = LoginBody,
    responses((status = 200, body = SessionBody), (status = 401, body = Problem, content_type = "application/problem+json"),
              (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    jar: CookieJar,
    Body(body): Body<LoginBody>,
) -> Result<Response, ApiError> {
    let session = state
        .identity()?
        .login(pb::LoginRequest {
            identifier: body.identifier,
            password: body.password,
            client_address: peer.ip().to_string(),
        })
        .await?
        .into_inner();
    let jar = session_cookies(jar, &session, state.secure_cookies());
    let body = SessionBody {
        access_token: session.access_token.clone(),
        expires_at: time(session.access_expires_at),
        account: session.account.map(Account::from),
    };
    Ok((jar, Json(body)).into_response())
}

/// Logs out: revokes the refresh token and clears the cookies.
#[utoipa::path(delete, path = "/session", tag = "comptes", responses((status = 204)))]
pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response, ApiError> {
    if let Some(refresh) = jar.get(REFRESH_COOKIE).map(|c| c.value().to_owned()) {
        state
            .identity()?
            .logout(pb::LogoutRequest {
                refresh_token: refresh,
            })
            .await?;
    }
    Ok((cleared_cookies(jar), StatusCode::NO_CONTENT).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailBody {
    pub email: String,
}

pub const RESET_SENT: &str = "Si un compte actif correspond à cette adresse, un lien pour choisir un nouveau mot de passe vient d'y être envoyé (valable 30 minutes).";

/// Asks for a password reset link. Same answer whether or not the address has an account.
#[utoipa::path(post, path = "/password-resets", tag = "comptes", request_body = EmailBody,
    responses((status = 202, body = Message)))]
pub async fn request_reset(
    State(state): State<AppState>,
    Body(body): Body<EmailBody>,
) -> Result<Response, ApiError> {
    state
        .identity()?
        .request_password_reset(pb::RequestPasswordResetRequest { email: body.email })
        .await
        .map_err(body_error)?;
    Ok((StatusCode::ACCEPTED, message(RESET_SENT)).into_response())
}

/// Sets a new password from a reset link; the account's other sessions end.
#[utoipa::path(post, path = "/password-resets/complete", tag = "comptes", request_body = TokenPasswordBody,
    responses((status = 200, body = Message), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn complete_reset(
    State(state): State<AppState>,
    Body(body): Body<TokenPasswordBody>,
) -> Result<Json<Message>, ApiError> {
    state
        .identity()?
        .complete_password_reset(pb::CompletePasswordResetRequest {
            token: body.token,
            password: body.password,
        })
        .await
        .map_err(body_error)?;
    Ok(message(
        "Mot de passe modifié : vous pouvez vous connecter.",
    ))
}

/// The caller's account.
#[utoipa::path(get, path = "/me", tag = "comptes", responses((status = 200, body = Account), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn get_me(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> Result<Json<Account>, ApiError> {
    let account = state
        .identity()?
        .get_me(session.request(pb::GetMeRequest {}))
        .await?
        .into_inner();
    Ok(Json(account.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MeBody {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    /// A new address is confirmed by mail before it replaces the current one.
    pub email: Option<String>,
}

/// Changes the caller's name, phone or e-mail.
#[utoipa::path(patch, path = "/me", tag = "comptes", request_body = MeBody,
    responses((status = 200, body = Account), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_me(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Body(body): Body<MeBody>,
) -> Result<Json<Account>, ApiError> {
    let request = pb::UpdateMeRequest {
        first_name: body.first_name,
        last_name: body.last_name,
        phone: body.phone,
        email: body.email,
    };
    let account = state
        .identity()?
        .update_me(session.request(request))
        .await
        .map_err(body_error)?
        .into_inner();
    Ok(Json(account.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordBody {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's password; the account's other sessions end.
#[utoipa::path(put, path = "/me/password", tag = "comptes", request_body = PasswordBody,
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    jar: CookieJar,
    Body(body): Body<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    // The browser's own session (its refresh cookie) survives; every other one ends.
    let request = pb::ChangePasswordRequest {
        current_password: body.current_password,
        new_password: body.new_password,
        refresh_token: jar
            .get(REFRESH_COOKIE)
            .map(|c| c.value().to_owned())
            .unwrap_or_default(),
    };
    state
        .identity()?
        .change_password(session.request(request))
        .await
        .map_err(body_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

impl From<pb::Contact> for Contact {
    fn from(c: pb::Contact) -> Self {
        Self {
            id: c.id,
            title: c.title,
            full_name: c.full_name,
            service: c.service,
            email: c.email,
            phone: c.phone,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Organisation {
    pub id: String,
    pub organisation_name: String,
    pub categories: Vec<String>,
    pub siret: String,
    pub population: u32,
    pub canton: String,
    pub representative: RepresentativeBody,
    pub admin_referent: PersonBody,
    pub website: Option<String>,
    /// Where the logo is served, when there is one.
    pub logo_url: Option<String>,
    pub contacts: Vec<Contact>,
}

impl From<pb::Organisation> for Organisation {
    fn from(o: pb::Organisation) -> Self {
        Self {
            logo_url: (!o.logo_version.is_empty())
                .then(|| format!("/logos/{}?v={}", o.id, o.logo_version)),
            id: o.id,
            organisation_name: o.name,
            categories: o.categories,
            siret: o.siret,
            population: o.population,
            canton: o.canton,
            representative: representative(o.representative),
            admin_referent: person(o.admin_referent),
            website: non_empty(o.website),
            contacts: o.contacts.into_iter().map(Contact::from).collect(),
        }
    }
}

/// The caller's organisation profile with its technical contacts.
#[utoipa::path(get, path = "/organisation", tag = "comptes", responses((status = 200, body = Organisation), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn get_organisation(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> Result<Json<Organisation>, ApiError> {
    let organisation = state
        .identity()?
        .get_organisation(session.request(pb::GetOrganisationRequest {}))
        .await?
        .into_inner();
    Ok(Json(organisation.into()))
}

/// Any profile field, named as in the registration.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganisationBody {
    pub organisation_name: Option<String>,
    pub categories: Option<Vec<String>>,
    pub siret: Option<String>,
    pub population: Option<u32>,
    pub canton: Option<String>,
    pub representative: Option<RepresentativeBody>,
    pub admin_referent: Option<PersonBody>,
    pub website: Option<String>,
}

/// Changes the caller's organisation profile.
#[utoipa::path(patch, path = "/organisation", tag = "comptes", request_body = OrganisationBody,
    responses((status = 200, body = Organisation), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_organisation(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Body(body): Body<OrganisationBody>,
) -> Result<Json<Organisation>, ApiError> {
    let request = pb::UpdateOrganisationRequest {
        name: body.organisation_name,
        set_categories: body.categories.is_some(),
        categories: body.categories.unwrap_or_default(),
        siret: body.siret,
        population: body.population,
        canton: body.canton,
        representative: body.representative.map(Into::into),
        admin_referent: body.admin_referent.map(Into::into),
        website: body.website,
    };
    let organisation = state
        .identity()?
        .update_organisation(session.request(request))
        .await
        .map_err(|status| match body_error(status) {
            // The service calls the organisation's name `name`; this API, like the registration,
            // `organisation_name`.
            ApiError(AppError::Unprocessable(mut errors)) => {
                for error in &mut errors {
                    if error.field == "name" {
                        error.field = "organisation_name".to_owned();
                    }
                }
                ApiError(AppError::Unprocessable(errors))
            }
            other => other,
        })?
        .into_inner();
    Ok(Json(organisation.into()))
}

/// Replaces the organisation's logo: the request body is the image (PNG, JPEG or WebP, 2 MB at
/// most).
#[utoipa::path(put, path = "/organisation/logo", tag = "comptes", request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 200, body = Organisation), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_logo(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    image: Bytes,
) -> Result<Json<Organisation>, ApiError> {
    let request = pb::SetLogoRequest {
        image: image.to_vec(),
    };
    let organisation = state
        .identity()?
        .set_logo(session.request(request))
        .await
        .map_err(body_error)?
        .into_inner();
    Ok(Json(organisation.into()))
}

/// The caller's organisation's technical contacts.
#[utoipa::path(get, path = "/organisation/contacts", tag = "comptes", responses((status = 200, body = [Contact])))]
pub async fn list_contacts(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<Contact>>, ApiError> {
    let organisation = state
        .identity()?
        .get_organisation(session.request(pb::GetOrganisationRequest {}))
        .await?
        .into_inner();
    Ok(Json(
        organisation
            .contacts
            .into_iter()
            .map(Contact::from)
            .collect(),
    ))
}

/// Adds a technical contact.
#[utoipa::path(post, path = "/organisation/contacts", tag = "comptes", request_body = Contact,
    responses((status = 201, body = Contact), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_contact(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Body(body): Body<Contact>,
) -> Result<Response, ApiError> {
    let request = pb::AddContactRequest {
        title: body.title,
        full_name: body.full_name,
        service: body.service,
        email: body.email,
        phone: body.phone,
    };
    let contact = state
        .identity()?
        .add_contact(session.request(request))
        .await
        .map_err(body_error)?
        .into_inner();
    Ok((StatusCode::CREATED, Json(Contact::from(contact))).into_response())
}

/// Removes a technical contact.
#[utoipa::path(delete, path = "/organisation/contacts/{id}", tag = "comptes", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_contact(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .identity()?
        .remove_contact(session.request(pb::RemoveContactRequest { contact_id: id }))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Registration {
    pub account: Account,
    pub organisation: Option<Organisation>,
}

/// Registrations waiting for approval (administrators).
#[utoipa::path(get, path = "/admin/registrations", tag = "administration", responses((status = 200, body = [Registration]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_registrations(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
) -> Result<Json<Vec<Registration>>, ApiError> {
    let registrations = state
        .identity()?
        .list_registrations(session.request(pb::ListRegistrationsRequest { status: 0 }))
        .await?
        .into_inner()
        .registrations;
    Ok(Json(
        registrations
            .into_iter()
            .map(|r| Registration {
                account: r.account.unwrap_or_default().into(),
                organisation: r.organisation.map(Organisation::from),
            })
            .collect(),
    ))
}

/// Approves a registration: the member receives an invitation link.
#[utoipa::path(post, path = "/admin/registrations/{id}/approve", tag = "administration", params(("id" = String, Path)),
    responses((status = 200, body = Account), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<Account>, ApiError> {
    let account = state
        .identity()?
        .approve_registration(session.request(pb::ApproveRegistrationRequest { account_id: id }))
        .await?
        .into_inner();
    Ok(Json(account.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReasonBody {
    pub reason: String,
}

/// Rejects a registration with a reason, which the member receives by mail.
#[utoipa::path(post, path = "/admin/registrations/{id}/reject", tag = "administration", params(("id" = String, Path)), request_body = ReasonBody,
    responses((status = 200, body = Account), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reject(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Path(id): Path<String>,
    Body(body): Body<ReasonBody>,
) -> Result<Json<Account>, ApiError> {
    let request = pb::RejectRegistrationRequest {
        account_id: id,
        reason: body.reason,
    };
    let account = state
        .identity()?
        .reject_registration(session.request(request))
        .await
        .map_err(body_error)?
        .into_inner();
    Ok(Json(account.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffBody {
    pub identifier: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// `lead` or `admin`.
    pub role: String,
}

/// Creates a lead or administrator account; the person receives an invitation link.
#[utoipa::path(post, path = "/admin/staff", tag = "administration", request_body = StaffBody,
    responses((status = 201, body = Account), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_staff(
    State(state): State<AppState>,
    ApiSession(session): ApiSession,
    Body(body): Body<StaffBody>,
) -> Result<Response, ApiError> {
    let role = match body.role.as_str() {
        "lead" => pb::Role::Lead,
        "admin" => pb::Role::Admin,
        _ => {
            return Err(ApiError(AppError::Unprocessable(vec![FieldError::new(
                "role",
                "Rôle inconnu : choisissez « lead » (chef de file) ou « admin ».",
            )])));
        }
    };
    let request = pb::CreateStaffRequest {
        identifier: body.identifier,
        email: body.email,
        first_name: body.first_name,
        last_name: body.last_name,
        role: role.into(),
    };
    let account = state
        .identity()?
        .create_staff(session.request(request))
        .await
        .map_err(body_error)?
        .into_inner();
    Ok((StatusCode::CREATED, Json(Account::from(account))).into_response())
}

/// An organisation's logo (public, cacheable: its URL changes with every new logo).
pub async fn logo(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let logo = state
        .identity()?
        .get_logo(pb::GetLogoRequest {
            organisation_id: id,
        })
        .await?
        .into_inner();
    Ok((
        [
            (header::CONTENT_TYPE, logo.content_type),
            (
                header::CACHE_CONTROL,
                "public, max-age=31536000, immutable".to_owned(),
            ),
        ],
        logo.image,
    )
        .into_response())
}
