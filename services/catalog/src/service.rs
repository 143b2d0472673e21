//! The catalog's use cases on [`Catalog`]: search, an offer's page, an account's favourites.
//! They speak domain types only; `grpc.rs` maps them to the wire and [`Error`] to `Status`.
//!
//! Every answer that names offers keeps the `Arc` of the index it read them from, with their
//! positions in it: the offers are not copied, and their labels (domain, thematics, typology)
//! come from that same index even if the catalogue is reloaded before the reply is written.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use id77_kit::violations::FieldViolation;
use uuid::Uuid;

use crate::{
    domain::{Offer, OfferCode, SearchParams, Slug},
    error::Error,
    search::{CatalogIndex, Doc, SearchResult},
    store::{Store, StoreError},
};

/// Most codes asked at once by [`Catalog::favorite_status`].
const MAX_STATUS_CODES: usize = 100;

/// The catalogue as served: the store is the truth, the index the read model.
pub struct Catalog<S> {
    store: S,
    index: RwLock<Arc<CatalogIndex>>,
}

impl<S: Store> Catalog<S> {
    /// Loads the index from the store.
    pub async fn load(store: S) -> Result<Self, StoreError> {
        let index = Self::build_index(&store).await?;
        Ok(Self {
            store,
            index: RwLock::new(Arc::new(index)),
        })
    }

    async fn build_index(store: &S) -> Result<CatalogIndex, StoreError> {
        Ok(CatalogIndex::build(
            store.domains().await?,
            store.typologies().await?,
            store.offers().await?,
        ))
    }

    /// Rebuilds the index after the catalogue changed.
    pub async fn reload(&self) -> Result<(), StoreError> {
        let index = Arc::new(Self::build_index(&self.store).await?);
        match self.index.write() {
            Ok(mut guard) => *guard = index,
            Err(poisoned) => *poisoned.into_inner() = index,
        }
        Ok(())
    }

    /// The index as it is now; a reload replaces it without changing this one.
    pub fn index(&self) -> Arc<CatalogIndex> {
        match self.index.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// One page of the offers matching `params`; slugs the catalogue does not know are refused,
    /// every one of them, rather than matching nothing.
    pub fn search(&self, params: &SearchParams) -> Result<SearchPage, Error> {
        let index = self.index();
        let unknown: Vec<FieldViolation> = unknown(&params.domains, |s| index.domain(s).is_some())
            .chain(unknown(&params.thematics, |s| index.has_thematic(s)))
            .chain(unknown(&params.typologies, |s| index.typology(s).is_some()))
            .collect();
        if !unknown.is_empty() {
            return Err(Error::Invalid(unknown));
        }
        let result = index.search(params);
        Ok(SearchPage {
            index,
            result,
            page: params.page,
            per_page: params.per_page,
        })
    }

    /// A published offer.
    pub fn offer(&self, code: OfferCode) -> Result<PublishedOffer, Error> {
        let index = self.index();
        match index.find(code.as_str()) {
            Some(doc) => Ok(PublishedOffer { index, doc }),
            None => Err(Error::NotFound(code)),
        }
    }

    /// Makes a published offer a favourite of `account`; adding it again keeps its first date.
    pub async fn add_favorite(
        &self,
        account: Uuid,
        code: OfferCode,
    ) -> Result<AddedFavorite, Error> {
        let PublishedOffer { index, doc } = self.offer(code)?;
        let code = &index.offer(doc).code;
        let added = self.store.add_favorite(account, code, Utc::now()).await?;
        let favorites = self.store.favorites(account).await?;
        let added_at = favorites
            .iter()
            .find(|f| &f.code == code)
            .map_or_else(Utc::now, |f| f.added_at);
        Ok(AddedFavorite {
            index,
            doc,
            added_at,
            added,
        })
    }

    /// False when the offer was not a favourite of `account`. The offer need not be published:
    /// one unpublished since it was added can still be removed.
    pub async fn remove_favorite(&self, account: Uuid, code: &OfferCode) -> Result<bool, Error> {
        Ok(self.store.remove_favorite(account, code).await?)
    }

    /// The favourites of `account`, most recently added first.
    pub async fn favorites(&self, account: Uuid) -> Result<Favorites, Error> {
        let stored = self.store.favorites(account).await?;
        let index = self.index();
        // An offer unpublished since it was added is left out, and comes back if republished.
        let entries = stored
            .iter()
            .filter_map(|f| Some((index.find(f.code.as_str())?, f.added_at)))
            .collect();
        Ok(Favorites { index, entries })
    }

    /// Those of `codes` (as given, in their order) that are favourites of `account`.
    pub async fn favorite_status(
        &self,
        account: Uuid,
        codes: Vec<String>,
    ) -> Result<Vec<String>, Error> {
        if codes.len() > MAX_STATUS_CODES {
            return Err(FieldViolation::new(
                "codes",
                format!("Au plus {MAX_STATUS_CODES} offres à la fois."),
            )
            .into());
        }
        let favorites = self.store.favorites(account).await?;
        Ok(codes
            .into_iter()
            .filter(|code| {
                favorites
                    .iter()
                    .any(|f| f.code.as_str().eq_ignore_ascii_case(code.trim()))
            })
            .collect())
    }
}

/// A violation for each of `slugs` that is not `known`.
fn unknown<'a, T: Slug>(
    slugs: &'a [T],
    known: impl Fn(&str) -> bool + 'a,
) -> impl Iterator<Item = FieldViolation> + 'a {
    slugs
        .iter()
        .filter(move |slug| !known(slug.as_str()))
        .map(|slug| FieldViolation::new(T::FIELD, format!("{} inconnu(e) : « {slug} ».", T::LABEL)))
}

