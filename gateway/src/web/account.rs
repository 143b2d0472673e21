//! "Mon compte" (the account, its login details and password) and "Editez le profil de votre
//! collectivité" (the organisation, its logo and technical contacts).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Multipart, Path, RawForm, RawQuery, State, multipart::MultipartRejection},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use id77_proto::identity::v1 as pb;

use super::{
    Flash, Layout,
    auth::{PASSWORDS_DIFFER, new_password_fields},
    datetime_fr, failure_page, form_status,
    forms::{
        CATEGORIES, CIVILITIES, Field, Form, FormData, Kind, TITLES, canton_field,
        categories_label, person_label, phone_display, population_number, same_name, siret_display,
        thousands, title_label,
    },
};
use crate::{
    error::AppError,
    extract::PageSession,
    session::{CurrentUser, REFRESH_COOKIE, Session},
    state::AppState,
};

/// Largest logo accepted, as the identity service says.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;
const LOGO_TOO_LARGE: &str =
    "Cette image dépasse 2 Mo : choisissez une image plus légère (PNG, JPEG ou WebP).";
const LOGO_MISSING: &str = "Choisissez une image PNG, JPEG ou WebP de 2 Mo au plus.";

pub struct AccountView {
    pub display_name: String,
    pub identifier: String,
    pub email: String,
    pub pending_email: String,
    pub phone: String,
    pub created: String,
}

pub struct ContactView {
    pub id: String,
    pub title: String,
    pub full_name: String,
    pub service: String,
    pub email: String,
    pub phone: String,
    pub phone_href: String,
}

pub struct OrganisationView {
    pub name: String,
    /// "Maire" or "Président(e)".
    pub title: String,
    pub representative: String,
    pub referent: String,
    pub population: String,
    pub siret: String,
    pub canton: String,
    pub categories: String,
    pub website: String,
    pub logo_url: Option<String>,
    pub contacts: Vec<ContactView>,
}

fn logo_url(organisation: &pb::Organisation) -> Option<String> {
    (!organisation.logo_version.is_empty())
        .then(|| format!("/logos/{}?v={}", organisation.id, organisation.logo_version))
}

fn contact_view(contact: &pb::Contact) -> ContactView {
    ContactView {
        id: contact.id.clone(),
        title: contact.title.clone(),
        full_name: contact.full_name.clone(),
        service: contact.service.clone(),
        email: contact.email.clone(),
        phone: phone_display(&contact.phone),
        phone_href: contact.phone.clone(),
    }
}

fn organisation_view(organisation: &pb::Organisation) -> OrganisationView {
    let representative = organisation.representative.clone().unwrap_or_default();
    let referent = organisation.admin_referent.clone().unwrap_or_default();
    OrganisationView {
        name: organisation.name.clone(),
        title: title_label(&representative.title),
        representative: person_label(
            &representative.civility,
            &representative.first_name,
            &representative.last_name,
        ),
        referent: person_label(
            &referent.civility,
            &referent.first_name,
            &referent.last_name,
        ),
        population: thousands(organisation.population),
        siret: siret_display(&organisation.siret),
        canton: organisation.canton.clone(),
        categories: categories_label(&organisation.categories),
        website: organisation.website.clone(),
        logo_url: logo_url(organisation),
        contacts: organisation.contacts.iter().map(contact_view).collect(),
    }
}

async fn get_me(state: &AppState, session: &Session) -> Result<pb::Account, AppError> {
    Ok(state
        .identity()?
        .get_me(session.request(pb::GetMeRequest {}))
        .await?
        .into_inner())
}

async fn get_organisation(
    state: &AppState,
    session: &Session,
) -> Result<pb::Organisation, AppError> {
    Ok(state
        .identity()?
        .get_organisation(session.request(pb::GetOrganisationRequest {}))
        .await?
        .into_inner())
}

// ----- Mon compte ------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub layout: Layout,
    pub account: AccountView,
    pub organisation: Option<OrganisationView>,
    pub account_form: Form,
    pub password_form: Form,
}

