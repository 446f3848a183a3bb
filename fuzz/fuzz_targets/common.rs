//! What both targets do with a scenario that validated: compile the model and run a few trials,
//! since a valid scenario must not panic in the model either.

use sim::engine::{Model, TrialRecord, TrialRng};
use sim::model::compile_body;
use sim::scenario::Body;

/// Few trials: the point is to reach every code path of the model, not to estimate anything.
const TRIALS: u64 = 4;

/// The model's rules, checked by its compile step.
pub fn compile(scenario: &Body) -> Result<(), sim::scenario::validate::Violation> {
    compile_body(scenario, &[]).map(|_| ())
}

pub fn run_trials(scenario: &Body) {
    let model = compile_body(scenario, &[]).expect("a scenario that compiled compiles");
    let mut scratch = model.scratch();
    let mut record = TrialRecord::new(model.layout());
    for t in 0..TRIALS {
        model.run_trial(&TrialRng::new(scenario.run().seed, t), &mut scratch, &mut record);
    }
}

/// An error must be one line that says something, as `sim` prints it.
pub fn check_message(err: &sim::scenario::ScenarioError) {
    let message = err.to_string();
    assert!(!message.trim().is_empty(), "an empty error message");
    assert!(!message.contains('\n'), "a message over several lines: {message:?}");
}
