//! A search page read in place: [`SearchOffersView`] borrows every string from the bytes of the
//! `SearchOffersResponse` it was read from, where prost's generated type copies each one into
//! its own `String`.
//!
//! The gateway's JSON search endpoint only reads a page and writes it out again, and a page is
//! about 200 strings: allocating, copying and freeing them was the largest single cost of a
//! request. This is the protobuf wire format read with prost's own primitives (keys, varints,
//! skipping), for the fields the gateway writes out; fields it does not read, and fields a newer
//! catalog may add, are skipped. A test holds it to prost's decoding of the same bytes.

use std::borrow::Cow;

use prost::encoding::{DecodeContext, WireType, decode_key, decode_varint, skip_field};
use smallvec::SmallVec;

/// Why bytes are not a message of the expected type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(Cow<'static, str>);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

impl From<prost::DecodeError> for DecodeError {
    fn from(error: prost::DecodeError) -> Self {
        Self(error.to_string().into())
    }
}

/// What the gateway reads of an `id77.catalog.v1.SearchOffersResponse`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SearchOffersView<'a> {
    pub offers: Vec<OfferSummaryView<'a>>,
    pub total: u32,
    pub page: u32,
    pub per_page: u32,
    pub domain_counts: Vec<FacetCountView<'a>>,
    pub typology_counts: Vec<FacetCountView<'a>>,
    pub references: ReferencesView<'a>,
}

/// An `OfferSummary`.
///
/// Its slugs are left as bytes: a reader only looks them up in the page's references, whose
/// slugs are checked UTF-8, so checking them too (80 strings a page) would be spent for nothing.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OfferSummaryView<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub domain_slug: &'a [u8],
    /// Inline up to four (offers name one to three), not one allocation per offer.
    pub thematic_slugs: SmallVec<[&'a [u8]; 4]>,
    pub typology_slug: &'a [u8],
    pub unique: bool,
}

/// A `FacetCount`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FacetCountView<'a> {
    pub slug: &'a str,
    pub count: u32,
}

/// The slug and label of a `Domain`, `Thematic` or `Typology`: fields 1 and 2 of all three.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LabelView<'a> {
    pub slug: &'a str,
    pub label: &'a str,
}

/// A `References`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReferencesView<'a> {
    pub domains: Vec<LabelView<'a>>,
    pub thematics: Vec<LabelView<'a>>,
    pub typologies: Vec<LabelView<'a>>,
}

impl<'a> ReferencesView<'a> {
    /// The domain of this slug, if the list refers to it.
    pub fn domain(&self, slug: &[u8]) -> Option<&LabelView<'a>> {
        self.domains.iter().find(|d| d.slug.as_bytes() == slug)
    }

    /// The thematic of this slug, if the list refers to it.
    pub fn thematic(&self, slug: &[u8]) -> Option<&LabelView<'a>> {
        self.thematics.iter().find(|t| t.slug.as_bytes() == slug)
    }

    /// The typology of this slug, if the list refers to it.
    pub fn typology(&self, slug: &[u8]) -> Option<&LabelView<'a>> {
        self.typologies.iter().find(|t| t.slug.as_bytes() == slug)
    }
}

impl<'a> SearchOffersView<'a> {
    /// Reads a `SearchOffersResponse` from its bytes; malformed bytes and invalid UTF-8 in a
    /// string are errors, as with prost.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut reader = Reader(bytes);
        let mut page = Self {
            // Room for the offers up front rather than four reallocations on the way to twenty.
            offers: Vec::with_capacity((bytes.len() / OFFER_BYTES_AT_LEAST).min(100)),
            // A page counts the ten domains and three typologies; growing to them took six
            // reallocations.
            domain_counts: Vec::with_capacity(16),
            typology_counts: Vec::with_capacity(4),
            references: ReferencesView {
                domains: Vec::with_capacity(16),
                thematics: Vec::with_capacity(32),
                typologies: Vec::with_capacity(4),
            },
            ..Self::default()
        };
        while let Some((tag, wire_type)) = reader.key()? {
            match tag {
                1 => page
                    .offers
                    .push(OfferSummaryView::read(reader.message(wire_type)?)?),
                2 => page.total = reader.uint32(wire_type)?,
                3 => page.page = reader.uint32(wire_type)?,
                4 => page.per_page = reader.uint32(wire_type)?,
                5 => page
                    .domain_counts
                    .push(FacetCountView::read(reader.message(wire_type)?)?),
                6 => page
                    .typology_counts
                    .push(FacetCountView::read(reader.message(wire_type)?)?),
                // A message field met twice is merged, as protobuf says.
                7 => page.references.merge(reader.message(wire_type)?)?,
                _ => reader.skip(tag, wire_type)?,
            }
        }
        Ok(page)
    }
}

