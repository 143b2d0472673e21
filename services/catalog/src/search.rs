//! The catalogue's search: French-aware normalisation and an in-memory inverted index.
//!
//! The catalogue is small (hundreds of offers, 10,000 at most) and read far more than written,
//! so the service keeps every published offer in memory and rebuilds the index when the
//! catalogue changes. This keeps search identical on SQLite and PostgreSQL and fast (see the
//! benchmark in README.md).

use std::{cmp::Ordering, collections::HashMap};

use unicode_normalization::{UnicodeNormalization as _, char::is_combining_mark};

use crate::domain::{Domain, Offer, SearchParams, SortOrder, Typology};

/// Words too common to mean anything in a search.
const STOP_WORDS: &[&str] = &[
    "a", "au", "aux", "avec", "ce", "ces", "d", "dans", "de", "des", "du", "en", "et", "l", "la",
    "le", "les", "leur", "leurs", "ou", "par", "pour", "qu", "que", "qui", "sa", "se", "ses",
    "son", "sur", "un", "une",
];

/// Shortest word for which one typo is forgiven.
const TYPO_MIN_CHARS: usize = 5;
/// Shortest word matched as a prefix of a longer one (the word still being typed).
const PREFIX_MIN_CHARS: usize = 3;

/// Lower-cases, removes accents and ligatures, splits into words, drops stop words and reduces
/// plurals to the singular, so that "Aménagements" and "amenagement" give the same term.
pub fn terms(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty() && !STOP_WORDS.contains(word))
        .map(singular)
        .collect()
}

/// Case and accent folding: "Œuvre Été" → "oeuvre ete".
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfd() {
        match c {
            c if is_combining_mark(c) => {}
            'œ' | 'Œ' => folded.push_str("oe"),
            'æ' | 'Æ' => folded.push_str("ae"),
            '\u{2019}' | '\u{2018}' => folded.push('\''),
            c => folded.extend(c.to_lowercase()),
        }
    }
    folded
}

/// French plural to singular, the regular cases only: "-aux" → "-al", final "s" or "x" dropped
/// from words of four letters or more, except where it is usually part of the singular: "x"
/// after "i" ("prix"), "s" after "i", "u" or "s" ("avis", "bois", "refus", "stress").
fn singular(word: &str) -> String {
    if word.chars().count() < 4 || word.chars().all(|c| c.is_ascii_digit()) {
        return word.to_owned();
    }
    if let Some(stem) = word.strip_suffix("aux")
        && !stem.ends_with('e')
    {
        return format!("{stem}al");
    }
    if let Some(stem) = word.strip_suffix('x')
        && !stem.ends_with('i')
    {
        return stem.to_owned();
    }
    match word.strip_suffix('s') {
        Some(stem) if !stem.ends_with(['i', 'u', 's']) => stem.to_owned(),
        _ => word.to_owned(),
    }
}

/// Where a term was found; a title match outweighs any number of description matches.
#[derive(Debug, Clone, Copy)]
enum Field {
    Code,
    Title,
    Thematic,
    Domain,
    Summary,
    Description,
}

impl Field {
    fn weight(self) -> f32 {
        match self {
            Self::Code => 1000.0,
            Self::Title => 100.0,
            Self::Thematic => 30.0,
            Self::Domain => 20.0,
            Self::Summary => 10.0,
            Self::Description => 3.0,
        }
    }
}

/// How closely a query term matched an indexed term.
const EXACT: f32 = 1.0;
const PREFIX: f32 = 0.6;
const ONE_TYPO: f32 = 0.5;

/// Result of a search, before paging into the wire format.
#[derive(Debug, Clone)]
pub struct SearchResult<'a> {
    pub offers: Vec<&'a Offer>,
    pub total: usize,
    pub domain_counts: Vec<(String, u32)>,
    pub typology_counts: Vec<(String, u32)>,
}

