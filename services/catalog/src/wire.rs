//! A `SearchOffersResponse` written straight from the index into its protobuf bytes.
//!
//! A search reply is the catalog's busiest message. Built as prost's generated structs, every
//! string of the page (about 150) was copied into its own `String`, copied again by the encoder
//! and then freed: more than half of what the catalog spent on a search. Here each field is
//! written once, from the index, with prost's own key and varint encoders, in prost's field
//! order, so the bytes are the ones prost writes for the same reply (a test holds them equal).
//! The generated message stays the contract; this is only a faster way to write it.

use prost::encoding::{WireType, encoded_len_varint, key_len};

use crate::{
    domain::{Domain, Offer, Thematic, Typology},
    search::{CatalogIndex, SearchResult},
};

/// The bytes of the `SearchOffersResponse` for this result.
pub fn search_reply(
    index: &CatalogIndex,
    result: &SearchResult<'_>,
    page: u32,
    per_page: u32,
) -> Vec<u8> {
    // Each offer's domain, looked up once, and the thematics of every offer of the page in one
    // list (rather than one list per offer), where each offer's end.
    let mut thematics: Vec<&Thematic> = Vec::with_capacity(result.offers.len() * 3);
    let placed: Vec<(Option<&Domain>, usize)> = result
        .offers
        .iter()
        .map(|offer| {
            let domain = index.domain(&offer.domain_slug);
            thematics.extend(crate::grpc::thematics_in(domain, offer));
            (domain, thematics.len())
        })
        .collect();
    let mut summaries: Vec<Summary<'_>> = Vec::with_capacity(result.offers.len());
    let mut start = 0;
    for (offer, &(domain, end)) in result.offers.iter().zip(&placed) {
        summaries.push(Summary::of(index, offer, domain, &thematics[start..end]));
        start = end;
    }
    let references = References::of(index, &summaries);
    let total = u32::try_from(result.total).unwrap_or(u32::MAX);
    let facets = |counts: &[(&str, u32)], tag| {
        counts
            .iter()
            .map(|&(slug, count)| message_len(tag, &Facet { slug, count }))
            .sum::<usize>()
    };
    // The exact length, so that the buffer is allocated once.
    let len = summaries.iter().map(|s| message_len(1, s)).sum::<usize>()
        + uint32_len(2, total)
        + uint32_len(3, page)
        + uint32_len(4, per_page)
        + facets(&result.domain_counts, 5)
        + facets(&result.typology_counts, 6)
        + message_len(7, &references);
    let mut wire = Wire(Vec::with_capacity(len));
    for summary in &summaries {
        wire.message(1, summary);
    }
    wire.uint32(2, total);
    wire.uint32(3, page);
    wire.uint32(4, per_page);
    for &(slug, count) in &result.domain_counts {
        wire.message(5, &Facet { slug, count });
    }
    for &(slug, count) in &result.typology_counts {
        wire.message(6, &Facet { slug, count });
    }
    wire.message(7, &references);
    debug_assert_eq!(wire.0.len(), len, "the lengths and the writing disagree");
    wire.0
}

/// A message's fields: their encoded length, and writing them.
trait Fields {
    fn len(&self) -> usize;
    fn write(&self, wire: &mut Wire);
}

struct Wire(Vec<u8>);

impl Wire {
    /// A varint, as prost's `encode_varint` writes it; inlined here, where nearly every one is
    /// a single byte (keys, short lengths), rather than a call through `BufMut` for each.
    #[inline]
    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            // The low seven bits, and the flag that more follow.
            self.0.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.0.push(value as u8);
    }

    #[inline]
    fn key(&mut self, tag: u32, wire_type: WireType) {
        self.varint(u64::from(tag << 3 | wire_type as u32));
    }

    #[inline]
    fn string(&mut self, tag: u32, value: &str) {
        if !value.is_empty() {
            self.key(tag, WireType::LengthDelimited);
            self.varint(value.len() as u64);
            self.0.extend_from_slice(value.as_bytes());
        }
    }

    fn uint32(&mut self, tag: u32, value: u32) {
        if value != 0 {
            self.key(tag, WireType::Varint);
            self.varint(u64::from(value));
        }
    }

    fn bool(&mut self, tag: u32, value: bool) {
        if value {
            self.key(tag, WireType::Varint);
            self.0.push(1);
        }
    }

    /// A message field: written even when it has no field set, as prost writes a present one.
    fn message(&mut self, tag: u32, message: &impl Fields) {
        self.key(tag, WireType::LengthDelimited);
        self.varint(message.len() as u64);
        message.write(self);
    }
}

fn string_len(tag: u32, value: &str) -> usize {
    if value.is_empty() {
        0
    } else {
        key_len(tag) + encoded_len_varint(value.len() as u64) + value.len()
    }
}

fn uint32_len(tag: u32, value: u32) -> usize {
    if value == 0 {
        0
    } else {
        key_len(tag) + encoded_len_varint(u64::from(value))
    }
}

fn bool_len(tag: u32, value: bool) -> usize {
    if value { key_len(tag) + 1 } else { 0 }
}

fn message_len(tag: u32, message: &impl Fields) -> usize {
    let len = message.len();
    key_len(tag) + encoded_len_varint(len as u64) + len
}

