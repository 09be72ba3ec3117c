//! The run of an item version's process: its stages in order (a serial step, or a parallel
//! group whose branches open together), which steps are open, and how each closes.
//!
//! A serial step passes when approved. A parallel group closes by its rule: all branches agree
//! (全部同意), or any one does (任一同意; the rest are then closed unneeded). A branch may be
//! deemed approved at its timeout only where the item or the step says so (超时默认). A
//! disagreement that the group's rule cannot overcome ends the run negatively; the case then
//! goes to a refusal decision. A step may send the case back to an earlier stage.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{GroupRule, Item};
use crate::codes;
use crate::error::DomainError;

crate::closed_set! {
    pub enum StepState {
        Pending = "pending" => "未开始",
        Open = "open" => "办理中",
        Approved = "approved" => "通过",
        /// Approved by its timeout under the item's 超时默认 rule.
        DeemedApproved = "deemed_approved" => "超时默认通过",
        Disagreed = "disagreed" => "不同意",
        /// Closed without a decision because its group had already decided.
        NotNeeded = "not_needed" => "无需办理",
    }
}

impl StepState {
    fn passed(self) -> bool {
        matches!(self, StepState::Approved | StepState::DeemedApproved)
    }
}

crate::closed_set! {
    /// What someone (or the clock) decides at a step.
    pub enum StepOutcome {
        Approve = "approve" => "同意",
        Disagree = "disagree" => "不同意",
        /// The step's time ran out and the item allows deemed approval.
        DeemedApprove = "deemed_approve" => "超时默认同意",
    }
}

