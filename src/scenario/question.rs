//! Forecast questions of a case (`cases/<case>/questions.json`): the kinds, their parameters,
//! and the calendar dates they are asked and resolved on (file format and rules: docs/CASES.md).

use std::collections::BTreeSet;
use std::fmt;
use std::num::NonZeroU32;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize, Serializer};

use super::error::ScenarioError;
use super::read_json;

/// A calendar date (proleptic Gregorian), written `YYYY-MM-DD`. Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, refusing days the month does not have (`2023-02-29`).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            b[r.clone()].iter().all(u8::is_ascii_digit).then(|| s[r].parse::<u16>().ok()).flatten()
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let date = Date { year, month: u8::try_from(month).ok()?, day: u8::try_from(day).ok()? };
        ((1..=12).contains(&month) && day >= 1 && date.day <= days_in_month(year, date.month)).then_some(date)
    }

    /// The last day a date that may be partial can stand for: `2025` is 2025-12-31, `2025-02`
    /// is 2025-02-28, a full date is itself. A source dated only by month or year may have been
    /// published on its last day, so an as-of check must read it so.
    pub fn last_day_of(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        let all_digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        match b.len() {
            4 if all_digits(0..4) => Date::parse(&format!("{s}-12-31")),
            7 if all_digits(0..4) && b[4] == b'-' && all_digits(5..7) => {
                let (year, month) = (s[..4].parse::<u16>().ok()?, s[5..].parse::<u8>().ok()?);
                (1..=12).contains(&month).then(|| Date { year, month, day: days_in_month(year, month) })
            }
            _ => Date::parse(s),
        }
    }

    /// Days since 0000-03-01 (any fixed origin serves: only differences are used).
    pub fn day_number(self) -> i64 {
        // Counting years from March puts the leap day last.
        let (y, m) = if self.month > 2 {
            (i64::from(self.year), i64::from(self.month) - 3)
        } else {
            (i64::from(self.year) - 1, i64::from(self.month) + 9)
        };
        365 * y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) + (153 * m + 2) / 5 + i64::from(self.day) - 1
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.day_number() - self.day_number()
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The kinds of question (docs/CASES.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    CeasefireSigned,
    CeasefireHolding,
    SettlementSigned,
    LeadersMeet,
    HumanitarianStep,
    TalksCollapse,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 6] = [
        QuestionKind::CeasefireSigned,
        QuestionKind::CeasefireHolding,
        QuestionKind::SettlementSigned,
        QuestionKind::LeadersMeet,
        QuestionKind::HumanitarianStep,
        QuestionKind::TalksCollapse,
    ];

    /// The name used in files and reports (`ceasefire_signed`).
    pub fn key(self) -> &'static str {
        match self {
            QuestionKind::CeasefireSigned => "ceasefire_signed",
            QuestionKind::CeasefireHolding => "ceasefire_holding",
            QuestionKind::SettlementSigned => "settlement_signed",
            QuestionKind::LeadersMeet => "leaders_meet",
            QuestionKind::HumanitarianStep => "humanitarian_step",
            QuestionKind::TalksCollapse => "talks_collapse",
        }
    }
}

/// Which truces a ceasefire question counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The whole front, or a truce declared general.
    General,
    /// Partial, sectoral or local truces count too.
    Any,
}

/// What resolves a question Yes, with the parameters its kind takes and no others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    CeasefireSigned { scope: Scope },
    CeasefireHolding { scope: Scope, min_days: NonZeroU32 },
    SettlementSigned,
    LeadersMeet,
    HumanitarianStep,
    TalksCollapse,
}

impl Rule {
    pub fn kind(self) -> QuestionKind {
        match self {
            Rule::CeasefireSigned { .. } => QuestionKind::CeasefireSigned,
            Rule::CeasefireHolding { .. } => QuestionKind::CeasefireHolding,
            Rule::SettlementSigned => QuestionKind::SettlementSigned,
            Rule::LeadersMeet => QuestionKind::LeadersMeet,
            Rule::HumanitarianStep => QuestionKind::HumanitarianStep,
            Rule::TalksCollapse => QuestionKind::TalksCollapse,
        }
    }
}

/// A validated forecast question: asked as of `as_of`, about what happens on or before `by`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub as_of: Date,
    pub by: Date,
    pub rule: Rule,
}

impl Question {
    /// The question in words, for reports: `ceasefire signed (general) by 2025-03-31`.
    pub fn label(&self) -> String {
        let what = match self.rule {
            Rule::CeasefireSigned { scope } => format!("ceasefire signed ({})", scope.key()),
            Rule::CeasefireHolding { scope, min_days } => {
                format!("ceasefire holding {min_days} days ({})", scope.key())
            }
            Rule::SettlementSigned => "settlement signed".into(),
            Rule::LeadersMeet => "leaders meet".into(),
            Rule::HumanitarianStep => "humanitarian step".into(),
            Rule::TalksCollapse => "talks collapse".into(),
        };
        format!("{what} by {}", self.by)
    }
}