/// Fewer bytes than an offer summary takes on the wire (code, title, summary, slugs), to size
/// the list of offers from the length of a page.
const OFFER_BYTES_AT_LEAST: usize = 160;

impl<'a> OfferSummaryView<'a> {
    fn read(mut reader: Reader<'a>) -> Result<Self, DecodeError> {
        let mut offer = Self::default();
        while let Some((tag, wire_type)) = reader.key()? {
            match tag {
                1 => offer.code = reader.string(wire_type)?,
                2 => offer.title = reader.string(wire_type)?,
                3 => offer.summary = reader.string(wire_type)?,
                7 => offer.unique = reader.varint(wire_type)? != 0,
                8 => offer.domain_slug = reader.bytes(wire_type)?,
                9 => offer.thematic_slugs.push(reader.bytes(wire_type)?),
                10 => offer.typology_slug = reader.bytes(wire_type)?,
                _ => reader.skip(tag, wire_type)?,
            }
        }
        Ok(offer)
    }
}

impl<'a> FacetCountView<'a> {
    fn read(mut reader: Reader<'a>) -> Result<Self, DecodeError> {
        let mut facet = Self::default();
        while let Some((tag, wire_type)) = reader.key()? {
            match tag {
                1 => facet.slug = reader.string(wire_type)?,
                2 => facet.count = reader.uint32(wire_type)?,
                _ => reader.skip(tag, wire_type)?,
            }
        }
        Ok(facet)
    }
}

impl<'a> LabelView<'a> {
    fn read(mut reader: Reader<'a>) -> Result<Self, DecodeError> {
        let mut label = Self::default();
        while let Some((tag, wire_type)) = reader.key()? {
            match tag {
                1 => label.slug = reader.string(wire_type)?,
                2 => label.label = reader.string(wire_type)?,
                _ => reader.skip(tag, wire_type)?,
            }
        }
        Ok(label)
    }
}

impl<'a> ReferencesView<'a> {
    fn merge(&mut self, mut reader: Reader<'a>) -> Result<(), DecodeError> {
        while let Some((tag, wire_type)) = reader.key()? {
            let list = match tag {
                1 => &mut self.domains,
                2 => &mut self.thematics,
                3 => &mut self.typologies,
                _ => {
                    reader.skip(tag, wire_type)?;
                    continue;
                }
            };
            list.push(LabelView::read(reader.message(wire_type)?)?);
        }
        Ok(())
    }
}

