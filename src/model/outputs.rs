//! What `mediated_nash` reports, declared for the engine: six exclusive outcomes per round,
//! ten flags per round (what the round produced, and what holds by its end), the settlement
//! (with its leverage mark and its terms) and the first ceasefire (with its option) as events, the figures compared across scenarios, and the
//! answers to the scenario's questions (docs/MODEL.md §9a).

use crate::engine::{
    EventSpec, FigureOf, FigureSpec, FlagSpec, Layout, Name, Reads, RoundInfo, TermKind, TermSpec, TrialRecord,
};
use crate::scenario::question::{Question, Rule, Scope};
use crate::scenario::schema::Scenario;

/// The model's kind, as `model.kind` names it.
pub const KIND: &str = "mediated_nash";

/// What a round of talks produced, one per round. `Collapse` is absorbing: every later round
/// reports it again; `Settlement` is reported in every round while a settlement holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// A belligerent stayed away.
    NoMeeting,
    /// Both came; nothing was signed.
    TalksNoDeal,
    /// A humanitarian step (e.g. a prisoner exchange), nothing more.
    Humanitarian,
    /// A ceasefire was signed (no settlement).
    Ceasefire,
    /// A settlement is in force (signed now, or earlier and not broken since).
    Settlement,
    /// The talks broke down for good (now or in an earlier round).
    Collapse,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::NoMeeting,
        Outcome::TalksNoDeal,
        Outcome::Humanitarian,
        Outcome::Ceasefire,
        Outcome::Settlement,
        Outcome::Collapse,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Outcome::NoMeeting => "no_meeting",
            Outcome::TalksNoDeal => "talks_no_deal",
            Outcome::Humanitarian => "humanitarian",
            Outcome::Ceasefire => "ceasefire",
            Outcome::Settlement => "settlement",
            Outcome::Collapse => "collapse",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::NoMeeting => "no meeting",
            Outcome::TalksNoDeal => "talks, no deal",
            Outcome::Humanitarian => "humanitarian deal",
            Outcome::Ceasefire => "ceasefire",
            Outcome::Settlement => "settlement",
            Outcome::Collapse => "collapse",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The flags of a round, in declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// A ceasefire or a settlement was signed in this round or before.
    CeasefireReached,
    /// A settlement was signed in this round or before.
    SettlementReached,
    /// A ceasefire (without settlement) holds at the end of the round.
    CeasefireInForce,
    /// Both delegations came: the talks were held.
    Met,
    /// A humanitarian step was agreed in this round, whatever else was signed.
    HumanitarianStep,
    /// A ceasefire was signed in this round: at the table, or a declared truce reciprocated.
    CeasefireSigned,
    /// A settlement was signed in this round.
    SettlementSigned,
    /// The talks broke down in this round.
    Collapsed,
    /// A settlement holds at the end of the round.
    SettlementInForce,
    /// A ceasefire or a settlement holds at the end of the round.
    AgreementInForce,
}

const FLAGS: [(Flag, &str, &str, Reads); 10] = [
    (Flag::CeasefireReached, "ceasefire_reached", "ceasefire or settlement signed", Reads::ByEnd),
    (Flag::SettlementReached, "settlement_reached", "settlement signed", Reads::ByEnd),
    (Flag::CeasefireInForce, "ceasefire_in_force", "ceasefire holding", Reads::ByEnd),
    (Flag::Met, "met", "talks held", Reads::InRound),
    (Flag::HumanitarianStep, "humanitarian_step", "humanitarian step", Reads::InRound),
    (Flag::CeasefireSigned, "ceasefire_signed", "ceasefire signed", Reads::InRound),
    (Flag::SettlementSigned, "settlement_signed", "settlement signed", Reads::InRound),
    (Flag::Collapsed, "collapsed", "talks collapsed", Reads::InRound),
    (Flag::SettlementInForce, "settlement_in_force", "settlement holding", Reads::ByEnd),
    (Flag::AgreementInForce, "agreement_in_force", "ceasefire or settlement holding", Reads::ByEnd),
];

/// What a round produced beside its outcome (not exclusive); all false in a round that was not
/// held (no meeting, or carried over).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Happened {
    pub(super) met: bool,
    /// The talks were held at leaders' level (docs/MODEL.md §6 step 10).
    pub(super) leaders: bool,
    pub(super) humanitarian: bool,
    /// The ceasefire signed at the table in this round, if any.
    pub(super) ceasefire: Option<Signed>,
    pub(super) settlement: bool,
    pub(super) collapse: bool,
}

