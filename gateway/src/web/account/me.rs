//! "Mon compte": the account's login details and its password.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{RawForm, RawQuery, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use id77_proto::identity::v1 as pb;

use super::{OrganisationView, get_organisation, organisation_view};
use crate::{
    error::AppError,
    extract::PageSession,
    session::{CurrentUser, REFRESH_COOKIE, Session},
    state::AppState,
    web::{
        Flash, Layout, PageError,
        auth::{PASSWORDS_DIFFER, new_password_fields},
        datetime_fr, fields, form_status,
        forms::{Field, Form, FormData, Kind, phone_display, same_name},
        shown_in_form,
    },
};

pub struct AccountView {
    pub display_name: String,
    pub identifier: String,
    pub email: String,
    pub pending_email: String,
    pub phone: String,
    pub created: String,
}

async fn get_me(state: &AppState, session: &Session) -> Result<pb::Account, AppError> {
    state.identity()?.get_me(session, pb::GetMeRequest {}).await
}

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
            fields::first_name("first_name", "Prénom", "given-name", data),
            fields::last_name("last_name", "Nom", "family-name", data),
            fields::email("email", "E-mail", data)
                .hint("Une nouvelle adresse ne remplace l'actuelle qu'une fois confirmée par le lien que nous y enverrons.")
                .autocomplete("email"),
            fields::phone("phone", "Téléphone", data)
                .hint("Par exemple 01 64 14 73 56")
                .autocomplete("tel")
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
    RawQuery(raw): RawQuery,
) -> Result<AccountPage, PageError> {
    Ok(account_page(&state, &user, &session, raw.as_deref(), None, None).await?)
}

/// "Editer les informations de connexion".
pub async fn update_me(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
    let data = FormData::parse(&body);
    let email = data.get("email").trim().to_owned();
    let request = pb::UpdateMeRequest {
        first_name: Some(data.get("first_name").to_owned()),
        last_name: Some(data.get("last_name").to_owned()),
        phone: Some(data.get("phone").to_owned()),
        email: Some(email.clone()),
    };
    let error = match async { state.identity()?.update_me(&session, request).await }.await {
        Ok(account) => {
            let asked_new = !account.pending_email.is_empty()
                && account.pending_email.eq_ignore_ascii_case(&email)
                && !account.email.eq_ignore_ascii_case(&email);
            let flash = if asked_new {
                Flash::EmailPending
            } else {
                Flash::AccountSaved
            };
            return Ok(Redirect::to(&flash.url("/compte")).into_response());
        }
        Err(error) => shown_in_form(error)?,
    };
    let mut form = account_form(&data);
    form.set_failure(&error, same_name);
    let page = account_page(&state, &user, &session, None, Some(form), None).await?;
    Ok((form_status(&error), page).into_response())
}

/// "Modifier le mot de passe": the service ends the account's other sessions and keeps this
/// one (its refresh token goes with the request).
pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    PageSession(session): PageSession,
    jar: CookieJar,
    RawForm(body): RawForm,
) -> Result<Response, PageError> {
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
        match async { state.identity()?.change_password(&session, request).await }.await {
            Ok(_) => {
                return Ok(Redirect::to(&Flash::PasswordChanged.url("/compte")).into_response());
            }
            Err(error) => shown_in_form(error)?,
        }
    } else {
        AppError::Unprocessable(vec![crate::error::FieldError::new(
            "new_password_confirmation",
            PASSWORDS_DIFFER,
        )])
    };
    // The service names the new password `new_password`; `password` would be the same field.
    form.set_failure(&error, |field| {
        (field == "password").then_some("new_password")
    });
    let page = account_page(&state, &user, &session, None, None, Some(form)).await?;
    Ok((form_status(&error), page).into_response())
}
