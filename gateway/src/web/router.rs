//! Every page of the web UI and the handler that answers it.

use axum::{
    Router,
    extract::DefaultBodyLimit,
    response::Redirect,
    routing::{get, post},
};

use super::{account, admin, auth, catalogue, favorites, legal};
use id77_kit::links;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue::home))
        .route("/offres/{code}", get(catalogue::offer))
        .route("/mentions-legales", get(legal::legal_notice))
        .route("/donnees-personnelles", get(legal::privacy))
        .route("/accessibilite", get(legal::accessibility))
        .route("/contact", get(legal::contact))
        .route("/connexion", get(auth::login_page).post(auth::login))
        .route(
            "/deconnexion",
            get(|| async { Redirect::to("/") }).post(auth::logout),
        )
        .route(
            "/inscription",
            get(auth::register_page).post(auth::register),
        )
        .route("/inscription/envoyee", get(auth::registered))
        .route(
            links::CONFIRM_REGISTRATION,
            get(auth::confirm_email_page).post(auth::confirm_email),
        )
        .route("/inscription/adresse-confirmee", get(auth::email_confirmed))
        .route(
            links::ACCEPT_INVITATION,
            get(auth::invitation_page).post(auth::accept_invitation),
        )
        .route(
            "/mot-de-passe-oublie",
            get(auth::forgot_page).post(auth::forgot),
        )
        .route(
            links::RESET_PASSWORD,
            get(auth::reset_page).post(auth::reset),
        )
        .route("/compte", get(account::page).post(account::update_me))
        .route(
            "/compte/mot-de-passe",
            get(|| async { Redirect::to("/compte") }).post(account::change_password),
        )
        .route(
            links::CONFIRM_EMAIL_CHANGE,
            get(auth::confirm_email_change_page).post(auth::confirm_email_change),
        )
        .route(
            "/compte/profil",
            get(account::profile_page).post(account::update_profile),
        )
        .route(
            "/compte/profil/logo",
            get(|| async { Redirect::to("/compte/profil") })
                // The multipart envelope around a 2 MB image is a little over 2 MB.
                .post(account::upload_logo)
                .layer(DefaultBodyLimit::max(3 * 1024 * 1024)),
        )
        .route(
            "/compte/profil/contacts",
            get(|| async { Redirect::to("/compte/profil") }).post(account::add_contact),
        )
        .route(
            "/compte/profil/contacts/{id}/supprimer",
            post(account::remove_contact),
        )
        .route("/favoris", get(favorites::page))
        .route("/favoris/{code}", post(favorites::add))
        .route("/favoris/{code}/supprimer", post(favorites::remove))
        .route("/admin/inscriptions", get(admin::page))
        .route("/admin/inscriptions/{id}/valider", post(admin::approve))
        .route("/admin/inscriptions/{id}/refuser", post(admin::reject))
        .route(
            "/admin/personnel",
            get(|| async { Redirect::to("/admin/inscriptions") }).post(admin::create_staff),
        )
}
