//! The catalogue's query string, shared by the JSON API and the web pages so that every filter
//! state is one shareable URL: `q`, `code`, `domain`*, `thematic`*, `typology`*, `sort`, `page`,
//! `per_page` (* repeatable).

use id77_proto::catalog::v1 as pb;

use crate::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Code,
    Title,
    Relevance,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Relevance, Sort::Code, Sort::Title];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Title => "title",
            Self::Relevance => "relevance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Code => "Identifiant",
            Self::Title => "Titre",
            Self::Relevance => "Pertinence",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    fn to_pb(self) -> pb::SortOrder {
        match self {
            Self::Code => pb::SortOrder::Code,
            Self::Title => pb::SortOrder::Title,
            Self::Relevance => pb::SortOrder::Relevance,
        }
    }
}

/// A catalogue filter state, as parsed from (and written back to) a query string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogQuery {
    pub q: String,
    pub code: String,
    pub domains: Vec<String>,
    pub thematics: Vec<String>,
    pub typologies: Vec<String>,
    pub sort: Option<Sort>,
    pub page: u32,
    /// 0 means the default.
    pub per_page: u32,
}

const MAX_PAGE: u32 = 1_000_000;

impl CatalogQuery {
    /// Parses what it can and reports the rest field by field (names as in the query string).
    pub fn parse(raw: Option<&str>) -> (Self, Vec<FieldError>) {
        let mut query = Self {
            page: 1,
            ..Self::default()
        };
        let mut errors = Vec::new();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "q" => query.q = value.to_owned(),
                "code" => query.code = value.to_owned(),
                "domain" if !value.is_empty() => push_unique(&mut query.domains, value),
                "thematic" if !value.is_empty() => push_unique(&mut query.thematics, value),
                "typology" if !value.is_empty() => push_unique(&mut query.typologies, value),
                "sort" if !value.is_empty() => match Sort::parse(value) {
                    Some(sort) => query.sort = Some(sort),
                    None => errors.push(FieldError::new(
                        "sort",
                        "Tri inconnu : choisissez « relevance », « code » ou « title ».",
                    )),
                },
                "page" if !value.is_empty() => match value.parse::<u32>() {
                    Ok(page) if (1..=MAX_PAGE).contains(&page) => query.page = page,
                    _ => errors.push(FieldError::new(
                        "page",
                        "Le numéro de page doit être un nombre entier supérieur ou égal à 1.",
                    )),
                },
                "per_page" if !value.is_empty() => match value.parse::<u32>() {
                    Ok(per_page) if (1..=100).contains(&per_page) => query.per_page = per_page,
                    _ => errors.push(FieldError::new(
                        "per_page",
                        "Le nombre d'offres par page doit être compris entre 1 et 100.",
                    )),
                },
                _ => {}
            }
        }
        (query, errors)
    }

    pub fn to_request(&self) -> pb::SearchOffersRequest {
        pb::SearchOffersRequest {
            code: self.code.clone(),
            query: self.q.clone(),
            domains: self.domains.clone(),
            thematics: self.thematics.clone(),
            typologies: self.typologies.clone(),
            sort: self
                .sort
                .map_or(pb::SortOrder::Unspecified, Sort::to_pb)
                .into(),
            page: self.page,
            per_page: self.per_page,
        }
    }

    /// The canonical query string of this state (empty for the bare catalogue).
    pub fn to_query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            out.append_pair("q", &self.q);
        }
        if !self.code.is_empty() {
            out.append_pair("code", &self.code);
        }
        for slug in &self.domains {
            out.append_pair("domain", slug);
        }
        for slug in &self.thematics {
            out.append_pair("thematic", slug);
        }
        for slug in &self.typologies {
            out.append_pair("typology", slug);
        }
        if let Some(sort) = self.sort {
            out.append_pair("sort", sort.as_str());
        }
        if self.per_page != 0 {
            out.append_pair("per_page", &self.per_page.to_string());
        }
        if self.page > 1 {
            out.append_pair("page", &self.page.to_string());
        }
        out.finish()
    }

    /// `/` followed by the query string, if any.
    pub fn home_url(&self) -> String {
        let query = self.to_query_string();
        if query.is_empty() {
            "/".to_owned()
        } else {
            format!("/?{query}")
        }
    }

    /// The same filters on another page.
    pub fn with_page(&self, page: u32) -> Self {
        Self {
            page,
            ..self.clone()
        }
    }

    /// Adds or removes a domain (removing it also drops its thematics), back to page 1.
    pub fn toggle_domain(&self, slug: &str, thematics_of_domain: &[String]) -> Self {
        let mut next = self.with_page(1);
        if next.domains.iter().any(|d| d == slug) {
            next.domains.retain(|d| d != slug);
            next.thematics.retain(|t| !thematics_of_domain.contains(t));
        } else {
            next.domains.push(slug.to_owned());
        }
        next
    }

    /// Adds or removes a thematic, back to page 1.
    pub fn toggle_thematic(&self, slug: &str) -> Self {
        let mut next = self.with_page(1);
        if next.thematics.iter().any(|t| t == slug) {
            next.thematics.retain(|t| t != slug);
        } else {
            next.thematics.push(slug.to_owned());
        }
        next
    }
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

/// gRPC field names (`query`, `domains`…) as the query string spells them.
pub fn http_field_name(grpc_field: &str) -> &str {
    match grpc_field {
        "query" => "q",
        "domains" => "domain",
        "thematics" => "thematic",
        "typologies" => "typology",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_filters_and_paging_round_trip() {
        let raw = "q=eau+potable&domain=eau-assainissement&domain=tourisme&thematic=x&typology=y&sort=title&page=3&per_page=10";
        let (query, errors) = CatalogQuery::parse(Some(raw));
        assert!(errors.is_empty());
        assert_eq!(query.domains, ["eau-assainissement", "tourisme"]);
        assert_eq!(query.sort, Some(Sort::Title));
        assert_eq!((query.page, query.per_page), (3, 10));
        assert_eq!(CatalogQuery::parse(Some(&query.to_query_string())).0, query);
    }

    #[test]
    fn bad_values_are_reported_by_field() {
        let (_, errors) = CatalogQuery::parse(Some("page=-1&per_page=101&sort=best"));
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["page", "per_page", "sort"]);
    }

    #[test]
    fn removing_a_domain_drops_its_thematics() {
        let (query, _) =
            CatalogQuery::parse(Some("domain=a&domain=b&thematic=a1&thematic=b1&page=2"));
        let next = query.toggle_domain("a", &["a1".to_owned()]);
        assert_eq!(next.domains, ["b"]);
        assert_eq!(next.thematics, ["b1"]);
        assert_eq!(next.page, 1);
        assert_eq!(next.home_url(), "/?domain=b&thematic=b1");
    }
}