/// One page of a search, read from one index.
#[derive(Debug)]
pub struct SearchPage {
    index: Arc<CatalogIndex>,
    result: SearchResult,
    /// The page asked (from 1) and its size, after defaults.
    pub page: u32,
    pub per_page: u32,
}

impl SearchPage {
    /// The index the page was read from, which names its offers' domains, thematics and
    /// typologies.
    pub fn index(&self) -> &CatalogIndex {
        &self.index
    }

    /// The page's offers, in the order asked.
    pub fn offers(&self) -> impl Iterator<Item = &Offer> {
        self.result.offers.iter().map(|&doc| self.index.offer(doc))
    }

    /// Offers matched, all pages together.
    pub fn total(&self) -> usize {
        self.result.total
    }

    /// Offers matched per domain slug (the typology filter applied, not the domain one), in
    /// the domains' order.
    pub fn domain_counts(&self) -> impl Iterator<Item = (&str, u32)> {
        let slugs = self.index.domains.iter().map(|d| d.slug.as_str());
        slugs.zip(self.result.domain_counts.iter().copied())
    }

    /// Offers matched per typology slug (the domain filter applied, not the typology one).
    pub fn typology_counts(&self) -> impl Iterator<Item = (&str, u32)> {
        let slugs = self.index.typologies.iter().map(|t| t.slug.as_str());
        slugs.zip(self.result.typology_counts.iter().copied())
    }
}

/// A published offer, read from one index.
#[derive(Debug)]
pub struct PublishedOffer {
    index: Arc<CatalogIndex>,
    doc: Doc,
}

impl PublishedOffer {
    /// The index the offer was read from, which names its domain, thematics and typology.
    pub fn index(&self) -> &CatalogIndex {
        &self.index
    }

    pub fn offer(&self) -> &Offer {
        self.index.offer(self.doc)
    }
}

/// The favourite just added.
#[derive(Debug)]
pub struct AddedFavorite {
    index: Arc<CatalogIndex>,
    doc: Doc,
    /// When it first became a favourite.
    pub added_at: DateTime<Utc>,
    /// False when it already was one.
    pub added: bool,
}

impl AddedFavorite {
    /// The index the offer was read from, which names its domain, thematics and typology.
    pub fn index(&self) -> &CatalogIndex {
        &self.index
    }

    pub fn offer(&self) -> &Offer {
        self.index.offer(self.doc)
    }
}

/// An account's published favourites, read from one index, most recently added first.
#[derive(Debug)]
pub struct Favorites {
    index: Arc<CatalogIndex>,
    entries: Vec<(Doc, DateTime<Utc>)>,
}

impl Favorites {
    /// The index the offers were read from, which names their domains, thematics and
    /// typologies.
    pub fn index(&self) -> &CatalogIndex {
        &self.index
    }

    /// Each offer and when it became a favourite.
    pub fn iter(&self) -> impl Iterator<Item = (&Offer, DateTime<Utc>)> {
        self.entries
            .iter()
            .map(|&(doc, added_at)| (self.index.offer(doc), added_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DomainSlug, ThematicSlug};

    #[test]
    fn unknown_slugs_are_named_by_field_in_french() {
        let domains = [
            DomainSlug::parse("eau").unwrap(),
            DomainSlug::parse("tourisme").unwrap(),
        ];
        let violations: Vec<_> = unknown(&domains, |slug| slug == "eau").collect();
        assert_eq!(
            violations,
            [FieldViolation::new(
                "domains",
                "Domaine inconnu(e) : « tourisme »."
            )]
        );
        let thematics = [ThematicSlug::parse("inconnue").unwrap()];
        let violations: Vec<_> = unknown(&thematics, |_| false).collect();
        assert_eq!(
            violations,
            [FieldViolation::new(
                "thematics",
                "Thématique inconnu(e) : « inconnue »."
            )]
        );
    }
}
