//! 社会评议's use cases: a supervisor (or a leader, an administrator) opens a round of key
//! posts with the representatives invited, each given a one-time link; a representative
//! answers every post on the four topics through their link, once; the round is published and
//! its results are public, and a year's score counts them (`Indicator::Survey`).

use serde::Serialize;
use tongban_domain::codes;
use tongban_domain::org::Actor;
use tongban_domain::performance::survey::{
    check_answers, check_round, Answer, Post, RepKind, Topic,
};

use crate::accounts::token_hash;
use crate::error::{AppError, Result};
use crate::performance::may_score;
use crate::App;

/// A round to open.
#[derive(Debug, Clone)]
pub struct NewSurvey {
    pub name: String,
    pub year: i64,
    pub posts: Vec<Post>,
    /// (representative, kind)
    pub representatives: Vec<(String, RepKind)>,
}

/// A round opened: its id and each representative's one-time link token.
#[derive(Debug, Clone, Serialize)]
pub struct OpenedSurvey {
    pub id: i64,
    /// (representative, token): the link is `/survey/{token}`, shown once.
    pub links: Vec<(String, String)>,
}

/// What a representative's link shows.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyForm {
    pub round: String,
    pub representative: String,
    pub posts: Vec<Post>,
    /// Each post's department, by name, in the order of `posts`.
    pub departments: Vec<String>,
}

/// One topic's result for a post: (topic label, answers, average points × 100).
pub type TopicResult = (String, i64, i64);

/// A round's published results: per post, per topic, the answers and the average points.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyResults {
    pub id: i64,
    pub name: String,
    pub year: i64,
    pub published: bool,
    /// Links used, links sent.
    pub turnout: (i64, i64),
    /// Each post's department, by name, in the order of `posts`.
    pub departments: Vec<String>,
    /// (post, [(topic label, answers, average points × 100)])
    pub posts: Vec<(Post, Vec<TopicResult>)>,
}

/// Whether the actor runs rounds of `region`: one who scores, of that very region.
fn in_charge(actor: &Actor, region: &str) -> bool {
    may_score(actor.role) && actor.region.as_ref().map(|r| r.as_str()) == Some(region)
}

/// The rows to store (token hash, representative, kind) and the links to hand out
/// (representative, token) for a list of representatives.
type Invitations = (Vec<(String, String, String)>, Vec<(String, String)>);

fn invitations(reps: &[(String, RepKind)]) -> Invitations {
    let mut links = Vec::new();
    let mut rows = Vec::new();
    for (rep, kind) in reps {
        let token = new_token();
        rows.push((
            token_hash(&token),
            rep.trim().to_string(),
            kind.as_str().to_string(),
        ));
        links.push((rep.trim().to_string(), token));
    }
    (rows, links)
}

fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl App {
    /// The names of the posts' departments, in order.
    async fn post_departments(&self, posts: &[Post]) -> Result<Vec<String>> {
        let all = self.store.departments(None).await?;
        Ok(posts
            .iter()
            .map(|p| {
                all.iter()
                    .find(|d| d.id == p.department_id)
                    .map_or_else(String::new, |d| d.name.clone())
            })
            .collect())
    }

    /// Opens a round in the actor's region; answers the links to hand to each representative.
    pub async fn open_survey(&self, actor: &Actor, s: &NewSurvey) -> Result<OpenedSurvey> {
        if !may_score(actor.role) {
            return Err(AppError::forbidden());
        }
        check_round(&s.name, &s.posts, &s.representatives)?;
        if !(2000..=2100).contains(&s.year) {
            return Err(AppError::new(codes::Performance::Survey, "评议年度不正确"));
        }
        let region = actor.region.clone().ok_or_else(AppError::forbidden)?;
        let known: Vec<i64> = self
            .store
            .departments(Some(&region))
            .await?
            .iter()
            .map(|d| d.id)
            .collect();
        if s.posts.iter().any(|p| !known.contains(&p.department_id)) {
            return Err(AppError::of(codes::Performance::Unit));
        }
        let (rows, links) = invitations(&s.representatives);
        let posts = serde_json::to_string(&s.posts).map_err(AppError::internal)?;
        let entry = self.entry(
            actor,
            "performance.survey_open",
            String::new(),
            format!(
                "发起社会评议：{}（{}个岗位，邀请{}名代表）",
                s.name.trim(),
                s.posts.len(),
                s.representatives.len()
            ),
        );
        let id = self
            .store
            .insert_survey(
                s.name.trim(),
                s.year,
                region.as_str(),
                &posts,
                &rows,
                actor.user_id,
                self.now(),
                entry,
            )
            .await?;
        Ok(OpenedSurvey { id, links })
    }

    async fn invitation(
        &self,
        token: &str,
    ) -> Result<(
        tongban_store::survey::InvitationRow,
        tongban_store::survey::RoundRow,
        Vec<Post>,
    )> {
        let inv = self
            .store
            .survey_invitation(&token_hash(token.trim()))
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::SurveyLink))?;
        let round = self
            .store
            .survey(inv.round_id)
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::SurveyLink))?;
        let posts: Vec<Post> = serde_json::from_str(&round.posts).map_err(AppError::internal)?;
        Ok((inv, round, posts))
    }

    /// The form a link opens (anyone holding it; no account).
    pub async fn survey_form(&self, token: &str) -> Result<SurveyForm> {
        let (inv, round, posts) = self.invitation(token).await?;
        if inv.used_at.is_some() {
            return Err(AppError::of(codes::Performance::SurveyUsed));
        }
        if round.status != "open" {
            return Err(AppError::of(codes::Performance::SurveyClosed));
        }
        let departments = self.post_departments(&posts).await?;
        Ok(SurveyForm {
            round: round.name,
            representative: inv.representative,
            posts,
            departments,
        })
    }

    /// A representative's answers through their link: every post on every topic, once.
    pub async fn answer_survey(&self, token: &str, answers: &[Answer]) -> Result<()> {
        let (inv, round, posts) = self.invitation(token).await?;
        if inv.used_at.is_some() {
            return Err(AppError::of(codes::Performance::SurveyUsed));
        }
        check_answers(posts.len(), answers)?;
        let rows: Vec<tongban_store::survey::AnswerRow> = answers
            .iter()
            .map(|a| {
                (
                    i64::try_from(a.post).unwrap_or(i64::MAX),
                    posts[a.post].department_id,
                    a.topic.as_str().to_string(),
                    a.choice.as_str().to_string(),
                    a.choice.points(),
                )
            })
            .collect();
        let entry = self.system_entry(
            "performance.survey_answer",
            format!("survey:{}", round.id),
            format!("{}提交社会评议：{}", inv.rep_kind_label(), round.name),
        );
        self.store
            .answer_survey(inv.id, round.id, &rows, self.now(), entry)
            .await
            .map_err(crate::performance::conflict)
    }

    /// Publishes a round of the actor's region: its results become public and count in the
    /// year's score.
    pub async fn publish_survey(&self, actor: &Actor, id: i64) -> Result<SurveyResults> {
        if !may_score(actor.role) {
            return Err(AppError::forbidden());
        }
        let round = self
            .store
            .survey(id)
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::NotFound))?;
        if !in_charge(actor, &round.region) {
            return Err(AppError::of(codes::Performance::NotFound));
        }
        let entry = self.entry(
            actor,
            "performance.survey_publish",
            format!("survey:{id}"),
            format!("公布社会评议结果：{}", round.name),
        );
        self.store
            .publish_survey(id, self.now(), entry)
            .await
            .map_err(crate::performance::conflict)?;
        self.survey_results(Some(actor), id).await
    }

    /// A round's results: public once published; before, for staff who may score.
    pub async fn survey_results(&self, actor: Option<&Actor>, id: i64) -> Result<SurveyResults> {
        let round = self
            .store
            .survey(id)
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::NotFound))?;
        let published = round.status == "published";
        if !published && !actor.is_some_and(|a| in_charge(a, &round.region)) {
            return Err(AppError::of(codes::Performance::NotFound));
        }
        let posts: Vec<Post> = serde_json::from_str(&round.posts).map_err(AppError::internal)?;
        let results = self.store.survey_results(id).await?;
        let out = posts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let lines = Topic::ALL
                    .iter()
                    .map(|t| {
                        let (n, sum) = results
                            .iter()
                            .find(|(post, topic, ..)| {
                                usize::try_from(*post).ok() == Some(i) && topic == t.as_str()
                            })
                            .map_or((0, 0), |(_, _, n, sum)| (*n, *sum));
                        (
                            t.label().to_string(),
                            n,
                            if n > 0 { sum * 100 / n } else { 0 },
                        )
                    })
                    .collect();
                (p.clone(), lines)
            })
            .collect();
        let departments = self.post_departments(&posts).await?;
        Ok(SurveyResults {
            id,
            departments,
            name: round.name,
            year: round.year,
            published,
            turnout: self.store.survey_turnout(id).await?,
            posts: out,
        })
    }
}