impl Scope {
    pub fn key(self) -> &'static str {
        match self {
            Scope::General => "general",
            Scope::Any => "any",
        }
    }
}

/// One question as written in `questions.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionEntry {
    id: String,
    as_of: String,
    kind: QuestionKind,
    by: String,
    #[serde(default)]
    scope: Option<Scope>,
    #[serde(default)]
    min_days: Option<u32>,
}

/// Reads and validates a `questions.json` file: a JSON array of questions.
pub fn load_questions(file: &Path) -> Result<Vec<Question>, ScenarioError> {
    let bytes = std::fs::read(file).map_err(|cause| ScenarioError::Io { file: file.to_path_buf(), cause })?;
    parse_questions(file, &bytes)
}

/// As [`load_questions`], for the contents `bytes` of `file`.
pub fn parse_questions(file: &Path, bytes: &[u8]) -> Result<Vec<Question>, ScenarioError> {
    let entries: Vec<QuestionEntry> = read_json(file, bytes, "the question list")?;
    let invalid = |path: String, message: String| ScenarioError::Invalid { file: file.to_path_buf(), path, message };
    if entries.is_empty() {
        return Err(invalid("(top level)".into(), "a case asks at least one question".into()));
    }
    let mut seen = BTreeSet::new();
    entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            check_id(&e.id).map_err(|m| invalid(format!("[{i}].id"), m))?;
            if !seen.insert(e.id.clone()) {
                return Err(invalid(format!("[{i}].id"), format!("question id `{}` is used twice", e.id)));
            }
            let as_of = date(&e.as_of).map_err(|m| invalid(format!("[{i}].as_of"), m))?;
            let by = date(&e.by).map_err(|m| invalid(format!("[{i}].by"), m))?;
            if by <= as_of {
                return Err(invalid(format!("[{i}].by"), format!("`by` ({by}) must come after `as_of` ({as_of})")));
            }
            let rule = rule(e.kind, e.scope, e.min_days).map_err(|(field, m)| invalid(format!("[{i}].{field}"), m))?;
            Ok(Question { id: e.id, as_of, by, rule })
        })
        .collect()
}

/// The rule of a question of `kind`: `scope` is required for the ceasefire kinds and `min_days`
/// for `ceasefire_holding`; a parameter the kind does not take is refused (the field, the message).
pub(crate) fn rule(
    kind: QuestionKind,
    scope: Option<Scope>,
    min_days: Option<u32>,
) -> Result<Rule, (&'static str, String)> {
    let given = scope;
    let scope = || given.ok_or(("scope", format!("`{}` needs `scope`: `general` or `any`", kind.key())));
    if given.is_some() && !matches!(kind, QuestionKind::CeasefireSigned | QuestionKind::CeasefireHolding) {
        return Err(("scope", format!("`{}` takes no `scope`", kind.key())));
    }
    if min_days.is_some() && kind != QuestionKind::CeasefireHolding {
        return Err(("min_days", format!("`{}` takes no `min_days`", kind.key())));
    }
    Ok(match kind {
        QuestionKind::CeasefireSigned => Rule::CeasefireSigned { scope: scope()? },
        QuestionKind::CeasefireHolding => {
            let scope = scope()?;
            let days = min_days.ok_or(("min_days", "`ceasefire_holding` needs `min_days`".to_string()))?;
            let min_days = NonZeroU32::new(days).ok_or(("min_days", "`min_days` must be at least 1".to_string()))?;
            Rule::CeasefireHolding { scope, min_days }
        }
        QuestionKind::SettlementSigned => Rule::SettlementSigned,
        QuestionKind::LeadersMeet => Rule::LeadersMeet,
        QuestionKind::HumanitarianStep => Rule::HumanitarianStep,
        QuestionKind::TalksCollapse => Rule::TalksCollapse,
    })
}

/// A question id: lowercase letters, digits and hyphens, starting with a letter or digit.
pub(crate) fn check_id(id: &str) -> Result<(), String> {
    let ok = id.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok { Ok(()) } else { Err(format!("question id `{id}` must be lowercase letters, digits and hyphens")) }
}

