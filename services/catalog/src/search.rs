//! The catalogue's search: French-aware normalisation and an in-memory inverted index.
//!
//! The catalogue is small (hundreds of offers, 10,000 at most) and read far more than written,
//! so the service keeps every published offer in memory and rebuilds the index when the
//! catalogue changes. This keeps search identical on SQLite and PostgreSQL and fast (see the
//! benchmark in README.md).

use std::{cmp::Ordering, collections::HashMap};

use unicode_normalization::{UnicodeNormalization as _, char::is_combining_mark};

use crate::domain::{Domain, Offer, SearchParams, Slug as _, SortOrder, Typology};

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
    // ASCII has nothing to decompose, no ligature and no typographic apostrophe (most queries).
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
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

/// An offer of one [`CatalogIndex`], by its position there. It borrows nothing, so an answer
/// can keep its offers next to the `Arc` of the index they were read from (which a reload may
/// replace meanwhile) instead of copying them; [`CatalogIndex::offer`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Doc(u32);

/// Result of a search: one page of offers and the facet counts, as positions in the index that
/// ran it.
#[derive(Debug, Clone)]
pub struct SearchResult {
    /// The page's offers, in the order asked.
    pub offers: Vec<Doc>,
    /// Offers matched, all pages together.
    pub total: usize,
    /// Offers per domain, in the order of [`CatalogIndex::domains`].
    pub domain_counts: Vec<u32>,
    /// Offers per typology, in the order of [`CatalogIndex::typologies`].
    pub typology_counts: Vec<u32>,
}

/// What filtering needs of an offer, as small integers (positions in the reference lists).
#[derive(Debug, Default)]
struct DocFacets {
    domain: usize,
    typology: usize,
    thematics: Vec<usize>,
}

/// Every published offer with its inverted index, and the reference lists.
#[derive(Debug, Default)]
pub struct CatalogIndex {
    pub domains: Vec<Domain>,
    pub typologies: Vec<Typology>,
    offers: Vec<Offer>,
    facets: Vec<DocFacets>,
    /// Every thematic (flattened over domains) and the position of its domain.
    thematic_slugs: Vec<String>,
    thematic_domain: Vec<usize>,
    by_code: HashMap<String, usize>,
    /// Distinct indexed terms; `postings[i]` lists (offer, score) for `vocabulary[i]`.
    vocabulary: Vec<String>,
    term_ids: HashMap<String, usize>,
    postings: Vec<Vec<(u32, f32)>>,
    /// Term ids in string order, for prefix ranges.
    sorted_terms: Vec<usize>,
    /// Term ids by length in bytes, for the one-typo scan.
    terms_by_len: Vec<Vec<usize>>,
    /// `letters(vocabulary[i])`, to skip most words of the one-typo scan with one comparison.
    term_letters: Vec<Option<u64>>,
    /// Rank of each offer in title order (offers themselves are kept in code order).
    title_rank: Vec<u32>,
}

/// Whether two different words are one edit apart: one letter replaced, added, removed, or two
/// neighbours swapped (optimal string alignment distance 1), without allocating.
fn one_edit_apart(a: &str, b: &str) -> bool {
    if !(a.is_ascii() && b.is_ascii()) {
        return strsim::osa_distance(a, b) == 1;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let first_difference = |x: &[u8], y: &[u8]| x.iter().zip(y).position(|(p, q)| p != q);
    match a.len().abs_diff(b.len()) {
        0 => {
            let Some(i) = first_difference(a, b) else {
                return false;
            };
            a[i + 1..] == b[i + 1..]
                || (i + 1 < a.len()
                    && a[i] == b[i + 1]
                    && a[i + 1] == b[i]
                    && a[i + 2..] == b[i + 2..])
        }
        1 => {
            let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
            let i = first_difference(short, long).unwrap_or(short.len());
            short[i..] == long[i + 1..]
        }
        _ => false,
    }
}

/// The set of bytes of an ASCII word as bits (letters and digits one bit each, other bytes
/// sharing the rest); `None` for other words. One edit changes at most two bits of it (a letter
/// replaced by another: one gone, one new), so words whose sets differ by more are not one edit
/// apart: the one-typo scan skips them without comparing the words.
fn letters(word: &str) -> Option<u64> {
    word.is_ascii().then(|| {
        word.bytes().fold(0u64, |set, byte| {
            let bit = match byte {
                b'a'..=b'z' => byte - b'a',
                b'0'..=b'9' => 26 + byte - b'0',
                _ => 36 + byte % 28,
            };
            set | 1 << bit
        })
    })
}

/// Whether two words may be one edit apart, from their [`letters`].
fn may_be_one_edit_apart(a: Option<u64>, b: Option<u64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a ^ b).count_ones() <= 2,
        _ => true,
    }
}