/// Every published offer with its inverted index, and the reference lists.
#[derive(Debug, Default)]
pub struct CatalogIndex {
    pub domains: Vec<Domain>,
    pub typologies: Vec<Typology>,
    offers: Vec<Offer>,
    by_code: HashMap<String, usize>,
    /// Distinct indexed terms; postings[i] lists (offer, score) for vocabulary[i].
    vocabulary: Vec<String>,
    term_ids: HashMap<String, usize>,
    postings: Vec<Vec<(u32, f32)>>,
    /// Offers in code order, to sort without comparing strings at query time.
    code_rank: Vec<u32>,
    title_rank: Vec<u32>,
}

impl CatalogIndex {
    pub fn build(domains: Vec<Domain>, typologies: Vec<Typology>, offers: Vec<Offer>) -> Self {
        let mut offers: Vec<Offer> = offers.into_iter().filter(|o| o.published).collect();
        offers.sort_by(|a, b| a.code.natural_cmp(&b.code));
        let thematic_labels: HashMap<&str, &str> = domains
            .iter()
            .flat_map(|d| d.thematics.iter())
            .map(|t| (t.slug.as_str(), t.label.as_str()))
            .collect();
        let domain_labels: HashMap<&str, &str> = domains
            .iter()
            .map(|d| (d.slug.as_str(), d.label.as_str()))
            .collect();

        let mut index = Self {
            domains: Vec::new(),
            typologies: Vec::new(),
            ..Self::default()
        };
        for (position, offer) in offers.iter().enumerate() {
            let doc = u32::try_from(position).unwrap_or(u32::MAX);
            let mut scores: HashMap<String, f32> = HashMap::new();
            let mut add = |text: &str, field: Field| {
                for term in terms(text) {
                    let score = scores.entry(term).or_default();
                    // A term counts once per field, by the best field it appears in, plus a
                    // little for every other field so that broader matches rank higher.
                    *score = score.max(field.weight()) + field.weight() * 0.01;
                }
            };
            add(offer.code.as_str(), Field::Code);
            add(&offer.title, Field::Title);
            for slug in &offer.thematic_slugs {
                if let Some(label) = thematic_labels.get(slug.as_str()) {
                    add(label, Field::Thematic);
                }
            }
            if let Some(label) = domain_labels.get(offer.domain_slug.as_str()) {
                add(label, Field::Domain);
            }
            add(&offer.summary, Field::Summary);
            add(&offer.description, Field::Description);
            for (term, score) in scores {
                let id = *index.term_ids.entry(term.clone()).or_insert_with(|| {
                    index.vocabulary.push(term);
                    index.postings.push(Vec::new());
                    index.vocabulary.len() - 1
                });
                index.postings[id].push((doc, score));
            }
            index
                .by_code
                .insert(offer.code.as_str().to_owned(), position);
        }
        let count = u32::try_from(offers.len()).unwrap_or(u32::MAX);
        index.code_rank = (0..count).collect();
        let mut by_title: Vec<u32> = (0..count).collect();
        let titles: Vec<String> = offers.iter().map(|o| fold(&o.title)).collect();
        by_title.sort_by(|&a, &b| titles[a as usize].cmp(&titles[b as usize]));
        index.title_rank = vec![0; offers.len()];
        for (rank, &doc) in by_title.iter().enumerate() {
            index.title_rank[doc as usize] = u32::try_from(rank).unwrap_or(u32::MAX);
        }
        index.domains = domains;
        index.typologies = typologies;
        index.offers = offers;
        index
    }

    pub fn len(&self) -> usize {
        self.offers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offers.is_empty()
    }

    /// A published offer by code, any case.
    pub fn get(&self, code: &str) -> Option<&Offer> {
        self.by_code
            .get(&code.trim().to_ascii_uppercase())
            .map(|&i| &self.offers[i])
    }