/// A `YYYY-MM-DD` field, or the message saying why not.
pub(crate) fn date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("dates are written YYYY-MM-DD and must exist (got `{s}`)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Vec<Question>, String> {
        parse_questions(Path::new("q.json"), json.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn dates_are_calendar_dates() {
        assert_eq!(Date::parse("2024-02-29").map(|d| d.to_string()), Some("2024-02-29".into()));
        for bad in ["2023-02-29", "1900-02-29", "2025-04-31", "2025-13-01", "2025-00-10", "2025-1-01", "2025-01-01x"] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(Date::parse("2000-02-29").is_some());
        let last = |s| Date::last_day_of(s).map(|d| d.to_string());
        assert_eq!(last("2025"), Some("2025-12-31".into()));
        assert_eq!(last("2024-02"), Some("2024-02-29".into()));
        assert_eq!(last("2025-02"), Some("2025-02-28".into()));
        assert_eq!(last("2025-11"), Some("2025-11-30".into()));
        assert_eq!(last("2025-11-19"), Some("2025-11-19".into()));
        for bad in ["2025-13", "2025-00", "25", "2025-1", "2025-02-30", "20x5", "2025-11-"] {
            assert_eq!(Date::last_day_of(bad), None, "{bad}");
        }
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(d("2025-03-01").days_until(d("2025-03-31")), 30);
        assert_eq!(d("2024-02-28").days_until(d("2024-03-01")), 2);
        assert_eq!(d("2023-02-28").days_until(d("2023-03-01")), 1);
        assert_eq!(d("1999-12-31").days_until(d("2000-12-31")), 366);
        assert_eq!(d("2025-12-31").days_until(d("2025-01-01")), -364);
        assert!(d("1995-12-31") < d("1996-01-01"));
    }

    #[test]
    fn a_question_of_each_kind_reads() {
        let qs = parse(
            r#"[{"id": "a-1", "as_of": "2015-01-28", "kind": "ceasefire_signed", "by": "2015-02-10", "scope": "general"},
                {"id": "a-2", "as_of": "2015-01-28", "kind": "ceasefire_holding", "by": "2015-03-31", "scope": "any", "min_days": 14},
                {"id": "a-3", "as_of": "2015-01-28", "kind": "leaders_meet", "by": "2015-02-28"}]"#,
        )
        .unwrap();
        assert_eq!(qs[0].rule, Rule::CeasefireSigned { scope: Scope::General });
        assert_eq!(qs[1].rule, Rule::CeasefireHolding { scope: Scope::Any, min_days: NonZeroU32::new(14).unwrap() });
        assert_eq!(qs[2].rule.kind(), QuestionKind::LeadersMeet);
        assert_eq!(qs[2].by.to_string(), "2015-02-28");
    }

    #[test]
    fn broken_rules_name_the_path() {
        let one = |fields: &str| parse(&format!(r#"[{{"id": "a", "as_of": "2015-01-28", {fields}}}]"#)).unwrap_err();
        let cases = [
            (
                r#""kind": "ceasefire_signed", "by": "2015-02-10""#,
                "q.json: at [0].scope: `ceasefire_signed` needs `scope`: `general` or `any`",
            ),
            (
                r#""kind": "leaders_meet", "by": "2015-02-10", "scope": "any""#,
                "q.json: at [0].scope: `leaders_meet` takes no `scope`",
            ),
            (
                r#""kind": "ceasefire_holding", "by": "2015-02-10", "scope": "any""#,
                "q.json: at [0].min_days: `ceasefire_holding` needs `min_days`",
            ),
            (
                r#""kind": "ceasefire_holding", "by": "2015-02-10", "scope": "any", "min_days": 0"#,
                "q.json: at [0].min_days: `min_days` must be at least 1",
            ),
            (
                r#""kind": "talks_collapse", "by": "2015-02-10", "min_days": 3"#,
                "q.json: at [0].min_days: `talks_collapse` takes no `min_days`",
            ),
            (
                r#""kind": "talks_collapse", "by": "2015-01-28""#,
                "q.json: at [0].by: `by` (2015-01-28) must come after `as_of` (2015-01-28)",
            ),
            (
                r#""kind": "talks_collapse", "by": "2015-02-30""#,
                "q.json: at [0].by: dates are written YYYY-MM-DD and must exist (got `2015-02-30`)",
            ),
        ];
        for (fields, message) in cases {
            assert_eq!(one(fields), message);
        }
        assert!(one(r#""kind": "truce", "by": "2015-02-10""#).starts_with("q.json: at [0].kind (line 1, column"));
        assert!(one(r#""kind": "leaders_meet", "by": "2015-02-10", "note": "x""#).contains("unknown field `note`"));
        assert_eq!(parse("[]").unwrap_err(), "q.json: at (top level): a case asks at least one question");
        let twice = r#"[{"id": "a", "as_of": "2015-01-28", "kind": "leaders_meet", "by": "2015-02-10"},
                        {"id": "a", "as_of": "2015-01-28", "kind": "leaders_meet", "by": "2015-02-11"}]"#;
        assert_eq!(parse(twice).unwrap_err(), "q.json: at [1].id: question id `a` is used twice");
        let upper = r#"[{"id": "A", "as_of": "2015-01-28", "kind": "leaders_meet", "by": "2015-02-10"}]"#;
        assert_eq!(
            parse(upper).unwrap_err(),
            "q.json: at [0].id: question id `A` must be lowercase letters, digits and hyphens"
        );
    }
}