/// A ceasefire as the questions see it once signed: whether it covers the whole front (scope 1),
/// and after how many whole days it ends by itself (none: only when it breaks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Signed {
    pub(super) general: bool,
    pub(super) days: Option<i64>,
}

/// The settlement is event 0: its mark and terms come first in a record.
const SETTLEMENT: usize = 0;
/// The first ceasefire is event 1, when the scenario has a ceasefire issue.
const CEASEFIRE: usize = 1;

/// The figures compared across scenarios: key, label, what they read.
const FIGURES: [(&str, &str, FigureOf); 5] = [
    ("humanitarian", "humanitarian step in the round", FigureOf::Flag(Flag::HumanitarianStep as usize)),
    ("ceasefire_reached", "ceasefire or settlement signed", FigureOf::Flag(Flag::CeasefireReached as usize)),
    ("settlement_reached", "settlement signed", FigureOf::Flag(Flag::SettlementReached as usize)),
    ("collapse", "talks collapsed", FigureOf::Outcome(Outcome::Collapse as usize)),
    ("ceasefire_in_force", "ceasefire holding", FigureOf::Flag(Flag::CeasefireInForce as usize)),
];

/// The declaration for a scenario whose settlement issues are `settlement`, whose ceasefire
/// issue, if any, is `ceasefire` (indices into its issues), and which answers `questions`.
pub(super) fn layout(s: &Scenario, settlement: &[usize], ceasefire: Option<usize>, questions: &[Question]) -> Layout {
    let term = |k: usize| {
        let i = &s.issues[k];
        let kind = match (&i.scale, &i.options) {
            (Some(sc), _) => TermKind::Continuous { min: sc.min, max: sc.max, unit: sc.unit.clone() },
            (_, options) => TermKind::Options(options.clone().unwrap_or_default()),
        };
        TermSpec { issue: i.id.clone(), label: i.label.clone(), kind }
    };
    let mut events = vec![EventSpec {
        key: "settlement".into(),
        label: "settlement".into(),
        marks: vec![Name::new("leverage_dependent", "depend on leverage")],
        terms: settlement.iter().map(|&k| term(k)).collect(),
    }];
    if let Some(k) = ceasefire {
        // Option 0 is "no ceasefire", never the term of a signed ceasefire.
        let mut first = term(k);
        if let TermKind::Options(options) = &mut first.kind {
            options.remove(0);
        }
        events.push(EventSpec {
            key: "ceasefire".into(),
            label: "ceasefire".into(),
            marks: vec![],
            terms: vec![first],
        });
    }
    Layout {
        model: KIND.into(),
        rounds: s
            .rounds
            .iter()
            .map(|r| RoundInfo { id: r.id.clone(), label: r.label.clone(), date: r.date.clone() })
            .collect(),
        outcomes: Outcome::ALL.iter().map(|o| Name::new(o.key(), o.label())).collect(),
        // Good outcomes at the bottom of a bar, collapse on top.
        stack: [
            Outcome::Settlement,
            Outcome::Ceasefire,
            Outcome::Humanitarian,
            Outcome::TalksNoDeal,
            Outcome::NoMeeting,
            Outcome::Collapse,
        ]
        .map(Outcome::index)
        .to_vec(),
        flags: FLAGS.iter().map(|&(_, key, label, reads)| FlagSpec::new(key, label, reads)).collect(),
        values: vec![],
        events,
        questions: questions.iter().map(|q| Name::new(&q.id, &q.label())).collect(),
        figures: FIGURES
            .iter()
            .map(|&(key, label, of)| FigureSpec { key: key.into(), label: label.into(), of })
            .collect(),
        // Ceasefire or settlement, settlement, ceasefire holding, collapse.
        headline: vec![1, 2, 4, 3],
        // Humanitarian deal, ceasefire or settlement.
        per_round: vec![0, 1],
        headline_values: vec![],
    }
}

/// What answering the questions needs, fixed at compile time (rules: docs/MODEL.md,
/// "Questions"). Days are day numbers ([`crate::scenario::question::Date::day_number`]).
#[derive(Debug, Clone, Default)]
pub(super) struct Answering {
    /// Per question, its rule and its `by`.
    pub(super) questions: Vec<(Rule, i64)>,
    /// Per round, its date (every round is dated when there are questions).
    pub(super) day: Vec<i64>,
}