fn position(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

impl CatalogIndex {
    pub fn build(domains: Vec<Domain>, typologies: Vec<Typology>, offers: Vec<Offer>) -> Self {
        let mut offers: Vec<Offer> = offers.into_iter().filter(|o| o.published).collect();
        offers.sort_by(|a, b| a.code.natural_cmp(&b.code));
        let mut index = Self::default();
        for (domain_position, domain) in domains.iter().enumerate() {
            for thematic in &domain.thematics {
                index.thematic_slugs.push(thematic.slug.clone());
                index.thematic_domain.push(domain_position);
            }
        }
        let thematic_labels: HashMap<&str, &str> = domains
            .iter()
            .flat_map(|d| d.thematics.iter())
            .map(|t| (t.slug.as_str(), t.label.as_str()))
            .collect();

        for (doc, offer) in offers.iter().enumerate() {
            let domain = domains.iter().position(|d| d.slug == offer.domain_slug);
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
            if let Some(domain) = domain {
                add(&domains[domain].label, Field::Domain);
            }
            add(&offer.summary, Field::Summary);
            add(&offer.description, Field::Description);
            for (term, score) in scores {
                let id = *index.term_ids.entry(term.clone()).or_insert_with(|| {
                    index.vocabulary.push(term);
                    index.postings.push(Vec::new());
                    index.vocabulary.len() - 1
                });
                index.postings[id].push((position(doc), score));
            }
            index.by_code.insert(offer.code.as_str().to_owned(), doc);
            index.facets.push(DocFacets {
                // Offers of an unknown domain or typology match no filter on it.
                domain: domain.unwrap_or(usize::MAX),
                typology: typologies
                    .iter()
                    .position(|t| t.slug == offer.typology_slug)
                    .unwrap_or(usize::MAX),
                thematics: offer
                    .thematic_slugs
                    .iter()
                    .filter_map(|slug| index.thematic_slugs.iter().position(|t| t == slug))
                    .collect(),
            });
        }
        index.sorted_terms = (0..index.vocabulary.len()).collect();
        index
            .sorted_terms
            .sort_by(|&a, &b| index.vocabulary[a].cmp(&index.vocabulary[b]));
        for (id, term) in index.vocabulary.iter().enumerate() {
            if index.terms_by_len.len() <= term.len() {
                index.terms_by_len.resize_with(term.len() + 1, Vec::new);
            }
            index.terms_by_len[term.len()].push(id);
            index.term_letters.push(letters(term));
        }
        let mut by_title: Vec<usize> = (0..offers.len()).collect();
        let titles: Vec<String> = offers.iter().map(|o| fold(&o.title)).collect();
        by_title.sort_by(|&a, &b| titles[a].cmp(&titles[b]));
        index.title_rank = vec![0; offers.len()];
        for (rank, &doc) in by_title.iter().enumerate() {
            index.title_rank[doc] = position(rank);
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
        self.find(code).map(|doc| self.offer(doc))
    }

    /// Where a published offer is, by code, any case.
    pub fn find(&self, code: &str) -> Option<Doc> {
        self.by_code
            .get(&code.trim().to_ascii_uppercase())
            .map(|&i| Doc(position(i)))
    }

    /// The offer at `doc`, which must come from this index (from [`Self::find`] or
    /// [`Self::search`]): a position in another index may name another offer, or none.
    pub fn offer(&self, doc: Doc) -> &Offer {
        &self.offers[doc.0 as usize]
    }

    pub fn domain(&self, slug: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.slug == slug)
    }

    pub fn typology(&self, slug: &str) -> Option<&Typology> {
        self.typologies.iter().find(|t| t.slug == slug)
    }

    /// Whether some domain has a thematic of this slug.
    pub fn has_thematic(&self, slug: &str) -> bool {
        self.thematic_slugs.iter().any(|t| t == slug)
    }

    /// Score of every offer for the query (0 for the offers it does not match); `None` when the
    /// query has no words.
    fn text_scores(&self, query: &str) -> Option<Vec<f32>> {
        let query_terms = terms(query);
        if query_terms.is_empty() {
            return None;
        }
        let last = query_terms.len() - 1;
        let mut total = vec![0.0f32; self.offers.len()];
        let mut best = vec![0.0f32; self.offers.len()];
        for (position, term) in query_terms.iter().enumerate() {
            best.iter_mut().for_each(|score| *score = 0.0);
            for (term_id, quality) in self.matching_terms(term, position == last) {
                for &(doc, score) in &self.postings[term_id] {
                    let slot = &mut best[doc as usize];
                    *slot = slot.max(score * quality);
                }
            }
            // Every word must match: an offer missed by this word drops out.
            for (sum, add) in total.iter_mut().zip(&best) {
                *sum = if position == 0 || *sum > 0.0 {
                    if *add > 0.0 { *sum + add } else { 0.0 }
                } else {
                    0.0
                };
            }
        }
        Some(total)
    }

    /// Indexed terms a query term stands for: itself, longer words it starts (for the word being
    /// typed) and, for words long enough, words one edit away.
    fn matching_terms(&self, term: &str, is_last: bool) -> Vec<(usize, f32)> {
        let mut found = Vec::new();
        if let Some(&id) = self.term_ids.get(term) {
            found.push((id, EXACT));
        }
        let length = term.chars().count();
        if is_last && length >= PREFIX_MIN_CHARS {
            let start = self
                .sorted_terms
                .partition_point(|&id| self.vocabulary[id].as_str() < term);
            for &id in &self.sorted_terms[start..] {
                let candidate = &self.vocabulary[id];
                if !candidate.starts_with(term) {
                    break;
                }
                if candidate != term {
                    found.push((id, PREFIX));
                }
            }
        }
        if length >= TYPO_MIN_CHARS {
            let lengths = term.len().saturating_sub(1)..=term.len() + 1;
            let term_letters = letters(term);
            for ids in lengths.filter_map(|len| self.terms_by_len.get(len)) {
                for &id in ids {
                    if !may_be_one_edit_apart(self.term_letters[id], term_letters) {
                        continue;
                    }
                    let candidate = &self.vocabulary[id];
                    if one_edit_apart(candidate, term) && !found.iter().any(|&(f, _)| f == id) {
                        found.push((id, ONE_TYPO));
                    }
                }
            }
        }
        found
    }

    pub fn search(&self, params: &SearchParams) -> SearchResult {
        let scores = self.text_scores(&params.query);
        let code = params.code.as_ref().map(|c| c.as_str());
        // Thematics refine their own domain; a thematic chosen alone implies its domain.
        let mut domain_chosen = vec![false; self.domains.len()];
        let mut domain_refined = vec![false; self.domains.len()];
        let mut thematic_chosen = vec![false; self.thematic_slugs.len()];
        for slug in &params.domains {
            if let Some(d) = self.domains.iter().position(|d| d.slug == slug.as_str()) {
                domain_chosen[d] = true;
            }
        }
        for slug in &params.thematics {
            if let Some(t) = self.thematic_slugs.iter().position(|t| t == slug.as_str()) {
                thematic_chosen[t] = true;
                domain_chosen[self.thematic_domain[t]] = true;
                domain_refined[self.thematic_domain[t]] = true;
            }
        }
        let any_domain = domain_chosen.contains(&true);
        let typology_chosen: Vec<bool> = self
            .typologies
            .iter()
            .map(|t| params.typologies.iter().any(|s| s.as_str() == t.slug))
            .collect();
        let any_typology = typology_chosen.contains(&true);

        let mut domain_counts = vec![0u32; self.domains.len()];
        let mut typology_counts = vec![0u32; self.typologies.len()];
        // Room for a typical result without growing, little for a large catalogue.
        let mut hits: Vec<u32> = Vec::with_capacity(self.offers.len().min(256));
        for (doc, (offer, facets)) in self.offers.iter().zip(&self.facets).enumerate() {
            if scores.as_ref().is_some_and(|s| s[doc] <= 0.0)
                || code.is_some_and(|c| offer.code.as_str() != c)
            {
                continue;
            }
            let in_domain = !any_domain
                || (domain_chosen.get(facets.domain) == Some(&true)
                    && (!domain_refined[facets.domain]
                        || facets.thematics.iter().any(|&t| thematic_chosen[t])));
            let in_typology = !any_typology || typology_chosen.get(facets.typology) == Some(&true);
            if in_typology && let Some(count) = domain_counts.get_mut(facets.domain) {
                *count += 1;
            }
            if in_domain && let Some(count) = typology_counts.get_mut(facets.typology) {
                *count += 1;
            }
            if in_domain && in_typology {
                hits.push(position(doc));
            }
        }
        match params.sort {
            // Offers are stored in code order already.
            SortOrder::Code => {}
            SortOrder::Title => hits.sort_unstable_by_key(|&doc| self.title_rank[doc as usize]),
            SortOrder::Relevance => {
                if let Some(scores) = &scores {
                    hits.sort_by(|&a, &b| {
                        scores[b as usize]
                            .partial_cmp(&scores[a as usize])
                            .unwrap_or(Ordering::Equal)
                            .then(a.cmp(&b))
                    });
                }
            }
        }
        let total = hits.len();
        let start = (params.page as usize - 1).saturating_mul(params.per_page as usize);
        let offers = hits
            .iter()
            .skip(start)
            .take(params.per_page as usize)
            .map(|&doc| Doc(doc))
            .collect();
        SearchResult {
            offers,
            total,
            domain_counts,
            typology_counts,
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
        // ASCII takes the short way, to the same result.
        assert_eq!(
            fold("Plan Local d'Urbanisme PLU-2030"),
            "plan local d'urbanisme plu-2030"
        );
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
    fn one_edit_means_one_letter_replaced_added_removed_or_swapped() {
        for (a, b) in [
            ("biodiversite", "biodiversiter"),
            ("voirie", "voierie"),
            ("energie", "enregie"),
            ("urbanisme", "urbanime"),
            ("patrimoine", "patrimoime"),
            ("cafe", "café"),
        ] {
            assert!(one_edit_apart(a, b) && one_edit_apart(b, a), "{a} ~ {b}");
        }
        for (a, b) in [
            ("voirie", "voirie"),
            ("energie", "energies2"),
            ("urbanisme", "urbanistes"),
            ("ab", "ba c"),
        ] {
            assert!(!one_edit_apart(a, b), "{a} !~ {b}");
        }
    }

    /// Every one-edit variant of some words (letters, digits and punctuation replaced, added,
    /// removed or swapped) passes the letter-set filter, so it never hides a real typo.
    #[test]
    fn the_letter_filter_keeps_every_word_one_edit_away() {
        let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyz0123456789-'_é".chars().collect();
        for word in ["amenagement", "o34", "eau-potable", "aaaaa", "2024"] {
            let chars: Vec<char> = word.chars().collect();
            let mut variants: Vec<String> = Vec::new();
            for i in 0..=chars.len() {
                for &c in &alphabet {
                    let mut added = chars.clone();
                    added.insert(i, c);
                    variants.push(added.into_iter().collect());
                    if i < chars.len() {
                        let mut replaced = chars.clone();
                        replaced[i] = c;
                        variants.push(replaced.into_iter().collect());
                    }
                }
                if i < chars.len() {
                    let mut removed = chars.clone();
                    removed.remove(i);
                    variants.push(removed.into_iter().collect());
                }
                if i + 1 < chars.len() {
                    let mut swapped = chars.clone();
                    swapped.swap(i, i + 1);
                    variants.push(swapped.into_iter().collect());
                }
            }
            for variant in variants {
                if one_edit_apart(word, &variant) {
                    assert!(
                        may_be_one_edit_apart(letters(word), letters(&variant)),
                        "{word} ~ {variant}"
                    );
                }
            }
        }
        assert!(!may_be_one_edit_apart(
            letters("amenagement"),
            letters("urbanisme")
        ));
    }

    #[test]
    fn digits_stay_searchable() {
        assert_eq!(terms("O34 en 2024"), ["o34", "2024"]);
    }
}
