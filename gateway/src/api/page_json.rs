//! The JSON of a search page, written by hand.
//!
//! A page is the busiest body the gateway writes: twenty offers, about 550 strings, half of them
//! keys. Through serde, every key went through the string escaper and every field through the
//! serializer's state machine; here the keys and punctuation are constants and only the values
//! are escaped (by sonic-rs, with SIMD). The bytes are serde_json's for the same
//! [`OffersPage`], which a test holds, and which keeps the OpenAPI schema derived from
//! [`OffersPage`] true.

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse as _, Response},
};
use sonic_rs::format::{CompactFormatter, Formatter as _};

use super::catalog::{FacetCount, OfferSummary, OffersPage};
use crate::error::{ApiError, AppError};

/// Room for one offer summary in JSON (they are 400 to 600 bytes).
const OFFER_JSON_BYTES: usize = 640;

/// The page as an `application/json` response.
pub fn response(page: &OffersPage<'_>) -> Response {
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
    fn array<T>(&mut self, items: &[T], mut item: impl FnMut(&mut Self, &T) -> Written) -> Written {
        self.raw(b"[");
        for (i, value) in items.iter().enumerate() {
            if i > 0 {
                self.raw(b",");
            }
            item(self, value)?;
        }
        self.raw(b"]");
        Ok(())
    }

    /// `{"slug":…,"label":…}`, the shape of a domain, thematic or typology reference.
    fn labelled(&mut self, slug: &str, label: &str) -> Written {
        self.raw(b"{\"slug\":");
        self.string(slug)?;
        self.raw(b",\"label\":");
        self.string(label)?;
        self.raw(b"}");
        Ok(())
    }

    fn page(&mut self, page: &OffersPage<'_>) -> Written {
        self.raw(b"{\"total\":");
        self.number(page.total)?;
        self.raw(b",\"page\":");
        self.number(page.page)?;
        self.raw(b",\"per_page\":");
        self.number(page.per_page)?;
        self.raw(b",\"offers\":");
        self.array(&page.offers, Self::offer)?;
        self.raw(b",\"domain_counts\":");
        self.array(&page.domain_counts, Self::facet)?;
        self.raw(b",\"typology_counts\":");
        self.array(&page.typology_counts, Self::facet)?;
        self.raw(b"}");
        Ok(())
    }

    fn offer(&mut self, offer: &OfferSummary<'_>) -> Written {
        self.raw(b"{\"code\":");
        self.string(offer.code)?;
        self.raw(b",\"title\":");
        self.string(offer.title)?;
        self.raw(b",\"summary\":");
        self.string(offer.summary)?;
        self.raw(b",\"domain\":");
        match &offer.domain {
            Some(domain) => self.labelled(domain.slug, domain.label)?,
            None => self.raw(b"null"),
        }
        self.raw(b",\"thematics\":");
        self.array(&offer.thematics, |json, t| json.labelled(t.slug, t.label))?;
        self.raw(b",\"typology\":");
        match &offer.typology {
            Some(typology) => self.labelled(typology.slug, typology.label)?,
            None => self.raw(b"null"),
        }
        self.raw(if offer.unique {
            b",\"unique\":true}"
        } else {
            b",\"unique\":false}"
        });
        Ok(())
    }

    fn facet(&mut self, facet: &FacetCount<'_>) -> Written {
        self.raw(b"{\"slug\":");
        self.string(facet.slug)?;
        self.raw(b",\"count\":");
        self.number(facet.count)?;
        self.raw(b"}");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;

    use super::*;
    use crate::api::catalog::{DomainRef, Thematic, Typology};

    async fn assert_as_serde_json(page: &OffersPage<'_>) {
        let expected = serde_json::to_vec(page).expect("serde_json writes the page");
        let response = response(page);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("the body is in memory");
        assert_eq!(
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(&expected)
        );
    }

    /// Every other JSON body is written by serde_json from the same types: clients must not be
    /// able to tell, escapes, empty lists and missing references included.
    #[tokio::test]
    async fn a_page_is_the_json_serde_json_would_write() {
        let tricky =
            "« Guillemets » \"doubles\", barre \\ oblique /, tab\t, retour\n, \u{1}, \u{7f}, é, 🌳";
        let page = OffersPage {
            total: 4_000_000_000,
            page: 1,
            per_page: 20,
            offers: vec![
                OfferSummary {
                    code: "O01",
                    title: tricky,
                    summary: "",
                    domain: Some(DomainRef {
                        slug: "eau-assainissement",
                        label: "Eau / Assainissement",
                    }),
                    thematics: vec![
                        Thematic {
                            slug: "eau-potable",
                            label: "Eau potable",
                        },
                        Thematic {
                            slug: "x",
                            label: tricky,
                        },
                    ],
                    typology: None,
                    unique: true,
                },
                OfferSummary {
                    code: "F176",
                    title: "Réservation d'expositions",
                    summary: tricky,
                    domain: None,
                    thematics: Vec::new(),
                    typology: Some(Typology {
                        slug: "reservation-expositions",
                        label: tricky,
                    }),
                    unique: false,
                },
            ],
            domain_counts: vec![
                FacetCount {
                    slug: "eau-assainissement",
                    count: 2,
                },
                FacetCount {
                    slug: tricky,
                    count: 0,
                },
            ],
            typology_counts: Vec::new(),
        };
        assert_as_serde_json(&page).await;
    }

    #[tokio::test]
    async fn an_empty_page_too() {
        assert_as_serde_json(&OffersPage {
            total: 0,
            page: 3,
            per_page: 100,
            offers: Vec::new(),
            domain_counts: Vec::new(),
            typology_counts: Vec::new(),
        })
        .await;
    }
}
