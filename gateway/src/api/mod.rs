//! The JSON API under `/api/v1`, documented by the OpenAPI 3.1 document it serves.

use axum::{Json, Router, routing::get};
use utoipa::OpenApi as _;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{error::ApiError, state::AppState};

pub mod accounts;
pub mod catalog;
pub mod favorites;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "API de la plateforme ID77",
        description = "Catalogue des offres de service d'ID77, l'ingénierie départementale de Seine-et-Marne.",
        version = "1.0.0",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2")
    ),
    tags(
        (name = "catalogue", description = "Domaines, typologies et offres de service"),
        (name = "comptes", description = "Inscription, connexion, compte et profil de la collectivité"),
        (name = "favoris", description = "Offres mises en favoris"),
        (name = "administration", description = "Inscriptions à valider et comptes du personnel ID77"),
    )
)]
struct ApiDoc;

/// The API routes and their OpenAPI document (served at `/api/v1/openapi.json`).
pub fn router() -> Router<AppState> {
    let v1 = OpenApiRouter::new()
        .routes(routes!(catalog::list_domains))
        .routes(routes!(catalog::list_typologies))
        .routes(routes!(catalog::search_offers))
        .routes(routes!(catalog::get_offer))
        .routes(routes!(accounts::register))
        .routes(routes!(accounts::confirm_registration))
        .routes(routes!(accounts::accept_invitation))
        .routes(routes!(accounts::login, accounts::logout))
        .routes(routes!(accounts::request_reset))
        .routes(routes!(accounts::complete_reset))
        .routes(routes!(accounts::get_me, accounts::update_me))
        .routes(routes!(accounts::change_password))
        .routes(routes!(
            accounts::get_organisation,
            accounts::update_organisation
        ))
        .routes(routes!(accounts::set_logo))
        .routes(routes!(accounts::list_contacts, accounts::add_contact))
        .routes(routes!(accounts::remove_contact))
        .routes(routes!(accounts::list_registrations))
        .routes(routes!(accounts::approve))
        .routes(routes!(accounts::reject))
        .routes(routes!(accounts::create_staff))
        .routes(routes!(favorites::list))
        .routes(routes!(favorites::add, favorites::remove));
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .split_for_parts();
    let openapi = std::sync::Arc::new(openapi);
    router
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json(openapi.as_ref().clone()) }),
        )
        .route(
            "/api/v1/{*rest}",
            axum::routing::any(|| async {
                ApiError(crate::error::AppError::NotFound(
                    "Aucune route de l'API ne correspond à cette adresse.".to_owned(),
                ))
            }),
        )
}
