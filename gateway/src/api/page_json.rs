//! The JSON of a search page, written by hand from the catalog's reply read in place.
//!
//! A page is the busiest body the gateway writes: twenty offers, about 550 strings, half of them
//! keys. Through serde, every key went through the string escaper and every field through the
//! serializer's state machine; here the keys and punctuation are constants, and only the values
//! are escaped (by sonic-rs, with SIMD). An offer names its domain, thematics and typology by
//! slug: each of those the page refers to is written once, and copied into every offer that
//! names it. The bytes are serde_json's for the same [`OffersPage`], which the tests hold, and
//! which keeps the OpenAPI schema derived from [`OffersPage`] true.
//!
//! [`OffersPage`]: super::catalog::OffersPage

use std::ops::Range;

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse as _, Response},
};
use id77_proto::view::{FacetCountView, LabelView, OfferSummaryView, SearchOffersView};
use sonic_rs::format::{CompactFormatter, Formatter as _};

use crate::error::{ApiError, AppError};

/// Room for one offer summary in JSON (they are 400 to 600 bytes).
const OFFER_JSON_BYTES: usize = 640;

/// The page as an `application/json` response.
pub fn response(page: &SearchOffersView<'_>) -> Response {
    // Sized up front: axum's `Json` starts at 128 bytes and doubles, seven copies of a page.
    let mut json = Json(Vec::with_capacity(
        512 + page.offers.len() * OFFER_JSON_BYTES,
    ));
    match json.page(page) {
        Ok(()) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            json.0,
        )
            .into_response(),
        Err(error) => {
            ApiError::from(AppError::Internal(format!("JSON of a page: {error}"))).into_response()
        }
    }
}

/// A JSON document being written. Writing into a `Vec` does not fail; the `io::Result`s are
/// sonic-rs's formatter signature.
struct Json(Vec<u8>);

type Written = std::io::Result<()>;

