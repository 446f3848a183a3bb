//! Uncertain numeric inputs: a fixed value or a distribution, drawn once per trial, with the
//! evidence it rests on.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use statrs::distribution::{ContinuousCDF, Normal};

/// The law a parameter is drawn from in each trial.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    Fixed(f64),
    Uniform {
        low: f64,
        high: f64,
    },
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
    },
    /// Beta on [0, 1] given by its mean and standard deviation ("spread").
    Beta {
        mean: f64,
        spread: f64,
    },
    /// Normal(mean, sd) truncated to [low, high], drawn by inverting the CDF.
    TruncatedNormal {
        mean: f64,
        sd: f64,
        low: f64,
        high: f64,
    },
}

/// A numeric scenario input with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub dist: Dist,
    /// Evidence ids from `seeds/` that the value rests on.
    pub sources: Vec<String>,
    /// A one-line reason where the value is the modeller's assumption.
    pub assumption: Option<String>,
}

impl Param {
    pub fn fixed(value: f64) -> Param {
        Param { dist: Dist::Fixed(value), sources: Vec::new(), assumption: None }
    }

    /// The smallest and largest values a draw can take.
    pub fn support(&self) -> (f64, f64) {
        match self.dist {
            Dist::Fixed(v) => (v, v),
            Dist::Uniform { low, high }
            | Dist::Triangular { low, high, .. }
            | Dist::TruncatedNormal { low, high, .. } => (low, high),
            Dist::Beta { .. } => (0.0, 1.0),
        }
    }

    /// The mean of the distribution: the value validation uses where one number must stand
    /// for the whole law (e.g. the direction of a party's concessions).
    pub fn central(&self) -> f64 {
        match self.dist {
            Dist::Fixed(v) => v,
            Dist::Uniform { low, high } => 0.5 * (low + high),
            Dist::Triangular { low, mode, high } => (low + mode + high) / 3.0,
            Dist::Beta { mean, .. } => mean,
            Dist::TruncatedNormal { mean, sd, low, high } => {
                let (a, b) = ((low - mean) / sd, (high - mean) / sd);
                let n = std_normal();
                let mass = n.cdf(b) - n.cdf(a);
                let pdf = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
                mean + sd * (pdf(a) - pdf(b)) / mass
            }
        }
    }

    /// The `q` quantile of the distribution (0 <= q <= 1).
    pub fn quantile(&self, q: f64) -> f64 {
        let q = q.clamp(0.0, 1.0);
        // The laws drawn by their inverse CDF: the same formula at q.
        if let Some(law) = self.inverse_cdf() {
            return law.at(q);
        }
        match self.dist {
            Dist::Beta { mean, spread } => {
                let (a, b) = beta_shape(mean, spread);
                statrs::distribution::Beta::new(a, b).expect("validated beta").inverse_cdf(q)
            }
            // A fixed value is every quantile of itself.
            _ => self.central(),
        }
    }

    /// The law as F^{-1}, for the laws drawn from one uniform by their inverse CDF (all but
    /// the fixed value and the beta).
    pub fn inverse_cdf(&self) -> Option<InverseCdf> {
        match self.dist {
            Dist::Fixed(_) | Dist::Beta { .. } => None,
            Dist::Uniform { low, high } => Some(InverseCdf::Uniform { low, span: high - low }),
            Dist::Triangular { low, mode, high } => Some(InverseCdf::Triangular { low, mode, high }),
            Dist::TruncatedNormal { mean, sd, low, high } => {
                let n = std_normal();
                let cdf_low = n.cdf((low - mean) / sd);
                let mass = n.cdf((high - mean) / sd) - cdf_low;
                Some(InverseCdf::TruncatedNormal { mean, sd, low, high, cdf_low, mass })
            }
        }
    }

    /// A short description of the law, e.g. `uniform(0.02, 0.06)`.
    pub fn describe(&self) -> String {
        match self.dist {
            Dist::Fixed(v) => format!("{v}"),
            Dist::Uniform { low, high } => format!("uniform({low}, {high})"),
            Dist::Triangular { low, mode, high } => format!("triangular({low}, {mode}, {high})"),
            Dist::Beta { mean, spread } => format!("beta(mean {mean}, spread {spread})"),
            Dist::TruncatedNormal { mean, sd, low, high } => {
                format!("truncated_normal({mean}, sd {sd}, [{low}, {high}])")
            }
        }
    }

    pub fn is_fixed(&self) -> bool {
        matches!(self.dist, Dist::Fixed(_))
    }