fn account_form(data: &FormData) -> Form {
    Form::new(
        "account-form",
        vec![
            Field::text("first_name", "Prénom")
                .value(data.get("first_name"))
                .autocomplete("given-name")
                .maxlength(100)
                .rule("first_name"),
            Field::text("last_name", "Nom")
                .value(data.get("last_name"))
                .autocomplete("family-name")
                .maxlength(100)
                .rule("last_name"),
            Field::new(Kind::Email, "email", "E-mail")
                .value(data.get("email"))
                .hint("Une nouvelle adresse ne remplace l'actuelle qu'une fois confirmée par le lien que nous y enverrons.")
                .autocomplete("email")
                .maxlength(254)
                .rule("email"),
            Field::new(Kind::Tel, "phone", "Téléphone")
                .value(data.get("phone"))
                .hint("Par exemple 01 64 14 73 56")
                .autocomplete("tel")
                .maxlength(25)
                .rule("phone")
                .optional(),
        ],
    )
}

fn password_form() -> Form {
    let mut fields = vec![
        Field::new(Kind::Password, "current_password", "Mot de passe actuel")
            .autocomplete("current-password")
            .maxlength(1024),
    ];
    fields.extend(new_password_fields(
        "new_password",
        "new_password_confirmation",
        "Nouveau mot de passe",
    ));
    Form::new("password-form", fields)
}

fn account_data(account: &pb::Account) -> FormData {
    FormData::from_pairs([
        ("first_name", account.first_name.clone()),
        ("last_name", account.last_name.clone()),
        ("email", account.email.clone()),
        ("phone", phone_display(&account.phone)),
    ])
}

/// The page with its forms as given (a form sent back with errors), or as the account is.
async fn account_page(
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
    raw_query: Option<&str>,
    account_form_sent: Option<Form>,
    password_form_sent: Option<Form>,
) -> Result<AccountPage, AppError> {
    let account = get_me(state, session).await?;
    let organisation = if account.organisation_id.is_empty() {
        None
    } else {
        Some(organisation_view(&get_organisation(state, session).await?))
    };
    let display_name = format!("{} {}", account.first_name, account.last_name)
        .trim()
        .to_owned();
    Ok(AccountPage {
        layout: Layout::new(state, user).flash(raw_query),
        account_form: account_form_sent.unwrap_or_else(|| account_form(&account_data(&account))),
        password_form: password_form_sent.unwrap_or_else(password_form),
        account: AccountView {
            display_name: if display_name.is_empty() {
                account.identifier.clone()
            } else {
                display_name
            },
            identifier: account.identifier,
            email: account.email,
            pending_email: account.pending_email,
            phone: phone_display(&account.phone),
            created: datetime_fr(account.created_at.as_ref()),
        },
        organisation,
    })
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> Response {
    match account_page(&state, &user, &session, raw.as_deref(), None, None).await {
        Ok(page) => page.into_response(),
        Err(error) => failure_page(&state, &user, jar, &error, "/compte"),
    }
}

/// "Editer les informations de connexion".
pub async fn update_me(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    jar: CookieJar,
    RawForm(body): RawForm,
) -> Response {
    let data = FormData::parse(&body);
    let email = data.get("email").trim().to_owned();
    let request = pb::UpdateMeRequest {
        first_name: Some(data.get("first_name").to_owned()),
        last_name: Some(data.get("last_name").to_owned()),
        phone: Some(data.get("phone").to_owned()),
        email: Some(email.clone()),
    };
    let result = match state.identity() {
        Ok(mut identity) => identity
            .update_me(session.request(request))
            .await
            .map(tonic::Response::into_inner),
        Err(status) => Err(status),
    };
    let error = match result {
        Ok(account) => {
            let asked_new = !account.pending_email.is_empty()
                && account.pending_email.eq_ignore_ascii_case(&email)
                && !account.email.eq_ignore_ascii_case(&email);
            let flash = if asked_new {
                Flash::EmailPending
            } else {
                Flash::AccountSaved
            };
            return Redirect::to(&flash.url("/compte")).into_response();
        }
        Err(status) => AppError::from(status),
    };
    if matches!(error, AppError::Unauthenticated(_)) {
        return failure_page(&state, &user, jar, &error, "/compte");
    }
    let mut form = account_form(&data);
    form.set_failure(&error, same_name);
    match account_page(&state, &user, &session, None, Some(form), None).await {
        Ok(page) => (form_status(&error), page).into_response(),
        Err(error) => failure_page(&state, &user, jar, &error, "/compte"),
    }
}

/// "Modifier le mot de passe": the service ends the account's other sessions and keeps this
/// one (its refresh token goes with the request).
pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    jar: CookieJar,
    RawForm(body): RawForm,
) -> Response {
    let data = FormData::parse(&body);
    let mut form = password_form();
    let error = if data.get("new_password") == data.get("new_password_confirmation") {
        let request = pb::ChangePasswordRequest {
            current_password: data.get("current_password").to_owned(),
            new_password: data.get("new_password").to_owned(),
            refresh_token: jar
                .get(REFRESH_COOKIE)
                .map(|c| c.value().to_owned())
                .unwrap_or_default(),
        };
        let result = match state.identity() {
            Ok(mut identity) => identity
                .change_password(session.request(request))
                .await
                .map(|_| ()),
            Err(status) => Err(status),
        };
        match result {
            Ok(()) => return Redirect::to(&Flash::PasswordChanged.url("/compte")).into_response(),
            Err(status) => AppError::from(status),
        }
    } else {
        AppError::Unprocessable(vec![crate::error::FieldError::new(
            "new_password_confirmation",
            PASSWORDS_DIFFER,
        )])
    };
    if matches!(error, AppError::Unauthenticated(_)) {
        return failure_page(&state, &user, jar, &error, "/compte");
    }
    // The service names the new password `new_password`; `password` would be the same field.
    form.set_failure(&error, |field| {
        (field == "password").then_some("new_password")
    });
    match account_page(&state, &user, &session, None, None, Some(form)).await {
        Ok(page) => (form_status(&error), page).into_response(),
        Err(error) => failure_page(&state, &user, jar, &error, "/compte"),
    }
}

