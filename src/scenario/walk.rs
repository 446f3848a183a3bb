//! Every numeric parameter of a scenario, with its JSON path (for messages) and a stable key
//! built from ids rather than array positions (for random sub-streams and reports).

use super::param::Param;
use super::schema::{Effects, Leverage, Scenario};

/// The JSON Pointer (RFC 6901) of a path such as `parties[0].positions.territory.ideal`.
/// Ids are restricted to letters, digits, `_` and `-`, so the path splits unambiguously.
pub fn pointer(path: &str) -> String {
    path.split('.')
        .flat_map(|part| part.split('[').map(|p| p.trim_end_matches(']')))
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

#[derive(Debug, Clone)]
pub struct ParamRef<'a> {
    /// Where the parameter sits in the file, e.g. `parties[0].cost_of_war`.
    pub path: String,
    /// The same place named by ids, e.g. `parties.russia.cost_of_war`.
    pub key: String,
    pub param: &'a Param,
}

impl Scenario {
    /// All parameters, in document order.
    pub fn params(&self) -> Vec<ParamRef<'_>> {
        let mut out: Vec<ParamRef<'_>> = Vec::new();
        fn put<'a>(out: &mut Vec<ParamRef<'a>>, path: String, key: String, param: &'a Param) {
            out.push(ParamRef { path, key, param });
        }
        macro_rules! push {
            ($path:expr, $key:expr, $p:expr $(,)?) => {
                put(&mut out, $path, $key, $p)
            };
        }
        let m = &self.model;
        for (name, p) in [
            ("battlefield.initial", &m.battlefield.initial),
            ("battlefield.max_drift_per_month", &m.battlefield.max_drift_per_month),
            ("battlefield.volatility_per_month", &m.battlefield.volatility_per_month),
            ("learning_per_month", &m.learning_per_month),
            ("war_weariness_per_month", &m.war_weariness_per_month),
            ("political_will_noise", &m.political_will_noise),
            ("humanitarian_rate", &m.humanitarian_rate),
            ("collapse_hazard", &m.collapse_hazard),
            ("ceasefire_fragility", &m.ceasefire_fragility),
        ] {
            push!(format!("model.{name}"), format!("model.{name}"), p);
        }
        for (i, issue) in self.issues.iter().enumerate() {
            if let Some(p) = &issue.reversion {
                push!(format!("issues[{i}].reversion"), format!("issues.{}.reversion", issue.id), p);
            }
        }
        for (i, party) in self.parties.iter().enumerate() {
            for (name, p) in [
                ("capability", &party.capability),
                ("cost_of_war", &party.cost_of_war),
                ("patience", &party.patience),
                ("optimism", &party.optimism),
                ("mistrust", &party.mistrust),
            ] {
                push!(format!("parties[{i}].{name}"), format!("parties.{}.{name}", party.id), p);
            }
            for (issue, pos) in &party.positions {
                let at = |f: &str| {
                    (
                        format!("parties[{i}].positions.{issue}.{f}"),
                        format!("parties.{}.positions.{issue}.{f}", party.id),
                    )
                };
                let (path, key) = at("ideal");
                push!(path, key, &pos.ideal);
                let (path, key) = at("salience");
                push!(path, key, &pos.salience);
                if let Some(r) = &pos.red_line {
                    let (path, key) = at("red_line");
                    push!(path, key, r);
                }
            }
        }
        for (i, med) in self.mediators.iter().enumerate() {
            for (target, lev) in &med.leverage {
                for (name, p) in leverage_channels(lev) {
                    push!(
                        format!("mediators[{i}].leverage.{target}.{name}"),
                        format!("mediators.{}.leverage.{target}.{name}", med.id),
                        p,
                    );
                }
            }
        }
        for (i, round) in self.rounds.iter().enumerate() {
            push!(
                format!("rounds[{i}].months_before"),
                format!("rounds.{}.months_before", round.id),
                &round.months_before
            );
            for (j, med) in round.mediators.iter().enumerate() {
                if let Some(p) = med.presence() {
                    push!(
                        format!("rounds[{i}].mediators[{j}].presence"),
                        format!("rounds.{}.mediators.{}.presence", round.id, med.id()),
                        p
                    );
                }
            }
            for (party, d) in &round.delegations {
                push!(
                    format!("rounds[{i}].delegations.{party}.attendance"),
                    format!("rounds.{}.delegations.{party}.attendance", round.id),
                    &d.attendance,
                );
            }
        }
        for (i, event) in self.events.iter().enumerate() {
            push!(format!("events[{i}].probability"), format!("events.{}.probability", event.id), &event.probability);
            for (name, p) in effect_params(&event.effects) {
                push!(format!("events[{i}].effects.{name}"), format!("events.{}.effects.{name}", event.id), p);
            }
        }
        out
    }
}

/// The channels of a leverage entry that are present, by name.
pub fn leverage_channels(lev: &Leverage) -> Vec<(&'static str, &Param)> {
    [
        ("pressure", &lev.pressure),
        ("guarantees", &lev.guarantees),
        ("information", &lev.information),
        ("side_payments", &lev.side_payments),
    ]
    .into_iter()
    .filter_map(|(n, p)| p.as_ref().map(|p| (n, p)))
    .collect()
}

/// The parameters of an event's effects, named by their path below `effects`.
pub fn effect_params(e: &Effects) -> Vec<(String, &Param)> {
    let mut out: Vec<(String, &Param)> = Vec::new();
    if let Some(p) = &e.battlefield_shift {
        out.push(("battlefield_shift".into(), p));
    }
    for (field, map) in [
        ("cost_change", &e.cost_change),
        ("capability_change", &e.capability_change),
        ("optimism_change", &e.optimism_change),
        ("attendance_factor", &e.attendance_factor),
    ] {
        for (party, p) in map {
            out.push((format!("{field}.{party}"), p));
        }
    }
    if let Some(p) = &e.collapse_hazard {
        out.push(("collapse_hazard".into(), p));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::pointer;

    #[test]
    fn paths_become_pointers() {
        assert_eq!(pointer("parties[0].positions.territory.ideal"), "/parties/0/positions/territory/ideal");
        assert_eq!(pointer("model.battlefield.initial"), "/model/battlefield/initial");
        assert_eq!(pointer("rounds[2].mediators[1].presence"), "/rounds/2/mediators/1/presence");
    }
}
