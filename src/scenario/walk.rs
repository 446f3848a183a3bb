//! Every numeric parameter of a scenario, from one declared table: its JSON path (for
//! messages), a stable key built from ids rather than array positions (for reports), the site
//! and slot its random draw is read from (docs/MODEL.md §8), and the range validation holds its
//! draws to (docs/SCENARIO.md). The walker below and the model's compile step both build
//! parameters only through this table, and the round's own draws have their slots here too.

use std::collections::BTreeMap;

use super::param::Param;
use super::schema::{
    DeclaredTruce, DelegationLevel, Effects, Event, LevelLaw, Leverage, ModelSettings, Party, Position, Preference,
    Round, Scenario,
};

/// The JSON Pointer (RFC 6901) of a path such as `parties[0].positions.territory.ideal`.
/// Ids are restricted to letters, digits, `_` and `-`, so the path splits unambiguously.
pub fn pointer(path: &str) -> String {
    path.split('.')
        .flat_map(|part| part.split('[').map(|p| p.trim_end_matches(']')))
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// The largest magnitude of an input in utility units (a cost of war, pressure, mistrust): a
/// party's utilities lie in [0, 1], so this is generous, and it keeps every sum a trial forms
/// finite.
pub const UTILITY_MAX: f64 = 100.0;
/// The largest capability and capability change (only the ratio of capabilities matters).
pub const CAPABILITY_MAX: f64 = 1e6;
/// The largest factor an event applies to an attendance chance (200 events of a round may
/// multiply theirs and stay finite).
pub const ATTENDANCE_FACTOR_MAX: f64 = 10.0;
/// The largest growth of the cost of war per month.
pub const WEARINESS_MAX: f64 = 1.0;
/// The largest curvature of a party's utility (the smallest is 1, linear).
pub const CURVATURE_MAX: f64 = 4.0;
/// The largest magnitude of an issue scale's ends.
pub const SCALE_MAX: f64 = 1e12;

/// The range every draw of a parameter must lie in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// In [lo, hi].
    Closed(f64, f64),
    /// In (0, hi].
    Positive(f64),
    /// Strictly between 0 and 1.
    OpenUnit,
    /// On the parameter's issue: its scale, or its option indices.
    Issue,
    /// In [0, width] of the parameter's issue.
    IssueSpan,
    /// On the battlefield issue's scale.
    Front,
    /// In [0, span] of the battlefield issue.
    Span,
    /// In [-span, span] of the battlefield issue.
    Shift,
}

impl Bound {
    /// The bound in numbers, given the range of the parameter's issue (if any) and of the
    /// battlefield issue.
    fn resolve(self, issue: (f64, f64), front: (f64, f64)) -> Bound {
        let span = front.1 - front.0;
        match self {
            Bound::Issue => Bound::Closed(issue.0, issue.1),
            Bound::IssueSpan => Bound::Closed(0.0, issue.1 - issue.0),
            Bound::Front => Bound::Closed(front.0, front.1),
            Bound::Span => Bound::Closed(0.0, span),
            Bound::Shift => Bound::Closed(-span, span),
            b => b,
        }
    }

    /// Whether every draw of `p` lies in the (resolved) bound; the broken rule if not.
    pub fn check(self, p: &Param, what: &str) -> Result<(), String> {
        let (low, high) = p.support();
        let shown =
            || if p.is_fixed() { number(low) } else { format!("draws between {} and {}", number(low), number(high)) };
        let (a, b) = (number(low), number(high));
        match self {
            Bound::Closed(lo, hi) if low < lo || high > hi => {
                Err(format!("{what} must lie in [{}, {}] (got {})", number(lo), number(hi), shown()))
            }
            Bound::Positive(_) if low <= 0.0 => {
                Err(format!("{what} must be greater than 0 (got a lowest value of {a})"))
            }
            Bound::Positive(hi) if high > hi => {
                Err(format!("{what} must lie in (0, {}] (got {})", number(hi), shown()))
            }
            Bound::OpenUnit if low <= 0.0 || high >= 1.0 => {
                Err(format!("{what} must lie strictly between 0 and 1 (got support [{a}, {b}])"))
            }
            _ => Ok(()),
        }
    }
}

/// A number as messages show it: in scientific notation when very large or small, so that a
/// value such as 4.5e307 is not written out in 308 digits.
pub fn number(x: f64) -> String {
    if x != 0.0 && !(1e-5..1e7).contains(&x.abs()) { format!("{x:e}") } else { format!("{x}") }
}

/// A parameter of some part `T` of a scenario: its name below the part, its slot at the
/// part's site, its range and how it is described in messages.
pub struct Field<T> {
    pub name: &'static str,
    pub slot: u32,
    pub bound: Bound,
    pub what: &'static str,
    pub get: fn(&T) -> &Param,
}

/// As [`Field`], for a parameter that may be left out.
pub struct OptionalField<T> {
    pub name: &'static str,
    pub slot: u32,
    pub bound: Bound,
    pub what: &'static str,
    pub get: fn(&T) -> Option<&Param>,
}

/// As [`Field`], for a parameter given per party (a map from party ids).
pub struct PerParty<T> {
    pub name: &'static str,
    pub slot: u32,
    pub bound: Bound,
    pub what: &'static str,
    pub get: fn(&T) -> &BTreeMap<String, Param>,
}