// ----- Profil de la collectivité ---------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub layout: Layout,
    pub name: String,
    pub form: Form,
    pub logo_url: Option<String>,
    pub logo_error: Option<String>,
    pub contacts: Vec<ContactView>,
    pub contact_form: Form,
}

/// The guide's profile form, filled with `data` (names as in the registration).
fn profile_form(data: &FormData) -> Form {
    Form::new(
        "profile-form",
        vec![
            Field::text("organisation_name", "Collectivité / Organisme")
                .value(data.get("organisation_name"))
                .autocomplete("organization")
                .maxlength(200)
                .rule("organisation_name"),
            canton_field(data),
            Field::text("population", "Population")
                .value(data.get("population"))
                .hint("Nombre d'habitants")
                .inputmode("numeric")
                .autocomplete("off")
                .maxlength(12)
                .rule("population"),
            Field::text("siret", "SIRET")
                .value(data.get("siret"))
                .hint("14 chiffres")
                .inputmode("numeric")
                .autocomplete("off")
                .maxlength(20)
                .rule("siret"),
            Field::new(Kind::Url, "website", "Site Internet")
                .value(data.get("website"))
                .hint("Par exemple https://www.mairie-melun.fr")
                .autocomplete("url")
                .maxlength(300)
                .rule("website")
                .optional(),
            Field::new(
                Kind::Radio,
                "representative.civility",
                "Civilité Président/Maire",
            )
            .value(data.get("representative.civility"))
            .options(&CIVILITIES)
            .rule("civility"),
            Field::new(
                Kind::Radio,
                "representative.title",
                "Titre (Président/Maire)",
            )
            .value(data.get("representative.title"))
            .options(&TITLES)
            .rule("title"),
            Field::text("representative.first_name", "Prénom Président/Maire")
                .value(data.get("representative.first_name"))
                .autocomplete("off")
                .maxlength(100)
                .rule("first_name"),
            Field::text("representative.last_name", "Nom Président/Maire")
                .value(data.get("representative.last_name"))
                .autocomplete("off")
                .maxlength(100)
                .rule("last_name"),
            Field::new(
                Kind::Radio,
                "admin_referent.civility",
                "Civilité du référent administratif",
            )
            .value(data.get("admin_referent.civility"))
            .options(&CIVILITIES)
            .rule("civility"),
            Field::text("admin_referent.first_name", "Prénom du référent")
                .value(data.get("admin_referent.first_name"))
                .autocomplete("off")
                .maxlength(100)
                .rule("first_name"),
            Field::text("admin_referent.last_name", "Nom du référent")
                .value(data.get("admin_referent.last_name"))
                .autocomplete("off")
                .maxlength(100)
                .rule("last_name"),
            Field::new(Kind::Checkboxes, "categories", "Catégories")
                .checked(data.all("categories"))
                .options(&CATEGORIES)
                .rule("categories"),
        ],
    )
}