    /// Checks the distribution's own parameters; returns the broken rule.
    pub fn check_shape(&self) -> Result<(), String> {
        let all_finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        match self.dist {
            Dist::Fixed(v) if !v.is_finite() => Err("value must be a finite number".into()),
            Dist::Fixed(_) => Ok(()),
            Dist::Uniform { low, high } => {
                if !all_finite(&[low, high]) || low >= high {
                    Err(format!("uniform needs finite low < high (got low {low}, high {high})"))
                } else {
                    Ok(())
                }
            }
            Dist::Triangular { low, mode, high } => {
                if !all_finite(&[low, mode, high]) || low >= high || mode < low || mode > high {
                    Err(format!("triangular needs low <= mode <= high and low < high (got {low}, {mode}, {high})"))
                } else {
                    Ok(())
                }
            }
            Dist::Beta { mean, spread } => {
                if !all_finite(&[mean, spread]) || mean <= 0.0 || mean >= 1.0 || spread <= 0.0 {
                    Err(format!("beta needs 0 < mean < 1 and spread > 0 (got mean {mean}, spread {spread})"))
                } else if spread * spread >= mean * (1.0 - mean) {
                    Err(format!(
                        "beta spread must be below sqrt(mean * (1 - mean)) = {:.4} (got {spread})",
                        (mean * (1.0 - mean)).sqrt()
                    ))
                } else if !beta_shape(mean, spread).0.is_finite() {
                    // spread^2 underflows: the shapes overflow and no draw can be made.
                    Err(format!("beta spread {spread:e} is too small to draw from; write a fixed value instead"))
                } else {
                    Ok(())
                }
            }
            Dist::TruncatedNormal { mean, sd, low, high } => {
                if !all_finite(&[mean, sd, low, high]) || sd <= 0.0 || low >= high {
                    Err(format!("truncated_normal needs sd > 0 and low < high (got sd {sd}, low {low}, high {high})"))
                } else {
                    let n = std_normal();
                    let mass = n.cdf((high - mean) / sd) - n.cdf((low - mean) / sd);
                    if mass < 1e-6 {
                        Err(format!(
                            "truncated_normal keeps almost no mass between {low} and {high} (mean {mean}, sd {sd})"
                        ))
                    } else {
                        Ok(())
                    }
                }
            }
        }
    }
}

/// Beta shape parameters (alpha, beta) from mean m and standard deviation s:
/// kappa = m(1-m)/s^2 - 1, alpha = m kappa, beta = (1-m) kappa.
pub fn beta_shape(mean: f64, spread: f64) -> (f64, f64) {
    let kappa = mean * (1.0 - mean) / (spread * spread) - 1.0;
    (mean * kappa, (1.0 - mean) * kappa)
}

/// The laws drawn from one uniform U in [0, 1) as F^{-1}(U), with their constants worked out
/// once (docs/MODEL.md §3 gives the formulas).
#[derive(Debug, Clone, Copy)]
pub enum InverseCdf {
    Uniform {
        low: f64,
        span: f64,
    },
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
    },
    /// Normal(mean, sd) truncated to [low, high]: `cdf_low` and `mass` are Φ at the lower
    /// bound and the mass between the bounds, both in standard units.
    TruncatedNormal {
        mean: f64,
        sd: f64,
        low: f64,
        high: f64,
        cdf_low: f64,
        mass: f64,
    },
}

impl InverseCdf {
    /// The uniform law's F^{-1}(u), for callers that hold its two constants apart.
    #[inline]
    pub fn uniform_at(low: f64, span: f64, u: f64) -> f64 {
        low + span * u
    }

    /// F^{-1}(u) for u in [0, 1] (1 gives the upper end).
    #[inline]
    pub fn at(&self, u: f64) -> f64 {
        match *self {
            InverseCdf::Uniform { low, span } => InverseCdf::uniform_at(low, span, u),
            InverseCdf::Triangular { low, mode, high } => {
                // The formula of rand_distr's Triangular.
                let range = high - low;
                let f = u * range;
                // Both sides computed and one chosen without a branch: which is random.
                let below = low + (f * (mode - low)).sqrt();
                let above = high - ((range - f) * (high - mode)).sqrt();
                std::hint::select_unpredictable(f < mode - low, below, above)
            }
            InverseCdf::TruncatedNormal { mean, sd, low, high, cdf_low, mass } => {
                (mean + sd * Normal::standard().inverse_cdf(cdf_low + mass * u)).clamp(low, high)
            }
        }
    }
}

fn std_normal() -> Normal {
    Normal::standard()
}

/// The JSON form of a parameter given as an object.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawParam {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dist: Option<DistKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mode: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    high: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sd: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    spread: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assumption: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
enum DistKind {
    Uniform,
    Triangular,
    Beta,
    TruncatedNormal,
}

