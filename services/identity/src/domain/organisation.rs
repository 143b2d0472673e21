//! A member organisation: its profile and logo, and what describes it (name, categories,
//! population, website).

use std::fmt;

use chrono::{DateTime, Utc};
use id77_kit::violations::FieldViolation;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization as _;
use uuid::Uuid;

use super::{
    Canton, Referent, ReferentInput, Representative, RepresentativeInput, Siret, Violations, fold,
};

/// Shortest organisation name accepted, in characters.
pub const MIN_ORGANISATION_NAME_CHARS: usize = 2;
/// Longest organisation name accepted, in characters.
pub const MAX_ORGANISATION_NAME_CHARS: usize = 200;
/// Largest population accepted: well above any French local authority (Paris has ~2.1 M), so
/// it only stops typing slips such as an extra zero or a SIRET in the wrong field.
pub const MAX_POPULATION: u32 = 10_000_000;
/// Longest website address accepted, in characters.
pub const MAX_WEBSITE_CHARS: usize = 300;

/// A member organisation's profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Its id.
    pub id: Uuid,
    /// "Collectivité ou organisme".
    pub name: OrganisationName,
    /// At least one, in the order ticked.
    pub categories: Vec<Category>,
    /// The establishment number.
    pub siret: Siret,
    /// Inhabitants.
    pub population: Population,
    /// One of the 23 cantons.
    pub canton: Canton,
    /// The mayor or president.
    pub representative: Representative,
    /// The administrative referent.
    pub admin_referent: Referent,
    /// The website, when given.
    pub website: Option<Website>,
    /// The current logo's version (cache busting); `None` without a logo.
    pub logo_version: Option<String>,
    /// When it registered.
    pub created_at: DateTime<Utc>,
    /// Last change of the profile or the logo.
    pub updated_at: DateTime<Utc>,
}

/// An organisation's logo as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// The image bytes.
    pub image: Vec<u8>,
    /// Its media type (`image/png`).
    pub content_type: String,
    /// Changes with every upload.
    pub version: String,
}

/// The profile form's changes as typed; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OrganisationUpdate {
    /// "Collectivité ou organisme".
    pub organisation_name: Option<String>,
    /// Replaces the categories (an empty list is refused).
    pub categories: Option<Vec<String>>,
    /// SIRET.
    pub siret: Option<String>,
    /// Population.
    pub population: Option<u32>,
    /// Canton.
    pub canton: Option<String>,
    /// Replaces the representative (all four fields).
    pub representative: Option<RepresentativeInput>,
    /// Replaces the administrative referent (all three fields).
    pub admin_referent: Option<ReferentInput>,
    /// Website; empty removes it.
    pub website: Option<String>,
}

/// Profile changes whose every field is valid; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganisationPatch {
    /// New name.
    pub name: Option<OrganisationName>,
    /// New categories.
    pub categories: Option<Vec<Category>>,
    /// New SIRET.
    pub siret: Option<Siret>,
    /// New population.
    pub population: Option<Population>,
    /// New canton.
    pub canton: Option<Canton>,
    /// New representative.
    pub representative: Option<Representative>,
    /// New administrative referent.
    pub admin_referent: Option<Referent>,
    /// New website; `Some(None)` removes it.
    pub website: Option<Option<Website>>,
}