crate::closed_set! {
    /// Where a run stands.
    pub enum RunEnd {
        /// Every stage passed: the case goes to its result.
        Passed = "passed" => "通过",
        /// A stage could not pass: the case goes to a refusal decision.
        Failed = "failed" => "未通过",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stage {
    steps: Vec<String>,
    rule: Option<GroupRule>,
}

/// The state of one case's process. Serialisable, so a projection can store it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessRun {
    stages: Vec<Stage>,
    states: BTreeMap<String, StepState>,
    deemed_allowed: BTreeMap<String, bool>,
    current: usize,
    end: Option<RunEnd>,
}

impl ProcessRun {
    /// Starts the process of an item version with its first stage open.
    pub fn start(item: &Item) -> ProcessRun {
        let stages: Vec<Stage> = item
            .stages()
            .into_iter()
            .map(|steps| {
                let rule = steps
                    .first()
                    .and_then(|s| s.parallel_group.as_ref())
                    .and_then(|g| item.parallel_groups.iter().find(|pg| &pg.key == g))
                    .map(|pg| pg.rule);
                Stage {
                    steps: steps.iter().map(|s| s.key.clone()).collect(),
                    rule,
                }
            })
            .collect();
        let states = item
            .steps
            .iter()
            .map(|s| (s.key.clone(), StepState::Pending))
            .collect();
        let deemed_allowed = item
            .steps
            .iter()
            .map(|s| (s.key.clone(), s.deemed_approval || item.deemed_approval))
            .collect();
        let mut run = ProcessRun {
            stages,
            states,
            deemed_allowed,
            current: 0,
            end: None,
        };
        run.open_stage(0);
        run
    }

    fn open_stage(&mut self, index: usize) {
        self.current = index;
        match self.stages.get(index) {
            Some(stage) => {
                for key in &stage.steps {
                    self.states.insert(key.clone(), StepState::Open);
                }
            }
            None => self.end = Some(RunEnd::Passed),
        }
    }

    /// The steps open now, in process order.
    pub fn open_steps(&self) -> Vec<&str> {
        self.stages
            .iter()
            .flat_map(|s| &s.steps)
            .filter(|k| self.states.get(*k) == Some(&StepState::Open))
            .map(String::as_str)
            .collect()
    }

    pub fn state(&self, step: &str) -> Option<StepState> {
        self.states.get(step).copied()
    }

    /// `None` while steps remain; how the run ended otherwise.
    pub fn end(&self) -> Option<RunEnd> {
        self.end
    }

    /// Records a step's outcome. Returns the steps this opened.
    pub fn record(&mut self, step: &str, outcome: StepOutcome) -> Result<Vec<String>, DomainError> {
        if self.end.is_some() {
            return Err(codes::Case::ProcessEnded.err());
        }
        match self.states.get(step) {
            None => {
                return Err(codes::Case::StepUnknown.with(format!("该事项版本没有环节“{step}”")))
            }
            Some(StepState::Open) => {}
            Some(s) => {
                return Err(codes::Case::StepNotOpen
                    .with(format!("环节“{step}”当前为“{}”，不能办理", s.label())))
            }
        }
        if outcome == StepOutcome::DeemedApprove
            && !self.deemed_allowed.get(step).copied().unwrap_or(false)
        {
            return Err(codes::Case::NoDeemedApproval
                .with(format!("环节“{step}”不适用超时默认，超时须按超期处理")));
        }
        let state = match outcome {
            StepOutcome::Approve => StepState::Approved,
            StepOutcome::DeemedApprove => StepState::DeemedApproved,
            StepOutcome::Disagree => StepState::Disagreed,
        };
        self.states.insert(step.to_string(), state);
        Ok(self.settle())
    }

    /// Closes the current stage if its rule is met, and opens the next.
    fn settle(&mut self) -> Vec<String> {
        let stage = self.stages[self.current].clone();
        let states: Vec<StepState> = stage.steps.iter().map(|k| self.states[k]).collect();
        let passed = states.iter().filter(|s| s.passed()).count();
        let failed = states
            .iter()
            .filter(|s| **s == StepState::Disagreed)
            .count();
        let (done, ok) = match stage.rule {
            // A serial step, or every branch must agree.
            None | Some(GroupRule::AllAgree) => {
                if failed > 0 {
                    (true, false)
                } else {
                    (passed == states.len(), true)
                }
            }
            Some(GroupRule::AnyAgrees) => {
                if passed > 0 {
                    (true, true)
                } else {
                    (failed == states.len(), false)
                }
            }
        };
        if !done {
            return vec![];
        }
        for key in &stage.steps {
            if self.states[key] == StepState::Open {
                self.states.insert(key.clone(), StepState::NotNeeded);
            }
        }
        if !ok {
            self.end = Some(RunEnd::Failed);
            return vec![];
        }
        self.open_stage(self.current + 1);
        self.open_steps().into_iter().map(str::to_string).collect()
    }

    /// Sends the case back from an open step to an earlier step (退回): that step's stage opens
    /// again and everything after it starts over.
    pub fn return_to(&mut self, from: &str, to: &str) -> Result<Vec<String>, DomainError> {
        if self.state(from) != Some(StepState::Open) {
            return Err(codes::Case::StepNotOpen
                .with(format!("只能从正在办理的环节退回，环节“{from}”不在办理中")));
        }
        let target = self
            .stages
            .iter()
            .position(|s| s.steps.iter().any(|k| k == to))
            .ok_or_else(|| codes::Case::StepUnknown.with(format!("该事项版本没有环节“{to}”")))?;
        if target >= self.current {
            return Err(codes::Case::ReturnForward.err());
        }
        for stage in &self.stages[target..] {
            for key in &stage.steps {
                self.states.insert(key.clone(), StepState::Pending);
            }
        }
        self.open_stage(target);
        Ok(self.open_steps().into_iter().map(str::to_string).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::sample;

    #[test]
    fn serial_steps_open_one_after_another_and_a_parallel_group_opens_together() {
        let item = sample::food_licence();
        let mut run = ProcessRun::start(&item);
        assert_eq!(run.open_steps(), ["s1"]);
        assert_eq!(
            run.record("s1", StepOutcome::Approve).unwrap(),
            ["s2a", "s2b"]
        );
        assert!(
            run.record("s2a", StepOutcome::Approve).unwrap().is_empty(),
            "all must agree"
        );
        assert_eq!(run.record("s2b", StepOutcome::Approve).unwrap(), ["s3"]);
        assert_eq!(run.record("s3", StepOutcome::Approve).unwrap(), ["s4"]);
        assert!(run.record("s4", StepOutcome::Approve).unwrap().is_empty());
        assert_eq!(run.end(), Some(RunEnd::Passed));
        assert_eq!(
            run.record("s4", StepOutcome::Approve).unwrap_err().code,
            codes::Case::ProcessEnded
        );
    }

    #[test]
    fn one_disagreement_fails_an_all_agree_group() {
        let item = sample::food_licence();
        let mut run = ProcessRun::start(&item);
        run.record("s1", StepOutcome::Approve).unwrap();
        run.record("s2a", StepOutcome::Disagree).unwrap();
        assert_eq!(run.end(), Some(RunEnd::Failed));
        assert_eq!(run.state("s2b"), Some(StepState::NotNeeded));
    }

    #[test]
    fn any_agrees_passes_on_the_first_agreement_and_fails_only_when_all_disagree() {
        let mut item = sample::food_licence();
        item.parallel_groups[0].rule = GroupRule::AnyAgrees;
        let mut run = ProcessRun::start(&item);
        run.record("s1", StepOutcome::Approve).unwrap();
        assert!(run.record("s2a", StepOutcome::Disagree).unwrap().is_empty());
        assert_eq!(run.record("s2b", StepOutcome::Approve).unwrap(), ["s3"]);

        let mut run = ProcessRun::start(&item);
        run.record("s1", StepOutcome::Approve).unwrap();
        assert_eq!(run.record("s2a", StepOutcome::Approve).unwrap(), ["s3"]);
        assert_eq!(run.state("s2b"), Some(StepState::NotNeeded));

        let mut run = ProcessRun::start(&item);
        run.record("s1", StepOutcome::Approve).unwrap();
        run.record("s2a", StepOutcome::Disagree).unwrap();
        run.record("s2b", StepOutcome::Disagree).unwrap();
        assert_eq!(run.end(), Some(RunEnd::Failed));
    }

    #[test]
    fn deemed_approval_only_where_the_item_allows_it() {
        let item = sample::food_licence();
        let mut run = ProcessRun::start(&item);
        assert_eq!(
            run.record("s1", StepOutcome::DeemedApprove)
                .unwrap_err()
                .code,
            codes::Case::NoDeemedApproval
        );
        run.record("s1", StepOutcome::Approve).unwrap();
        assert_eq!(
            run.record("s2a", StepOutcome::DeemedApprove)
                .unwrap_err()
                .code,
            codes::Case::NoDeemedApproval
        );
        run.record("s2b", StepOutcome::DeemedApprove).unwrap();
        assert_eq!(run.state("s2b"), Some(StepState::DeemedApproved));
        assert_eq!(run.record("s2a", StepOutcome::Approve).unwrap(), ["s3"]);
    }

    #[test]
    fn steps_not_open_are_refused() {
        let item = sample::food_licence();
        let mut run = ProcessRun::start(&item);
        assert_eq!(
            run.record("s3", StepOutcome::Approve).unwrap_err().code,
            codes::Case::StepNotOpen
        );
        assert_eq!(
            run.record("s9", StepOutcome::Approve).unwrap_err().code,
            codes::Case::StepUnknown
        );
    }

    #[test]
    fn returning_reopens_an_earlier_stage_and_resets_what_follows() {
        let item = sample::food_licence();
        let mut run = ProcessRun::start(&item);
        run.record("s1", StepOutcome::Approve).unwrap();
        run.record("s2a", StepOutcome::Approve).unwrap();
        run.record("s2b", StepOutcome::Approve).unwrap();
        assert_eq!(run.return_to("s3", "s1").unwrap(), ["s1"]);
        assert_eq!(run.state("s2a"), Some(StepState::Pending));
        assert_eq!(run.state("s3"), Some(StepState::Pending));
        assert_eq!(
            run.return_to("s1", "s3").unwrap_err().code,
            codes::Case::ReturnForward
        );
        assert_eq!(
            run.return_to("s3", "s1").unwrap_err().code,
            codes::Case::StepNotOpen
        );
    }

    #[test]
    fn a_run_survives_serialisation() {
        let item = sample::food_licence();
        let mut run = ProcessRun::start(&item);
        run.record("s1", StepOutcome::Approve).unwrap();
        let json = serde_json::to_string(&run).unwrap();
        let back: ProcessRun = serde_json::from_str(&json).unwrap();
        assert_eq!(back, run);
    }
}