impl RawParam {
    fn into_param(self) -> Result<Param, String> {
        let need =
            |v: Option<f64>, name: &str, kind: &str| v.ok_or_else(|| format!("a {kind} distribution needs `{name}`"));
        let given: Vec<&str> = [
            ("low", self.low.is_some()),
            ("mode", self.mode.is_some()),
            ("high", self.high.is_some()),
            ("mean", self.mean.is_some()),
            ("sd", self.sd.is_some()),
            ("spread", self.spread.is_some()),
        ]
        .into_iter()
        .filter_map(|(n, g)| g.then_some(n))
        .collect();
        let allow = |allowed: &[&str], kind: &str| -> Result<(), String> {
            match given.iter().find(|g| !allowed.contains(g)) {
                Some(extra) => Err(format!("`{extra}` does not belong to a {kind} parameter")),
                None => Ok(()),
            }
        };
        let dist = match (self.value, self.dist) {
            (Some(_), Some(_)) => return Err("give either `value` or `dist`, not both".into()),
            (None, None) => {
                return Err("a parameter needs `value` (a fixed number) or `dist` (uniform, \
                            triangular, beta, truncated_normal)"
                    .into());
            }
            (Some(v), None) => {
                allow(&[], "fixed")?;
                Dist::Fixed(v)
            }
            (None, Some(DistKind::Uniform)) => {
                allow(&["low", "high"], "uniform")?;
                Dist::Uniform { low: need(self.low, "low", "uniform")?, high: need(self.high, "high", "uniform")? }
            }
            (None, Some(DistKind::Triangular)) => {
                allow(&["low", "mode", "high"], "triangular")?;
                Dist::Triangular {
                    low: need(self.low, "low", "triangular")?,
                    mode: need(self.mode, "mode", "triangular")?,
                    high: need(self.high, "high", "triangular")?,
                }
            }
            (None, Some(DistKind::Beta)) => {
                allow(&["mean", "spread"], "beta")?;
                Dist::Beta { mean: need(self.mean, "mean", "beta")?, spread: need(self.spread, "spread", "beta")? }
            }
            (None, Some(DistKind::TruncatedNormal)) => {
                allow(&["mean", "sd", "low", "high"], "truncated_normal")?;
                Dist::TruncatedNormal {
                    mean: need(self.mean, "mean", "truncated_normal")?,
                    sd: need(self.sd, "sd", "truncated_normal")?,
                    low: need(self.low, "low", "truncated_normal")?,
                    high: need(self.high, "high", "truncated_normal")?,
                }
            }
        };
        if let Some(a) = &self.assumption
            && a.trim().is_empty()
        {
            return Err("`assumption` must give a reason, not an empty string".into());
        }
        let param = Param { dist, sources: self.sources, assumption: self.assumption };
        param.check_shape()?;
        Ok(param)
    }