/// Site `param:model`.
pub const MODEL: [Field<ModelSettings>; 9] = [
    Field {
        name: "battlefield.initial",
        slot: 0,
        bound: Bound::Front,
        what: "the front's initial position",
        get: |m| &m.battlefield.initial,
    },
    Field {
        name: "battlefield.max_drift_per_month",
        slot: 1,
        bound: Bound::Span,
        what: "the maximum drift",
        get: |m| &m.battlefield.max_drift_per_month,
    },
    Field {
        name: "battlefield.volatility_per_month",
        slot: 2,
        bound: Bound::Span,
        what: "the volatility",
        get: |m| &m.battlefield.volatility_per_month,
    },
    Field {
        name: "learning_per_month",
        slot: 3,
        bound: Bound::Closed(0.0, 1.0),
        what: "the learning rate",
        get: |m| &m.learning_per_month,
    },
    Field {
        name: "war_weariness_per_month",
        slot: 4,
        bound: Bound::Closed(0.0, WEARINESS_MAX),
        what: "war weariness",
        get: |m| &m.war_weariness_per_month,
    },
    Field {
        name: "political_will_noise",
        slot: 5,
        bound: Bound::Closed(0.0, UTILITY_MAX),
        what: "the noise",
        get: |m| &m.political_will_noise,
    },
    Field {
        name: "humanitarian_rate",
        slot: 6,
        bound: Bound::Closed(0.0, 1.0),
        what: "a probability",
        get: |m| &m.humanitarian_rate,
    },
    Field {
        name: "collapse_hazard",
        slot: 7,
        bound: Bound::Closed(0.0, 1.0),
        what: "a probability",
        get: |m| &m.collapse_hazard,
    },
    Field {
        name: "ceasefire_fragility",
        slot: 8,
        bound: Bound::Closed(0.0, 1.0),
        what: "a probability",
        get: |m| &m.ceasefire_fragility,
    },
];

/// Site `param:model`, after [`MODEL`]: the model's settings that may be left out.
pub const MODEL_OPTIONAL: [OptionalField<ModelSettings>; 1] = [OptionalField {
    name: "implementation_hazard_per_month",
    slot: 9,
    bound: Bound::Closed(0.0, 1.0),
    what: "a probability",
    get: |m| m.implementation_hazard_per_month.as_ref(),
}];

/// Site `param:issues.<k>`: the issue's reversion point (slot 0); the positions follow.
pub const REVERSION_SLOT: u32 = 0;

/// Site `param:parties.<i>`. `capability` and `optimism` are a belligerent's only; the others
/// every party has (`get` gives them always).
pub const PARTY: [OptionalField<Party>; 5] = [
    OptionalField {
        name: "capability",
        slot: 0,
        bound: Bound::Positive(CAPABILITY_MAX),
        what: "capability",
        get: |p| p.capability.as_ref(),
    },
    OptionalField {
        name: "cost_of_war",
        slot: 1,
        bound: Bound::Closed(0.0, UTILITY_MAX),
        what: "the cost of war",
        get: |p| Some(&p.cost_of_war),
    },
    OptionalField { name: "patience", slot: 2, bound: Bound::OpenUnit, what: "patience", get: |p| Some(&p.patience) },
    OptionalField { name: "optimism", slot: 3, bound: Bound::Span, what: "optimism", get: |p| p.optimism.as_ref() },
    OptionalField {
        name: "mistrust",
        slot: 4,
        bound: Bound::Closed(0.0, UTILITY_MAX),
        what: "mistrust",
        get: |p| Some(&p.mistrust),
    },
];
/// Site `param:parties.<i>`, after the fields above; omitted, utility is linear.
pub const CURVATURE: OptionalField<Party> = OptionalField {
    name: "curvature",
    slot: 5,
    bound: Bound::Closed(1.0, CURVATURE_MAX),
    what: "a curvature",
    get: |p| p.curvature.as_ref(),
};
/// Site `param:parties.<i>`, after [`CURVATURE`]: the pressure at which red lines give fully.
pub const RED_LINE_PRESSURE: OptionalField<Party> = OptionalField {
    name: "red_line_pressure",
    slot: 6,
    bound: Bound::Positive(UTILITY_MAX),
    what: "the pressure that moves red lines",
    get: |p| p.red_line_pressure.as_ref(),
};

/// Site `param:issues.<k>`, from slot `POSITION_FIRST + POSITION_PER_SIDE * side`.
pub const POSITION_FIRST: u32 = 1;
pub const POSITION_PER_SIDE: u32 = 3;
pub const IDEAL: Field<Position> =
    Field { name: "ideal", slot: 0, bound: Bound::Issue, what: "an ideal point", get: |p| &p.ideal };
pub const SALIENCE: Field<Position> =
    Field { name: "salience", slot: 1, bound: Bound::Closed(0.0, 1.0), what: "a salience", get: |p| &p.salience };
pub const RED_LINE: OptionalField<Position> =
    OptionalField { name: "red_line", slot: 2, bound: Bound::Issue, what: "a red line", get: |p| p.red_line.as_ref() };

/// Site `param:issues.<k>`, slot `FROM_FRONT_FIRST + side`: after both sides' position slots.
pub const FROM_FRONT_FIRST: u32 = POSITION_FIRST + 2 * POSITION_PER_SIDE;
pub const RED_LINE_FROM_FRONT: OptionalField<Position> = OptionalField {
    name: "red_line_from_front",
    // Unused: the slot is `FROM_FRONT_FIRST + side` ([`Walker::red_line_from_front`]).
    slot: 0,
    bound: Bound::Shift,
    what: "a red line relative to the front",
    get: |p| p.red_line_from_front.as_ref(),
};
/// Site `param:issues.<k>`, slot `GIVE_FIRST + side`, then `PAST_COST_FIRST + side`: how far a
/// red line gives under pressure, and the cost of conceding past it.
pub const GIVE_FIRST: u32 = FROM_FRONT_FIRST + 2;
pub const PAST_COST_FIRST: u32 = GIVE_FIRST + 2;
pub const RED_LINE_GIVE: OptionalField<Position> = OptionalField {
    name: "red_line_give",
    // Unused: the slot is `GIVE_FIRST + side` ([`Walker::red_line_give`]).
    slot: 0,
    bound: Bound::IssueSpan,
    what: "a red line's give",
    get: |p| p.red_line_give.as_ref(),
};
pub const PAST_RED_LINE_COST: OptionalField<Position> = OptionalField {
    name: "past_red_line_cost",
    // Unused: the slot is `PAST_COST_FIRST + side` ([`Walker::past_red_line_cost`]).
    slot: 0,
    bound: Bound::Closed(0.0, UTILITY_MAX),
    what: "the cost of conceding past a red line",
    get: |p| p.past_red_line_cost.as_ref(),
};

