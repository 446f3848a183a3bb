//! A compiled model's parameters: each registered under its stable key with the slot its
//! random draw reads (docs/MODEL.md §8, docs/MODELS.md), and the per-trial drawing of the
//! uncertain ones.

use super::sampler::Sampler;
use crate::engine::Site;
use crate::engine::TrialRng;
use crate::engine::rng::{BlockPlan, SlotRef, word_uniform};
use crate::scenario::Param;
use crate::scenario::param::InverseCdf;
use crate::scenario::validate::Violation;
use crate::scenario::walk::ParamRef;

/// Index of a parameter's value in the per-trial draw vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct P(pub(crate) usize);

/// Registers parameters and random draws, each with its slot.
#[derive(Default)]
pub(crate) struct Registry {
    params: Vec<Param>,
    /// The slot and sampler of each uncertain parameter.
    draws: Vec<Option<(SlotRef, Sampler)>>,
    keys: Vec<String>,
    plan: BlockPlan,
}

impl Registry {
    /// A parameter under its key, drawn (if uncertain) from its slot.
    pub(crate) fn add(&mut self, r: &ParamRef<'_>) -> Result<P, Violation> {
        let draw = match Sampler::new(r.param).map_err(|rule| Violation { path: r.path.clone(), message: rule })? {
            Sampler::Fixed(_) => None,
            s if s.reads_several_words() => Some((self.plan.wide_slot(Site::named(&r.site), r.slot), s)),
            s => Some((self.plan.slot(Site::named(&r.site), r.slot), s)),
        };
        self.params.push(r.param.clone());
        self.draws.push(draw);
        self.keys.push(r.key.clone());
        Ok(P(self.params.len() - 1))
    }

    /// As [`Registry::add`], for a parameter that may be absent.
    pub(crate) fn add_optional(&mut self, r: Option<ParamRef<'_>>) -> Result<Option<P>, Violation> {
        r.map(|r| self.add(&r)).transpose()
    }

    /// A random draw of a round: slot `index` of site `site`.
    pub(crate) fn draw(&mut self, site: &str, index: u32) -> SlotRef {
        self.plan.slot(Site::named(site), index)
    }

    pub(crate) fn finish(self) -> ParamSet {
        let mut uncertain: Vec<(usize, SlotRef, Sampler)> =
            self.draws.iter().enumerate().filter_map(|(i, draw)| draw.map(|(slot, s)| (i, slot, s))).collect();
        // Grouped by law, so the branch on it in `draw` is predictable. Each draw reads only its
        // own slot, so the order changes no value.
        uncertain.sort_by_key(|(_, _, sampler)| match sampler {
            // Fixed parameters have no slot and are not in `uncertain`.
            Sampler::Fixed(_) | Sampler::Inverse(InverseCdf::Uniform { .. }) => 0,
            Sampler::Inverse(_) => 1,
            Sampler::BetaGammas(..) => 2,
            Sampler::BetaCheng(_) => 3,
        });
        let uniform = uncertain
            .iter()
            .filter_map(|&(at, slot, sampler)| match sampler {
                Sampler::Inverse(InverseCdf::Uniform { low, span }) => {
                    Some(UniformDraw { at, word: slot.word_index(), low, span })
                }
                _ => None,
            })
            .collect();
        let other = uncertain
            .iter()
            .copied()
            .filter(|(_, _, sampler)| !matches!(sampler, Sampler::Inverse(InverseCdf::Uniform { .. })))
            .collect();
        ParamSet { keys: self.keys, params: self.params, uncertain, uniform, other, plan: self.plan }
    }
}

/// An uncertain parameter drawn from a uniform law: most are, so they are drawn in a loop of
/// their own, straight from the slot's words.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UniformDraw {
    /// Index in the draw vector.
    at: usize,
    /// The slot's first word in the trial's blocks laid end to end.
    word: usize,
    low: f64,
    span: f64,
}

/// The parameters of a compiled model.
#[derive(Debug, Clone)]
pub(crate) struct ParamSet {
    /// Every parameter's stable key, in registration order.
    pub(crate) keys: Vec<String>,
    params: Vec<Param>,
    /// The uncertain parameters: index, slot and sampler.
    pub(crate) uncertain: Vec<(usize, SlotRef, Sampler)>,
    /// The same parameters, split for drawing: the uniform ones, and the others.
    uniform: Vec<UniformDraw>,
    other: Vec<(usize, SlotRef, Sampler)>,
    /// Every block a trial reads: the uncertain parameters' slots and the rounds'.
    pub(crate) plan: BlockPlan,
}

impl ParamSet {
    /// A draw vector with the fixed parameters in place; [`ParamSet::draw`] overwrites only
    /// the uncertain ones.
    pub(crate) fn initial(&self) -> Vec<f64> {
        self.params.iter().map(|p| if p.is_fixed() { p.central() } else { 0.0 }).collect()
    }

    /// Computes the trial's blocks and draws the uncertain parameters from their slots.
    pub(crate) fn draw(&self, rng: &TrialRng, blocks: &mut Vec<[u32; 16]>, draws: &mut [f64]) {
        rng.fill(&self.plan, blocks);
        let words = blocks.as_flattened();
        for u in &self.uniform {
            draws[u.at] = InverseCdf::uniform_at(u.low, u.span, word_uniform(words, u.word));
        }
        for (i, slot, sampler) in &self.other {
            draws[*i] = sampler.sample_slot(rng, *slot, blocks);
        }
    }

    /// The uncertain parameters' keys, in the order of [`ParamSet::read_inputs`].
    pub(crate) fn input_keys(&self) -> Vec<String> {
        self.uncertain.iter().map(|(i, _, _)| self.keys[*i].clone()).collect()
    }

    /// Copies the uncertain parameters' values from `draws` to `inputs`.
    pub(crate) fn read_inputs(&self, draws: &[f64], inputs: &mut [f64]) {
        for (x, (i, _, _)) in inputs.iter_mut().zip(&self.uncertain) {
            *x = draws[*i];
        }
    }

    /// Puts `inputs` in place of the uncertain parameters' draws.
    pub(crate) fn write_inputs(&self, inputs: &[f64], draws: &mut [f64]) {
        for (x, (i, _, _)) in inputs.iter().zip(&self.uncertain) {
            draws[*i] = *x;
        }
    }
}
