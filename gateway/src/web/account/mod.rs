//! "Mon compte" (the account, its login details and password) and "Editez le profil de votre
//! collectivité" (the organisation, its logo and technical contacts).
//!
//! One file per part of the pages (account, profile, logo, contacts); this one keeps the views
//! both pages show, and re-exports every handler so that the router names
//! `account::<handler>` wherever it lives.

use id77_proto::identity::v1 as pb;

use super::forms::{
    categories_label, person_label, phone_display, siret_display, thousands, title_label,
};
use crate::{api::accounts::logo_url, error::AppError, session::Session, state::AppState};

mod contacts;
mod logo;
mod me;
mod profile;

pub use contacts::*;
pub use logo::*;
pub use me::*;
pub use profile::*;

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
        name: organisation.organisation_name.clone(),
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

async fn get_organisation(
    state: &AppState,
    session: &Session,
) -> Result<pb::Organisation, AppError> {
    state
        .identity()?
        .get_organisation(session, pb::GetOrganisationRequest {})
        .await
}