/// The bytes of a message not read yet.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// The next field's number and wire type, or `None` at the end of the message.
    #[inline]
    fn key(&mut self) -> Result<Option<(u32, WireType)>, DecodeError> {
        match *self.0 {
            [] => Ok(None),
            // Fields 1 to 15 have one-byte keys, and they are all a page has: read them here
            // rather than through prost's general varint (which reads any other, and reports
            // field 0 and unknown wire types as prost does).
            [byte, ref rest @ ..] if (8..0x80).contains(&byte) && byte & 7 <= 5 => {
                let wire_type = match byte & 7 {
                    0 => WireType::Varint,
                    1 => WireType::SixtyFourBit,
                    2 => WireType::LengthDelimited,
                    3 => WireType::StartGroup,
                    4 => WireType::EndGroup,
                    _ => WireType::ThirtyTwoBit,
                };
                self.0 = rest;
                Ok(Some((u32::from(byte >> 3), wire_type)))
            }
            _ => Ok(Some(decode_key(&mut self.0)?)),
        }
    }

    #[inline]
    fn varint(&mut self, wire_type: WireType) -> Result<u64, DecodeError> {
        expect(wire_type, WireType::Varint)?;
        match *self.0 {
            [value, ref rest @ ..] if value < 0x80 => {
                self.0 = rest;
                Ok(u64::from(value))
            }
            _ => Ok(decode_varint(&mut self.0)?),
        }
    }

    /// A `uint32`: the low 32 bits of the varint, as prost reads it.
    #[inline]
    fn uint32(&mut self, wire_type: WireType) -> Result<u32, DecodeError> {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "protobuf reads a uint32 as the low bits of its varint"
        )]
        self.varint(wire_type).map(|value| value as u32)
    }

    #[inline]
    fn bytes(&mut self, wire_type: WireType) -> Result<&'a [u8], DecodeError> {
        expect(wire_type, WireType::LengthDelimited)?;
        let len = match *self.0 {
            // Lengths under 128 (slugs, codes, titles) take one byte. The same read as in
            // `varint`, written here again on purpose: one shared helper measured 4k more
            // instructions per page (the readers stopped being inlined).
            [len, ref rest @ ..] if len < 0x80 => {
                self.0 = rest;
                u64::from(len)
            }
            _ => decode_varint(&mut self.0)?,
        };
        let len = usize::try_from(len)
            .ok()
            .filter(|len| *len <= self.0.len())
            .ok_or_else(|| DecodeError("buffer underflow".into()))?;
        let (bytes, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(bytes)
    }

    #[inline]
    fn string(&mut self, wire_type: WireType) -> Result<&'a str, DecodeError> {
        let bytes = self.bytes(wire_type)?;
        // simdutf8's check (the same answer as `std::str::from_utf8`) is several times faster
        // on accented text, and a page is mostly text; under 64 bytes it hands over to std's,
        // so short strings (slugs, labels, codes) go there directly.
        if bytes.len() < 64 {
            std::str::from_utf8(bytes).map_err(|_| not_utf8())
        } else {
            simdutf8::basic::from_utf8(bytes).map_err(|_| not_utf8())
        }
    }

    #[inline]
    fn message(&mut self, wire_type: WireType) -> Result<Reader<'a>, DecodeError> {
        self.bytes(wire_type).map(Reader)
    }

    fn skip(&mut self, tag: u32, wire_type: WireType) -> Result<(), DecodeError> {
        Ok(skip_field(
            wire_type,
            tag,
            &mut self.0,
            DecodeContext::default(),
        )?)
    }
}

#[cold]
fn not_utf8() -> DecodeError {
    DecodeError("invalid string value: data is not UTF-8 encoded".into())
}

#[inline]
fn expect(actual: WireType, expected: WireType) -> Result<(), DecodeError> {
    if actual == expected {
        Ok(())
    } else {
        Err(wrong_wire_type(actual, expected))
    }
}

#[cold]
fn wrong_wire_type(actual: WireType, expected: WireType) -> DecodeError {
    DecodeError(format!("invalid wire type: {actual:?} (expected {expected:?})").into())
}

#[cfg(test)]
mod tests {
    use prost::Message as _;

    use super::*;
    use crate::catalog::v1 as pb;