fn profile_data(organisation: &pb::Organisation) -> FormData {
    let representative = organisation.representative.clone().unwrap_or_default();
    let referent = organisation.admin_referent.clone().unwrap_or_default();
    let mut pairs = vec![
        ("organisation_name", organisation.name.clone()),
        ("canton", organisation.canton.clone()),
        ("population", organisation.population.to_string()),
        ("siret", siret_display(&organisation.siret)),
        ("website", organisation.website.clone()),
        ("representative.civility", representative.civility),
        ("representative.title", representative.title),
        ("representative.first_name", representative.first_name),
        ("representative.last_name", representative.last_name),
        ("admin_referent.civility", referent.civility),
        ("admin_referent.first_name", referent.first_name),
        ("admin_referent.last_name", referent.last_name),
    ];
    pairs.extend(
        organisation
            .categories
            .iter()
            .map(|c| ("categories", c.clone())),
    );
    FormData::from_pairs(pairs)
}

/// The organisation's name field is `name` in the service's profile violations.
fn profile_field(field: &str) -> Option<&'static str> {
    (field == "name").then_some("organisation_name")
}

fn contact_form(data: &FormData) -> Form {
    Form::new(
        "contact-form",
        vec![
            Field::text("contact.title", "Titre")
                .value(data.get("contact.title"))
                .maxlength(100)
                .rule("contact_title"),
            Field::text("contact.full_name", "Nom et Prénom")
                .value(data.get("contact.full_name"))
                .autocomplete("off")
                .maxlength(100)
                .rule("contact_full_name"),
            Field::text("contact.service", "Service")
                .value(data.get("contact.service"))
                .maxlength(100)
                .rule("contact_service"),
            Field::new(Kind::Email, "contact.email", "E-mail")
                .value(data.get("contact.email"))
                .autocomplete("off")
                .maxlength(254)
                .rule("email"),
            Field::new(Kind::Tel, "contact.phone", "Numéro de téléphone")
                .value(data.get("contact.phone"))
                .autocomplete("off")
                .maxlength(25)
                .rule("phone"),
        ],
    )
}

/// The service names a contact's fields without the form's `contact.` prefix.
fn contact_field(field: &str) -> Option<&'static str> {
    match field {
        "title" => Some("contact.title"),
        "full_name" => Some("contact.full_name"),
        "service" => Some("contact.service"),
        "email" => Some("contact.email"),
        "phone" => Some("contact.phone"),
        _ => None,
    }
}

/// What went wrong on one of the profile page's forms, to show with it.
#[derive(Default)]
struct ProfileSent {
    form: Option<Form>,
    logo_error: Option<String>,
    contact_form: Option<Form>,
}

async fn build_profile_page(
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
    raw_query: Option<&str>,
    sent: ProfileSent,
) -> Result<ProfilePage, AppError> {
    let organisation = get_organisation(state, session).await?;
    Ok(ProfilePage {
        layout: Layout::new(state, user).flash(raw_query),
        name: organisation.name.clone(),
        form: sent
            .form
            .unwrap_or_else(|| profile_form(&profile_data(&organisation))),
        logo_url: logo_url(&organisation),
        logo_error: sent.logo_error,
        contacts: organisation.contacts.iter().map(contact_view).collect(),
        contact_form: sent
            .contact_form
            .unwrap_or_else(|| contact_form(&FormData::default())),
    })
}

/// The profile page again with what was sent and its errors, with the status of `error`.
async fn profile_again(
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
    jar: CookieJar,
    error: &AppError,
    sent: ProfileSent,
) -> Response {
    if matches!(error, AppError::Unauthenticated(_)) {
        return failure_page(state, user, jar, error, "/compte/profil");
    }
    match build_profile_page(state, user, session, None, sent).await {
        Ok(page) => (form_status(error), page).into_response(),
        Err(error) => failure_page(state, user, jar, &error, "/compte/profil"),
    }
}

