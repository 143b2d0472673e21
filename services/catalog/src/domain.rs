//! The catalogue's domain types and the rules on search parameters.

use std::{cmp::Ordering, fmt};

use chrono::{DateTime, Utc};
use id77_kit::violations::FieldViolation;

/// Longest free-text query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most offers on one page.
pub const MAX_PER_PAGE: u32 = 100;
pub const DEFAULT_PER_PAGE: u32 = 20;

/// An offer identifier: one letter and a number (`O01`, `F176`, `R02`), stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OfferCode(String);

impl OfferCode {
    /// Accepts any case and surrounding spaces; refuses anything that is not a letter then 1–5 digits.
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        let code = input.trim().to_ascii_uppercase();
        let mut chars = code.chars();
        let valid = matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
            && (2..=6).contains(&code.len())
            && chars.all(|c| c.is_ascii_digit());
        if valid {
            Ok(Self(code))
        } else {
            Err(FieldViolation::new(
                "code",
                "L'identifiant d'une offre est une lettre suivie d'un numéro, par exemple O37, F176 ou R02.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Letter first, then the number as a number: O2 < O10 < R01.
    pub fn natural_cmp(&self, other: &Self) -> Ordering {
        let key = |code: &Self| {
            let (letter, digits) = code.0.split_at(1);
            (
                letter.to_owned(),
                digits.parse::<u32>().unwrap_or(u32::MAX),
                code.0.len(),
            )
        };
        key(self).cmp(&key(other))
    }
}

impl fmt::Display for OfferCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thematic {
    pub slug: String,
    pub label: String,
    pub domain_slug: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub slug: String,
    pub label: String,
    pub icon: String,
    pub position: u32,
    pub thematics: Vec<Thematic>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typology {
    pub slug: String,
    pub label: String,
}

/// An offer as stored; labels of its domain, thematics and typology are joined in by slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub code: OfferCode,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub domain_slug: String,
    pub thematic_slugs: Vec<String>,
    pub typology_slug: String,
    pub unique: bool,
    pub lead_service: String,
    pub lead_contact: String,
    pub practical_info: String,
    pub published: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Offer {
    /// The offer's thematics, in its order, as far as they belong to `domain` (its own domain,
    /// looked up by the caller): a slug of another domain or of none names no thematic.
    pub fn thematics_in<'a>(
        &'a self,
        domain: Option<&'a Domain>,
    ) -> impl Iterator<Item = &'a Thematic> {
        self.thematic_slugs
            .iter()
            .filter_map(move |slug| domain?.thematics.iter().find(|t| &t.slug == slug))
    }
}

/// What the slugs a search filters on have in common: the request field that carries them, what
/// they name in the French messages, and their one rule (trimmed, a blank one ignored). Whether
/// the catalogue knows a slug is checked by the service, which has the catalogue.
pub trait Slug: Sized + Ord + fmt::Display {
    /// The request field, as named in field violations.
    const FIELD: &'static str;
    /// What the slug names, to start a French message.
    const LABEL: &'static str;
    /// The slug without surrounding spaces; `None` when nothing is left.
    fn parse(input: &str) -> Option<Self>;
    fn as_str(&self) -> &str;
}

/// A newtype per kind of slug, so that a thematic's slug cannot be looked up as a domain's.
macro_rules! slug {
    ($(#[$doc:meta])* $name:ident, $field:literal, $label:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl Slug for $name {
            const FIELD: &'static str = $field;
            const LABEL: &'static str = $label;

            fn parse(input: &str) -> Option<Self> {
                let slug = input.trim();
                (!slug.is_empty()).then(|| Self(slug.to_owned()))
            }

            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug!(
    /// A domain's slug, as a search filter (`amenagement-urbanisme`).
    DomainSlug,
    "domains",
    "Domaine"
);
slug!(
    /// A thematic's slug, as a search filter.
    ThematicSlug,
    "thematics",
    "Thématique"
);
slug!(
    /// A typology's slug, as a search filter.
    TypologySlug,
    "typologies",
    "Typologie"
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Code,
    Title,
    Relevance,
}

/// Validated search parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchParams {
    pub code: Option<OfferCode>,
    pub query: String,
    pub domains: Vec<DomainSlug>,
    pub thematics: Vec<ThematicSlug>,
    pub typologies: Vec<TypologySlug>,
    pub sort: SortOrder,
    pub page: u32,
    pub per_page: u32,
}

/// Raw search input, as it arrives over gRPC.
#[derive(Debug, Clone, Default)]
pub struct SearchInput {
    pub code: String,
    pub query: String,
    pub domains: Vec<String>,
    pub thematics: Vec<String>,
    pub typologies: Vec<String>,
    pub sort: Option<SortOrder>,
    pub page: u32,
    pub per_page: u32,
}

impl SearchParams {
    /// Checks every field and reports all the problems at once. Slugs are checked against the
    /// catalogue by the caller, which knows them.
    pub fn parse(input: SearchInput) -> Result<Self, Vec<FieldViolation>> {
        let mut violations = Vec::new();
        let code = match input.code.trim() {
            "" => None,
            code => OfferCode::parse(code).map_err(|v| violations.push(v)).ok(),
        };
        let query = input.query.trim().to_owned();
        if query.chars().count() > MAX_QUERY_CHARS {
            violations.push(FieldViolation::new(
                "query",
                format!("La recherche ne peut pas dépasser {MAX_QUERY_CHARS} caractères."),
            ));
        }
        let per_page = match input.per_page {
            0 => DEFAULT_PER_PAGE,
            n if n > MAX_PER_PAGE => {
                violations.push(FieldViolation::new(
                    "per_page",
                    format!("Au plus {MAX_PER_PAGE} offres par page."),
                ));
                DEFAULT_PER_PAGE
            }
            n => n,
        };
        if !violations.is_empty() {
            return Err(violations);
        }
        let sort = input.sort.unwrap_or(if query.is_empty() {
            SortOrder::Code
        } else {
            SortOrder::Relevance
        });
        Ok(Self {
            code,
            query,
            domains: slugs(&input.domains),
            thematics: slugs(&input.thematics),
            typologies: slugs(&input.typologies),
            sort,
            page: input.page.max(1),
            per_page,
        })
    }
}

/// The slugs of one filter, each once, in slug order; blank ones are ignored.
fn slugs<T: Slug>(inputs: &[String]) -> Vec<T> {
    let mut slugs: Vec<T> = inputs.iter().filter_map(|s| T::parse(s)).collect();
    slugs.sort();
    slugs.dedup();
    slugs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offer_codes_are_a_letter_and_a_number_in_any_case() {
        assert_eq!(OfferCode::parse(" o01 ").unwrap().as_str(), "O01");
        assert_eq!(OfferCode::parse("F176").unwrap().as_str(), "F176");
        for bad in ["", "O", "01", "OO1", "O-1", "É01", "O1234567"] {
            assert!(OfferCode::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn codes_sort_naturally() {
        let mut codes: Vec<_> = ["R02", "O10", "F176", "O2", "O01"]
            .iter()
            .map(|c| OfferCode::parse(c).unwrap())
            .collect();
        codes.sort_by(OfferCode::natural_cmp);
        let sorted: Vec<_> = codes.iter().map(OfferCode::as_str).collect();
        assert_eq!(sorted, ["F176", "O01", "O2", "O10", "R02"]);
    }

    #[test]
    fn search_parameters_report_every_bad_field() {
        let errors = SearchParams::parse(SearchInput {
            code: "zz".into(),
            query: "x".repeat(MAX_QUERY_CHARS + 1),
            per_page: 101,
            ..SearchInput::default()
        })
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["code", "query", "per_page"]);
    }

    #[test]
    fn filter_slugs_are_trimmed_once_each_and_blanks_ignored() {
        let params = SearchParams::parse(SearchInput {
            domains: vec![" eau ".into(), String::new(), "air".into(), "eau".into()],
            thematics: vec!["  ".into()],
            typologies: vec!["etude".into()],
            ..SearchInput::default()
        })
        .unwrap();
        let domains: Vec<_> = params.domains.iter().map(Slug::as_str).collect();
        assert_eq!(domains, ["air", "eau"]);
        assert!(params.thematics.is_empty());
        assert_eq!(params.typologies, [TypologySlug::parse("etude").unwrap()]);
    }

    #[test]
    fn defaults_fill_the_gaps() {
        let params = SearchParams::parse(SearchInput::default()).unwrap();
        assert_eq!(
            (params.page, params.per_page, params.sort),
            (1, DEFAULT_PER_PAGE, SortOrder::Code)
        );
        let params = SearchParams::parse(SearchInput {
            query: "eau".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(params.sort, SortOrder::Relevance);
    }
}