    fn full_page() -> pb::SearchOffersResponse {
        pb::SearchOffersResponse {
            offers: vec![
                pb::OfferSummary {
                    code: "O01".into(),
                    title: "Aménagement « durable » des bourgs, 🌳".into(),
                    summary: "Un accompagnement\tsur\nplusieurs lignes \"entre guillemets\"".into(),
                    domain_slug: "amenagement".into(),
                    thematic_slugs: vec!["urbanisme".into(), "espaces-publics".into()],
                    typology_slug: "conseil".into(),
                    unique: true,
                },
                pb::OfferSummary {
                    code: "F176".into(),
                    ..pb::OfferSummary::default()
                },
            ],
            total: 300,
            page: 2,
            per_page: 100,
            domain_counts: vec![
                pb::FacetCount {
                    slug: "amenagement".into(),
                    count: 12,
                },
                pb::FacetCount {
                    slug: "eau-assainissement".into(),
                    count: 0,
                },
            ],
            typology_counts: vec![pb::FacetCount {
                slug: "conseil".into(),
                count: 4_000_000_000,
            }],
            references: Some(pb::References {
                domains: vec![pb::Domain {
                    slug: "amenagement".into(),
                    label: "Aménagement".into(),
                    icon: "plan".into(),
                    position: 3,
                    thematics: vec![pb::Thematic {
                        slug: "ignoree".into(),
                        label: "Ignorée".into(),
                        domain_slug: "amenagement".into(),
                    }],
                }],
                thematics: vec![
                    pb::Thematic {
                        slug: "urbanisme".into(),
                        label: "Urbanisme".into(),
                        domain_slug: "amenagement".into(),
                    },
                    pb::Thematic {
                        slug: "espaces-publics".into(),
                        label: "Espaces publics".into(),
                        domain_slug: "amenagement".into(),
                    },
                ],
                typologies: vec![pb::Typology {
                    slug: "conseil".into(),
                    label: "Conseil".into(),
                }],
            }),
        }
    }