/// Site `param:mediators.<m>`, from slot `LEVERAGE_PER_SIDE * side`.
pub const LEVERAGE_PER_SIDE: u32 = 4;
pub const LEVERAGE: [OptionalField<Leverage>; 4] = [
    OptionalField {
        name: "pressure",
        slot: 0,
        bound: Bound::Closed(0.0, UTILITY_MAX),
        what: "pressure",
        get: |l| l.pressure.as_ref(),
    },
    OptionalField {
        name: "guarantees",
        slot: 1,
        bound: Bound::Closed(0.0, 1.0),
        what: "guarantees",
        get: |l| l.guarantees.as_ref(),
    },
    OptionalField {
        name: "information",
        slot: 2,
        bound: Bound::Closed(0.0, 1.0),
        what: "information",
        get: |l| l.information.as_ref(),
    },
    OptionalField {
        name: "side_payments",
        slot: 3,
        bound: Bound::Closed(0.0, UTILITY_MAX),
        what: "side payments",
        get: |l| l.side_payments.as_ref(),
    },
];

/// Site `param:events.<e>`.
pub const PROBABILITY: Field<Event> = Field {
    name: "probability",
    slot: 0,
    bound: Bound::Closed(0.0, 1.0),
    what: "a probability",
    get: |e| &e.probability,
};
pub const BATTLEFIELD_SHIFT: OptionalField<Effects> = OptionalField {
    name: "battlefield_shift",
    slot: 1,
    bound: Bound::Shift,
    what: "a shift of the front",
    get: |e| e.battlefield_shift.as_ref(),
};
pub const COLLAPSE_HAZARD: OptionalField<Effects> = OptionalField {
    name: "collapse_hazard",
    slot: 2,
    bound: Bound::Closed(-1.0, 1.0),
    what: "a change of probability",
    get: |e| e.collapse_hazard.as_ref(),
};
/// Site `param:events.<e>`, from slot `EFFECT_FIRST + EFFECT_PER_SIDE * side`.
pub const EFFECT_FIRST: u32 = 3;
pub const EFFECT_PER_SIDE: u32 = 4;
pub const EFFECTS: [PerParty<Effects>; 4] = [
    PerParty {
        name: "cost_change",
        slot: 0,
        bound: Bound::Closed(-UTILITY_MAX, UTILITY_MAX),
        what: "a change of the cost of war",
        get: |e| &e.cost_change,
    },
    PerParty {
        name: "capability_change",
        slot: 1,
        bound: Bound::Closed(-CAPABILITY_MAX, CAPABILITY_MAX),
        what: "a change of capability",
        get: |e| &e.capability_change,
    },
    PerParty {
        name: "optimism_change",
        slot: 2,
        bound: Bound::Shift,
        what: "a change of optimism",
        get: |e| &e.optimism_change,
    },
    PerParty {
        name: "attendance_factor",
        slot: 3,
        bound: Bound::Closed(0.0, ATTENDANCE_FACTOR_MAX),
        what: "an attendance factor",
        get: |e| &e.attendance_factor,
    },
];

/// Site `param:events.<e>`, after both sides' effects: a truce the event declares.
pub const TRUCE_FIRST: u32 = EFFECT_FIRST + 2 * EFFECT_PER_SIDE;
pub const TRUCE_SCOPE: Field<DeclaredTruce> =
    Field { name: "scope", slot: TRUCE_FIRST, bound: Bound::Positive(1.0), what: "a truce's scope", get: |t| &t.scope };
pub const TRUCE_RECIPROCATED: OptionalField<DeclaredTruce> = OptionalField {
    name: "reciprocated",
    slot: TRUCE_FIRST + 1,
    bound: Bound::Closed(0.0, 1.0),
    what: "a probability",
    get: |t| t.reciprocated.as_ref(),
};
/// The longest truce, in days (a century).
pub const TRUCE_DAYS_MAX: f64 = 36_525.0;

/// Site `round:<t>`: the round's parameters and its own draws.
pub const MONTHS_BEFORE: Field<Round> = Field {
    name: "months_before",
    slot: 0,
    bound: Bound::Closed(0.0, 600.0),
    what: "months of war",
    get: |r| &r.months_before,
};
/// A delegation's attendance: slot `ATTENDANCE_FIRST + side`.
pub const ATTENDANCE_FIRST: u32 = 1;
pub const ATTENDANCE_BOUND: Bound = Bound::Closed(0.0, 1.0);
/// The round's draws, in the order of docs/MODEL.md §8; a per-side draw takes the slot
/// given and the next.
pub const INCIDENT: u32 = 3;
pub const FRONT_SHOCK: u32 = 4;
pub const HUMANITARIAN: u32 = 5;
pub const COLLAPSE: u32 = 6;
pub const ATTEND: u32 = 7;
pub const WILL_SHOCK: u32 = 9;
pub const DEFECTION_SHOCK: u32 = 11;
/// A delegation's level drawn from its law (slot `LEVEL + side`); a fixed level reads none.
pub const LEVEL: u32 = 13;
/// Site `round:<t>/mediators`: mediator `m`'s presence in slot `MEDIATOR_STRIDE * m`, its
/// engagement draw in the next.
pub const MEDIATOR_STRIDE: u32 = 2;
pub const PRESENCE_BOUND: Bound = Bound::Closed(0.0, 1.0);
/// Site `round:<t>/events`: whether the other side reciprocates the truce event `e` declares,
/// in slot `RECIPROCATION_FIRST + e`, after every event's own slot.
pub const RECIPROCATION_FIRST: u32 = super::validate::limits::EVENTS as u32;