impl OrganisationPatch {
    /// Checks every field given with the rules of the registration form and reports every
    /// problem at once; the name is reported under `organisation_name`, as everywhere.
    pub fn parse(update: &OrganisationUpdate) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::default();
        let patch = Self {
            name: update
                .organisation_name
                .as_ref()
                .and_then(|name| v.keep("organisation_name", OrganisationName::parse(name))),
            categories: update
                .categories
                .as_ref()
                .and_then(|categories| v.keep("categories", parse_categories(categories))),
            siret: update
                .siret
                .as_ref()
                .and_then(|siret| v.keep("siret", Siret::parse(siret))),
            population: update.population.and_then(|population| {
                v.keep("population", Population::parse(&population.to_string()))
            }),
            canton: update
                .canton
                .as_ref()
                .and_then(|canton| v.keep("canton", Canton::parse(canton))),
            representative: update
                .representative
                .as_ref()
                .and_then(|input| Representative::parse_fields(input, &mut v)),
            admin_referent: update
                .admin_referent
                .as_ref()
                .and_then(|input| Referent::parse_fields(input, &mut v)),
            website: update
                .website
                .as_ref()
                .and_then(|website| v.keep("website", Website::parse(website))),
        };
        v.finish(Some(patch))
    }

    /// Writes the changed fields into `organisation`.
    pub fn apply_to(self, organisation: &mut Organisation) {
        let Self {
            name,
            categories,
            siret,
            population,
            canton,
            representative,
            admin_referent,
            website,
        } = self;
        if let Some(name) = name {
            organisation.name = name;
        }
        if let Some(categories) = categories {
            organisation.categories = categories;
        }
        if let Some(siret) = siret {
            organisation.siret = siret;
        }
        if let Some(population) = population {
            organisation.population = population;
        }
        if let Some(canton) = canton {
            organisation.canton = canton;
        }
        if let Some(representative) = representative {
            organisation.representative = representative;
        }
        if let Some(admin_referent) = admin_referent {
            organisation.admin_referent = admin_referent;
        }
        if let Some(website) = website {
            organisation.website = website;
        }
    }
}

/// A category of member organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// `communes`: a commune (town hall).
    Communes,
    /// `epci`: an intercommunal body (établissement public de coopération intercommunale).
    Epci,
    /// `syndicats`: a joint syndicate of local authorities.
    Syndicats,
}

impl Category {
    /// Every category, in the order of the form.
    pub const ALL: [Category; 3] = [Category::Communes, Category::Epci, Category::Syndicats];

