//! The registration form ("Inscription") of a member organisation.

use id77_kit::violations::FieldViolation;
use serde::{Deserialize, Deserializer};

use super::{
    Canton, Category, Civility, Email, Identifier, OrganisationName, PersonName, Phone, Population,
    RepresentativeTitle, Siret,
};

/// The form as submitted, every field as typed. Field names are those of the registration JSON
/// (and of the violations): a missing field reads as empty and is reported like one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RegistrationInput {
    /// "Collectivité ou organisme".
    pub organisation_name: String,
    /// JSON values `communes`, `epci`, `syndicats`.
    pub categories: Vec<String>,
    /// 14 digits, spaces allowed.
    pub siret: String,
    /// A string as typed (`12 500`); a JSON number is accepted too.
    #[serde(deserialize_with = "string_or_number")]
    pub population: String,
    /// One of the 23 cantons.
    pub canton: String,
    /// The mayor or president.
    pub representative: RepresentativeInput,
    /// The administrative contact.
    pub admin_referent: ReferentInput,
    /// The login identifier.
    pub identifier: String,
    /// Where the confirmation link is sent.
    pub email: String,
    /// A French number.
    pub phone: String,
}

/// The representative's part of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RepresentativeInput {
    /// `maire` or `president`.
    pub title: String,
    /// `femme` or `homme`.
    pub civility: String,
    /// "Prénom".
    pub first_name: String,
    /// "Nom".
    pub last_name: String,
}

/// The administrative referent's part of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ReferentInput {
    /// `femme` or `homme`.
    pub civility: String,
    /// "Prénom du référent".
    pub first_name: String,
    /// "Nom du référent".
    pub last_name: String,
}

/// The mayor or president of the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Representative {
    /// Maire or Président(e).
    pub title: RepresentativeTitle,
    /// Mme or M.
    pub civility: Civility,
    /// First name.
    pub first_name: PersonName,
    /// Last name.
    pub last_name: PersonName,
}

/// A named person with a civility: the administrative referent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referent {
    /// Mme or M.
    pub civility: Civility,
    /// First name.
    pub first_name: PersonName,
    /// Last name.
    pub last_name: PersonName,
}

/// A registration whose every field is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// "Collectivité ou organisme".
    pub organisation_name: OrganisationName,
    /// At least one, each once, in the order ticked.
    pub categories: Vec<Category>,
    /// The establishment number.
    pub siret: Siret,
    /// Inhabitants.
    pub population: Population,
    /// The canton.
    pub canton: Canton,
    /// The mayor or president.
    pub representative: Representative,
    /// The administrative contact.
    pub admin_referent: Referent,
    /// The login identifier.
    pub identifier: Identifier,
    /// The account's address.
    pub email: Email,
    /// The organisation's phone number.
    pub phone: Phone,
}

impl Registration {
    /// Checks every field and reports every problem at once, so the form comes back with each
    /// message next to its field rather than one at a time. At most one violation per field.
    pub fn parse(input: RegistrationInput) -> Result<Self, Vec<FieldViolation>> {
        let mut violations = Vec::new();
        let v = &mut violations;
        let organisation_name = keep(
            v,
            OrganisationName::parse(&input.organisation_name),
            "organisation_name",
        );
        let categories = keep(v, parse_categories(&input.categories), "categories");
        let siret = keep(v, Siret::parse(&input.siret), "siret");
        let population = keep(v, Population::parse(&input.population), "population");
        let canton = keep(v, Canton::parse(&input.canton), "canton");
        let representative = input.representative;
        let title = keep(
            v,
            RepresentativeTitle::parse(&representative.title),
            "representative.title",
        );
        let civility = keep(
            v,
            Civility::parse(&representative.civility),
            "representative.civility",
        );
        let first_name = keep(
            v,
            PersonName::parse_field("representative.first_name", &representative.first_name),
            "representative.first_name",
        );
        let last_name = keep(
            v,
            PersonName::parse_field("representative.last_name", &representative.last_name),
            "representative.last_name",
        );
        let referent = input.admin_referent;
        let referent_civility = keep(
            v,
            Civility::parse(&referent.civility),
            "admin_referent.civility",
        );
        let referent_first_name = keep(
            v,
            PersonName::parse_field("admin_referent.first_name", &referent.first_name),
            "admin_referent.first_name",
        );
        let referent_last_name = keep(
            v,
            PersonName::parse_field("admin_referent.last_name", &referent.last_name),
            "admin_referent.last_name",
        );
        let identifier = keep(v, Identifier::parse(&input.identifier), "identifier");
        let email = keep(v, Email::parse(&input.email), "email");
        let phone = keep(v, Phone::parse(&input.phone), "phone");

        match (
            organisation_name,
            categories,
            siret,
            population,
            canton,
            title,
            civility,
            first_name,
            last_name,
            referent_civility,
            referent_first_name,
            referent_last_name,
            identifier,
            email,
            phone,
        ) {
            (
                Some(organisation_name),
                Some(categories),
                Some(siret),
                Some(population),
                Some(canton),
                Some(title),
                Some(civility),
                Some(first_name),
                Some(last_name),
                Some(referent_civility),
                Some(referent_first_name),
                Some(referent_last_name),
                Some(identifier),
                Some(email),
                Some(phone),
            ) => Ok(Self {
                organisation_name,
                categories,
                siret,
                population,
                canton,
                representative: Representative {
                    title,
                    civility,
                    first_name,
                    last_name,
                },
                admin_referent: Referent {
                    civility: referent_civility,
                    first_name: referent_first_name,
                    last_name: referent_last_name,
                },
                identifier,
                email,
                phone,
            }),
            _ => Err(violations),
        }
    }
}

