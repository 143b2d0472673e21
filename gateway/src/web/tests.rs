//! The account pages against fake identity and catalog services, called in-process over gRPC
//! like the all-in-one app does: forms, redirects, cookies, field errors in place, access rules.
//! The real services' rules are theirs (and tested there); the fakes only answer enough to drive
//! every page.

use std::sync::{Arc, Mutex};

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use id77_kit::{
    auth::{Claims, Role, Signer, Verifier},
    violations::{FieldViolation, invalid_argument},
};
use id77_proto::{
    catalog::v1::{self as cpb, catalog_service_server::CatalogServiceServer},
    identity::v1::{self as pb, identity_service_server::IdentityServiceServer},
};
use tonic::{Status, service::Routes};
use tower::ServiceExt as _;

use crate::{AppState, Services, Settings, state::in_process};

type Answer<T> = Result<tonic::Response<T>, Status>;

pub const PASSWORD: &str = "cheval agrafe batterie correcte";
const MEMBER_ID: &str = "0191d2c4-0000-7000-8000-000000000001";
const ADMIN_ID: &str = "0191d2c4-0000-7000-8000-000000000002";
const ORG_ID: &str = "0191d2c4-0000-7000-8000-0000000000aa";
const PENDING_ID: &str = "0191d2c4-0000-7000-8000-000000000003";

/// What the fakes remember, for the tests to look at.
#[derive(Default)]
pub struct Recorded {
    pub registrations: Vec<pb::RegisterRequest>,
    pub revoked: Vec<String>,
    pub kept_refresh_token: Option<String>,
    pub logo_bytes: Option<usize>,
    pub favorites: Vec<String>,
    pub organisation: Option<pb::Organisation>,
    pub contacts: Vec<pb::Contact>,
    pub approved: Vec<String>,
    pub rejected: Vec<(String, String)>,
    pub staff: Vec<pb::CreateStaffRequest>,
    pub pending_email: String,
    /// The service no longer accepts the sessions it issued (revoked, key rotated).
    pub sessions_refused: bool,
}

#[derive(Clone)]
struct FakeIdentity {
    signer: Arc<Signer>,
    verifier: Verifier,
    recorded: Arc<Mutex<Recorded>>,
}

fn invalid(field: &str, message: &str) -> Status {
    invalid_argument(&[FieldViolation::new(field, message)])
}

fn ts(seconds: i64) -> Option<prost_types::Timestamp> {
    Some(prost_types::Timestamp { seconds, nanos: 0 })
}

fn organisation(recorded: &Recorded) -> pb::Organisation {
    let mut organisation = recorded
        .organisation
        .clone()
        .unwrap_or_else(|| pb::Organisation {
            id: ORG_ID.to_owned(),
            organisation_name: "Commune de MaCommune".to_owned(),
            categories: vec!["communes".to_owned()],
            siret: "21770288500013".to_owned(),
            population: 3400,
            canton: "Fontainebleau".to_owned(),
            representative: Some(pb::Representative {
                title: "maire".to_owned(),
                civility: "homme".to_owned(),
                first_name: "Louis".to_owned(),
                last_name: "Vogel".to_owned(),
            }),
            admin_referent: Some(pb::Person {
                civility: "femme".to_owned(),
                first_name: "Anne".to_owned(),
                last_name: "Test".to_owned(),
            }),
            website: "https://www.macommune.fr".to_owned(),
            logo_version: String::new(),
            contacts: Vec::new(),
        });
    organisation.contacts = recorded.contacts.clone();
    organisation
}

impl FakeIdentity {
    fn account(&self, claims: &Claims) -> pb::Account {
        let admin = claims.role == Role::Admin;
        pb::Account {
            id: claims.sub.to_string(),
            identifier: if admin { "admin" } else { "macommune" }.to_owned(),
            email: if admin {
                "admin@id77.fr"
            } else {
                "mairie@macommune.fr"
            }
            .to_owned(),
            pending_email: self.recorded.lock().unwrap().pending_email.clone(),
            first_name: if admin { "Alice" } else { "Anne" }.to_owned(),
            last_name: if admin { "Admin" } else { "Test" }.to_owned(),
            phone: "+33154135678".to_owned(),
            role: if admin {
                pb::Role::Admin
            } else {
                pb::Role::Member
            }
            .into(),
            status: pb::AccountStatus::Active.into(),
            organisation_id: claims.org.map(|o| o.to_string()).unwrap_or_default(),
            organisation_name: String::new(),
            created_at: ts(1_562_512_680), // 07/07/2019 17:18 in Paris
            rejection_reason: String::new(),
        }
    }

    fn claims<T>(&self, request: &tonic::Request<T>) -> Result<Claims, Status> {
        if self.recorded.lock().unwrap().sessions_refused {
            return Err(Status::unauthenticated(
                "Session expirée : reconnectez-vous.",
            ));
        }
        self.verifier.authenticate(request)
    }
}

#[tonic::async_trait]
impl pb::identity_service_server::IdentityService for FakeIdentity {
    async fn list_cantons(
        &self,
        _request: tonic::Request<pb::ListCantonsRequest>,
    ) -> Answer<pb::ListCantonsResponse> {
        Ok(tonic::Response::new(pb::ListCantonsResponse {
            names: id77_identity::domain::Canton::ALL
                .iter()
                .map(|c| c.name().to_owned())
                .collect(),
        }))
    }

    async fn register(
        &self,
        request: tonic::Request<pb::RegisterRequest>,
    ) -> Answer<pb::RegisterResponse> {
        let r = request.into_inner();
        if r.siret == "12345678911123" {
            return Err(invalid_argument(&[
                FieldViolation::new(
                    "siret",
                    "Ce numéro SIRET n'existe pas : sa clé de contrôle est fausse.",
                ),
                FieldViolation::new(
                    "representative.first_name",
                    "Indiquez le prénom (de 1 à 100 caractères).",
                ),
            ]));
        }
        self.recorded.lock().unwrap().registrations.push(r);
        Ok(tonic::Response::new(pb::RegisterResponse {}))
    }

    async fn confirm_email(
        &self,
        request: tonic::Request<pb::ConfirmEmailRequest>,
    ) -> Answer<pb::ConfirmEmailResponse> {
        match request.into_inner().token.as_str() {
            "bon" => Ok(tonic::Response::new(pb::ConfirmEmailResponse {})),
            _ => Err(Status::failed_precondition("Ce lien n'est plus valable.")),
        }
    }