    /// Accepts the JSON values (`communes`, `epci`, `syndicats`) and the labels, in any case,
    /// singular or plural.
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        match fold(input).as_str() {
            "communes" | "commune" => Ok(Category::Communes),
            "epci" => Ok(Category::Epci),
            "syndicats" | "syndicat" => Ok(Category::Syndicats),
            _ => Err(FieldViolation::new(
                "categories",
                "Choisissez parmi les catégories Communes, EPCI et Syndicats.",
            )),
        }
    }

    /// The JSON and storage value.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Communes => "communes",
            Category::Epci => "epci",
            Category::Syndicats => "syndicats",
        }
    }

    /// The label of the form: `Communes`, `EPCI`, `Syndicats`.
    pub fn label(self) -> &'static str {
        match self {
            Category::Communes => "Communes",
            Category::Epci => "EPCI",
            Category::Syndicats => "Syndicats",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// At least one category, each known and ticked once (the registration form and the profile
/// form share this rule).
pub fn parse_categories(inputs: &[String]) -> Result<Vec<Category>, FieldViolation> {
    if inputs.iter().all(|input| input.trim().is_empty()) {
        return Err(FieldViolation::new(
            "categories",
            "Cochez au moins une catégorie : Communes, EPCI ou Syndicats.",
        ));
    }
    let mut categories = Vec::with_capacity(inputs.len());
    for input in inputs {
        let category = Category::parse(input)?;
        if categories.contains(&category) {
            return Err(FieldViolation::new(
                "categories",
                format!(
                    "La catégorie {} est cochée deux fois : cochez chaque catégorie une seule fois.",
                    category.label()
                ),
            ));
        }
        categories.push(category);
    }
    Ok(categories)
}

/// The name of the member organisation ("Collectivité ou organisme"): 2 to 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrganisationName(String);

impl OrganisationName {
    /// Trimmed, inner runs of spaces made one, NFC; control characters refused. Any letters,
    /// digits and punctuation are fine: "Syndicat mixte d'études (SMEP) n°2" is a real kind of
    /// name.
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        const FIELD: &str = "organisation_name";
        let name = input
            .nfc()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let length = name.chars().count();
        if !(MIN_ORGANISATION_NAME_CHARS..=MAX_ORGANISATION_NAME_CHARS).contains(&length) {
            return Err(FieldViolation::new(
                FIELD,
                format!(
                    "Indiquez le nom de la collectivité ou de l'organisme (de \
                     {MIN_ORGANISATION_NAME_CHARS} à {MAX_ORGANISATION_NAME_CHARS} caractères), \
                     par exemple Commune de Melun."
                ),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(FieldViolation::new(
                FIELD,
                "Le nom de la collectivité contient un caractère invisible : retapez-le.",
            ));
        }
        Ok(Self(name))
    }

    /// The name as cleaned up.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrganisationName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The number of inhabitants of the organisation's territory: 1 to 10,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Population(u32);

impl Population {
    /// A whole number, with spaces (also non-breaking) accepted as thousands separators, as
    /// French people write `12 500`.
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let value = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            // Overflowing u32 is far above the maximum anyway.
            Some(digits.parse::<u32>().unwrap_or(u32::MAX))
        } else {
            None
        };
        match value {
            Some(value) if (1..=MAX_POPULATION).contains(&value) => Ok(Self(value)),
            _ => Err(FieldViolation::new(
                "population",
                "Indiquez la population en nombre entier d'habitants, de 1 à 10 000 000, \
                 par exemple 12 500.",
            )),
        }
    }

    /// The number of inhabitants.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Population {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The organisation's website: an `http` or `https` address of at most 300 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Website(String);

impl Website {
    /// The field is optional: an empty input is `Ok(None)`. An address typed without its
    /// scheme (`www.mairie-melun.fr`) gets `https://`, as a browser's address bar would do.
    pub fn parse(input: &str) -> Result<Option<Self>, FieldViolation> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let invalid = || {
            FieldViolation::new(
                "website",
                format!(
                    "Indiquez l'adresse complète du site (au plus {MAX_WEBSITE_CHARS} \
                     caractères), par exemple https://www.mairie-melun.fr, ou laissez le champ \
                     vide."
                ),
            )
        };
        let lower = trimmed.to_lowercase();
        let url = if lower.starts_with("https://") || lower.starts_with("http://") {
            trimmed.to_owned()
        } else if lower.contains("://") {
            return Err(invalid());
        } else {
            format!("https://{trimmed}")
        };
        if url.chars().count() > MAX_WEBSITE_CHARS || url.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let (scheme, rest) = url.split_once("://").ok_or_else(invalid)?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = match authority.rsplit_once(':') {
            Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                host
            }
            Some(_) => return Err(invalid()),
            None => authority,
        };
        // A public host name: labels of letters, digits and hyphens, at least one dot. No user
        // info (`user@`), no IP-only tricks beyond what a dotted name allows.
        let labels: Vec<&str> = host.split('.').collect();
        let host_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !host_ok {
            return Err(invalid());
        }
        // Scheme and host are case-insensitive: store them in lower case, keep the path as typed.
        let path = &rest[authority.len()..];
        Ok(Some(Self(format!(
            "{}://{}{}",
            scheme.to_ascii_lowercase(),
            authority.to_lowercase(),
            path
        ))))
    }

    /// The full address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Website {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_values_and_labels() {
        for category in Category::ALL {
            assert_eq!(Category::parse(category.as_str()).unwrap(), category);
            assert_eq!(Category::parse(category.label()).unwrap(), category);
        }
        assert_eq!(Category::parse("Commune").unwrap(), Category::Communes);
        assert_eq!(Category::Epci.label(), "EPCI");
        assert_eq!(
            serde_json::to_string(&Category::ALL).unwrap(),
            r#"["communes","epci","syndicats"]"#
        );
        let violation = Category::parse("departement").unwrap_err();
        assert_eq!(violation.field, "categories");
        assert!(violation.message.contains("Communes, EPCI et Syndicats"));
    }

    #[test]
    fn organisation_name_bounds() {
        assert_eq!(
            OrganisationName::parse("  Commune   de Melun ")
                .unwrap()
                .as_str(),
            "Commune de Melun"
        );
        assert!(OrganisationName::parse("Syndicat mixte d'études (SMEP) n°2").is_ok());
        assert!(OrganisationName::parse("Y").is_err());
        assert!(OrganisationName::parse("Yè").is_ok());
        assert!(OrganisationName::parse(&"é".repeat(200)).is_ok());
        let violation = OrganisationName::parse(&"é".repeat(201)).unwrap_err();
        assert_eq!(violation.field, "organisation_name");
        assert!(violation.message.contains("de 2 à 200"));
        assert!(
            OrganisationName::parse("Commune\u{7}de Melun")
                .unwrap_err()
                .message
                .contains("invisible")
        );
    }

    #[test]
    fn population_accepts_thousands_separators() {
        assert_eq!(Population::parse("12 500").unwrap().get(), 12_500);
        assert_eq!(
            Population::parse("1\u{202f}234\u{a0}567").unwrap().get(),
            1_234_567
        );
        assert_eq!(Population::parse("1").unwrap().get(), 1);
        assert_eq!(Population::parse("10000000").unwrap().get(), MAX_POPULATION);
    }

    #[test]
    fn population_refuses_zero_negative_fractions_and_huge_numbers() {
        for input in [
            "",
            "0",
            "-5",
            "12.5",
            "12,5",
            "10000001",
            "99999999999999999999",
            "douze",
            "1e6",
        ] {
            let violation = Population::parse(input).unwrap_err();
            assert_eq!(violation.field, "population");
            assert!(violation.message.contains("nombre entier"), "{input:?}");
        }
    }

    #[test]
    fn website_is_optional_and_gets_a_scheme() {
        assert_eq!(Website::parse("   ").unwrap(), None);
        let site = |input: &str| Website::parse(input).unwrap().unwrap().as_str().to_owned();
        assert_eq!(site("https://www.melun.fr"), "https://www.melun.fr");
        assert_eq!(site("www.melun.fr"), "https://www.melun.fr");
        assert_eq!(
            site("HTTP://WWW.Melun.FR/Mairie?x=1"),
            "http://www.melun.fr/Mairie?x=1"
        );
        assert_eq!(
            site("https://ville-évry.fr:8443/"),
            "https://ville-évry.fr:8443/"
        );
    }

    #[test]
    fn website_refuses_other_schemes_and_malformed_hosts() {
        for input in [
            "ftp://melun.fr",
            "javascript:alert(1)",
            "https://",
            "https://melun",
            "https://melun..fr",
            "https://-melun.fr",
            "https://user@melun.fr",
            "https://melun.fr:port",
            "https://mairie de melun.fr",
        ] {
            let violation = Website::parse(input).unwrap_err();
            assert_eq!(violation.field, "website");
            assert!(violation.message.contains("https://"), "{input:?}");
        }
        let long = format!("https://melun.fr/{}", "a".repeat(300 - 17));
        assert_eq!(long.chars().count(), 300);
        assert!(Website::parse(&long).is_ok());
        assert!(Website::parse(&format!("{long}a")).is_err());
    }

    #[test]
    fn a_patch_reports_every_refused_field_under_the_profile_names() {
        let update = OrganisationUpdate {
            organisation_name: Some("Y".into()),
            siret: Some("12345678911123".into()),
            representative: Some(RepresentativeInput {
                title: "roi".into(),
                civility: "femme".into(),
                first_name: "Marie".into(),
                last_name: "".into(),
            }),
            website: Some("ftp://melun.fr".into()),
            ..OrganisationUpdate::default()
        };
        let fields: Vec<String> = OrganisationPatch::parse(&update)
            .unwrap_err()
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(
            fields,
            [
                "organisation_name",
                "siret",
                "representative.title",
                "representative.last_name",
                "website"
            ]
        );
    }

    #[test]
    fn an_empty_patch_changes_nothing_and_an_empty_website_removes_it() {
        assert_eq!(
            OrganisationPatch::parse(&OrganisationUpdate::default()).unwrap(),
            OrganisationPatch::default()
        );
        let patch = OrganisationPatch::parse(&OrganisationUpdate {
            website: Some(" ".into()),
            population: Some(12_500),
            ..OrganisationUpdate::default()
        })
        .unwrap();
        assert_eq!(patch.website, Some(None));
        assert_eq!(patch.population.map(Population::get), Some(12_500));
    }
}