    fn from_param(p: &Param) -> RawParam {
        let mut raw = RawParam { sources: p.sources.clone(), assumption: p.assumption.clone(), ..Default::default() };
        match p.dist {
            Dist::Fixed(v) => raw.value = Some(v),
            Dist::Uniform { low, high } => {
                raw.dist = Some(DistKind::Uniform);
                (raw.low, raw.high) = (Some(low), Some(high));
            }
            Dist::Triangular { low, mode, high } => {
                raw.dist = Some(DistKind::Triangular);
                (raw.low, raw.mode, raw.high) = (Some(low), Some(mode), Some(high));
            }
            Dist::Beta { mean, spread } => {
                raw.dist = Some(DistKind::Beta);
                (raw.mean, raw.spread) = (Some(mean), Some(spread));
            }
            Dist::TruncatedNormal { mean, sd, low, high } => {
                raw.dist = Some(DistKind::TruncatedNormal);
                (raw.mean, raw.sd, raw.low, raw.high) = (Some(mean), Some(sd), Some(low), Some(high));
            }
        }
        raw
    }
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Param, D::Error> {
        struct ParamVisitor;
        impl<'de> Visitor<'de> for ParamVisitor {
            type Value = Param;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a parameter object ({\"value\": ..} or {\"dist\": ..})")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Param, E> {
                if v.is_finite() { Ok(Param::fixed(v)) } else { Err(E::custom("value must be a finite number")) }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Param, E> {
                Ok(Param::fixed(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Param, E> {
                Ok(Param::fixed(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Param, A::Error> {
                let raw = RawParam::deserialize(de::value::MapAccessDeserializer::new(map))?;
                raw.into_param().map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(ParamVisitor)
    }
}

impl Serialize for Param {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_fixed()
            && self.sources.is_empty()
            && self.assumption.is_none()
            && let Dist::Fixed(v) = self.dist
        {
            return serializer.serialize_f64(v);
        }
        RawParam::from_param(self).serialize(serializer)
    }
}

impl JsonSchema for Param {
    fn schema_name() -> Cow<'static, str> {
        "Param".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let provenance = json_schema!({
            "sources": { "type": "array", "items": { "type": "string" },
                         "description": "Evidence ids from seeds/ that the value rests on." },
            "assumption": { "type": "string", "minLength": 1,
                            "description": "One-line reason where the value is an assumption." }
        });
        let with = |kind: Option<&str>, fields: &[&str]| {
            let mut props = provenance.as_object().cloned().unwrap_or_default();
            let mut required: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
            for f in fields {
                props.insert((*f).into(), serde_json::json!({ "type": "number" }));
            }
            if let Some(k) = kind {
                props.insert("dist".into(), serde_json::json!({ "const": k }));
                required.push("dist".into());
            }
            serde_json::json!({
                "type": "object", "properties": props, "required": required,
                "additionalProperties": false
            })
        };
        json_schema!({
            "description": "A number, or an object: a fixed `value`, or a `dist` drawn once per trial; \
                            either may cite `sources` or give an `assumption`.",
            "oneOf": [
                { "type": "number" },
                with(None, &["value"]),
                with(Some("uniform"), &["low", "high"]),
                with(Some("triangular"), &["low", "mode", "high"]),
                with(Some("beta"), &["mean", "spread"]),
                with(Some("truncated_normal"), &["mean", "sd", "low", "high"])
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Param, String> {
        serde_json::from_str::<Param>(s).map_err(|e| e.to_string())
    }

    #[test]
    fn bare_number_is_fixed() {
        assert_eq!(parse("0.25").unwrap(), Param::fixed(0.25));
        assert_eq!(parse("3").unwrap(), Param::fixed(3.0));
    }

    #[test]
    fn object_forms_round_trip() {
        for s in [
            r#"{"value":0.5,"sources":["a.b"]}"#,
            r#"{"dist":"uniform","low":0.1,"high":0.2}"#,
            r#"{"dist":"triangular","low":0.1,"mode":0.15,"high":0.2,"assumption":"guess"}"#,
            r#"{"dist":"beta","mean":0.3,"spread":0.1}"#,
            r#"{"dist":"truncated_normal","mean":0.3,"sd":0.1,"low":0.0,"high":1.0}"#,
        ] {
            let p = parse(s).unwrap();
            assert_eq!(parse(&serde_json::to_string(&p).unwrap()).unwrap(), p);
        }
    }

    #[test]
    fn shape_errors_name_the_rule() {
        assert!(parse(r#"{"dist":"uniform","low":0.3,"high":0.2}"#).unwrap_err().contains("low < high"));
        assert!(parse(r#"{"dist":"beta","mean":0.5,"spread":0.6}"#).unwrap_err().contains("spread must be below"));
        assert!(parse(r#"{"dist":"uniform","low":0.1}"#).unwrap_err().contains("needs `high`"));
        assert!(parse(r#"{"dist":"uniform","low":0.1,"high":0.2,"mode":0.1}"#).unwrap_err().contains("`mode`"));
        assert!(parse(r#"{"value":1,"dist":"beta"}"#).unwrap_err().contains("not both"));
        assert!(parse(r#"{"valu":1}"#).unwrap_err().contains("unknown field"));
    }

    #[test]
    fn truncated_normal_mean_is_exact_for_symmetric_truncation() {
        let p = parse(r#"{"dist":"truncated_normal","mean":0.4,"sd":0.2,"low":0.1,"high":0.7}"#).unwrap();
        assert!((p.central() - 0.4).abs() < 1e-12);
    }

    #[test]
    fn quantiles_invert_the_laws() {
        let tri = parse(r#"{"dist":"triangular","low":0,"mode":0.25,"high":1}"#).unwrap();
        assert!((tri.quantile(0.25) - 0.25).abs() < 1e-12);
        assert!((tri.quantile(0.0) - 0.0).abs() < 1e-12 && (tri.quantile(1.0) - 1.0).abs() < 1e-12);
        let uni = parse(r#"{"dist":"uniform","low":2,"high":4}"#).unwrap();
        assert!((uni.quantile(0.9) - 3.8).abs() < 1e-12);
        let tn = parse(r#"{"dist":"truncated_normal","mean":0.5,"sd":0.1,"low":0,"high":1}"#).unwrap();
        assert!((tn.quantile(0.5) - 0.5).abs() < 1e-9);
        let beta = parse(r#"{"dist":"beta","mean":0.5,"spread":0.1}"#).unwrap();
        assert!((beta.quantile(0.5) - 0.5).abs() < 1e-6);
    }

    #[test]
    fn beta_shape_matches_moments() {
        let (a, b) = beta_shape(0.3, 0.1);
        let mean = a / (a + b);
        let var = a * b / ((a + b) * (a + b) * (a + b + 1.0));
        assert!((mean - 0.3).abs() < 1e-12);
        assert!((var.sqrt() - 0.1).abs() < 1e-12);
    }
}