    async fn accept_invitation(
        &self,
        request: tonic::Request<pb::AcceptInvitationRequest>,
    ) -> Answer<pb::AcceptInvitationResponse> {
        let r = request.into_inner();
        if r.password.chars().count() < 12 {
            return Err(invalid(
                "password",
                "Le mot de passe doit comporter au moins 12 caractères.",
            ));
        }
        match r.token.as_str() {
            "bon" => Ok(tonic::Response::new(pb::AcceptInvitationResponse {})),
            _ => Err(Status::failed_precondition("Ce lien n'est plus valable.")),
        }
    }

    async fn login(&self, request: tonic::Request<pb::LoginRequest>) -> Answer<pb::Session> {
        let r = request.into_inner();
        let (sub, org, role, name) = match (r.identifier.as_str(), r.password.as_str()) {
            ("macommune", PASSWORD) => (MEMBER_ID, Some(ORG_ID), Role::Member, "Anne Test"),
            ("admin", PASSWORD) => (ADMIN_ID, None, Role::Admin, "Alice Admin"),
            _ => {
                return Err(Status::unauthenticated(
                    "Identifiant ou mot de passe incorrect.",
                ));
            }
        };
        let claims = Claims::new(
            sub.parse().unwrap(),
            org.map(|o| o.parse().unwrap()),
            role,
            name,
        );
        let access_token = self.signer.sign(&claims).unwrap();
        let account = self.account(&claims);
        Ok(tonic::Response::new(pb::Session {
            access_token,
            access_expires_at: ts(i64::try_from(claims.exp).unwrap()),
            refresh_token: format!("refresh-{sub}"),
            refresh_expires_at: ts(i64::try_from(claims.exp).unwrap() + 86_400),
            account: Some(account),
        }))
    }

    async fn refresh(&self, _: tonic::Request<pb::RefreshRequest>) -> Answer<pb::Session> {
        Err(Status::unauthenticated(
            "Votre session a pris fin : reconnectez-vous.",
        ))
    }

    async fn logout(
        &self,
        request: tonic::Request<pb::LogoutRequest>,
    ) -> Answer<pb::LogoutResponse> {
        self.recorded
            .lock()
            .unwrap()
            .revoked
            .push(request.into_inner().refresh_token);
        Ok(tonic::Response::new(pb::LogoutResponse {}))
    }

    async fn request_password_reset(
        &self,
        request: tonic::Request<pb::RequestPasswordResetRequest>,
    ) -> Answer<pb::RequestPasswordResetResponse> {
        if !request.get_ref().email.contains('@') {
            return Err(invalid(
                "email",
                "Indiquez une adresse e-mail valide, de la forme nom@domaine.fr.",
            ));
        }
        Ok(tonic::Response::new(pb::RequestPasswordResetResponse {}))
    }

    async fn complete_password_reset(
        &self,
        request: tonic::Request<pb::CompletePasswordResetRequest>,
    ) -> Answer<pb::CompletePasswordResetResponse> {
        match request.into_inner().token.as_str() {
            "bon" => Ok(tonic::Response::new(pb::CompletePasswordResetResponse {})),
            _ => Err(Status::failed_precondition("Ce lien n'est plus valable.")),
        }
    }

    async fn get_me(&self, request: tonic::Request<pb::GetMeRequest>) -> Answer<pb::Account> {
        let claims = self.claims(&request)?;
        Ok(tonic::Response::new(self.account(&claims)))
    }

    async fn update_me(&self, request: tonic::Request<pb::UpdateMeRequest>) -> Answer<pb::Account> {
        let claims = self.claims(&request)?;
        let r = request.into_inner();
        if r.first_name.as_deref() == Some("") {
            return Err(invalid(
                "first_name",
                "Indiquez le prénom (de 1 à 100 caractères).",
            ));
        }
        let email = r.email.unwrap_or_default();
        if email != "mairie@macommune.fr" {
            self.recorded.lock().unwrap().pending_email = email;
        }
        Ok(tonic::Response::new(self.account(&claims)))
    }

    async fn confirm_email_change(
        &self,
        request: tonic::Request<pb::ConfirmEmailChangeRequest>,
    ) -> Answer<pb::ConfirmEmailChangeResponse> {
        match request.into_inner().token.as_str() {
            "bon" => Ok(tonic::Response::new(pb::ConfirmEmailChangeResponse {})),
            _ => Err(Status::failed_precondition("Ce lien n'est plus valable.")),
        }
    }

    async fn change_password(
        &self,
        request: tonic::Request<pb::ChangePasswordRequest>,
    ) -> Answer<pb::ChangePasswordResponse> {
        self.claims(&request)?;
        let r = request.into_inner();
        if r.current_password != PASSWORD {
            return Err(invalid(
                "current_password",
                "Le mot de passe actuel est incorrect.",
            ));
        }
        self.recorded.lock().unwrap().kept_refresh_token = Some(r.refresh_token);
        Ok(tonic::Response::new(pb::ChangePasswordResponse {}))
    }

    async fn get_organisation(
        &self,
        request: tonic::Request<pb::GetOrganisationRequest>,
    ) -> Answer<pb::Organisation> {
        let claims = self.claims(&request)?;
        if claims.org.is_none() {
            return Err(Status::failed_precondition(
                "Votre compte n'est rattaché à aucune collectivité.",
            ));
        }
        Ok(tonic::Response::new(organisation(
            &self.recorded.lock().unwrap(),
        )))
    }

    async fn update_organisation(
        &self,
        request: tonic::Request<pb::UpdateOrganisationRequest>,
    ) -> Answer<pb::Organisation> {
        self.claims(&request)?;
        let r = request.into_inner();
        let mut violations = Vec::new();
        if r.organisation_name
            .as_deref()
            .is_none_or(|n| n.trim().len() < 2)
        {
            violations.push(FieldViolation::new(
                "organisation_name",
                "Indiquez le nom de la collectivité ou de l'organisme.",
            ));
        }
        if r.set_categories && r.categories.is_empty() {
            violations.push(FieldViolation::new(
                "categories",
                "Cochez au moins une catégorie : Communes, EPCI ou Syndicats.",
            ));
        }
        if !violations.is_empty() {
            return Err(invalid_argument(&violations));
        }
        let mut recorded = self.recorded.lock().unwrap();
        let mut organisation = organisation(&recorded);
        organisation.organisation_name = r.organisation_name.unwrap_or_default();
        organisation.categories = r.categories;
        organisation.population = r.population.unwrap_or_default();
        organisation.website = r.website.unwrap_or_default();
        recorded.organisation = Some(organisation.clone());
        Ok(tonic::Response::new(organisation))
    }