impl Json {
    fn raw(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn string(&mut self, value: &str) -> Written {
        CompactFormatter.write_string_fast(&mut self.0, value, true)
    }

    fn number(&mut self, value: u32) -> Written {
        CompactFormatter.write_u32(&mut self.0, value)
    }

    /// `[item,item,…]`.
    fn array<I: IntoIterator>(
        &mut self,
        items: I,
        mut item: impl FnMut(&mut Self, I::Item) -> Written,
    ) -> Written {
        self.raw(b"[");
        for (i, value) in items.into_iter().enumerate() {
            if i > 0 {
                self.raw(b",");
            }
            item(self, value)?;
        }
        self.raw(b"]");
        Ok(())
    }

    /// `{"slug":…,"label":…}`, the shape of a domain, thematic or typology reference.
    fn labelled(&mut self, label: &LabelView<'_>) -> Written {
        self.raw(b"{\"slug\":");
        self.string(label.slug)?;
        self.raw(b",\"label\":");
        self.string(label.label)?;
        self.raw(b"}");
        Ok(())
    }

    fn page(&mut self, page: &SearchOffersView<'_>) -> Written {
        let labels = Labels::of(&page.references)?;
        self.raw(b"{\"total\":");
        self.number(page.total)?;
        self.raw(b",\"page\":");
        self.number(page.page)?;
        self.raw(b",\"per_page\":");
        self.number(page.per_page)?;
        self.raw(b",\"offers\":");
        self.array(&page.offers, |json, offer| json.offer(offer, &labels))?;
        self.raw(b",\"domain_counts\":");
        self.array(&page.domain_counts, Self::facet)?;
        self.raw(b",\"typology_counts\":");
        self.array(&page.typology_counts, Self::facet)?;
        self.raw(b"}");
        Ok(())
    }

    /// An offer, its domain, thematics and typology labelled from the page's references; a slug
    /// they lack is left out (`null` for the domain and typology) rather than shown unlabelled.
    fn offer(&mut self, offer: &OfferSummaryView<'_>, labels: &Labels<'_>) -> Written {
        self.raw(b"{\"code\":");
        self.string(offer.code)?;
        self.raw(b",\"title\":");
        self.string(offer.title)?;
        self.raw(b",\"summary\":");
        self.string(offer.summary)?;
        self.raw(b",\"domain\":");
        self.raw(labels.domain(offer.domain_slug).unwrap_or(b"null"));
        self.raw(b",\"thematics\":");
        self.array(
            offer
                .thematic_slugs
                .iter()
                .filter_map(|slug| labels.thematic(slug)),
            |json, thematic| {
                json.raw(thematic);
                Ok(())
            },
        )?;
        self.raw(b",\"typology\":");
        self.raw(labels.typology(offer.typology_slug).unwrap_or(b"null"));
        self.raw(if offer.unique {
            b",\"unique\":true}"
        } else {
            b",\"unique\":false}"
        });
        Ok(())
    }

    fn facet(&mut self, facet: &FacetCountView<'_>) -> Written {
        self.raw(b"{\"slug\":");
        self.string(facet.slug)?;
        self.raw(b",\"count\":");
        self.number(facet.count)?;
        self.raw(b"}");
        Ok(())
    }
}

/// The JSON of each domain, thematic and typology of a page's references, by slug: where in
/// `json` it was written.
struct Labels<'a> {
    json: Vec<u8>,
    domains: Vec<(&'a str, Range<usize>)>,
    thematics: Vec<(&'a str, Range<usize>)>,
    typologies: Vec<(&'a str, Range<usize>)>,
}

impl<'a> Labels<'a> {
    fn of(references: &id77_proto::view::ReferencesView<'a>) -> std::io::Result<Self> {
        let mut json = Json(Vec::with_capacity(
            96 * (references.domains.len()
                + references.thematics.len()
                + references.typologies.len()),
        ));
        let mut write = |list: &[LabelView<'a>]| -> std::io::Result<Vec<(&'a str, Range<usize>)>> {
            let mut written = Vec::with_capacity(list.len());
            for label in list {
                let start = json.0.len();
                json.labelled(label)?;
                written.push((label.slug, start..json.0.len()));
            }
            Ok(written)
        };
        let domains = write(&references.domains)?;
        let thematics = write(&references.thematics)?;
        let typologies = write(&references.typologies)?;
        Ok(Self {
            json: json.0,
            domains,
            thematics,
            typologies,
        })
    }

    /// The first written with this slug, as `ReferencesView` finds it.
    fn find(&self, list: &[(&'a str, Range<usize>)], slug: &[u8]) -> Option<&[u8]> {
        list.iter()
            .find(|(s, _)| s.as_bytes() == slug)
            .and_then(|(_, range)| self.json.get(range.clone()))
    }

    fn domain(&self, slug: &[u8]) -> Option<&[u8]> {
        self.find(&self.domains, slug)
    }

    fn thematic(&self, slug: &[u8]) -> Option<&[u8]> {
        self.find(&self.thematics, slug)
    }

    fn typology(&self, slug: &[u8]) -> Option<&[u8]> {
        self.find(&self.typologies, slug)
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use id77_proto::catalog::v1 as pb;
    use prost::Message as _;

    use super::*;
    use crate::api::catalog::OffersPage;

    /// The page the catalog sends, read in place, is written as serde_json writes the
    /// [`OffersPage`] the JSON API documents.
    async fn assert_as_serde_json(reply: &pb::SearchOffersResponse) {
        let bytes = reply.encode_to_vec();
        let page = SearchOffersView::decode(&bytes).expect("the view reads the page");
        let expected =
            serde_json::to_vec(&OffersPage::from_view(&page)).expect("serde_json writes the page");
        let response = response(&page);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("the body is in memory");
        assert_eq!(
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(&expected)
        );
    }

    fn label(slug: &str, label: &str) -> (String, String) {
        (slug.to_owned(), label.to_owned())
    }

    /// Every other JSON body is written by serde_json from the same types: clients must not be
    /// able to tell, escapes, empty lists and missing references included.
    #[tokio::test]
    async fn a_page_is_the_json_serde_json_would_write() {
        let tricky =
            "« Guillemets » \"doubles\", barre \\ oblique /, tab\t, retour\n, \u{1}, \u{7f}, é, 🌳";
        let thematic = |(slug, label): (String, String)| pb::Thematic {
            slug,
            label,
            domain_slug: "eau-assainissement".into(),
        };
        let reply = pb::SearchOffersResponse {
            total: 4_000_000_000,
            page: 1,
            per_page: 20,
            offers: vec![
                pb::OfferSummary {
                    code: "O01".into(),
                    title: tricky.into(),
                    summary: String::new(),
                    domain_slug: "eau-assainissement".into(),
                    // "inconnue" is missing from the references: left out.
                    thematic_slugs: vec!["eau-potable".into(), "inconnue".into(), "x".into()],
                    typology_slug: "inconnue".into(),
                    unique: true,
                },
                pb::OfferSummary {
                    code: "F176".into(),
                    title: "Réservation d'expositions".into(),
                    summary: tricky.into(),
                    domain_slug: "inconnu".into(),
                    thematic_slugs: Vec::new(),
                    typology_slug: "reservation-expositions".into(),
                    unique: false,
                },
                pb::OfferSummary {
                    code: "O02".into(),
                    domain_slug: "eau-assainissement".into(),
                    thematic_slugs: vec!["x".into()],
                    typology_slug: "reservation-expositions".into(),
                    ..pb::OfferSummary::default()
                },
            ],
            domain_counts: vec![
                pb::FacetCount {
                    slug: "eau-assainissement".into(),
                    count: 2,
                },
                pb::FacetCount {
                    slug: tricky.into(),
                    count: 0,
                },
                // Short, and still to be escaped.
                pb::FacetCount {
                    slug: "court \"é\"\t\\\u{1f}".into(),
                    count: 1,
                },
            ],
            typology_counts: Vec::new(),
            references: Some(pb::References {
                domains: vec![pb::Domain {
                    slug: "eau-assainissement".into(),
                    label: "Eau / Assainissement".into(),
                    ..pb::Domain::default()
                }],
                thematics: vec![
                    thematic(label("eau-potable", "Eau potable")),
                    thematic(label("x", tricky)),
                    // A slug met twice: the first one labels it, as `ReferencesView` finds it.
                    thematic(label("x", "Autre")),
                ],
                typologies: vec![pb::Typology {
                    slug: "reservation-expositions".into(),
                    label: tricky.into(),
                }],
            }),
        };
        assert_as_serde_json(&reply).await;
    }

    #[tokio::test]
    async fn an_empty_page_too() {
        assert_as_serde_json(&pb::SearchOffersResponse {
            page: 3,
            per_page: 100,
            ..pb::SearchOffersResponse::default()
        })
        .await;
    }
}
