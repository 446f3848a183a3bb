//! Options of Bueno de Mesquita's expected-utility model, as a scenario writes them under
//! `"model": {"kind": "expected_utility", "options": {...}}`. The published versions of the
//! model leave several steps open; each such step is one field here, and `{}` gives the variant
//! that Scholz, Calbert and Smith (2011) ran for their published figures (docs/MODELS.md,
//! "Expected utility"). The model itself is `model::expected_utility`; this file holds no model
//! logic.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The expected-utility model's options; every field has a default.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BdmOptions {
    /// Q: the probability each actor gives to the status quo holding when nobody challenges
    /// (BDM 1994; Scholz et al. 2011 use Q = 1 for the replication case). In [0, 1].
    #[serde(default = "one")]
    pub status_quo_probability: f64,
    /// T: the probability each actor gives to an unchallenged change going its way (better
    /// rather than worse); weighs U_b against U_w in the no-challenge term, so it matters only
    /// when Q < 1 (BDM 1994; Scholz et al. 2011). In [0, 1].
    #[serde(default = "one")]
    pub improvement_probability: f64,
    /// The length that turns a distance between positions into a utility distance on [0, 1].
    #[serde(default)]
    pub distance_scale: DistanceScale,
    /// How the weighted votes are turned into a probability of success.
    #[serde(default)]
    pub probability: Probability,
    /// Which utility the voters use when they weigh in on a contest.
    #[serde(default)]
    pub vote_utility: VoteUtility,
    /// Whose risk exponent an actor uses when it estimates its rival's expected utility.
    #[serde(default)]
    pub perception: Perception,
    /// Which of the offers an actor receives it accepts.
    #[serde(default)]
    pub offer_choice: OfferChoice,
    /// When the rounds stop.
    #[serde(default)]
    pub stopping: Stopping,
}

impl Default for BdmOptions {
    fn default() -> Self {
        BdmOptions {
            status_quo_probability: 1.0,
            improvement_probability: 1.0,
            distance_scale: DistanceScale::default(),
            probability: Probability::default(),
            vote_utility: VoteUtility::default(),
            perception: Perception::default(),
            offer_choice: OfferChoice::default(),
            stopping: Stopping::default(),
        }
    }
}

fn one() -> f64 {
    1.0
}

impl BdmOptions {
    /// The first invalid value, as (JSON path under `model.options`, broken rule).
    pub fn check(&self) -> Result<(), (String, String)> {
        for (name, value) in [
            ("status_quo_probability", self.status_quo_probability),
            ("improvement_probability", self.improvement_probability),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err((name.to_string(), format!("must be a probability in [0, 1], got {value}")));
            }
        }
        Ok(())
    }
}

/// The length that turns distances into utility distances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DistanceScale {
    /// The spread of the actors' positions at round 0 (largest minus smallest), kept for every
    /// round: Scholz et al.'s code as ported by McKibben-Sanders (2014) and Masad (2014), who
    /// run the replication case on 4..10. Falls back to the issue's scale when all actors start
    /// at one point.
    #[default]
    InitialPositions,
    /// The issue's whole scale (its `max - min`), as BDM 1994 normalizes positions.
    Issue,
}

/// How weighted votes become a probability of success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Probability {
    /// The votes for i over j divided by the absolute votes of every voter over every ordered
    /// pair of actors: Scholz et al.'s code as ported by McKibben-Sanders (2014), which gives
    /// small probabilities that do not add up to one over a pair.
    #[default]
    AllPairs,
    /// The votes for i over j divided by the absolute votes over that pair only, so that
    /// P(i beats j) + P(j beats i) = 1: the equation as printed by Scholz et al. (2011) and BDM
    /// (1994).
    Pair,
}

/// The utility a voter uses to weigh in on a contest between two positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VoteUtility {
    /// Distances raised to the voter's current risk exponent: McKibben-Sanders's (2014) port of
    /// Scholz et al.'s code.
    #[default]
    RiskAdjusted,
    /// Plain distances: the vote as printed by Scholz et al. (2011) and BDM (1994).
    Linear,
}

/// Whose risk exponent an actor uses for its rival's expected utility of challenging it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Perception {
    /// The perceiving actor's own exponent for both sides: Scholz et al.'s code as ported by
    /// McKibben-Sanders (2014), who notes it as his reading of BDM and Scholz.
    #[default]
    Perceiver,
    /// Each side's own exponent: the equations as printed by Scholz et al. (2011), where j's
    /// expected utility carries j's utilities.
    Own,
}

/// Which offer an actor accepts among those it receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfferChoice {
    /// Lost confrontations first (the nearest), then compromises (the one with the lowest
    /// EU-weighted point of the two positions), then capitulations (the nearest): Scholz et
    /// al.'s code as ported by McKibben-Sanders (2014), who flags it as differing from their
    /// text.
    #[default]
    ScholzCode,
    /// The offer that moves the actor least, whatever its kind: the rule as BDM (1994) and
    /// Scholz et al. (2011) state it.
    LeastMove,
}

/// When the rounds stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stopping {
    /// At the first round in which no actor accepts an offer: the positions are then a fixed
    /// point, and later rounds repeat them.
    #[default]
    NoMove,
    /// Run every round the scenario asks for, and report no stop.
    Rounds,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_options_give_the_defaults() {
        let o: BdmOptions = serde_json::from_str("{}").unwrap();
        assert_eq!(o, BdmOptions::default());
        assert_eq!(o.status_quo_probability, 1.0);
        assert_eq!(o.offer_choice, OfferChoice::ScholzCode);
        assert!(o.check().is_ok());
    }

    #[test]
    fn values_are_snake_case_and_unknown_fields_refused() {
        let o: BdmOptions =
            serde_json::from_str(r#"{"probability": "pair", "offer_choice": "least_move", "stopping": "rounds"}"#)
                .unwrap();
        assert_eq!(o.probability, Probability::Pair);
        assert_eq!(o.offer_choice, OfferChoice::LeastMove);
        assert_eq!(o.stopping, Stopping::Rounds);
        assert!(serde_json::from_str::<BdmOptions>(r#"{"q": 1}"#).is_err());
    }

    #[test]
    fn probabilities_outside_the_unit_interval_are_refused() {
        let o = BdmOptions { status_quo_probability: 1.5, ..BdmOptions::default() };
        let (path, rule) = o.check().unwrap_err();
        assert_eq!(path, "status_quo_probability");
        assert!(rule.contains("[0, 1]"), "{rule}");
        let o = BdmOptions { improvement_probability: f64::NAN, ..BdmOptions::default() };
        assert_eq!(o.check().unwrap_err().0, "improvement_probability");
    }
}