/// The parties at positions 0 and 1 of `parties`, the belligerents, draw from the per-side
/// slots above; a party at a later position (a stakeholder) draws from sites named by its id
/// (docs/NPARTY.md §4), so no slot of the first two moves when one is added.
pub const BELLIGERENTS: usize = 2;
/// Site `param:issues.<k>/parties.<i>`: a stakeholder's `ideal`, `salience`, `red_line` in the
/// slots of [`IDEAL`], [`SALIENCE`], [`RED_LINE`], then these.
pub const OWN_FROM_FRONT: u32 = 3;
pub const OWN_GIVE: u32 = 4;
pub const OWN_PAST_COST: u32 = 5;
/// Site `round:<t>/parties.<i>`: a stakeholder's delegation `attendance` and its draws.
pub const OWN_ATTENDANCE: u32 = 0;
pub const OWN_ATTEND: u32 = 1;
pub const OWN_WILL_SHOCK: u32 = 2;
pub const OWN_DEFECTION_SHOCK: u32 = 3;
pub const OWN_LEVEL: u32 = 4;
/// Site `param:mediators.<m>/positions.<k>`: a mediator's preference on issue `k`.
pub const PREFERENCE: [Field<Preference>; 2] = [
    Field { name: "ideal", slot: 0, bound: Bound::Issue, what: "an ideal point", get: |p| &p.ideal },
    Field { name: "salience", slot: 1, bound: Bound::Closed(0.0, 1.0), what: "a salience", get: |p| &p.salience },
];
/// Site `param:mediators.<m>`, after both sides' leverage: what a settlement is worth to it.
pub const DEAL_VALUE_SLOT: u32 = 2 * LEVERAGE_PER_SIDE;

/// The site of a stakeholder's own draws below a part's site, e.g.
/// `param:issues.territory/parties.eu`.
pub fn own_site(site: &str, party: &str) -> String {
    format!("{site}/parties.{party}")
}

/// The site of a scenario part's parameters, e.g. `param:parties.russia`.
pub fn param_site(part: &str) -> String {
    format!("param:{part}")
}

/// The site of round `t`'s own draws, and of its mediators' and events' draws.
pub fn round_site(t: &str) -> String {
    format!("round:{t}")
}

pub fn round_mediators_site(t: &str) -> String {
    format!("round:{t}/mediators")
}

pub fn round_events_site(t: &str) -> String {
    format!("round:{t}/events")
}

/// A parameter found in a scenario.
#[derive(Debug, Clone)]
pub struct ParamRef<'a> {
    /// Where the parameter sits in the file, e.g. `parties[0].cost_of_war`.
    pub path: String,
    /// The same place named by ids, e.g. `parties.russia.cost_of_war`.
    pub key: String,
    /// Where its draw is read from: a site's name and a slot in it.
    pub site: String,
    pub slot: u32,
    /// The range of its draws, in numbers.
    pub bound: Bound,
    /// What it is, in messages ("the cost of war").
    pub what: &'static str,
    pub param: &'a Param,
}

impl ParamRef<'_> {
    /// Whether every draw lies in the parameter's range; the broken rule if not.
    pub fn check_bound(&self) -> Result<(), String> {
        self.bound.check(self.param, self.what)
    }
}

/// Builds the parameters of a scenario: every constructor below is used by the walker and by
/// the model's compile step alike.
pub struct Walker<'a> {
    s: &'a Scenario,
    front: (f64, f64),
}

impl<'a> Walker<'a> {
    pub fn new(s: &'a Scenario) -> Walker<'a> {
        let front = s.issues.iter().find(|i| i.id == s.model.battlefield.issue).map_or((0.0, 0.0), issue_range);
        Walker { s, front }
    }

    fn issue_range(&self, id: &str) -> (f64, f64) {
        self.s.issues.iter().find(|i| i.id == id).map_or((0.0, 0.0), issue_range)
    }

    #[allow(clippy::too_many_arguments)]
    fn make(
        &self,
        path: String,
        key: String,
        site: String,
        slot: u32,
        bound: Bound,
        issue: Option<&str>,
        what: &'static str,
        param: &'a Param,
    ) -> ParamRef<'a> {
        let issue = issue.map_or((0.0, 0.0), |id| self.issue_range(id));
        ParamRef { path, key, site, slot, bound: bound.resolve(issue, self.front), what, param }
    }