    async fn set_logo(
        &self,
        request: tonic::Request<pb::SetLogoRequest>,
    ) -> Answer<pb::Organisation> {
        self.claims(&request)?;
        let image = request.into_inner().image;
        if !image.starts_with(b"\x89PNG") {
            return Err(invalid(
                "logo",
                "Ce fichier n'est pas une image PNG, JPEG ou WebP.",
            ));
        }
        let mut recorded = self.recorded.lock().unwrap();
        recorded.logo_bytes = Some(image.len());
        let mut organisation = organisation(&recorded);
        organisation.logo_version = "v2".to_owned();
        recorded.organisation = Some(organisation.clone());
        Ok(tonic::Response::new(organisation))
    }

    async fn get_logo(&self, _: tonic::Request<pb::GetLogoRequest>) -> Answer<pb::GetLogoResponse> {
        Err(Status::not_found("Cette collectivité n'a pas de logo."))
    }

    async fn add_contact(
        &self,
        request: tonic::Request<pb::AddContactRequest>,
    ) -> Answer<pb::Contact> {
        self.claims(&request)?;
        let r = request.into_inner();
        if r.full_name.trim().is_empty() {
            return Err(invalid_argument(&[
                FieldViolation::new(
                    "full_name",
                    "Indiquez le prénom et le nom (de 1 à 100 caractères).",
                ),
                FieldViolation::new(
                    "phone",
                    "Indiquez un numéro de téléphone français à 10 chiffres.",
                ),
            ]));
        }
        let contact = pb::Contact {
            id: format!(
                "0191d2c4-0000-7000-8000-00000000c{:03}",
                self.recorded.lock().unwrap().contacts.len()
            ),
            title: r.title,
            full_name: r.full_name,
            service: r.service,
            email: r.email,
            phone: "+33160908990".to_owned(),
        };
        self.recorded.lock().unwrap().contacts.push(contact.clone());
        Ok(tonic::Response::new(contact))
    }

    async fn remove_contact(
        &self,
        request: tonic::Request<pb::RemoveContactRequest>,
    ) -> Answer<pb::RemoveContactResponse> {
        self.claims(&request)?;
        let id = request.into_inner().contact_id;
        let mut recorded = self.recorded.lock().unwrap();
        let before = recorded.contacts.len();
        recorded.contacts.retain(|c| c.id != id);
        if recorded.contacts.len() == before {
            return Err(Status::not_found("Ce contact n'existe pas (ou plus)."));
        }
        Ok(tonic::Response::new(pb::RemoveContactResponse {}))
    }

    async fn list_registrations(
        &self,
        request: tonic::Request<pb::ListRegistrationsRequest>,
    ) -> Answer<pb::ListRegistrationsResponse> {
        let claims = self.claims(&request)?;
        if claims.role != Role::Admin {
            return Err(Status::permission_denied(
                "Action réservée aux administrateurs.",
            ));
        }
        let recorded = self.recorded.lock().unwrap();
        let decided = |id: &str| {
            recorded.approved.iter().any(|a| a == id)
                || recorded.rejected.iter().any(|(r, _)| r == id)
        };
        let registrations = if decided(PENDING_ID) {
            Vec::new()
        } else {
            vec![pb::Registration {
                account: Some(pb::Account {
                    id: PENDING_ID.to_owned(),
                    identifier: "mairiemelun".to_owned(),
                    email: "dgs@ville-melun.fr".to_owned(),
                    phone: "+33164523333".to_owned(),
                    status: pb::AccountStatus::PendingApproval.into(),
                    created_at: ts(1_795_000_000),
                    ..pb::Account::default()
                }),
                organisation: Some(pb::Organisation {
                    organisation_name: "Commune de Melun".to_owned(),
                    categories: vec!["communes".to_owned()],
                    siret: "21770288500013".to_owned(),
                    population: 41_000,
                    canton: "Melun".to_owned(),
                    representative: Some(pb::Representative {
                        title: "maire".to_owned(),
                        civility: "homme".to_owned(),
                        first_name: "Louis".to_owned(),
                        last_name: "Vogel".to_owned(),
                    }),
                    admin_referent: Some(pb::Person {
                        civility: "femme".to_owned(),
                        first_name: "Anne-Sophie".to_owned(),
                        last_name: "N'Guessan".to_owned(),
                    }),
                    ..pb::Organisation::default()
                }),
            }]
        };
        Ok(tonic::Response::new(pb::ListRegistrationsResponse {
            registrations,
        }))
    }

    async fn approve_registration(
        &self,
        request: tonic::Request<pb::ApproveRegistrationRequest>,
    ) -> Answer<pb::Account> {
        let claims = self.claims(&request)?;
        self.recorded
            .lock()
            .unwrap()
            .approved
            .push(request.into_inner().account_id);
        Ok(tonic::Response::new(self.account(&claims)))
    }

    async fn reject_registration(
        &self,
        request: tonic::Request<pb::RejectRegistrationRequest>,
    ) -> Answer<pb::Account> {
        let claims = self.claims(&request)?;
        let r = request.into_inner();
        if r.reason.trim().is_empty() {
            return Err(invalid(
                "reason",
                "Indiquez le motif du refus (de 1 à 1000 caractères) : il est envoyé au demandeur.",
            ));
        }
        self.recorded
            .lock()
            .unwrap()
            .rejected
            .push((r.account_id, r.reason));
        Ok(tonic::Response::new(self.account(&claims)))
    }

    async fn create_staff(
        &self,
        request: tonic::Request<pb::CreateStaffRequest>,
    ) -> Answer<pb::Account> {
        let claims = self.claims(&request)?;
        let r = request.into_inner();
        if r.role == i32::from(pb::Role::Unspecified) {
            return Err(invalid(
                "role",
                "Choisissez le rôle : chef de file ou administrateur.",
            ));
        }
        self.recorded.lock().unwrap().staff.push(r);
        Ok(tonic::Response::new(self.account(&claims)))
    }
}

#[derive(Clone)]
struct FakeCatalog {
    verifier: Verifier,
    recorded: Arc<Mutex<Recorded>>,
}

fn domain() -> cpb::Domain {
    cpb::Domain {
        slug: "amenagement-urbanisme".to_owned(),
        label: "Aménagement / Urbanisme".to_owned(),
        icon: "urbanisme".to_owned(),
        position: 1,
        thematics: vec![cpb::Thematic {
            slug: "urbanisme".to_owned(),
            label: "Urbanisme".to_owned(),
            domain_slug: "amenagement-urbanisme".to_owned(),
        }],
    }
}

fn typology() -> cpb::Typology {
    cpb::Typology {
        slug: "ingenierie".to_owned(),
        label: "Ingénierie de projet".to_owned(),
    }
}