/// An `OfferSummary`: the offer, and those of its thematics that belong to its domain (as on
/// its page).
struct Summary<'a> {
    offer: &'a Offer,
    domain: Option<&'a Domain>,
    thematics: &'a [&'a Thematic],
    typology: Option<&'a Typology>,
    len: usize,
}

impl<'a> Summary<'a> {
    fn of(
        index: &'a CatalogIndex,
        offer: &'a Offer,
        domain: Option<&'a Domain>,
        thematics: &'a [&'a Thematic],
    ) -> Self {
        let len = string_len(1, offer.code.as_str())
            + string_len(2, &offer.title)
            + string_len(3, &offer.summary)
            + bool_len(7, offer.unique)
            + string_len(8, &offer.domain_slug)
            + thematics
                .iter()
                .map(|t| string_len(9, &t.slug))
                .sum::<usize>()
            + string_len(10, &offer.typology_slug);
        Self {
            offer,
            domain,
            thematics,
            typology: index.typology(&offer.typology_slug),
            len,
        }
    }
}

impl Fields for Summary<'_> {
    fn len(&self) -> usize {
        self.len
    }

    fn write(&self, wire: &mut Wire) {
        let offer = self.offer;
        wire.string(1, offer.code.as_str());
        wire.string(2, &offer.title);
        wire.string(3, &offer.summary);
        wire.bool(7, offer.unique);
        wire.string(8, &offer.domain_slug);
        for thematic in self.thematics {
            wire.string(9, &thematic.slug);
        }
        wire.string(10, &offer.typology_slug);
    }
}

/// A `FacetCount`.
struct Facet<'a> {
    slug: &'a str,
    count: u32,
}

impl Fields for Facet<'_> {
    fn len(&self) -> usize {
        string_len(1, self.slug) + uint32_len(2, self.count)
    }

    fn write(&self, wire: &mut Wire) {
        wire.string(1, self.slug);
        wire.uint32(2, self.count);
    }
}

/// A `Domain` as a reference: without its thematics (the page carries those it names).
struct DomainRef<'a>(&'a Domain);

impl Fields for DomainRef<'_> {
    fn len(&self) -> usize {
        let domain = self.0;
        string_len(1, &domain.slug)
            + string_len(2, &domain.label)
            + string_len(3, &domain.icon)
            + uint32_len(4, domain.position)
    }

    fn write(&self, wire: &mut Wire) {
        let domain = self.0;
        wire.string(1, &domain.slug);
        wire.string(2, &domain.label);
        wire.string(3, &domain.icon);
        wire.uint32(4, domain.position);
    }
}

impl Fields for &Thematic {
    fn len(&self) -> usize {
        string_len(1, &self.slug) + string_len(2, &self.label) + string_len(3, &self.domain_slug)
    }

    fn write(&self, wire: &mut Wire) {
        wire.string(1, &self.slug);
        wire.string(2, &self.label);
        wire.string(3, &self.domain_slug);
    }
}

impl Fields for &Typology {
    fn len(&self) -> usize {
        string_len(1, &self.slug) + string_len(2, &self.label)
    }

    fn write(&self, wire: &mut Wire) {
        wire.string(1, &self.slug);
        wire.string(2, &self.label);
    }
}

/// The page's `References`: each domain, thematic and typology its offers name, once, in the
/// order the offers first name them.
struct References<'a> {
    domains: Vec<DomainRef<'a>>,
    thematics: Vec<&'a Thematic>,
    typologies: Vec<&'a Typology>,
    len: usize,
}

impl<'a> References<'a> {
    fn of(index: &'a CatalogIndex, summaries: &[Summary<'a>]) -> Self {
        let mut references = Self {
            domains: Vec::with_capacity(index.domains.len()),
            thematics: Vec::with_capacity(summaries.len() * 2),
            typologies: Vec::with_capacity(index.typologies.len()),
            len: 0,
        };
        for summary in summaries {
            if let Some(domain) = summary.domain
                && !references.domains.iter().any(|d| d.0.slug == domain.slug)
            {
                references.domains.push(DomainRef(domain));
            }
            for &thematic in summary.thematics {
                if !references.thematics.iter().any(|t| t.slug == thematic.slug) {
                    references.thematics.push(thematic);
                }
            }
            if let Some(typology) = summary.typology
                && !references
                    .typologies
                    .iter()
                    .any(|t| t.slug == typology.slug)
            {
                references.typologies.push(typology);
            }
        }
        references.len = references
            .domains
            .iter()
            .map(|d| message_len(1, d))
            .sum::<usize>()
            + references
                .thematics
                .iter()
                .map(|t| message_len(2, t))
                .sum::<usize>()
            + references
                .typologies
                .iter()
                .map(|t| message_len(3, t))
                .sum::<usize>();
        references
    }
}

impl Fields for References<'_> {
    fn len(&self) -> usize {
        self.len
    }

    fn write(&self, wire: &mut Wire) {
        for domain in &self.domains {
            wire.message(1, domain);
        }
        for thematic in &self.thematics {
            wire.message(2, thematic);
        }
        for typology in &self.typologies {
            wire.message(3, typology);
        }
    }
}
