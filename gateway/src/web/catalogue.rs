//! The catalogue pages: home (domain bar, search panel, results) and offer detail.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use id77_proto::catalog::v1 as pb;

use super::{Layout, PageError};
use crate::{
    error::{AppError, FieldError},
    params::{CatalogQuery, Sort},
    session::{CurrentUser, Session},
    state::AppState,
};

pub struct DomainLink {
    pub slug: String,
    pub label: String,
    pub icon: String,
    pub selected: bool,
    pub count: u32,
    pub toggle_url: String,
}

pub struct ThematicLink {
    pub slug: String,
    pub label: String,
    pub selected: bool,
    pub toggle_url: String,
}

pub struct ThematicGroup {
    pub domain_label: String,
    pub thematics: Vec<ThematicLink>,
}

pub struct TypologyOption {
    pub slug: String,
    pub label: String,
    pub selected: bool,
    pub count: u32,
}

pub struct Chip {
    pub kind: &'static str,
    pub label: String,
    pub remove_url: String,
}

pub struct SortOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct PageLink {
    /// 0 stands for an ellipsis.
    pub number: u32,
    pub url: String,
    pub current: bool,
}

pub struct OfferCard {
    pub code: String,
    pub title: String,
    pub summary: String,
    pub domain_label: String,
    pub domain_icon: String,
    pub typology_label: String,
    pub unique: bool,
    /// Anonymous visitors: the login page, then back to the offer.
    pub favourite_url: String,
    pub request_url: String,
    /// A session: "Favoris" is a form that toggles the favourite.
    pub signed_in: bool,
    pub favorite: bool,
    /// Where the toggle comes back to (this page, at this card).
    pub return_to: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    layout: Layout,
    query: CatalogQuery,
    domains: Vec<DomainLink>,
    chips: Vec<Chip>,
    thematics_row: Vec<ThematicLink>,
    thematic_groups: Vec<ThematicGroup>,
    typologies: Vec<TypologyOption>,
    sort_options: Vec<SortOption>,
    sort_hidden: Vec<(&'static str, String)>,
    total: u32,
    offers: Vec<OfferCard>,
    pages: Vec<PageLink>,
    previous_url: Option<String>,
    next_url: Option<String>,
    errors: Vec<FieldError>,
}

impl HomePage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// Where "Favoris" and "Faire une demande" lead an anonymous visitor: the login page, then back.
fn login_then(next: &str) -> String {
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("/connexion?next={next}")
}

/// Where "Faire une demande" leads for an offer.
pub fn request_path(code: &str) -> String {
    let code: String = form_urlencoded::byte_serialize(code.as_bytes()).collect();
    format!("/demandes/nouvelle?offre={code}")
}

/// The card of an offer of a list, labelled from the list's references.
pub fn offer_card(
    offer: pb::OfferSummary,
    references: &pb::References,
    signed_in: bool,
) -> OfferCard {
    card(
        offer.code,
        offer.title,
        offer.summary,
        offer.unique,
        references.domain(&offer.domain_slug),
        references.typology(&offer.typology_slug),
        signed_in,
    )
}

/// The card of an offer, whether it comes from a list or from its own page.
fn card(
    code: String,
    title: String,
    summary: String,
    unique: bool,
    domain: Option<&pb::Domain>,
    typology: Option<&pb::Typology>,
    signed_in: bool,
) -> OfferCard {
    OfferCard {
        favourite_url: login_then(&format!("/offres/{code}")),
        request_url: if signed_in {
            request_path(&code)
        } else {
            login_then(&request_path(&code))
        },
        signed_in,
        favorite: false,
        return_to: format!("/offres/{code}"),
        code,
        title,
        summary,
        domain_label: domain.map(|d| d.label.clone()).unwrap_or_default(),
        domain_icon: domain.map(|d| d.icon.clone()).unwrap_or_default(),
        typology_label: typology.map(|t| t.label.clone()).unwrap_or_default(),
        unique,
    }
}

/// Page numbers around the current one, with 0 for the gaps: 1 … 4 5 6 … 12.
fn page_numbers(current: u32, last: u32) -> Vec<u32> {
    let mut numbers = Vec::new();
    for n in 1..=last {
        if n == 1 || n == last || n.abs_diff(current) <= 1 {
            numbers.push(n);
        } else if numbers.last() != Some(&0) {
            numbers.push(0);
        }
    }
    numbers
}

/// Lights the star of the offers that are the caller's favourites. A failure only leaves the
/// stars off: the page is still worth showing.
async fn mark_favorites(state: &AppState, session: &Session, cards: &mut [OfferCard]) {
    if cards.is_empty() {
        return;
    }
    let request = pb::FavoriteStatusRequest {
        codes: cards.iter().map(|c| c.code.clone()).collect(),
    };
    match state.catalog().favorite_status(session, request).await {
        Ok(response) => {
            let favorites = response.favorite_codes;
            for card in cards {
                card.favorite = favorites
                    .iter()
                    .any(|code| code.eq_ignore_ascii_case(&card.code));
            }
        }
        Err(error) => tracing::warn!(%error, "favourite status unavailable"),
    }
}

pub async fn home(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (query, mut errors) = CatalogQuery::parse(raw.as_deref());
    let mut catalog = state.catalog();
    let mut catalog2 = state.catalog();
    let mut catalog3 = state.catalog();
    let (domains, typologies, search) = tokio::join!(
        catalog.list_domains(pb::ListDomainsRequest {}),
        catalog2.list_typologies(pb::ListTypologiesRequest {}),
        catalog3.search_offers(query.to_request()),
    );
    let domains = domains?.domains;
    let typologies = typologies?.typologies;
    let mut results = match search {
        Ok(response) => response,
        // Filters the catalog refuses are shown next to the filters, over an empty page.
        Err(AppError::Invalid(invalid)) => {
            errors.extend(invalid);
            pb::SearchOffersResponse::default()
        }
        Err(other) => return Err(other.into()),
    };
    let signed_in = user.0.is_some();
    let here = query.home_url();
    let references = results.references.take().unwrap_or_default();
    let mut offers: Vec<OfferCard> = std::mem::take(&mut results.offers)
        .into_iter()
        .map(|offer| {
            let mut card = offer_card(offer, &references, signed_in);
            card.return_to = format!("{here}#offer-{}", card.code);
            card
        })
        .collect();
    if let Some(session) = &user.0 {
        mark_favorites(&state, session, &mut offers).await;
    }
    let count_of = |counts: &[pb::FacetCount], slug: &str| {
        counts
            .iter()
            .find(|c| c.slug == slug)
            .map_or(0, |c| c.count)
    };
    let thematic_slugs = |domain: &pb::Domain| -> Vec<String> {
        domain.thematics.iter().map(|t| t.slug.clone()).collect()
    };

    let mut chips = Vec::new();
    let mut thematics_row = Vec::new();
    for domain in &domains {
        if query.domains.contains(&domain.slug) {
            chips.push(Chip {
                kind: "domain",
                label: domain.label.clone(),
                remove_url: query
                    .toggle_domain(&domain.slug, &thematic_slugs(domain))
                    .home_url(),
            });
            for thematic in &domain.thematics {
                thematics_row.push(ThematicLink {
                    slug: thematic.slug.clone(),
                    label: thematic.label.clone(),
                    selected: query.thematics.contains(&thematic.slug),
                    toggle_url: query.toggle_thematic(&thematic.slug).home_url(),
                });
            }
        }
    }
    for domain in &domains {
        for thematic in &domain.thematics {
            if query.thematics.contains(&thematic.slug) {
                chips.push(Chip {
                    kind: "thematic",
                    label: thematic.label.clone(),
                    remove_url: query.toggle_thematic(&thematic.slug).home_url(),
                });
            }
        }
    }
    for typology in &typologies {
        if query.typologies.contains(&typology.slug) {
            let mut next = query.with_page(1);
            next.typologies.retain(|t| t != &typology.slug);
            chips.push(Chip {
                kind: "typology",
                label: typology.label.clone(),
                remove_url: next.home_url(),
            });
        }
    }
    if !query.q.is_empty() {
        let next = CatalogQuery {
            q: String::new(),
            ..query.with_page(1)
        };
        chips.push(Chip {
            kind: "text",
            label: format!("« {} »", query.q),
            remove_url: next.home_url(),
        });
    }
    if !query.code.is_empty() {
        let next = CatalogQuery {
            code: String::new(),
            ..query.with_page(1)
        };
        chips.push(Chip {
            kind: "code",
            label: query.code.to_uppercase(),
            remove_url: next.home_url(),
        });
    }

    let per_page = results.per_page.max(1);
    let last_page = results.total.div_ceil(per_page).max(1);
    let current = query.page.min(last_page.max(query.page));
    let pages = page_numbers(current, last_page)
        .into_iter()
        .map(|number| PageLink {
            number,
            url: query.with_page(number).home_url(),
            current: number == current,
        })
        .collect();
    let effective_sort = query.sort.unwrap_or(if query.q.is_empty() {
        Sort::Code
    } else {
        Sort::Relevance
    });
    let mut sort_hidden: Vec<(&'static str, String)> = Vec::new();
    let without_sort = CatalogQuery {
        sort: None,
        ..query.with_page(1)
    };
    for (key, value) in form_urlencoded::parse(without_sort.to_query_string().as_bytes()) {
        let key: &'static str = match key.as_ref() {
            "q" => "q",
            "code" => "code",
            "domain" => "domain",
            "thematic" => "thematic",
            "typology" => "typology",
            "per_page" => "per_page",
            _ => continue,
        };
        sort_hidden.push((key, value.into_owned()));
    }

    let page = HomePage {
        layout: Layout::new(&state, &user).current("/"),
        domains: domains
            .iter()
            .map(|d| DomainLink {
                slug: d.slug.clone(),
                label: d.label.clone(),
                icon: d.icon.clone(),
                selected: query.domains.contains(&d.slug),
                count: count_of(&results.domain_counts, &d.slug),
                toggle_url: query.toggle_domain(&d.slug, &thematic_slugs(d)).home_url(),
            })
            .collect(),
        thematic_groups: domains
            .iter()
            .map(|d| ThematicGroup {
                domain_label: d.label.clone(),
                thematics: d
                    .thematics
                    .iter()
                    .map(|t| ThematicLink {
                        slug: t.slug.clone(),
                        label: t.label.clone(),
                        selected: query.thematics.contains(&t.slug),
                        toggle_url: query.toggle_thematic(&t.slug).home_url(),
                    })
                    .collect(),
            })
            .collect(),
        typologies: typologies
            .iter()
            .map(|t| TypologyOption {
                slug: t.slug.clone(),
                label: t.label.clone(),
                selected: query.typologies.contains(&t.slug),
                count: count_of(&results.typology_counts, &t.slug),
            })
            .collect(),
        sort_options: Sort::ALL
            .into_iter()
            .map(|s| SortOption {
                value: s.as_str(),
                label: s.label(),
                selected: s == effective_sort,
            })
            .collect(),
        sort_hidden,
        chips,
        thematics_row,
        total: results.total,
        offers,
        previous_url: (current > 1).then(|| query.with_page(current - 1).home_url()),
        next_url: (current < last_page).then(|| query.with_page(current + 1).home_url()),
        pages,
        errors,
        query,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "offer.html")]
pub struct OfferPage {
    layout: Layout,
    offer: OfferCard,
    domain_url: String,
    thematics: String,
    description: String,
    practical_info: String,
    lead_service: String,
    lead_contact: String,
}

pub async fn offer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let offer = match state
        .catalog()
        .get_offer(pb::GetOfferRequest { code })
        .await
    {
        Ok(response) => response.offer,
        // A malformed code names no offer: same answer as an unknown one.
        Err(AppError::Invalid(_)) => {
            return Err(AppError::NotFound(
                "Cet identifiant ne correspond à aucune offre du catalogue.".into(),
            )
            .into());
        }
        Err(other) => return Err(other.into()),
    };
    let offer = offer.ok_or_else(|| AppError::Internal("catalog returned no offer".into()))?;
    let domain_url = CatalogQuery {
        domains: offer.domain.iter().map(|d| d.slug.clone()).collect(),
        page: 1,
        ..CatalogQuery::default()
    }
    .home_url();
    let thematics = offer
        .thematics
        .iter()
        .map(|t| t.label.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut card = card(
        offer.code,
        offer.title,
        offer.summary,
        offer.unique,
        offer.domain.as_ref(),
        offer.typology.as_ref(),
        user.0.is_some(),
    );
    if let Some(session) = &user.0 {
        mark_favorites(&state, session, std::slice::from_mut(&mut card)).await;
    }
    Ok(OfferPage {
        layout: Layout::new(&state, &user),
        offer: card,
        domain_url,
        thematics,
        description: offer.description,
        practical_info: offer.practical_info,
        lead_service: offer.lead_service,
        lead_contact: offer.lead_contact,
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::page_numbers;

    #[test]
    fn pagination_elides_far_pages() {
        assert_eq!(page_numbers(1, 1), [1]);
        assert_eq!(page_numbers(5, 12), [1, 0, 4, 5, 6, 0, 12]);
        assert_eq!(page_numbers(1, 4), [1, 2, 0, 4]);
    }
}