/// What the fake's offers refer to.
fn references() -> Option<cpb::References> {
    Some(cpb::References {
        domains: vec![cpb::Domain {
            thematics: Vec::new(),
            ..domain()
        }],
        thematics: domain().thematics,
        typologies: vec![typology()],
    })
}

fn offers() -> Vec<cpb::OfferSummary> {
    [
        ("O01", "Réalisation d'un diagnostic territorial"),
        ("O03", "Aide à l'élaboration des documents d'urbanisme"),
    ]
    .into_iter()
    .map(|(code, title)| cpb::OfferSummary {
        code: code.to_owned(),
        title: title.to_owned(),
        summary: "Accompagner la collectivité dans la connaissance de son territoire.".to_owned(),
        domain_slug: domain().slug,
        thematic_slugs: domain().thematics.into_iter().map(|t| t.slug).collect(),
        typology_slug: typology().slug,
        unique: false,
    })
    .collect()
}

#[tonic::async_trait]
impl cpb::catalog_service_server::CatalogService for FakeCatalog {
    async fn list_domains(
        &self,
        _: tonic::Request<cpb::ListDomainsRequest>,
    ) -> Answer<cpb::ListDomainsResponse> {
        Ok(tonic::Response::new(cpb::ListDomainsResponse {
            domains: vec![domain()],
        }))
    }

    async fn list_typologies(
        &self,
        _: tonic::Request<cpb::ListTypologiesRequest>,
    ) -> Answer<cpb::ListTypologiesResponse> {
        Ok(tonic::Response::new(cpb::ListTypologiesResponse {
            typologies: vec![typology()],
        }))
    }

    async fn search_offers(
        &self,
        _: tonic::Request<cpb::SearchOffersRequest>,
    ) -> Answer<cpb::SearchOffersResponse> {
        Ok(tonic::Response::new(cpb::SearchOffersResponse {
            offers: offers(),
            total: 2,
            page: 1,
            per_page: 20,
            domain_counts: vec![cpb::FacetCount {
                slug: "amenagement-urbanisme".to_owned(),
                count: 2,
            }],
            typology_counts: vec![cpb::FacetCount {
                slug: "ingenierie".to_owned(),
                count: 2,
            }],
            references: references(),
        }))
    }

    async fn get_offer(
        &self,
        request: tonic::Request<cpb::GetOfferRequest>,
    ) -> Answer<cpb::GetOfferResponse> {
        let code = request.into_inner().code.to_uppercase();
        let summary = offers()
            .into_iter()
            .find(|o| o.code == code)
            .ok_or_else(|| Status::not_found("Cette offre n'existe pas."))?;
        Ok(tonic::Response::new(cpb::GetOfferResponse {
            offer: Some(cpb::Offer {
                code: summary.code,
                title: summary.title,
                summary: summary.summary,
                description: "Une description.".to_owned(),
                domain: Some(domain()),
                thematics: domain().thematics,
                typology: Some(typology()),
                lead_service: "ID77-DADT-PROTER".to_owned(),
                lead_contact: "Mme Chef de file".to_owned(),
                ..cpb::Offer::default()
            }),
        }))
    }

    async fn add_favorite(
        &self,
        request: tonic::Request<cpb::AddFavoriteRequest>,
    ) -> Answer<cpb::AddFavoriteResponse> {
        self.verifier.authenticate(&request)?;
        let code = request.into_inner().code;
        let offer = offers()
            .into_iter()
            .find(|o| o.code == code)
            .ok_or_else(|| Status::not_found("Cette offre n'existe pas."))?;
        let mut recorded = self.recorded.lock().unwrap();
        let added = !recorded.favorites.contains(&code);
        if added {
            recorded.favorites.insert(0, code);
        }
        Ok(tonic::Response::new(cpb::AddFavoriteResponse {
            favorite: Some(cpb::Favorite {
                offer: Some(offer),
                added_at: ts(1_795_860_000),
            }),
            added,
            references: references(),
        }))
    }

    async fn remove_favorite(
        &self,
        request: tonic::Request<cpb::RemoveFavoriteRequest>,
    ) -> Answer<cpb::RemoveFavoriteResponse> {
        self.verifier.authenticate(&request)?;
        let code = request.into_inner().code;
        let mut recorded = self.recorded.lock().unwrap();
        let before = recorded.favorites.len();
        recorded.favorites.retain(|c| *c != code);
        Ok(tonic::Response::new(cpb::RemoveFavoriteResponse {
            removed: recorded.favorites.len() < before,
        }))
    }

    async fn list_favorites(
        &self,
        request: tonic::Request<cpb::ListFavoritesRequest>,
    ) -> Answer<cpb::ListFavoritesResponse> {
        self.verifier.authenticate(&request)?;
        let recorded = self.recorded.lock().unwrap();
        let favorites = recorded
            .favorites
            .iter()
            .filter_map(|code| offers().into_iter().find(|o| o.code == *code))
            .map(|offer| cpb::Favorite {
                offer: Some(offer),
                added_at: ts(1_795_860_000),
            })
            .collect();
        Ok(tonic::Response::new(cpb::ListFavoritesResponse {
            favorites,
            references: references(),
        }))
    }

    async fn favorite_status(
        &self,
        request: tonic::Request<cpb::FavoriteStatusRequest>,
    ) -> Answer<cpb::FavoriteStatusResponse> {
        self.verifier.authenticate(&request)?;
        let recorded = self.recorded.lock().unwrap();
        let favorite_codes = request
            .into_inner()
            .codes
            .into_iter()
            .filter(|c| recorded.favorites.contains(c))
            .collect();
        Ok(tonic::Response::new(cpb::FavoriteStatusResponse {
            favorite_codes,
        }))
    }
}

/// The gateway over the fakes, and what they recorded.
pub fn fake_app() -> (Router, Arc<Mutex<Recorded>>) {
    let (state, recorded) = fake_state();
    (crate::app(state), recorded)
}

pub fn fake_state() -> (AppState, Arc<Mutex<Recorded>>) {
    let signer = Arc::new(Signer::generate().unwrap());
    let verifier = signer.verifier().unwrap();
    let recorded = Arc::new(Mutex::new(Recorded::default()));
    let identity = FakeIdentity {
        signer,
        verifier: verifier.clone(),
        recorded: recorded.clone(),
    };
    let catalog = FakeCatalog {
        verifier: verifier.clone(),
        recorded: recorded.clone(),
    };
    let services = Services {
        catalog: in_process(Routes::new(CatalogServiceServer::new(catalog))),
        identity: Some(in_process(Routes::new(IdentityServiceServer::new(
            identity,
        )))),
    };
    let settings = Settings {
        verifier: Some(verifier),
        public_url: String::new(),
    };
    (AppState::new(services, settings), recorded)
}

