//! The registration form ("Inscription") of a member organisation.

use id77_kit::violations::FieldViolation;
use serde::{Deserialize, Deserializer};

use super::{
    Canton, Category, Email, Identifier, OrganisationName, Phone, Population, Referent,
    ReferentInput, Representative, RepresentativeInput, Siret, Violations, parse_categories,
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
        let mut v = Violations::default();
        let registration = Self::parse_fields(&input, &mut v);
        v.finish(registration)
    }

    fn parse_fields(input: &RegistrationInput, v: &mut Violations) -> Option<Self> {
        let organisation_name = v.keep(
            "organisation_name",
            OrganisationName::parse(&input.organisation_name),
        );
        let categories = v.keep("categories", parse_categories(&input.categories));
        let siret = v.keep("siret", Siret::parse(&input.siret));
        let population = v.keep("population", Population::parse(&input.population));
        let canton = v.keep("canton", Canton::parse(&input.canton));
        let representative = Representative::parse_fields(&input.representative, v);
        let admin_referent = Referent::parse_fields(&input.admin_referent, v);
        let identifier = v.keep("identifier", Identifier::parse(&input.identifier));
        let email = v.keep("email", Email::parse(&input.email));
        let phone = v.keep("phone", Phone::parse(&input.phone));
        Some(Self {
            organisation_name: organisation_name?,
            categories: categories?,
            siret: siret?,
            population: population?,
            canton: canton?,
            representative: representative?,
            admin_referent: admin_referent?,
            identifier: identifier?,
            email: email?,
            phone: phone?,
        })
    }
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
    use crate::domain::{Civility, RepresentativeTitle};

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
