//! The reference class's base rate, computed leave-one-case-out (docs/SCORING.md §5).

use serde::Serialize;

use crate::scenario::question::QuestionKind;

/// Fewest scored questions of a kind, in the other cases, for the kind's own rate to be used.
pub const MIN_KIND_QUESTIONS: usize = 5;

/// Where a question's base rate comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The questions of the same kind in the other cases.
    Kind,
    /// Too few of the kind: every scored question of the other cases.
    AllKinds,
    /// No other case has a scored question: 1/2.
    None,
}

/// A leave-one-case-out base rate: `yes` of `of` scored questions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BaseRate {
    pub p: f64,
    pub basis: Basis,
    pub yes: usize,
    pub of: usize,
}

/// A question as the base rate sees it: its case (an index), kind, and outcome if scored.
#[derive(Debug, Clone, Copy)]
pub struct Asked {
    pub case: usize,
    pub kind: QuestionKind,
    pub yes: Option<bool>,
}

/// The base rate of every question: the frequency of Yes among the scored questions of the same
/// kind in the other cases, if there are at least `min_kind` of them; else among all scored
/// questions of the other cases; else 1/2.
pub fn leave_one_case_out(asked: &[Asked], min_kind: usize) -> Vec<BaseRate> {
    asked
        .iter()
        .map(|q| {
            let others = || asked.iter().filter(|o| o.case != q.case).filter_map(|o| o.yes.map(|y| (o.kind, y)));
            let tally =
                |it: &mut dyn Iterator<Item = bool>| it.fold((0, 0), |(y, n), yes| (y + usize::from(yes), n + 1));
            let (yes, of) = tally(&mut others().filter(|(k, _)| *k == q.kind).map(|(_, y)| y));
            if of >= min_kind {
                return BaseRate { p: yes as f64 / of as f64, basis: Basis::Kind, yes, of };
            }
            let (yes, of) = tally(&mut others().map(|(_, y)| y));
            if of > 0 {
                BaseRate { p: yes as f64 / of as f64, basis: Basis::AllKinds, yes, of }
            } else {
                BaseRate { p: 0.5, basis: Basis::None, yes, of }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use QuestionKind::{LeadersMeet as L, TalksCollapse as T};

    #[test]
    fn a_hand_worked_reference_class() {
        let q = |case, kind, yes| Asked { case, kind, yes };
        // Case 0: L yes, T no. Case 1: L no, L yes, T open. Case 2: L yes, T yes.
        let asked = [
            q(0, L, Some(true)),
            q(0, T, Some(false)),
            q(1, L, Some(false)),
            q(1, L, Some(true)),
            q(1, T, None),
            q(2, L, Some(true)),
            q(2, T, Some(true)),
        ];
        let rates = leave_one_case_out(&asked, 2);
        // Case 0, L: the other cases' L are no, yes, yes -> 2/3 by kind.
        assert_eq!(rates[0], BaseRate { p: 2.0 / 3.0, basis: Basis::Kind, yes: 2, of: 3 });
        // Case 0, T: one scored T elsewhere (< 2) -> all kinds of cases 1 and 2: 3 yes of 4.
        assert_eq!(rates[1], BaseRate { p: 0.75, basis: Basis::AllKinds, yes: 3, of: 4 });
        // Case 1, L: yes, yes elsewhere -> 1.
        assert_eq!(rates[2], BaseRate { p: 1.0, basis: Basis::Kind, yes: 2, of: 2 });
        // Case 1, T (open, still given a rate): T no, yes -> 1/2 by kind.
        assert_eq!(rates[4], BaseRate { p: 0.5, basis: Basis::Kind, yes: 1, of: 2 });
        // Case 2, T: a single T elsewhere -> all of cases 0 and 1: yes, no, no, yes.
        assert_eq!(rates[6], BaseRate { p: 0.5, basis: Basis::AllKinds, yes: 2, of: 4 });
        let alone = leave_one_case_out(&[q(0, L, Some(true))], 1);
        assert_eq!(alone[0], BaseRate { p: 0.5, basis: Basis::None, yes: 0, of: 0 });
    }
}