    /// `model.<name>`.
    pub fn model(&self, f: &Field<ModelSettings>) -> ParamRef<'a> {
        let name = format!("model.{}", f.name);
        self.make(name.clone(), name, param_site("model"), f.slot, f.bound, None, f.what, (f.get)(&self.s.model))
    }

    /// `model.<name>`, if given.
    pub fn model_optional(&self, f: &OptionalField<ModelSettings>) -> Option<ParamRef<'a>> {
        let name = format!("model.{}", f.name);
        let p = (f.get)(&self.s.model)?;
        Some(self.make(name.clone(), name, param_site("model"), f.slot, f.bound, None, f.what, p))
    }

    /// `issues[k].reversion`, if given.
    pub fn reversion(&self, k: usize) -> Option<ParamRef<'a>> {
        let issue = &self.s.issues[k];
        let r = issue.reversion.as_ref()?;
        Some(self.make(
            format!("issues[{k}].reversion"),
            format!("issues.{}.reversion", issue.id),
            param_site(&format!("issues.{}", issue.id)),
            REVERSION_SLOT,
            Bound::Issue,
            Some(&issue.id),
            "the reversion point",
            r,
        ))
    }

    /// `parties[side].<name>`, if given.
    pub fn party_optional(&self, side: usize, f: &OptionalField<Party>) -> Option<ParamRef<'a>> {
        let party = &self.s.parties[side];
        Some(self.party_ref(side, f.name, f.slot, f.bound, f.what, (f.get)(party)?))
    }

    fn party_ref(
        &self,
        side: usize,
        name: &str,
        slot: u32,
        bound: Bound,
        what: &'static str,
        param: &'a Param,
    ) -> ParamRef<'a> {
        let id = &self.s.parties[side].id;
        let site = param_site(&format!("parties.{id}"));
        self.make(
            format!("parties[{side}].{name}"),
            format!("parties.{id}.{name}"),
            site,
            slot,
            bound,
            None,
            what,
            param,
        )
    }

    fn position_ref(&self, side: usize, issue: &str, name: &str, slot: u32) -> (String, String, String, u32) {
        let id = &self.s.parties[side].id;
        let site = param_site(&format!("issues.{issue}"));
        let (site, slot) = if side < BELLIGERENTS {
            (site, POSITION_FIRST + POSITION_PER_SIDE * side as u32 + slot)
        } else {
            (own_site(&site, id), slot)
        };
        (
            format!("parties[{side}].positions.{issue}.{name}"),
            format!("parties.{id}.positions.{issue}.{name}"),
            site,
            slot,
        )
    }

    /// `parties[side].positions.<issue>.<name>`.
    pub fn position(&self, side: usize, issue: &str, pos: &'a Position, f: &Field<Position>) -> ParamRef<'a> {
        let (path, key, site, slot) = self.position_ref(side, issue, f.name, f.slot);
        self.make(path, key, site, slot, f.bound, Some(issue), f.what, (f.get)(pos))
    }

    /// As [`Walker::position`], for a position's optional parameter.
    pub fn position_optional(
        &self,
        side: usize,
        issue: &str,
        pos: &'a Position,
        f: &OptionalField<Position>,
    ) -> Option<ParamRef<'a>> {
        let p = (f.get)(pos)?;
        let (path, key, site, slot) = self.position_ref(side, issue, f.name, f.slot);
        Some(self.make(path, key, site, slot, f.bound, Some(issue), f.what, p))
    }

    /// `parties[side].positions.<issue>.red_line_from_front`, if given.
    pub fn red_line_from_front(&self, side: usize, issue: &str, pos: &'a Position) -> Option<ParamRef<'a>> {
        self.per_side(side, issue, pos, &RED_LINE_FROM_FRONT, [FROM_FRONT_FIRST, OWN_FROM_FRONT])
    }

    /// `parties[side].positions.<issue>.red_line_give`, if given.
    pub fn red_line_give(&self, side: usize, issue: &str, pos: &'a Position) -> Option<ParamRef<'a>> {
        self.per_side(side, issue, pos, &RED_LINE_GIVE, [GIVE_FIRST, OWN_GIVE])
    }

    /// `parties[side].positions.<issue>.past_red_line_cost`, if given.
    pub fn past_red_line_cost(&self, side: usize, issue: &str, pos: &'a Position) -> Option<ParamRef<'a>> {
        self.per_side(side, issue, pos, &PAST_RED_LINE_COST, [PAST_COST_FIRST, OWN_PAST_COST])
    }

    /// A position's optional parameter that sits after both sides' position slots: slot
    /// `first + side` of `param:issues.<issue>` for a belligerent, slot `own` of its own site
    /// for a stakeholder (`[first, own]`).
    fn per_side(
        &self,
        side: usize,
        issue: &str,
        pos: &'a Position,
        f: &OptionalField<Position>,
        [first, own]: [u32; 2],
    ) -> Option<ParamRef<'a>> {
        let p = (f.get)(pos)?;
        let (path, key, site, _) = self.position_ref(side, issue, f.name, f.slot);
        let slot = if side < BELLIGERENTS { first + side as u32 } else { own };
        Some(self.make(path, key, site, slot, f.bound, Some(issue), f.what, p))
    }

    /// `mediators[m].leverage.<target>.<channel>`, if given; `side` is the target's position
    /// in `parties`.
    pub fn leverage(
        &self,
        m: usize,
        target: &str,
        side: usize,
        lev: &'a Leverage,
        f: &OptionalField<Leverage>,
    ) -> Option<ParamRef<'a>> {
        let p = (f.get)(lev)?;
        let med = &self.s.mediators[m].id;
        let site = param_site(&format!("mediators.{med}"));
        let (site, slot) = if side < BELLIGERENTS {
            (site, LEVERAGE_PER_SIDE * side as u32 + f.slot)
        } else {
            (own_site(&site, target), f.slot)
        };
        Some(self.make(
            format!("mediators[{m}].leverage.{target}.{}", f.name),
            format!("mediators.{med}.leverage.{target}.{}", f.name),
            site,
            slot,
            f.bound,
            None,
            f.what,
            p,
        ))
    }

    /// `mediators[m].positions.<issue>.<name>`.
    pub fn preference(&self, m: usize, issue: &str, pref: &'a Preference, f: &Field<Preference>) -> ParamRef<'a> {
        let med = &self.s.mediators[m].id;
        self.make(
            format!("mediators[{m}].positions.{issue}.{}", f.name),
            format!("mediators.{med}.positions.{issue}.{}", f.name),
            param_site(&format!("mediators.{med}/positions.{issue}")),
            f.slot,
            f.bound,
            Some(issue),
            f.what,
            (f.get)(pref),
        )
    }

    /// `mediators[m].deal_value`, if given.
    pub fn deal_value(&self, m: usize) -> Option<ParamRef<'a>> {
        let med = &self.s.mediators[m];
        Some(self.make(
            format!("mediators[{m}].deal_value"),
            format!("mediators.{}.deal_value", med.id),
            param_site(&format!("mediators.{}", med.id)),
            DEAL_VALUE_SLOT,
            Bound::Closed(-UTILITY_MAX, UTILITY_MAX),
            None,
            "a deal's value",
            med.deal_value.as_ref()?,
        ))
    }

    fn event_ref(&self, e: usize, name: &str) -> (String, String, String) {
        let id = &self.s.events[e].id;
        (format!("events[{e}].{name}"), format!("events.{id}.{name}"), param_site(&format!("events.{id}")))
    }

    /// `events[e].probability`.
    pub fn event_probability(&self, e: usize) -> ParamRef<'a> {
        let f = &PROBABILITY;
        let (path, key, site) = self.event_ref(e, f.name);
        self.make(path, key, site, f.slot, f.bound, None, f.what, (f.get)(&self.s.events[e]))
    }

    /// `events[e].effects.<name>`, if given.
    pub fn effect(&self, e: usize, f: &OptionalField<Effects>) -> Option<ParamRef<'a>> {
        let p = (f.get)(&self.s.events[e].effects)?;
        let (path, key, site) = self.event_ref(e, &format!("effects.{}", f.name));
        Some(self.make(path, key, site, f.slot, f.bound, None, f.what, p))
    }

    /// `events[e].effects.<name>.<party>` for every party the effect names, in id order,
    /// each with its party's side (`None` for an unknown party).
    pub fn effects_per_party(&self, e: usize, f: &PerParty<Effects>) -> Vec<(Option<usize>, ParamRef<'a>)> {
        (f.get)(&self.s.events[e].effects)
            .iter()
            .map(|(party, p)| {
                let side = self.s.parties.iter().position(|x| &x.id == party);
                let (path, key, site) = self.event_ref(e, &format!("effects.{}.{party}", f.name));
                let (site, slot) = match side.unwrap_or(0) {
                    s if s < BELLIGERENTS => (site, EFFECT_FIRST + EFFECT_PER_SIDE * s as u32 + f.slot),
                    _ => (own_site(&site, party), f.slot),
                };
                (side, self.make(path, key, site, slot, f.bound, None, f.what, p))
            })
            .collect()
    }

    /// `events[e].effects.truce.<name>`, if the event declares a truce (and, for an optional
    /// field, gives it).
    pub fn truce(
        &self,
        e: usize,
        name: &'static str,
        slot: u32,
        bound: Bound,
        what: &'static str,
        p: &'a Param,
    ) -> ParamRef<'a> {
        let (path, key, site) = self.event_ref(e, &format!("effects.truce.{name}"));
        self.make(path, key, site, slot, bound, None, what, p)
    }

    /// The parameters of the truce event `e` declares: its scope, and its chance of
    /// reciprocation if given.
    pub fn truce_params(&self, e: usize) -> (Option<ParamRef<'a>>, Option<ParamRef<'a>>) {
        let Some(t) = self.s.events[e].effects.truce.as_ref() else { return (None, None) };
        let (f, g) = (&TRUCE_SCOPE, &TRUCE_RECIPROCATED);
        let scope = self.truce(e, f.name, f.slot, f.bound, f.what, (f.get)(t));
        let reciprocated = (g.get)(t).map(|p| self.truce(e, g.name, g.slot, g.bound, g.what, p));
        (Some(scope), reciprocated)
    }

    /// `rounds[t].months_before`.
    pub fn months_before(&self, t: usize) -> ParamRef<'a> {
        let (round, f) = (&self.s.rounds[t], &MONTHS_BEFORE);
        self.make(
            format!("rounds[{t}].{}", f.name),
            format!("rounds.{}.{}", round.id, f.name),
            round_site(&round.id),
            f.slot,
            f.bound,
            None,
            f.what,
            (f.get)(round),
        )
    }

    /// `rounds[t].mediators[j].presence`, if given; `m` is the mediator's position in
    /// `mediators`.
    pub fn presence(&self, t: usize, j: usize, m: usize) -> Option<ParamRef<'a>> {
        let round = &self.s.rounds[t];
        let med = &round.mediators[j];
        Some(self.make(
            format!("rounds[{t}].mediators[{j}].presence"),
            format!("rounds.{}.mediators.{}.presence", round.id, med.id()),
            round_mediators_site(&round.id),
            MEDIATOR_STRIDE * m as u32,
            PRESENCE_BOUND,
            None,
            "a probability",
            med.presence()?,
        ))
    }

    /// `rounds[t].delegations.<party>.attendance`; `side` is the party's position in
    /// `parties`.
    pub fn attendance(&self, t: usize, party: &str, side: usize) -> Option<ParamRef<'a>> {
        let round = &self.s.rounds[t];
        let d = round.delegations.get(party)?;
        let (site, slot) = if side < BELLIGERENTS {
            (round_site(&round.id), ATTENDANCE_FIRST + side as u32)
        } else {
            (own_site(&round_site(&round.id), party), OWN_ATTENDANCE)
        };
        Some(self.make(
            format!("rounds[{t}].delegations.{party}.attendance"),
            format!("rounds.{}.delegations.{party}.attendance", round.id),
            site,
            slot,
            ATTENDANCE_BOUND,
            None,
            "a probability",
            &d.attendance,
        ))
    }
}