/// The value, or `None` with its violation recorded under the form's `field` name (shared types
/// such as civility and names report a generic field).
fn keep<T>(
    violations: &mut Vec<FieldViolation>,
    result: Result<T, FieldViolation>,
    field: &str,
) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(mut violation) => {
            field.clone_into(&mut violation.field);
            violations.push(violation);
            None
        }
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

/// Forms post the population as text, API clients often as a JSON number: take both as text,
/// so that [`Population::parse`] applies the same rules to each.
fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Integer(i64),
        Number(f64),
    }
    Ok(match Raw::deserialize(deserializer)? {
        Raw::Text(text) => text,
        Raw::Integer(value) => value.to_string(),
        Raw::Number(value) => value.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_input() -> RegistrationInput {
        RegistrationInput {
            organisation_name: "Commune de Melun".into(),
            categories: vec!["communes".into()],
            siret: "217 702 885 00013".into(),
            population: "41 000".into(),
            canton: "Melun".into(),
            representative: RepresentativeInput {
                title: "maire".into(),
                civility: "homme".into(),
                first_name: "Louis".into(),
                last_name: "Vogel".into(),
            },
            admin_referent: ReferentInput {
                civility: "femme".into(),
                first_name: "Anne-Sophie".into(),
                last_name: "N'Guessan".into(),
            },
            identifier: "MairieMelun".into(),
            email: "dgs@Ville-Melun.fr".into(),
            phone: "01 64 52 33 33".into(),
        }
    }

    fn fields(violations: &[FieldViolation]) -> Vec<&str> {
        violations.iter().map(|v| v.field.as_str()).collect()
    }

    #[test]
    fn a_complete_form_parses() {
        let registration = Registration::parse(valid_input()).unwrap();
        assert_eq!(registration.organisation_name.as_str(), "Commune de Melun");
        assert_eq!(registration.categories, [Category::Communes]);
        assert_eq!(registration.siret.as_str(), "21770288500013");
        assert_eq!(registration.population.get(), 41_000);
        assert_eq!(registration.canton, Canton::Melun);
        assert_eq!(
            registration.representative.title,
            RepresentativeTitle::Maire
        );
        assert_eq!(registration.admin_referent.civility, Civility::Femme);
        assert_eq!(registration.identifier.normalized(), "mairiemelun");
        assert_eq!(registration.email.as_str(), "dgs@ville-melun.fr");
        assert_eq!(registration.phone.as_str(), "+33164523333");
    }

    #[test]
    fn an_empty_form_reports_every_field_at_once() {
        let violations = Registration::parse(RegistrationInput::default()).unwrap_err();
        assert_eq!(
            fields(&violations),
            [
                "organisation_name",
                "categories",
                "siret",
                "population",
                "canton",
                "representative.title",
                "representative.civility",
                "representative.first_name",
                "representative.last_name",
                "admin_referent.civility",
                "admin_referent.first_name",
                "admin_referent.last_name",
                "identifier",
                "email",
                "phone",
            ]
        );
        assert!(violations.iter().all(|v| !v.message.is_empty()));
    }

    #[test]
    fn only_the_wrong_fields_are_reported() {
        let mut input = valid_input();
        input.siret = "12345678911123".into();
        input.admin_referent.civility = "x".into();
        input.identifier = "mairie de melun".into();
        let violations = Registration::parse(input).unwrap_err();
        assert_eq!(
            fields(&violations),
            ["siret", "admin_referent.civility", "identifier"]
        );
    }

    #[test]
    fn categories_at_least_one_and_no_duplicates() {
        let with = |categories: &[&str]| {
            let mut input = valid_input();
            input.categories = categories.iter().map(|c| (*c).to_owned()).collect();
            Registration::parse(input)
        };
        assert_eq!(
            with(&["epci", "syndicats"]).unwrap().categories,
            [Category::Epci, Category::Syndicats]
        );
        for (categories, expected) in [
            (&[][..], "au moins une"),
            (&[" "][..], "au moins une"),
            (&["epci", "EPCI"][..], "deux fois"),
            (&["communes", "villes"][..], "Communes, EPCI et Syndicats"),
        ] {
            let violations = with(categories).unwrap_err();
            assert_eq!(fields(&violations), ["categories"]);
            assert!(
                violations[0].message.contains(expected),
                "{categories:?}: {}",
                violations[0].message
            );
        }
    }

    #[test]
    fn reads_the_registration_json() {
        let json = r#"{
            "organisation_name": "Communauté d'agglomération Melun Val de Seine",
            "categories": ["epci"],
            "siret": "20005820800011",
            "population": 135000,
            "canton": "melun",
            "representative": {"title": "president", "civility": "femme",
                               "first_name": "Marie", "last_name": "Durand"},
            "admin_referent": {"civility": "homme", "first_name": "Paul", "last_name": "Martin"},
            "identifier": "camvs",
            "email": "contact@camvs.com",
            "phone": "+33 1 64 79 25 25"
        }"#;
        let input: RegistrationInput = serde_json::from_str(json).unwrap();
        assert_eq!(input.population, "135000");
        let violations = Registration::parse(input).unwrap_err();
        // The SIRET above is made up and fails the check; everything else is valid.
        assert_eq!(fields(&violations), ["siret"]);

        let partial: RegistrationInput = serde_json::from_str(r#"{"identifier": "x"}"#).unwrap();
        assert_eq!(partial.identifier, "x");
        assert!(partial.representative.title.is_empty());
    }
}