    /// The view of the bytes holds what prost's decoding of the same bytes holds.
    fn assert_same(bytes: &[u8]) {
        let owned = pb::SearchOffersResponse::decode(bytes).expect("prost reads the page");
        let view = SearchOffersView::decode(bytes).expect("the view reads the page");
        assert_eq!(view.total, owned.total);
        assert_eq!(view.page, owned.page);
        assert_eq!(view.per_page, owned.per_page);
        assert_eq!(view.offers.len(), owned.offers.len());
        for (v, o) in view.offers.iter().zip(&owned.offers) {
            assert_eq!(v.code, o.code);
            assert_eq!(v.title, o.title);
            assert_eq!(v.summary, o.summary);
            assert_eq!(v.domain_slug, o.domain_slug.as_bytes());
            assert_eq!(
                v.thematic_slugs.to_vec(),
                o.thematic_slugs
                    .iter()
                    .map(String::as_bytes)
                    .collect::<Vec<_>>()
            );
            assert_eq!(v.typology_slug, o.typology_slug.as_bytes());
            assert_eq!(v.unique, o.unique);
        }
        let facets = |counts: &[pb::FacetCount]| -> Vec<(String, u32)> {
            counts.iter().map(|c| (c.slug.clone(), c.count)).collect()
        };
        let view_facets = |counts: &[FacetCountView<'_>]| -> Vec<(String, u32)> {
            counts
                .iter()
                .map(|c| (c.slug.to_owned(), c.count))
                .collect()
        };
        assert_eq!(
            view_facets(&view.domain_counts),
            facets(&owned.domain_counts)
        );
        assert_eq!(
            view_facets(&view.typology_counts),
            facets(&owned.typology_counts)
        );
        let references = owned.references.unwrap_or_default();
        let labels = |v: &[LabelView<'_>]| -> Vec<(String, String)> {
            v.iter()
                .map(|l| (l.slug.to_owned(), l.label.to_owned()))
                .collect()
        };
        assert_eq!(
            labels(&view.references.domains),
            references
                .domains
                .iter()
                .map(|d| (d.slug.clone(), d.label.clone()))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            labels(&view.references.thematics),
            references
                .thematics
                .iter()
                .map(|t| (t.slug.clone(), t.label.clone()))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            labels(&view.references.typologies),
            references
                .typologies
                .iter()
                .map(|t| (t.slug.clone(), t.label.clone()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_page_reads_as_prost_reads_it() {
        assert_same(&full_page().encode_to_vec());
        assert_same(&pb::SearchOffersResponse::default().encode_to_vec());
        assert_same(&[]);
    }

    #[test]
    fn fields_it_does_not_know_are_skipped() {
        let mut bytes = full_page().encode_to_vec();
        // Field 99 of every wire type a newer catalog could add: varint, 64-bit, bytes, 32-bit.
        bytes.extend_from_slice(&[0x98, 0x06, 0x96, 0x01]);
        bytes.extend_from_slice(&[0x99, 0x06, 1, 2, 3, 4, 5, 6, 7, 8]);
        bytes.extend_from_slice(&[0x9a, 0x06, 3, b'a', b'b', b'c']);
        bytes.extend_from_slice(&[0x9d, 0x06, 1, 2, 3, 4]);
        assert_same(&bytes);
        let view = SearchOffersView::decode(&bytes).expect("unknown fields are skipped");
        assert_eq!(
            view.offers[0].title,
            "Aménagement « durable » des bourgs, 🌳"
        );
    }

    #[test]
    fn a_message_met_twice_is_merged() {
        let page = full_page();
        let mut bytes = page.encode_to_vec();
        bytes.extend(page.encode_to_vec());
        assert_same(&bytes);
        let view = SearchOffersView::decode(&bytes).expect("a page read twice");
        assert_eq!(view.offers.len(), 4);
        assert_eq!(view.references.thematics.len(), 4);
    }

    #[test]
    fn labels_are_found_by_slug() {
        let bytes = full_page().encode_to_vec();
        let view = SearchOffersView::decode(&bytes).expect("the view reads the page");
        let references = &view.references;
        assert_eq!(
            references.domain(b"amenagement").map(|d| d.label),
            Some("Aménagement")
        );
        assert_eq!(
            references.thematic(b"espaces-publics").map(|t| t.label),
            Some("Espaces publics")
        );
        assert_eq!(
            references.typology(b"conseil").map(|t| t.label),
            Some("Conseil")
        );
        // The domain's own thematics list is not the page's thematics.
        assert_eq!(references.thematic(b"ignoree"), None);
        assert_eq!(references.domain(b"inconnu"), None);
    }

    /// Unlike prost, the view does not check slugs: one that is not UTF-8 is read, and names
    /// nothing in the references.
    #[test]
    fn a_slug_is_only_looked_up() {
        // Offer (field 1) with domain slug (field 8) "\xff".
        let bytes = [0x0a, 0x03, 0x42, 0x01, 0xff];
        let view = SearchOffersView::decode(&bytes).expect("slugs are not checked");
        assert_eq!(view.offers[0].domain_slug, b"\xff");
        assert_eq!(view.references.domain(view.offers[0].domain_slug), None);
    }

    #[test]
    fn malformed_bytes_are_errors_as_with_prost() {
        let good = full_page().encode_to_vec();
        let cases: Vec<Vec<u8>> = vec![
            // Cut in the middle of a string.
            good[..good.len() / 2].to_vec(),
            // A string that is not UTF-8: offer code "\xff".
            vec![0x0a, 0x03, 0x0a, 0x01, 0xff],
            // The same in the references: a thematic labelled "\xff".
            vec![0x3a, 0x05, 0x12, 0x03, 0x12, 0x01, 0xff],
            // A character cut in two, between a domain's slug "a\xc3" and its label "\xa9b".
            vec![
                0x3a, 0x0a, 0x0a, 0x08, 0x0a, 0x02, b'a', 0xc3, 0x12, 0x02, 0xa9, b'b',
            ],
            // `total` sent as a string.
            vec![0x12, 0x01, b'x'],
            // A varint that never ends.
            vec![0x10, 0xff, 0xff],
            // Field number 0.
            vec![0x00, 0x01],
        ];
        for bytes in cases {
            assert!(
                pb::SearchOffersResponse::decode(bytes.as_slice()).is_err(),
                "prost accepted {bytes:x?}"
            );
            assert!(
                SearchOffersView::decode(&bytes).is_err(),
                "the view accepted {bytes:x?}"
            );
        }
    }
}