/// A delegation's law over levels found in a scenario: not a parameter (it is drawn in each
/// round, docs/MODEL.md §6 step 8), but it cites evidence as one does.
#[derive(Debug, Clone)]
pub struct LevelLawRef<'a> {
    /// e.g. `rounds[3].delegations.russia.level`.
    pub path: String,
    /// e.g. `rounds.summit.delegations.russia.level`.
    pub key: String,
    pub law: &'a LevelLaw,
}

/// The range positions on an issue may take: the scale, or option indices.
pub fn issue_range(issue: &super::schema::Issue) -> (f64, f64) {
    match (&issue.scale, &issue.options) {
        (Some(s), _) => (s.min, s.max),
        (None, Some(o)) => (0.0, o.len().saturating_sub(1) as f64),
        (None, None) => (0.0, 0.0),
    }
}

impl Scenario {
    /// All parameters, in document order.
    pub fn params(&self) -> Vec<ParamRef<'_>> {
        let w = Walker::new(self);
        let side_of = |id: &str| self.parties.iter().position(|p| p.id == id);
        let mut out: Vec<ParamRef<'_>> = MODEL.iter().map(|f| w.model(f)).collect();
        out.extend(MODEL_OPTIONAL.iter().filter_map(|f| w.model_optional(f)));
        out.extend((0..self.issues.len()).filter_map(|k| w.reversion(k)));
        for (side, party) in self.parties.iter().enumerate() {
            out.extend(PARTY.iter().filter_map(|f| w.party_optional(side, f)));
            out.extend(w.party_optional(side, &CURVATURE));
            out.extend(w.party_optional(side, &RED_LINE_PRESSURE));
            for (issue, pos) in &party.positions {
                out.push(w.position(side, issue, pos, &IDEAL));
                out.push(w.position(side, issue, pos, &SALIENCE));
                out.extend(w.position_optional(side, issue, pos, &RED_LINE));
                out.extend(w.red_line_from_front(side, issue, pos));
                out.extend(w.red_line_give(side, issue, pos));
                out.extend(w.past_red_line_cost(side, issue, pos));
            }
        }
        for (m, med) in self.mediators.iter().enumerate() {
            for (target, lev) in &med.leverage {
                let side = side_of(target).unwrap_or(0);
                out.extend(LEVERAGE.iter().filter_map(|f| w.leverage(m, target, side, lev, f)));
            }
            for (issue, pref) in &med.positions {
                out.extend(PREFERENCE.iter().map(|f| w.preference(m, issue, pref, f)));
            }
            out.extend(w.deal_value(m));
        }
        for (t, round) in self.rounds.iter().enumerate() {
            out.push(w.months_before(t));
            for (j, med) in round.mediators.iter().enumerate() {
                let m = self.mediators.iter().position(|x| x.id == med.id()).unwrap_or(self.mediators.len());
                out.extend(w.presence(t, j, m));
            }
            for party in round.delegations.keys() {
                out.extend(w.attendance(t, party, side_of(party).unwrap_or(0)));
            }
        }
        for e in 0..self.events.len() {
            out.push(w.event_probability(e));
            out.extend(w.effect(e, &BATTLEFIELD_SHIFT));
            for f in &EFFECTS {
                out.extend(w.effects_per_party(e, f).into_iter().map(|(_, r)| r));
            }
            out.extend(w.effect(e, &COLLAPSE_HAZARD));
            let (scope, reciprocated) = w.truce_params(e);
            out.extend(scope);
            out.extend(reciprocated);
        }
        out
    }

    /// Every delegation's law over levels, by round and then party id.
    pub fn level_laws(&self) -> Vec<LevelLawRef<'_>> {
        let mut out = Vec::new();
        for (t, round) in self.rounds.iter().enumerate() {
            for (party, d) in &round.delegations {
                if let DelegationLevel::Uncertain(law) = &d.level {
                    out.push(LevelLawRef {
                        path: format!("rounds[{t}].delegations.{party}.level"),
                        key: format!("rounds.{}.delegations.{party}.level", round.id),
                        law,
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::pointer;

    #[test]
    fn paths_become_pointers() {
        assert_eq!(pointer("parties[0].positions.territory.ideal"), "/parties/0/positions/territory/ideal");
        assert_eq!(pointer("model.battlefield.initial"), "/model/battlefield/initial");
        assert_eq!(pointer("rounds[2].mediators[1].presence"), "/rounds/2/mediators/1/presence");
    }

    /// The slot map of docs/MODEL.md §8, parsed from the doc, is the declared table
    /// (`scenario::walk`): the same rows, sites, slots and parameter names.
    #[test]
    fn the_slot_map_in_model_md_is_the_declared_table() {
        let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/MODEL.md"))
            .expect("docs/MODEL.md");
        let section = doc.split("## 8.").nth(1).and_then(|s| s.split("\n## ").next()).expect("section 8");
        let rows: Vec<(String, String, Vec<String>)> = section
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
                (cells[0].to_string(), cells[1].to_string(), ticked(cells[2]))
            })
            .collect();
        assert_eq!(rows, declared_slot_map());
    }

    /// The names in backticks in a cell of the doc.
    fn ticked(cell: &str) -> Vec<String> {
        cell.split('`').skip(1).step_by(2).map(String::from).collect()
    }

    /// Slots as the doc writes them: `a–b` for a run of three or more, else a list.
    fn span(slots: &[u32]) -> String {
        let run = slots.len() > 2 && slots.windows(2).all(|w| w[1] == w[0] + 1);
        match slots {
            [first, .., last] if run => format!("{first}–{last}"),
            _ => slots.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
        }
    }

    /// The slot map built from the declared table, one row per line of the doc's table.
    fn declared_slot_map() -> Vec<(String, String, Vec<String>)> {
        use crate::scenario::walk::*;
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let row = |site: &str, slot: String, n: Vec<String>| (format!("`{site}`"), slot, n);
        let per_side = |first: u32, stride: u32, slots: &[u32]| match first {
            0 => format!("{stride}·side + ({})", span(slots)),
            _ => format!("{first} + {stride}·side + ({})", span(slots)),
        };
        vec![
            row("param:model", span(&MODEL.map(|f| f.slot)), MODEL.iter().map(|f| f.name.to_string()).collect()),
            row(
                "param:model",
                span(&MODEL_OPTIONAL.map(|f| f.slot)),
                MODEL_OPTIONAL.iter().map(|f| f.name.to_string()).collect(),
            ),
            row(
                "param:parties.<i>",
                span(&[PARTY.map(|f| f.slot).as_slice(), &[CURVATURE.slot, RED_LINE_PRESSURE.slot]].concat()),
                PARTY
                    .iter()
                    .map(|f| f.name)
                    .chain([CURVATURE.name, RED_LINE_PRESSURE.name])
                    .map(String::from)
                    .collect(),
            ),
            row("param:issues.<k>", span(&[REVERSION_SLOT]), names(&["reversion"])),
            row(
                "param:issues.<k>",
                per_side(POSITION_FIRST, POSITION_PER_SIDE, &[IDEAL.slot, SALIENCE.slot, RED_LINE.slot]),
                names(&[IDEAL.name, SALIENCE.name, RED_LINE.name]),
            ),
            row("param:issues.<k>", format!("{FROM_FRONT_FIRST} + side"), names(&[RED_LINE_FROM_FRONT.name])),
            row("param:issues.<k>", format!("{GIVE_FIRST} + side"), names(&[RED_LINE_GIVE.name])),
            row("param:issues.<k>", format!("{PAST_COST_FIRST} + side"), names(&[PAST_RED_LINE_COST.name])),
            row(
                "param:mediators.<m>",
                per_side(0, LEVERAGE_PER_SIDE, &LEVERAGE.map(|f| f.slot)),
                LEVERAGE.iter().map(|f| f.name.to_string()).collect(),
            ),
            row(
                "param:events.<e>",
                span(&[PROBABILITY.slot, BATTLEFIELD_SHIFT.slot, COLLAPSE_HAZARD.slot]),
                vec![
                    PROBABILITY.name.to_string(),
                    format!("effects.{}", BATTLEFIELD_SHIFT.name),
                    format!("effects.{}", COLLAPSE_HAZARD.name),
                ],
            ),
            row(
                "param:events.<e>",
                per_side(EFFECT_FIRST, EFFECT_PER_SIDE, &EFFECTS.map(|f| f.slot)),
                EFFECTS.iter().map(|f| f.name.to_string()).collect(),
            ),
            row(
                "param:events.<e>",
                span(&[TRUCE_SCOPE.slot, TRUCE_RECIPROCATED.slot]),
                [TRUCE_SCOPE.name, TRUCE_RECIPROCATED.name].map(|n| format!("effects.truce.{n}")).to_vec(),
            ),
            row("round:<t>", span(&[MONTHS_BEFORE.slot]), names(&[MONTHS_BEFORE.name])),
            row("round:<t>", format!("{ATTENDANCE_FIRST} + side"), names(&["attendance"])),
            row("round:<t>", span(&[INCIDENT]), vec![]),
            row("round:<t>", span(&[FRONT_SHOCK]), vec![]),
            row("round:<t>", span(&[HUMANITARIAN]), vec![]),
            row("round:<t>", span(&[COLLAPSE]), vec![]),
            row("round:<t>", format!("{ATTEND} + side"), vec![]),
            row("round:<t>", format!("{WILL_SHOCK} + side"), vec![]),
            row("round:<t>", format!("{DEFECTION_SHOCK} + side"), vec![]),
            row("round:<t>", format!("{LEVEL} + side"), vec![]),
            row("round:<t>/mediators", format!("{MEDIATOR_STRIDE}m"), names(&["presence"])),
            row("round:<t>/mediators", format!("{MEDIATOR_STRIDE}m + 1"), vec![]),
            row("round:<t>/events", "e".into(), vec![]),
            row("round:<t>/events", format!("{RECIPROCATION_FIRST} + e"), vec![]),
            row(
                "param:issues.<k>/parties.<i>",
                span(&[IDEAL.slot, SALIENCE.slot, RED_LINE.slot]),
                names(&[IDEAL.name, SALIENCE.name, RED_LINE.name]),
            ),
            row(
                "param:issues.<k>/parties.<i>",
                span(&[OWN_FROM_FRONT, OWN_GIVE, OWN_PAST_COST]),
                names(&[RED_LINE_FROM_FRONT.name, RED_LINE_GIVE.name, PAST_RED_LINE_COST.name]),
            ),
            row(
                "param:mediators.<m>/parties.<i>",
                span(&LEVERAGE.map(|f| f.slot)),
                LEVERAGE.iter().map(|f| f.name.to_string()).collect(),
            ),
            row("param:mediators.<m>", span(&[DEAL_VALUE_SLOT]), names(&["deal_value"])),
            row(
                "param:mediators.<m>/positions.<k>",
                span(&PREFERENCE.map(|f| f.slot)),
                PREFERENCE.iter().map(|f| f.name.to_string()).collect(),
            ),
            row(
                "param:events.<e>/parties.<i>",
                span(&EFFECTS.map(|f| f.slot)),
                EFFECTS.iter().map(|f| f.name.to_string()).collect(),
            ),
            row("round:<t>/parties.<i>", span(&[OWN_ATTENDANCE]), names(&["attendance"])),
            row("round:<t>/parties.<i>", span(&[OWN_ATTEND]), vec![]),
            row("round:<t>/parties.<i>", span(&[OWN_WILL_SHOCK]), vec![]),
            row("round:<t>/parties.<i>", span(&[OWN_DEFECTION_SHOCK]), vec![]),
            row("round:<t>/parties.<i>", span(&[OWN_LEVEL]), vec![]),
        ]
    }
}