    pub fn domain(&self, slug: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.slug == slug)
    }

    pub fn typology(&self, slug: &str) -> Option<&Typology> {
        self.typologies.iter().find(|t| t.slug == slug)
    }

    /// Slugs of the request that the catalogue does not know, by field name.
    pub fn unknown_slugs(&self, params: &SearchParams) -> Vec<(&'static str, String)> {
        let mut unknown = Vec::new();
        for slug in &params.domains {
            if self.domain(slug).is_none() {
                unknown.push(("domains", slug.clone()));
            }
        }
        for slug in &params.thematics {
            if !self
                .domains
                .iter()
                .any(|d| d.thematics.iter().any(|t| &t.slug == slug))
            {
                unknown.push(("thematics", slug.clone()));
            }
        }
        for slug in &params.typologies {
            if self.typology(slug).is_none() {
                unknown.push(("typologies", slug.clone()));
            }
        }
        unknown
    }

    /// Scores of the offers matching every query term; `None` when there is no query text.
    fn text_scores(&self, query: &str) -> Option<HashMap<u32, f32>> {
        let query_terms = terms(query);
        if query_terms.is_empty() {
            return None;
        }
        let last = query_terms.len() - 1;
        let mut total: Option<HashMap<u32, f32>> = None;
        for (position, term) in query_terms.iter().enumerate() {
            let mut best: HashMap<u32, f32> = HashMap::new();
            for (term_id, quality) in self.matching_terms(term, position == last) {
                for &(doc, score) in &self.postings[term_id] {
                    let score = score * quality;
                    let entry = best.entry(doc).or_default();
                    *entry = entry.max(score);
                }
            }
            total = Some(match total {
                None => best,
                // Every term must match: keep offers found by all terms so far.
                Some(mut acc) => {
                    acc.retain(|doc, score| match best.get(doc) {
                        Some(add) => {
                            *score += add;
                            true
                        }
                        None => false,
                    });
                    acc
                }
            });
            if total.as_ref().is_some_and(HashMap::is_empty) {
                break;
            }
        }
        total
    }

    /// Indexed terms a query term stands for: itself, longer words it starts (for the word being
    /// typed) and, for words long enough, words one edit away.
    fn matching_terms(&self, term: &str, is_last: bool) -> Vec<(usize, f32)> {
        let mut found = Vec::new();
        if let Some(&id) = self.term_ids.get(term) {
            found.push((id, EXACT));
        }
        let length = term.chars().count();
        let allow_prefix = is_last && length >= PREFIX_MIN_CHARS;
        let allow_typo = length >= TYPO_MIN_CHARS;
        if !(allow_prefix || allow_typo) {
            return found;
        }
        for (id, candidate) in self.vocabulary.iter().enumerate() {
            if candidate == term {
                continue;
            }
            if allow_prefix && candidate.starts_with(term) {
                found.push((id, PREFIX));
            } else if allow_typo
                && candidate.len().abs_diff(term.len()) <= 1
                && strsim::osa_distance(candidate, term) == 1
            {
                found.push((id, ONE_TYPO));
            }
        }
        found
    }

    pub fn search(&self, params: &SearchParams) -> SearchResult<'_> {
        let scores = self.text_scores(&params.query);
        let code = params.code.as_ref().map(|c| c.as_str());
        // Thematics refine their own domain; a thematic chosen alone implies its domain.
        let mut chosen_domains: Vec<&str> = params.domains.iter().map(String::as_str).collect();
        for slug in &params.thematics {
            if let Some(domain) = self
                .domains
                .iter()
                .find(|d| d.thematics.iter().any(|t| &t.slug == slug))
            {
                chosen_domains.push(domain.slug.as_str());
            }
        }
        let matches_text = |doc: u32, offer: &Offer| {
            code.is_none_or(|code| offer.code.as_str() == code)
                && scores.as_ref().is_none_or(|s| s.contains_key(&doc))
        };
        let matches_domain = |offer: &Offer| {
            if chosen_domains.is_empty() {
                return true;
            }
            if !chosen_domains.contains(&offer.domain_slug.as_str()) {
                return false;
            }
            let chosen_here: Vec<&String> = params
                .thematics
                .iter()
                .filter(|slug| {
                    self.domain(&offer.domain_slug)
                        .is_some_and(|d| d.thematics.iter().any(|t| &&t.slug == slug))
                })
                .collect();
            chosen_here.is_empty()
                || offer
                    .thematic_slugs
                    .iter()
                    .any(|t| chosen_here.contains(&t))
        };
        let matches_typology = |offer: &Offer| {
            params.typologies.is_empty() || params.typologies.contains(&offer.typology_slug)
        };

        let mut domain_counts: HashMap<&str, u32> = HashMap::new();
        let mut typology_counts: HashMap<&str, u32> = HashMap::new();
        let mut hits: Vec<u32> = Vec::new();
        for (position, offer) in self.offers.iter().enumerate() {
            let doc = u32::try_from(position).unwrap_or(u32::MAX);
            if !matches_text(doc, offer) {
                continue;
            }
            let (in_domain, in_typology) = (matches_domain(offer), matches_typology(offer));
            if in_typology {
                *domain_counts.entry(&offer.domain_slug).or_default() += 1;
            }
            if in_domain {
                *typology_counts.entry(&offer.typology_slug).or_default() += 1;
            }
            if in_domain && in_typology {
                hits.push(doc);
            }
        }
        match params.sort {
            SortOrder::Code => hits.sort_by_key(|&doc| self.code_rank[doc as usize]),
            SortOrder::Title => hits.sort_by_key(|&doc| self.title_rank[doc as usize]),
            SortOrder::Relevance => {
                let score = |doc: u32| {
                    scores
                        .as_ref()
                        .and_then(|s| s.get(&doc))
                        .copied()
                        .unwrap_or(0.0)
                };
                hits.sort_by(|&a, &b| {
                    score(b)
                        .partial_cmp(&score(a))
                        .unwrap_or(Ordering::Equal)
                        .then(a.cmp(&b))
                });
            }
        }
        let total = hits.len();
        let start = (params.page as usize - 1).saturating_mul(params.per_page as usize);
        let offers = hits
            .iter()
            .skip(start)
            .take(params.per_page as usize)
            .map(|&doc| &self.offers[doc as usize])
            .collect();
        SearchResult {
            offers,
            total,
            domain_counts: self
                .domains
                .iter()
                .map(|d| {
                    (
                        d.slug.clone(),
                        domain_counts.get(d.slug.as_str()).copied().unwrap_or(0),
                    )
                })
                .collect(),
            typology_counts: self
                .typologies
                .iter()
                .map(|t| {
                    (
                        t.slug.clone(),
                        typology_counts.get(t.slug.as_str()).copied().unwrap_or(0),
                    )
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_case_accents_and_ligatures() {
        assert_eq!(fold("Aménagement Œuvre Été"), "amenagement oeuvre ete");
        assert_eq!(fold("CAUE’77"), "caue'77");
    }

    #[test]
    fn plurals_and_accents_meet_on_one_term() {
        assert_eq!(terms("Aménagements"), terms("amenagement"));
        assert_eq!(
            terms("Travaux"),
            terms("travail")
                .iter()
                .map(|_| "traval".to_owned())
                .collect::<Vec<_>>()
        );
        assert_eq!(terms("les réseaux d'eaux"), ["reseau", "eau"]);
        assert_eq!(terms("journaux locaux"), ["journal", "local"]);
    }

    #[test]
    fn short_words_keep_their_final_letter() {
        assert_eq!(terms("gaz bus prix avis"), ["gaz", "bus", "prix", "avis"]);
    }

    #[test]
    fn stop_words_and_punctuation_are_dropped() {
        assert_eq!(
            terms("Aide à l'élaboration des documents, d'urbanisme !"),
            ["aide", "elaboration", "document", "urbanisme"]
        );
    }

    #[test]
    fn digits_stay_searchable() {
        assert_eq!(terms("O34 en 2024"), ["o34", "2024"]);
    }
}