/// A truce the questions follow: the day it was signed, whether it is general, and the day it
/// ends by itself (none: only when it breaks).
#[derive(Debug, Clone, Copy)]
struct Open {
    since: i64,
    general: bool,
    expires: Option<i64>,
}

impl Open {
    fn signed(day: i64, s: Signed) -> Open {
        Open { since: day, general: s.general, expires: s.days.map(|d| day + d) }
    }

    /// The day it ended if it was seen over at a round dated `day`: that day, or its own end if
    /// it came first.
    fn ended_by(&self, day: i64) -> i64 {
        self.expires.map_or(day, |x| x.min(day))
    }
}

/// Writes a trial into its record round by round.
pub(super) struct Writer<'a> {
    record: &'a mut TrialRecord,
    answering: &'a Answering,
    /// A ceasefire or a settlement was signed so far.
    reached: bool,
    /// A settlement was signed so far.
    signed: bool,
    /// A settlement holds (at the end of the last round written): the next round carries it.
    peace: bool,
    /// The talks collapsed: every later round carries it.
    collapsed: bool,
    /// The ceasefire in force, or the one a settlement in force replaced.
    truce: Option<Open>,
    /// A declared truce was reciprocated before the round being written.
    declared: bool,
    /// The day the settlement in force was signed.
    peace_since: Option<i64>,
}