/// A round in a list, with its links used and sent.
pub type SurveySummary = tongban_store::survey::RoundSummary;

/// One invitation's progress: who, what kind, when their link was used (`None`: not yet).
#[derive(Debug, Clone, Serialize)]
pub struct InvitationProgress {
    pub representative: String,
    pub kind: RepKind,
    pub used_at: Option<i64>,
}

/// A round as its staff see it: its results so far and each invitation's progress.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyDesk {
    pub results: SurveyResults,
    pub status: String,
    pub invitations: Vec<InvitationProgress>,
}

impl App {
    /// The rounds of the actor's region (those who score), newest first.
    pub async fn surveys(&self, actor: &Actor) -> Result<Vec<SurveySummary>> {
        if !may_score(actor.role) {
            return Err(AppError::forbidden());
        }
        let region = actor.region.clone().ok_or_else(AppError::forbidden)?;
        Ok(self.store.survey_list(region.as_str(), false).await?)
    }

    /// The published rounds (public), newest first.
    pub async fn published_surveys(&self) -> Result<Vec<SurveySummary>> {
        Ok(self.store.survey_list("", true).await?)
    }

    /// A round of the actor's region with its results so far and who has answered.
    pub async fn survey_desk(&self, actor: &Actor, id: i64) -> Result<SurveyDesk> {
        let round = self
            .store
            .survey(id)
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::NotFound))?;
        if !in_charge(actor, &round.region) {
            return Err(AppError::of(codes::Performance::NotFound));
        }
        let results = self.survey_results(Some(actor), id).await?;
        let invitations = self
            .store
            .survey_invitations(id)
            .await?
            .into_iter()
            .map(|i| InvitationProgress {
                kind: RepKind::parse(&i.rep_kind).unwrap_or(RepKind::Enterprise),
                representative: i.representative,
                used_at: i.used_at,
            })
            .collect();
        Ok(SurveyDesk {
            results,
            status: round.status,
            invitations,
        })
    }

    /// Issues more one-time links for an open round of the actor's region (a representative
    /// added, or a link lost: the old one stays valid until used). The new links, shown once.
    pub async fn invite_to_survey(
        &self,
        actor: &Actor,
        id: i64,
        representatives: &[(String, RepKind)],
    ) -> Result<OpenedSurvey> {
        let round = self
            .store
            .survey(id)
            .await?
            .ok_or_else(|| AppError::of(codes::Performance::NotFound))?;
        if !in_charge(actor, &round.region) {
            return Err(AppError::of(codes::Performance::NotFound));
        }
        let posts: Vec<Post> = serde_json::from_str(&round.posts).map_err(AppError::internal)?;
        check_round(&round.name, &posts, representatives)?;
        let (rows, links) = invitations(representatives);
        let entry = self.entry(
            actor,
            "performance.survey_invite",
            format!("survey:{id}"),
            format!(
                "社会评议追加邀请：{}（{}名代表）",
                round.name,
                representatives.len()
            ),
        );
        self.store
            .add_survey_invitations(id, &rows, entry)
            .await
            .map_err(crate::performance::conflict)?;
        Ok(OpenedSurvey { id, links })
    }
}

trait RepLabel {
    fn rep_kind_label(&self) -> &'static str;
}

impl RepLabel for tongban_store::survey::InvitationRow {
    fn rep_kind_label(&self) -> &'static str {
        RepKind::parse(&self.rep_kind).map_or("评议代表", |k| k.label())
    }
}
