//! 社会评议 (seed 004): a survey round of key posts (e.g. the section chiefs who approve or
//! enforce), answered by invited enterprise and township representatives through one-time
//! links, on four topics; once published, its results feed the year's score as the
//! [`Indicator::Survey`](super::Indicator::Survey) indicator.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::DomainError;

crate::closed_set! {
    /// The questions asked of every post.
    pub enum Topic {
        Law = "law" => "依法办事",
        Efficiency = "efficiency" => "服务效能",
        Conduct = "conduct" => "工作作风",
        Projects = "projects" => "服务建设项目",
    }
}

crate::closed_set! {
    /// A representative's answer to one question about one post.
    pub enum Choice {
        Satisfied = "satisfied" => "满意",
        Basic = "basic" => "基本满意",
        Unsatisfied = "unsatisfied" => "不满意",
    }
}

impl Choice {
    /// Points out of 100: 满意 100, 基本满意 60, 不满意 0.
    pub fn points(self) -> i64 {
        match self {
            Choice::Satisfied => 100,
            Choice::Basic => 60,
            Choice::Unsatisfied => 0,
        }
    }
}

crate::closed_set! {
    /// Who is invited.
    pub enum RepKind {
        Enterprise = "enterprise" => "企业代表",
        Township = "township" => "乡镇（街道）代表",
    }
}

/// A post surveyed: the department it belongs to and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Post {
    pub department_id: i64,
    pub name: String,
}

/// One answer: the post (its place in the round's list), the topic, the choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    pub post: usize,
    pub topic: Topic,
    pub choice: Choice,
}

/// A round as drafted: checked whole (`performance.survey`).
pub fn check_round(
    name: &str,
    posts: &[Post],
    reps: &[(String, RepKind)],
) -> Result<(), DomainError> {
    let bad = |m: &str| codes::Performance::Survey.with(m.to_string());
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err(bad("请填写评议名称（100字以内）"));
    }
    if posts.is_empty() || posts.len() > 100 {
        return Err(bad("请列出1–100个被评议的岗位"));
    }
    if posts
        .iter()
        .any(|p| p.name.trim().is_empty() || p.name.chars().count() > 50)
    {
        return Err(bad("岗位名称不能为空（50字以内）"));
    }
    if reps.is_empty() || reps.len() > 500 {
        return Err(bad("请邀请1–500名评议代表"));
    }
    if reps
        .iter()
        .any(|(n, _)| n.trim().is_empty() || n.chars().count() > 50)
    {
        return Err(bad("代表姓名或单位不能为空（50字以内）"));
    }
    Ok(())
}

/// A representative's answers: every post asked every topic exactly once
/// (`performance.survey_answers` otherwise).
pub fn check_answers(posts: usize, answers: &[Answer]) -> Result<(), DomainError> {
    let mut seen = HashSet::new();
    for a in answers {
        if a.post >= posts || !seen.insert((a.post, a.topic)) {
            return Err(codes::Performance::SurveyAnswers.err());
        }
    }
    if seen.len() != posts * Topic::ALL.len() {
        return Err(codes::Performance::SurveyAnswers.err());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(posts: usize, choice: Choice) -> Vec<Answer> {
        (0..posts)
            .flat_map(|post| {
                Topic::ALL.iter().map(move |topic| Answer {
                    post,
                    topic: *topic,
                    choice,
                })
            })
            .collect()
    }

    #[test]
    fn every_post_is_asked_every_topic_once() {
        assert!(check_answers(2, &all(2, Choice::Basic)).is_ok());
        let mut short = all(2, Choice::Basic);
        short.pop();
        assert_eq!(
            check_answers(2, &short).unwrap_err().code,
            codes::Performance::SurveyAnswers
        );
        let mut twice = all(1, Choice::Basic);
        twice.push(twice[0]);
        assert!(check_answers(1, &twice).is_err());
        let mut stray = all(1, Choice::Basic);
        stray[0].post = 5;
        assert!(check_answers(1, &stray).is_err());
        assert_eq!(
            (
                Choice::Satisfied.points(),
                Choice::Basic.points(),
                Choice::Unsatisfied.points()
            ),
            (100, 60, 0)
        );
    }

    #[test]
    fn a_round_names_its_posts_and_representatives() {
        let post = Post {
            department_id: 1,
            name: "审批科科长".into(),
        };
        let reps = vec![("清江建材有限公司".to_string(), RepKind::Enterprise)];
        assert!(check_round("2026年度社会评议", std::slice::from_ref(&post), &reps).is_ok());
        assert!(check_round(" ", std::slice::from_ref(&post), &reps).is_err());
        assert!(check_round("x", &[], &reps).is_err());
        assert!(check_round("x", &[post], &[]).is_err());
    }
}