impl<'a> Writer<'a> {
    /// Starts a trial: no event reached yet, no question answered, and no value left from the
    /// record's last trial.
    pub(super) fn new(record: &'a mut TrialRecord, answering: &'a Answering) -> Writer<'a> {
        record.events.fill(false);
        record.marks.fill(false);
        record.terms.fill(0.0);
        record.answers.fill(false);
        Writer {
            record,
            answering,
            reached: false,
            signed: false,
            peace: false,
            collapsed: false,
            truce: None,
            declared: false,
            peace_since: None,
        }
    }

    /// Round `t` ended with `outcome`, a ceasefire holding at its end if `in_force` (signed at
    /// the table or a declared truce reciprocated); `happened` is what the round itself produced
    /// (nothing in a round carried over, beside a truce reciprocated before it).
    pub(super) fn round(&mut self, t: usize, outcome: Outcome, in_force: bool, happened: Happened) {
        let carried = self.peace || self.collapsed;
        // Taken whatever the table signed: a marker left standing would sign the next round.
        let declared = std::mem::take(&mut self.declared);
        let signed = happened.ceasefire.is_some() || declared;
        self.reached |= signed || happened.settlement;
        self.signed |= happened.settlement;
        self.peace = outcome == Outcome::Settlement;
        self.collapsed |= outcome == Outcome::Collapse;
        self.record.outcome[t] = outcome.index();
        let truce = in_force && !self.peace;
        // In the order of `FLAGS`.
        let flags = [
            self.reached,
            self.signed,
            truce,
            happened.met,
            happened.humanitarian,
            signed,
            happened.settlement,
            happened.collapse,
            self.peace,
            self.peace || truce,
        ];
        self.record.flags_mut(t).copy_from_slice(&flags);
        if !carried && !self.answering.questions.is_empty() {
            self.answer(t, outcome, in_force, happened);
        }
    }

    /// The ceasefire in force broke at the start of round `t` (step 5): it ended there, whatever
    /// the round then signs.
    pub(super) fn truce_broke(&mut self, t: usize) {
        if let Some(open) = self.truce.take()
            && !self.answering.questions.is_empty()
        {
            self.held(open, open.ended_by(self.answering.day[t]));
        }
    }

    /// The ceasefire in force came to its end by itself before round `t`: it ended on its last
    /// day, not at the round.
    pub(super) fn truce_expired(&mut self) {
        if let Some(open) = self.truce.take() {
            self.held(open, open.expires.unwrap_or(i64::MAX));
        }
    }

    /// A truce declared before round `t` was reciprocated: a ceasefire signed on the round's
    /// date, outside the talks. It replaces a declared truce still in force.
    pub(super) fn declared(&mut self, t: usize, signed: Signed) {
        self.declared = true;
        if self.answering.questions.is_empty() {
            return;
        }
        let day = self.answering.day[t];
        if let Some(open) = self.truce.take() {
            self.held(open, open.ended_by(day));
        }
        self.truce = Some(Open::signed(day, signed));
        for (&(rule, by), answer) in self.answering.questions.iter().zip(&mut self.record.answers) {
            if let Rule::CeasefireSigned { scope } = rule
                && day <= by
            {
                *answer |= signed.general || scope == Scope::Any;
            }
        }
    }

    /// The settlement in force broke at the start of round `t`: the war resumes, and round `t`
    /// is held like any other. The truce it brought (and the one it replaced) ended there.
    pub(super) fn settlement_broke(&mut self, t: usize) {
        self.peace = false;
        if self.answering.questions.is_empty() {
            return;
        }
        let day = self.answering.day[t];
        if let Some(since) = self.peace_since.take() {
            self.held(Open { since, general: true, expires: None }, day);
        }
        if let Some(open) = self.truce.take() {
            self.held(open, open.ended_by(day));
        }
    }

    /// Updates the answers with a round that was held (not carried over).
    fn answer(&mut self, t: usize, outcome: Outcome, in_force: bool, happened: Happened) {
        let a = self.answering;
        let day = a.day[t];
        // A settlement ends the war on agreed terms: a general truce that lasts as long as the
        // settlement holds, as does the truce it replaces.
        let signed = match outcome {
            Outcome::Settlement => Some(true),
            _ => happened.ceasefire.map(|s| s.general),
        };
        if let Some(open) = self.truce
            && outcome != Outcome::Settlement
            && (!in_force || happened.ceasefire.is_some())
        {
            // Over at this round's start or end (a new ceasefire is signed only after the old
            // one broke, or in place of a declared truce).
            self.held(open, open.ended_by(day));
            self.truce = None;
        }
        match (outcome, happened.ceasefire) {
            (Outcome::Ceasefire, Some(s)) => self.truce = Some(Open::signed(day, s)),
            (Outcome::Settlement, _) => {
                self.peace_since = Some(day);
                // The truce the settlement replaced lasts as long as the settlement, whatever
                // its own days.
                if let Some(open) = &mut self.truce {
                    open.expires = None;
                }
            }
            _ => {}
        }
        let met = happened.leaders;
        for (&(rule, by), answer) in a.questions.iter().zip(&mut self.record.answers) {
            if day > by {
                continue;
            }
            *answer |= match rule {
                Rule::CeasefireSigned { scope } => signed.is_some_and(|general| general || scope == Scope::Any),
                Rule::CeasefireHolding { .. } => false,
                Rule::SettlementSigned => outcome == Outcome::Settlement,
                Rule::LeadersMeet => met,
                Rule::HumanitarianStep => happened.humanitarian,
                Rule::TalksCollapse => happened.collapse,
            };
        }
    }

    /// A truce was in force from its signing until day `end` (the first round at whose end it
    /// no longer was, or its own last day; `i64::MAX`: never over, within the rounds).
    fn held(&mut self, open: Open, end: i64) {
        for (&(rule, by), answer) in self.answering.questions.iter().zip(&mut self.record.answers) {
            if let Rule::CeasefireHolding { scope, min_days } = rule {
                let due = open.since + i64::from(min_days.get());
                *answer |= (open.general || scope == Scope::Any) && due <= by && end >= due;
            }
        }
    }

    /// Ends the trial: a truce or a settlement still in force after the last round held at
    /// every round.
    pub(super) fn finish(&mut self) {
        if let Some(open) = self.truce.take() {
            self.held(open, open.expires.unwrap_or(i64::MAX));
        }
        if let Some(since) = self.peace_since.take() {
            self.held(Open { since, general: true, expires: None }, i64::MAX);
        }
    }

    /// Whether a settlement was signed before (the event records the first one only).
    pub(super) fn settled_before(&self) -> bool {
        self.record.events[SETTLEMENT]
    }

    /// The trial's first settlement is signed; its terms are then written with
    /// [`Writer::term`].
    pub(super) fn settle(&mut self, leverage_dependent: bool) {
        self.record.events[SETTLEMENT] = true;
        self.record.marks[0] = leverage_dependent;
    }

    /// Settlement term `i` (the value, or the option's index).
    pub(super) fn term(&mut self, i: usize, value: f64) {
        self.record.terms[i] = value;
    }

    /// A ceasefire with option `o` is signed; only the first of a trial is recorded.
    pub(super) fn ceasefire(&mut self, o: usize, settlement_terms: usize) {
        if !self.record.events[CEASEFIRE] {
            self.record.events[CEASEFIRE] = true;
            self.record.terms[settlement_terms] = (o - 1) as f64;
        }
    }
}