pub async fn profile_page(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> Response {
    match build_profile_page(
        &state,
        &user,
        &session,
        raw.as_deref(),
        ProfileSent::default(),
    )
    .await
    {
        Ok(page) => page.into_response(),
        Err(error) => failure_page(&state, &user, jar, &error, "/compte/profil"),
    }
}

pub async fn update_profile(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    jar: CookieJar,
    RawForm(body): RawForm,
) -> Response {
    let data = FormData::parse(&body);
    let request = pb::UpdateOrganisationRequest {
        name: Some(data.get("organisation_name").to_owned()),
        categories: data.all("categories"),
        set_categories: true,
        siret: Some(data.get("siret").to_owned()),
        population: Some(population_number(data.get("population"))),
        canton: Some(data.get("canton").to_owned()),
        representative: Some(pb::Representative {
            title: data.get("representative.title").to_owned(),
            civility: data.get("representative.civility").to_owned(),
            first_name: data.get("representative.first_name").to_owned(),
            last_name: data.get("representative.last_name").to_owned(),
        }),
        admin_referent: Some(pb::Person {
            civility: data.get("admin_referent.civility").to_owned(),
            first_name: data.get("admin_referent.first_name").to_owned(),
            last_name: data.get("admin_referent.last_name").to_owned(),
        }),
        website: Some(data.get("website").to_owned()),
    };
    let result = match state.identity() {
        Ok(mut identity) => identity
            .update_organisation(session.request(request))
            .await
            .map(|_| ()),
        Err(status) => Err(status),
    };
    match result {
        Ok(()) => Redirect::to(&Flash::ProfileSaved.url("/compte")).into_response(),
        Err(status) => {
            let error = AppError::from(status);
            let mut form = profile_form(&data);
            form.set_failure(&error, profile_field);
            let sent = ProfileSent {
                form: Some(form),
                ..ProfileSent::default()
            };
            profile_again(&state, &user, &session, jar, &error, sent).await
        }
    }
}

/// The `logo` part of the upload, read up to [`MAX_LOGO_BYTES`].
async fn read_logo(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Vec<u8>, &'static str> {
    let mut multipart = multipart.map_err(|_| LOGO_MISSING)?;
    // A body over the route's limit fails while being read: too large.
    while let Some(mut field) = multipart.next_field().await.map_err(|_| LOGO_TOO_LARGE)? {
        if field.name() != Some("logo") {
            continue;
        }
        let mut image = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| LOGO_TOO_LARGE)? {
            if image.len() + chunk.len() > MAX_LOGO_BYTES {
                return Err(LOGO_TOO_LARGE);
            }
            image.extend_from_slice(&chunk);
        }
        return if image.is_empty() {
            Err(LOGO_MISSING)
        } else {
            Ok(image)
        };
    }
    Err(LOGO_MISSING)
}

pub async fn upload_logo(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    jar: CookieJar,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let error = match read_logo(multipart).await {
        Ok(image) => {
            let result = match state.identity() {
                Ok(mut identity) => identity
                    .set_logo(session.request(pb::SetLogoRequest { image }))
                    .await
                    .map(|_| ()),
                Err(status) => Err(status),
            };
            match result {
                Ok(()) => {
                    return Redirect::to(&Flash::LogoSaved.url("/compte/profil")).into_response();
                }
                Err(status) => AppError::from(status),
            }
        }
        Err(message) => {
            AppError::Unprocessable(vec![crate::error::FieldError::new("logo", message)])
        }
    };
    let logo_error = match &error {
        AppError::Invalid(errors) | AppError::Unprocessable(errors) => Some(
            errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => Some(other.detail()),
    };
    let sent = ProfileSent {
        logo_error,
        ..ProfileSent::default()
    };
    profile_again(&state, &user, &session, jar, &error, sent).await
}

pub async fn add_contact(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    jar: CookieJar,
    RawForm(body): RawForm,
) -> Response {
    let data = FormData::parse(&body);
    let request = pb::AddContactRequest {
        title: data.get("contact.title").to_owned(),
        full_name: data.get("contact.full_name").to_owned(),
        service: data.get("contact.service").to_owned(),
        email: data.get("contact.email").to_owned(),
        phone: data.get("contact.phone").to_owned(),
    };
    let result = match state.identity() {
        Ok(mut identity) => identity
            .add_contact(session.request(request))
            .await
            .map(|_| ()),
        Err(status) => Err(status),
    };
    match result {
        Ok(()) => Redirect::to(&Flash::ContactAdded.url("/compte/profil#contacts")).into_response(),
        Err(status) => {
            let error = AppError::from(status);
            let mut form = contact_form(&data);
            form.set_failure(&error, contact_field);
            let sent = ProfileSent {
                contact_form: Some(form),
                ..ProfileSent::default()
            };
            profile_again(&state, &user, &session, jar, &error, sent).await
        }
    }
}

pub async fn remove_contact(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let result = match state.identity() {
        Ok(mut identity) => identity
            .remove_contact(session.request(pb::RemoveContactRequest { contact_id: id }))
            .await
            .map(|_| ()),
        Err(status) => Err(status),
    };
    match result.map_err(AppError::from) {
        // Already gone (a second click, another tab): the list is as asked.
        Ok(()) | Err(AppError::NotFound(_)) => {
            Redirect::to(&Flash::ContactRemoved.url("/compte/profil#contacts")).into_response()
        }
        Err(error) => failure_page(&state, &user, jar, &error, "/compte/profil"),
    }
}