/// A browser: keeps the cookies the app sets.
struct Browser {
    app: Router,
    cookies: Vec<(String, String)>,
}

struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

impl Browser {
    fn new(app: Router) -> Self {
        Self {
            app,
            cookies: Vec::new(),
        }
    }

    async fn send(&mut self, request: Request<Body>) -> Page {
        let response = self.app.clone().oneshot(request).await.unwrap();
        for value in response.headers().get_all(header::SET_COOKIE) {
            let cookie = cookie::Cookie::parse(value.to_str().unwrap().to_owned()).unwrap();
            self.cookies.retain(|(name, _)| name != cookie.name());
            let removed =
                cookie.max_age().is_some_and(|age| age.is_zero()) || cookie.value().is_empty();
            if !removed {
                self.cookies
                    .push((cookie.name().to_owned(), cookie.value().to_owned()));
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Page {
            status,
            location,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn get(&mut self, uri: &str) -> Page {
        let request = Request::get(uri)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    async fn post(&mut self, uri: &str, form: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request = Request::post(uri)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    async fn login(&mut self, identifier: &str) {
        let page = self
            .post(
                "/connexion",
                &[("identifier", identifier), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
}

fn has_cookie(browser: &Browser, name: &str) -> bool {
    browser.cookies.iter().any(|(n, _)| n == name)
}

#[tokio::test]
async fn login_sets_the_session_and_goes_to_next() {
    let (app, _) = fake_app();
    let mut browser = Browser::new(app);
    let page = browser.get("/connexion?next=/favoris").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"id="login-form""#));
    assert!(page.body.contains(r#"name="next" value="/favoris""#));
    assert!(page.body.contains(r#"href="/mot-de-passe-oublie""#));
    assert!(page.body.contains(r#"href="/inscription""#));

    let page = browser
        .post(
            "/connexion",
            &[
                ("identifier", "macommune"),
                ("password", "faux"),
                ("next", "/favoris"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.body.contains("Identifiant ou mot de passe incorrect."));
    assert!(
        page.body.contains(r#"value="macommune""#),
        "the identifier is kept"
    );
    assert!(!has_cookie(&browser, "id77_access"));

    let page = browser
        .post(
            "/connexion",
            &[
                ("identifier", "macommune"),
                ("password", PASSWORD),
                ("next", "/favoris"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location, "/favoris");
    assert!(has_cookie(&browser, "id77_access") && has_cookie(&browser, "id77_refresh"));

    // The header now greets the user and offers the menu.
    let page = browser.get("/").await;
    assert!(page.body.contains("Bonjour </span>Anne Test"));
    assert!(page.body.contains(r#"action="/deconnexion""#));
    assert!(
        !page.body.contains(r#"href="/admin/inscriptions""#),
        "members have no admin entry"
    );
    // Already logged in: the login page sends on.
    let page = browser.get("/connexion?next=/compte").await;
    assert_eq!(page.location, "/compte");
}

#[tokio::test]
async fn next_must_be_a_local_path() {
    let (app, _) = fake_app();
    let mut browser = Browser::new(app);
    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let page = browser
            .post(
                "/connexion",
                &[
                    ("identifier", "macommune"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(page.location, "/", "{next}");
        browser.cookies.clear();
    }
}

#[tokio::test]
async fn empty_login_fields_are_flagged_without_calling_the_service() {
    let (app, _) = fake_app();
    let mut browser = Browser::new(app);
    let page = browser
        .post("/connexion", &[("identifier", " "), ("password", "")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(r#"id="identifier-error""#));
    assert!(page.body.contains(r#"id="password-error""#));
}

#[tokio::test]
async fn logout_revokes_the_refresh_token_and_clears_the_cookies() {
    let (app, recorded) = fake_app();
    let mut browser = Browser::new(app);
    browser.login("macommune").await;
    let page = browser.post("/deconnexion", &[]).await;
    assert_eq!(
        (page.status, page.location.as_str()),
        (StatusCode::SEE_OTHER, "/")
    );
    assert!(!has_cookie(&browser, "id77_access") && !has_cookie(&browser, "id77_refresh"));
    assert_eq!(
        recorded.lock().unwrap().revoked,
        [format!("refresh-{MEMBER_ID}")]
    );
    let page = browser.get("/").await;
    assert!(page.body.contains(r#"href="/connexion""#));
}

#[tokio::test]
async fn registration_errors_come_back_next_to_their_fields() {
    let (app, recorded) = fake_app();
    let mut browser = Browser::new(app);
    let form = [
        ("organisation_name", "Commune de MaCommune"),
        ("categories", "communes"),
        ("categories", "epci"),
        ("siret", "12345678911123"),
        ("population", "3 400"),
        ("canton", "Fontainebleau"),
        ("representative.title", "maire"),
        ("representative.civility", "homme"),
        ("representative.first_name", ""),
        ("representative.last_name", "Vogel"),
        ("admin_referent.civility", "femme"),
        ("admin_referent.first_name", "Anne"),
        ("admin_referent.last_name", "Test"),
        ("identifier", "macommune"),
        ("email", "mairie@macommune.fr"),
        ("phone", "01 34 54 32 12"),
    ];
    let page = browser.post("/inscription", &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(r#"id="siret-error""#));
    assert!(
        page.body
            .contains(r#"aria-describedby="siret-hint siret-error""#)
    );
    assert!(
        page.body
            .contains(r#"id="representative-first_name-error""#)
    );
    assert!(page.body.contains("2 champs sont à corriger"));
    // What was typed stays, choices included.
    assert!(page.body.contains(r#"value="Commune de MaCommune""#));
    assert!(
        page.body
            .contains(r#"id="categories-epci" name="categories" value="epci" checked"#)
    );
    assert!(
        page.body
            .contains(r#"<option value="Fontainebleau" selected>"#)
    );
    assert!(page.body.contains(
        r#"id="representative-title-maire" name="representative.title" value="maire" checked"#
    ));

    let mut fixed = form.to_vec();
    fixed[3] = ("siret", "21770288500013");
    fixed[8] = ("representative.first_name", "Louis");
    let page = browser.post("/inscription", &fixed).await;
    assert_eq!(page.location, "/inscription/envoyee");
    let registration = recorded.lock().unwrap().registrations.pop().unwrap();
    assert_eq!(registration.population, 3400);
    assert_eq!(registration.categories, ["communes", "epci"]);
    assert_eq!(registration.representative.unwrap().first_name, "Louis");
    let page = browser.get("/inscription/envoyee").await;
    assert!(page.body.contains("confirmer votre adresse e-mail"));
}

#[tokio::test]
async fn one_time_links_are_spent_by_a_button_not_by_the_get() {
    let (app, _) = fake_app();
    let mut browser = Browser::new(app);
    let page = browser.get("/inscription/confirmer?token=bon").await;
    assert!(page.body.contains("Confirmer mon adresse e-mail"));
    assert!(page.body.contains(r#"name="token" value="bon""#));
    let page = browser
        .post("/inscription/confirmer", &[("token", "bon")])
        .await;
    assert_eq!(page.location, "/inscription/adresse-confirmee");
    let page = browser
        .post("/inscription/confirmer", &[("token", "mort")])
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains("Ce lien n&#39;est plus valable."));
    let page = browser.get("/inscription/confirmer").await;
    assert!(page.body.contains("Ce lien est incomplet"));
    assert!(!page.body.contains("Confirmer mon adresse e-mail</button>"));

    let page = browser
        .post("/compte/email/confirmer", &[("token", "bon")])
        .await;
    assert_eq!(page.location, "/connexion?ok=email-modifie");
}

#[tokio::test]
async fn invitation_and_reset_choose_a_password() {
    let (app, _) = fake_app();
    let mut browser = Browser::new(app);
    let page = browser.get("/invitation?token=bon").await;
    assert!(page.body.contains("12 caractères au moins"));
    let page = browser
        .post(
            "/invitation",
            &[
                ("token", "bon"),
                ("password", PASSWORD),
                ("password_confirmation", "autre chose"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(r#"id="password_confirmation-error""#));
    let page = browser
        .post(
            "/invitation",
            &[
                ("token", "bon"),
                ("password", "court"),
                ("password_confirmation", "court"),
            ],
        )
        .await;
    assert!(page.body.contains(r#"id="password-error""#));
    let page = browser
        .post(
            "/invitation",
            &[
                ("token", "bon"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.location, "/connexion?ok=compte-active");
    let page = browser.get(&page.location).await;
    assert!(page.body.contains("votre compte est activé"));

    let page = browser
        .post(
            "/reinitialiser",
            &[
                ("token", "bon"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.location, "/connexion?ok=mot-de-passe-reinitialise");
    let page = browser
        .post(
            "/mot-de-passe-oublie",
            &[("email", "personne@nulle-part.fr")],
        )
        .await;
    assert_eq!(page.location, "/mot-de-passe-oublie?ok=lien-envoye");
    let page = browser.get(&page.location).await;
    assert!(
        page.body
            .contains("Si un compte actif correspond à cette adresse")
    );
    // An unknown `ok` code shows nothing: the URL never carries the message itself.
    let page = browser.get("/mot-de-passe-oublie?ok=%3Cscript%3E").await;
    assert!(!page.body.contains("alert-success") && !page.body.contains("<script>"));
}

#[tokio::test]
async fn account_pages_need_a_session() {
    let (app, _) = fake_app();
    let mut browser = Browser::new(app);
    for (uri, next) in [
        ("/compte", "/connexion?next=%2Fcompte"),
        ("/compte/profil", "/connexion?next=%2Fcompte%2Fprofil"),
        ("/favoris", "/connexion?next=%2Ffavoris"),
        (
            "/admin/inscriptions",
            "/connexion?next=%2Fadmin%2Finscriptions",
        ),
    ] {
        let page = browser.get(uri).await;
        assert_eq!(
            (page.status, page.location.as_str()),
            (StatusCode::SEE_OTHER, next),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn my_account_shows_and_edits_the_account() {
    let (app, recorded) = fake_app();
    let mut browser = Browser::new(app);
    browser.login("macommune").await;
    let page = browser.get("/compte").await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Anne Test",
        "macommune",
        "mairie@macommune.fr",
        "01 54 13 56 78",
        "07/07/2019 à 17:18",
        "Commune de MaCommune",
        "M. Louis Vogel",
        "Mme Anne Test",
        "3\u{202f}400 habitants",
        "217 702 885 00013",
        r#"id="account-form""#,
        r#"id="password-form""#,
        r#"href="/compte/profil""#,
        "Ajoutez au moins un référent technique",
    ] {
        assert!(page.body.contains(expected), "{expected}");
    }

    let page = browser
        .post(
            "/compte",
            &[
                ("first_name", ""),
                ("last_name", "Test"),
                ("email", "mairie@macommune.fr"),
                ("phone", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(r#"id="first_name-error""#));
    assert!(
        page.body.contains(r#"<details class="disclosure" open>"#),
        "the form is open"
    );

    let page = browser
        .post(
            "/compte",
            &[
                ("first_name", "Anne"),
                ("last_name", "Test"),
                ("email", "nouvelle@macommune.fr"),
                ("phone", ""),
            ],
        )
        .await;
    assert_eq!(page.location, "/compte?ok=email-a-confirmer");
    let page = browser.get("/compte").await;
    assert!(
        page.body
            .contains("Nouvelle adresse en attente de confirmation : nouvelle@macommune.fr")
    );

    let page = browser
        .post(
            "/compte/mot-de-passe",
            &[
                ("current_password", "faux"),
                ("new_password", "un autre mot de passe"),
                ("new_password_confirmation", "un autre mot de passe"),
            ],
        )
        .await;
    assert!(page.body.contains(r#"id="current_password-error""#));
    let page = browser
        .post(
            "/compte/mot-de-passe",
            &[
                ("current_password", PASSWORD),
                ("new_password", "un autre mot de passe"),
                ("new_password_confirmation", "un autre mot de passe"),
            ],
        )
        .await;
    assert_eq!(page.location, "/compte?ok=mot-de-passe-modifie");
    // The current session's refresh token goes along, so that the service keeps this session.
    assert_eq!(
        recorded.lock().unwrap().kept_refresh_token.as_deref(),
        Some(format!("refresh-{MEMBER_ID}").as_str())
    );
}

#[tokio::test]
async fn the_profile_form_and_its_contacts() {
    let (app, recorded) = fake_app();
    let mut browser = Browser::new(app);
    browser.login("macommune").await;
    let page = browser.get("/compte/profil").await;
    for expected in [
        "Editez le profil de votre collectivité",
        r#"id="profile-form""#,
        r#"id="logo-form""#,
        r#"id="contact-form""#,
        r#"accept="image/png,image/jpeg,image/webp""#,
        r#"id="website" name="website" value="https://www.macommune.fr""#,
        r#"id="representative-civility-homme" name="representative.civility" value="homme" checked"#,
        "N'oubliez pas d'enregistrer vos modifications",
    ] {
        assert!(page.body.contains(expected), "{expected}");
    }

    let page = browser
        .post(
            "/compte/profil",
            &[
                ("organisation_name", "X"),
                ("population", "3400"),
                ("canton", "Melun"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The service's `name` is the form's `organisation_name`.
    assert!(page.body.contains(r#"id="organisation_name-error""#));
    assert!(page.body.contains(r#"id="categories-error""#));
    assert!(page.body.contains(r#"<option value="Melun" selected>"#));

    let page = browser
        .post(
            "/compte/profil",
            &[
                ("organisation_name", "Commune de Melun"),
                ("categories", "communes"),
                ("population", "41 000"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(page.location, "/compte?ok=profil-enregistre");
    assert_eq!(
        recorded
            .lock()
            .unwrap()
            .organisation
            .as_ref()
            .unwrap()
            .population,
        41_000
    );

    let page = browser
        .post(
            "/compte/profil/contacts",
            &[
                ("contact.title", "Chargé de projet"),
                ("contact.full_name", ""),
            ],
        )
        .await;
    assert!(page.body.contains(r#"id="contact-full_name-error""#));
    assert!(page.body.contains(r#"id="contact-phone-error""#));
    let page = browser
        .post(
            "/compte/profil/contacts",
            &[
                ("contact.title", "Chargé de projet"),
                ("contact.full_name", "Jean Test"),
                ("contact.service", "Urbanisme"),
                ("contact.email", "urbanisme@macommune.fr"),
                ("contact.phone", "01 60 90 89 90"),
            ],
        )
        .await;
    assert_eq!(page.location, "/compte/profil?ok=contact-ajoute#contacts");
    let page = browser.get("/compte/profil").await;
    assert!(
        page.body
            .contains("aria-label=\"Supprimer le contact Jean Test\"")
    );
    let id = recorded.lock().unwrap().contacts[0].id.clone();
    let page = browser
        .post(&format!("/compte/profil/contacts/{id}/supprimer"), &[])
        .await;
    assert_eq!(page.location, "/compte/profil?ok=contact-supprime#contacts");
    assert!(recorded.lock().unwrap().contacts.is_empty());
}

fn multipart(file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----id77test";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_logo_is_uploaded_up_to_two_megabytes() {
    let (app, recorded) = fake_app();
    let mut browser = Browser::new(app);
    browser.login("macommune").await;
    let upload = |file: Vec<u8>, cookies: String| {
        let (content_type, body) = multipart(&file);
        Request::post("/compte/profil/logo")
            .header(header::COOKIE, cookies)
            .header(header::CONTENT_TYPE, content_type)
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap()
    };
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(2 * 1024 * 1024, 0);
    let page = browser.send(upload(png, browser.cookie_header())).await;
    assert_eq!(page.location, "/compte/profil?ok=logo-enregistre");
    assert_eq!(recorded.lock().unwrap().logo_bytes, Some(2 * 1024 * 1024));

    let mut too_big = b"\x89PNG".to_vec();
    too_big.resize(2 * 1024 * 1024 + 1, 0);
    let page = browser.send(upload(too_big, browser.cookie_header())).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Cette image dépasse 2 Mo"));
    assert!(page.body.contains(r#"id="logo-error""#));

    let page = browser
        .send(upload(b"GIF89a".to_vec(), browser.cookie_header()))
        .await;
    assert!(
        page.body
            .contains("n&#39;est pas une image PNG, JPEG ou WebP")
    );
    // The new logo shows, under a URL that changes with it.
    let page = browser.get("/compte/profil").await;
    assert!(
        page.body
            .contains(&format!(r#"src="/logos/{ORG_ID}?v=v2""#))
    );
}

#[tokio::test]
async fn favourites_toggle_from_the_catalogue_and_list() {
    let (app, recorded) = fake_app();
    let mut browser = Browser::new(app);
    // Anonymous: "Favoris" is a link to the login page.
    let page = browser.get("/").await;
    assert!(
        page.body
            .contains(r#"href="/connexion?next=%2Foffres%2FO01""#)
    );
    browser.login("macommune").await;
    let page = browser.get("/").await;
    assert!(page.body.contains(
        r#"class="button button-secondary favorite-toggle" data-code="O01" aria-pressed="false""#
    ));
    assert!(page.body.contains(r#"href="/demandes/nouvelle?offre=O01""#));

    let page = browser
        .post("/favoris/O01", &[("retour", "/#offer-O01")])
        .await;
    assert_eq!(page.location, "/#offer-O01");
    let page = browser.get("/").await;
    assert!(page.body.contains(r#"action="/favoris/O01/supprimer""#));
    assert!(page.body.contains(r#"data-code="O01" aria-pressed="true""#));
    assert!(page.body.contains("Retirer des favoris"));
    assert!(page.body.contains("#star-filled"));
    // A foreign `retour` is ignored.
    let page = browser
        .post("/favoris/O03", &[("retour", "https://evil.example/")])
        .await;
    assert_eq!(page.location, "/offres/O03");

    let page = browser.get("/favoris").await;
    assert!(page.body.contains("2 offres en favoris"));
    assert!(page.body.contains("Ajoutée le"));
    assert!(
        page.body
            .contains(r#"action="/favoris/O01/supprimer" data-confirm="#)
    );
    let page = browser
        .post("/favoris/O01/supprimer", &[("retour", "/favoris")])
        .await;
    assert_eq!(page.location, "/favoris?ok=favori-supprime");
    assert_eq!(recorded.lock().unwrap().favorites, ["O03"]);

    // A script gets JSON instead of the redirect.
    let request = Request::post("/favoris/O01")
        .header(header::COOKIE, browser.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from("retour=%2F"))
        .unwrap();
    let page = browser.send(request).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body, r#"{"code":"O01","favorite":true}"#);
}

#[tokio::test]
async fn the_registrations_desk_is_for_administrators() {
    let (app, recorded) = fake_app();
    let mut member = Browser::new(app.clone());
    member.login("macommune").await;
    let page = member.get("/admin/inscriptions").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("Accès refusé"));

    let mut admin = Browser::new(app);
    admin.login("admin").await;
    let page = admin.get("/").await;
    assert!(page.body.contains(r#"href="/admin/inscriptions""#));
    let page = admin.get("/admin/inscriptions").await;
    for expected in [
        "Commune de Melun",
        "mairiemelun",
        "Maire : M. Louis Vogel",
        "Mme Anne-Sophie N&#39;Guessan",
        "01 64 52 33 33",
        r#"id="staff-form""#,
    ] {
        assert!(page.body.contains(expected), "{expected}");
    }
    let page = admin
        .post(
            &format!("/admin/inscriptions/{PENDING_ID}/refuser"),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains(&format!(r#"id="reason-{PENDING_ID}-error""#))
    );
    let page = admin
        .post(&format!("/admin/inscriptions/{PENDING_ID}/valider"), &[])
        .await;
    assert_eq!(page.location, "/admin/inscriptions?ok=inscription-validee");
    assert_eq!(recorded.lock().unwrap().approved, [PENDING_ID]);

    let page = admin
        .post(
            "/admin/personnel",
            &[
                ("identifier", "chef1"),
                ("email", "chef@id77.fr"),
                ("first_name", "Paul"),
                ("last_name", "Martin"),
            ],
        )
        .await;
    assert!(page.body.contains(r#"id="role-error""#));
    assert!(page.body.contains(r#"value="chef1""#));
    let page = admin
        .post(
            "/admin/personnel",
            &[
                ("identifier", "chef1"),
                ("email", "chef@id77.fr"),
                ("first_name", "Paul"),
                ("last_name", "Martin"),
                ("role", "lead"),
            ],
        )
        .await;
    assert_eq!(page.location, "/admin/inscriptions?ok=compte-cree");
    assert_eq!(
        recorded.lock().unwrap().staff[0].role,
        i32::from(pb::Role::Lead)
    );
}

#[tokio::test]
async fn a_post_from_another_site_is_refused() {
    let (app, _) = fake_app();
    let mut browser = Browser::new(app);
    browser.login("macommune").await;
    let request = Request::post("/deconnexion")
        .header(header::COOKIE, browser.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    let page = browser.send(request).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[test]
fn the_registration_form_follows_the_guide() {
    use askama::Template as _;

    use super::{Layout, auth, forms::FormData};
    use crate::session::CurrentUser;

    let (state, _) = fake_state();
    let page = auth::RegisterPage {
        layout: Layout::new(&state, &CurrentUser(None)),
        form: auth::register_form(
            &FormData::default(),
            &id77_identity::domain::Canton::ALL
                .iter()
                .map(|c| c.name().to_owned())
                .collect::<Vec<_>>(),
        ),
    };
    let html = page.render().unwrap();
    let labels = [
        "Collectivité ou organisme",
        "Catégories",
        "Siret",
        "Population",
        "Canton",
        "Titre du représentant",
        "Civilité",
        "Prénom",
        "Nom",
        "Civilité du référent administratif",
        "Prénom du référent",
        "Nom du référent",
        "Identifiant",
        "E-mail",
        "Téléphone",
    ];
    let mut from = 0;
    for label in labels {
        let at = html[from..]
            .find(&format!(">{label}<"))
            .or_else(|| html[from..].find(&format!(">{label} <")))
            .unwrap_or_else(|| panic!("{label} missing or out of order"));
        from += at + 1 + label.len();
    }
    for id in [
        "organisation_name",
        "siret",
        "population",
        "canton",
        "representative-first_name",
        "representative-last_name",
        "admin_referent-first_name",
        "admin_referent-last_name",
        "identifier",
        "email",
        "phone",
    ] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    for option in [
        "categories-communes",
        "categories-epci",
        "categories-syndicats",
        "representative-title-president",
        "admin_referent-civility-femme",
    ] {
        assert!(html.contains(&format!(r#"id="{option}""#)), "{option}");
    }
    assert!(html.contains(r#"<p class="field-hint" id="siret-hint">14 chiffres</p>"#));
    assert!(html.contains("ATTENTION : ne pas utiliser d&#39;accent"));
    assert!(html.contains("Vous recevrez à cette adresse une demande de confirmation"));
    assert_eq!(
        html.matches("<option value=\"").count(),
        24,
        "the empty choice and the 23 cantons"
    );
    assert!(html.contains(r#"id="register-form""#) && html.contains(">Inscription</button>"));
    assert!(
        html.contains("Déjà inscrit ?")
            && html.contains(r#"href="/connexion">Connectez-vous !</a>"#)
    );
    assert!(html.contains("/assets/validate.js?v="));
    assert!(
        !html.contains("style=") && !html.contains("<script>"),
        "no inline style or script"
    );
}

/// The 404 page keeps the visitor's header: logged in, it greets them and offers the menu, not
/// "Connexion".
#[tokio::test]
async fn the_404_page_shows_the_logged_in_header() {
    let (app, _) = fake_app();
    let mut browser = Browser::new(app);
    let page = browser.get("/pas-une-page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Page introuvable"));
    assert!(!page.body.contains("Bonjour </span>Anne Test"));

    browser.login("macommune").await;
    let page = browser.get("/pas-une-page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Page introuvable"));
    assert!(page.body.contains("Bonjour </span>Anne Test"));
    assert!(page.body.contains(r#"action="/deconnexion""#));
}

/// A form sent after the session expired goes to the login page, which comes back to the page
/// the form was on.
#[tokio::test]
async fn a_form_sent_without_a_session_comes_back_to_its_page_after_login() {
    let (app, _) = fake_app();
    let mut browser = Browser::new(app);
    let request = Request::post("/compte/profil")
        .header(header::REFERER, "http://127.0.0.1:8080/compte/profil")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from("organisation_name=X"))
        .unwrap();
    let page = browser.send(request).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location, "/connexion?next=%2Fcompte%2Fprofil");
}

/// A session the service no longer accepts, on a page or a form, goes to the login page with
/// the cookies cleared (else the login page would send the visitor straight back), and comes
/// back where the visitor was.
#[tokio::test]
async fn a_session_the_service_refuses_goes_back_to_the_login_page() {
    let (app, recorded) = fake_app();
    let mut browser = Browser::new(app);
    browser.login("macommune").await;
    assert!(!browser.cookies.is_empty());
    recorded.lock().unwrap().sessions_refused = true;

    let page = browser.get("/compte/profil").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location, "/connexion?next=%2Fcompte%2Fprofil");
    assert!(browser.cookies.is_empty(), "{:?}", browser.cookies);

    recorded.lock().unwrap().sessions_refused = false;
    browser.login("macommune").await;
    recorded.lock().unwrap().sessions_refused = true;
    let request = Request::post("/compte/profil/contacts")
        .header(header::REFERER, "http://127.0.0.1:8080/compte/profil")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, browser.cookie_header())
        .body(Body::from("contact.full_name=X"))
        .unwrap();
    let page = browser.send(request).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location, "/connexion?next=%2Fcompte%2Fprofil");
    assert!(browser.cookies.is_empty(), "{:?}", browser.cookies);
}
