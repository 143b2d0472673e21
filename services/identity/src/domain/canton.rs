//! The cantons of Seine-et-Marne.

use std::fmt;

use id77_kit::violations::FieldViolation;

use super::fold;

const FIELD: &str = "canton";

/// One of the 23 cantons of Seine-et-Marne (the map in force since 2015).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Canton {
    ChampsSurMarne,
    Chelles,
    ClayeSouilly,
    CombsLaVille,
    Coulommiers,
    Fontainebleau,
    FontenayTresigny,
    LaFerteSousJouarre,
    LagnySurMarne,
    Meaux,
    Melun,
    MitryMory,
    MontereauFaultYonne,
    Nangis,
    Nemours,
    OzoirLaFerriere,
    PontaultCombault,
    Provins,
    SaintFargeauPonthierry,
    SavignyLeTemple,
    Serris,
    Torcy,
    Villeparisis,
}

impl Canton {
    /// Every canton, in alphabetical order (the order of a select list).
    pub const ALL: [Canton; 23] = [
        Canton::ChampsSurMarne,
        Canton::Chelles,
        Canton::ClayeSouilly,
        Canton::CombsLaVille,
        Canton::Coulommiers,
        Canton::Fontainebleau,
        Canton::FontenayTresigny,
        Canton::LaFerteSousJouarre,
        Canton::LagnySurMarne,
        Canton::Meaux,
        Canton::Melun,
        Canton::MitryMory,
        Canton::MontereauFaultYonne,
        Canton::Nangis,
        Canton::Nemours,
        Canton::OzoirLaFerriere,
        Canton::PontaultCombault,
        Canton::Provins,
        Canton::SaintFargeauPonthierry,
        Canton::SavignyLeTemple,
        Canton::Serris,
        Canton::Torcy,
        Canton::Villeparisis,
    ];

    /// The official name, with its accents and hyphens: `La Ferté-sous-Jouarre`.
    pub fn name(self) -> &'static str {
        match self {
            Canton::ChampsSurMarne => "Champs-sur-Marne",
            Canton::Chelles => "Chelles",
            Canton::ClayeSouilly => "Claye-Souilly",
            Canton::CombsLaVille => "Combs-la-Ville",
            Canton::Coulommiers => "Coulommiers",
            Canton::Fontainebleau => "Fontainebleau",
            Canton::FontenayTresigny => "Fontenay-Trésigny",
            Canton::LaFerteSousJouarre => "La Ferté-sous-Jouarre",
            Canton::LagnySurMarne => "Lagny-sur-Marne",
            Canton::Meaux => "Meaux",
            Canton::Melun => "Melun",
            Canton::MitryMory => "Mitry-Mory",
            Canton::MontereauFaultYonne => "Montereau-Fault-Yonne",
            Canton::Nangis => "Nangis",
            Canton::Nemours => "Nemours",
            Canton::OzoirLaFerriere => "Ozoir-la-Ferrière",
            Canton::PontaultCombault => "Pontault-Combault",
            Canton::Provins => "Provins",
            Canton::SaintFargeauPonthierry => "Saint-Fargeau-Ponthierry",
            Canton::SavignyLeTemple => "Savigny-le-Temple",
            Canton::Serris => "Serris",
            Canton::Torcy => "Torcy",
            Canton::Villeparisis => "Villeparisis",
        }
    }

    /// Finds the canton whatever the case, accents and separators typed (`la ferte sous
    /// jouarre`, `LA FERTÉ-SOUS-JOUARRE`), and `St` for `Saint`.
    pub fn parse(input: &str) -> Result<Self, FieldViolation> {
        let key = canton_key(input);
        Canton::ALL
            .into_iter()
            .find(|canton| canton_key(canton.name()) == key)
            .ok_or_else(|| {
                FieldViolation::new(
                    FIELD,
                    "Choisissez l'un des 23 cantons de Seine-et-Marne dans la liste, \
                     par exemple Melun ou La Ferté-sous-Jouarre.",
                )
            })
    }
}

/// The comparison key: folded words, with the common abbreviation of Saint spelt out.
fn canton_key(input: &str) -> String {
    fold(input)
        .split(' ')
        .map(|word| if word == "st" { "saint" } else { word })
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Canton {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_23_cantons_of_the_reference_list() {
        let names: Vec<&str> = Canton::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "Champs-sur-Marne",
                "Chelles",
                "Claye-Souilly",
                "Combs-la-Ville",
                "Coulommiers",
                "Fontainebleau",
                "Fontenay-Trésigny",
                "La Ferté-sous-Jouarre",
                "Lagny-sur-Marne",
                "Meaux",
                "Melun",
                "Mitry-Mory",
                "Montereau-Fault-Yonne",
                "Nangis",
                "Nemours",
                "Ozoir-la-Ferrière",
                "Pontault-Combault",
                "Provins",
                "Saint-Fargeau-Ponthierry",
                "Savigny-le-Temple",
                "Serris",
                "Torcy",
                "Villeparisis",
            ]
        );
        let distinct: HashSet<_> = Canton::ALL.iter().collect();
        assert_eq!(distinct.len(), 23);
    }

    #[test]
    fn every_canton_parses_back_from_its_name() {
        for canton in Canton::ALL {
            assert_eq!(Canton::parse(canton.name()).unwrap(), canton);
        }
    }

    #[test]
    fn case_accents_and_separators_do_not_matter() {
        for input in [
            "la ferte sous jouarre",
            "LA FERTÉ-SOUS-JOUARRE",
            "  La  Ferté sous-Jouarre ",
        ] {
            assert_eq!(
                Canton::parse(input).unwrap(),
                Canton::LaFerteSousJouarre,
                "{input:?}"
            );
        }
        assert_eq!(
            Canton::parse("ozoir la ferriere").unwrap().name(),
            "Ozoir-la-Ferrière"
        );
        assert_eq!(
            Canton::parse("St-Fargeau-Ponthierry").unwrap(),
            Canton::SaintFargeauPonthierry
        );
    }

    #[test]
    fn other_places_are_refused() {
        for input in ["", "Paris", "Melun-Nord", "Mel", "Lagny", "Seine-et-Marne"] {
            let violation = Canton::parse(input).unwrap_err();
            assert_eq!(violation.field, "canton");
            assert!(violation.message.contains("23 cantons"), "{input:?}");
        }
    }
}
