//! The closed sets and parsed values of a rating, and who may rate what.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::DomainError;

crate::closed_set! {
    /// 评价等级: five levels, best first. 差评 are the last two ([`Level::is_bad`]).
    #[derive(PartialOrd, Ord)]
    pub enum Level {
        VerySatisfied = "very_satisfied" => "非常满意",
        Satisfied = "satisfied" => "满意",
        Basic = "basic" => "基本满意",
        Unsatisfied = "unsatisfied" => "不满意",
        VeryUnsatisfied = "very_unsatisfied" => "非常不满意",
    }
}

impl Level {
    /// 差评: 不满意 or 非常不满意.
    pub fn is_bad(self) -> bool {
        matches!(self, Level::Unsatisfied | Level::VeryUnsatisfied)
    }

    /// 好评: 非常满意, 满意 or 基本满意 (好评率 counts these).
    pub fn is_good(self) -> bool {
        !self.is_bad()
    }

    /// 5 for 非常满意 down to 1 for 非常不满意.
    pub fn score(self) -> u8 {
        match self {
            Level::VerySatisfied => 5,
            Level::Satisfied => 4,
            Level::Basic => 3,
            Level::Unsatisfied => 2,
            Level::VeryUnsatisfied => 1,
        }
    }

    /// The face a touch screen shows for the level.
    pub fn face(self) -> &'static str {
        match self {
            Level::VerySatisfied => "😄",
            Level::Satisfied => "😊",
            Level::Basic => "😐",
            Level::Unsatisfied => "😞",
            Level::VeryUnsatisfied => "😠",
        }
    }
}

crate::closed_set! {
    /// Where the service was given, which fixes the dimensions rated (GB/T 39734-2020).
    pub enum Channel {
        /// 网上服务 (一事一评).
        Online = "online" => "网上服务",
        /// 现场服务 at a hall's window (一次一评).
        Hall = "hall" => "现场服务",
    }
}

crate::closed_set! {
    /// The dimensions of GB/T 39734-2020. 整体满意度 is the rating's level itself.
    pub enum Dimension {
        Overall = "overall" => "整体满意度",
        Efficiency = "efficiency" => "办事效率",
        GuideAccuracy = "guide_accuracy" => "办事指南精确度",
        Convenience = "convenience" => "办事便捷度",
        Usability = "usability" => "平台操作性",
        ServiceEfficiency = "service_efficiency" => "服务效率",
        ServiceLevel = "service_level" => "服务水平",
        ServiceAttitude = "service_attitude" => "服务态度",
    }
}

impl Channel {
    /// The dimensions rated on this channel, 整体满意度 first.
    pub fn dimensions(self) -> &'static [Dimension] {
        match self {
            Channel::Online => &[
                Dimension::Overall,
                Dimension::Efficiency,
                Dimension::GuideAccuracy,
                Dimension::Convenience,
                Dimension::Usability,
            ],
            Channel::Hall => &[
                Dimension::Overall,
                Dimension::ServiceEfficiency,
                Dimension::ServiceLevel,
                Dimension::ServiceAttitude,
            ],
        }
    }
}

crate::closed_set! {
    /// What is rated, and how often: each service once.
    pub enum ServiceKind {
        /// A decided case, rated on its page or through the link sent with the decision (一事一评).
        Case = "case" => "办件",
        /// A visit to a hall's window, rated on the window's device (一次一评).
        Window = "window" => "窗口服务",
        /// A 12345 ticket, rated at the call-back.
        Ticket = "ticket" => "12345工单",
        /// A disclosure request's reply.
        Disclosure = "disclosure" => "依申请公开答复",
    }
}

impl ServiceKind {
    /// The channel a service of this kind is rated on.
    pub fn channel(self) -> Channel {
        match self {
            ServiceKind::Window => Channel::Hall,
            _ => Channel::Online,
        }
    }
}

crate::closed_set! {
    /// Optional tags a rater may pick.
    pub enum Tag {
        OneVisit = "one_visit" => "一次办好",
        Fast = "fast" => "办理快捷",
        Warm = "warm" => "热情周到",
        ClearGuide = "clear_guide" => "指南清楚",
        LongWait = "long_wait" => "等候时间长",
        ManyVisits = "many_visits" => "多次跑动",
        TooManyMaterials = "too_many_materials" => "材料繁多",
        UnclearGuide = "unclear_guide" => "指南不清",
        Attitude = "attitude" => "态度生硬",
        Slow = "slow" => "办理拖延",
    }
}

/// A comment: at most 500 characters, trimmed; an empty one is no comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Comment(String);

impl Comment {
    pub const MAX: usize = 500;

    pub fn parse(input: &str) -> Result<Option<Self>, DomainError> {
        let s = input.trim();
        if s.is_empty() {
            Ok(None)
        } else if s.chars().count() > Self::MAX {
            Err(codes::Rating::Comment.err())
        } else {
            Ok(Some(Self(s.to_string())))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Comment {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)?.ok_or_else(|| codes::Rating::Comment.err())
    }
}

impl From<Comment> for String {
    fn from(c: Comment) -> String {
        c.0
    }
}

/// A required text of a rectification step (a call-back note, a verification, the measures,
/// the feedback, an appeal's reason): 1 to 500 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Note(String);

impl Note {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim();
        if s.is_empty() || s.chars().count() > Comment::MAX {
            Err(codes::Rating::Text.err())
        } else {
            Ok(Self(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Note {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Note> for String {
    fn from(c: Note) -> String {
        c.0
    }
}

/// What a rater sends, before parsing: wire names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingInput {
    /// 整体满意度.
    pub level: String,
    /// Other dimensions of the channel, by wire name; each optional.
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub comment: String,
}

/// A parsed rating: the level (整体满意度), the channel's other dimensions the rater chose,
/// tags (each once) and the comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub channel: Channel,
    pub level: Level,
    pub dimensions: BTreeMap<String, Level>,
    pub tags: Vec<Tag>,
    pub comment: Option<Comment>,
    /// Counted as 基本满意 because the service was not rated in time.
    pub default: bool,
}

impl Rating {
    pub fn parse(channel: Channel, input: &RatingInput) -> Result<Self, DomainError> {
        let level = Level::parse(input.level.trim()).ok_or_else(|| codes::Rating::Level.err())?;
        let mut dimensions = BTreeMap::new();
        for (k, v) in &input.dimensions {
            let d = Dimension::parse(k.trim())
                .filter(|d| *d != Dimension::Overall && channel.dimensions().contains(d))
                .ok_or_else(|| {
                    codes::Rating::Dimension.with(format!("“{k}”不是{}的评价指标", channel.label()))
                })?;
            let l = Level::parse(v.trim()).ok_or_else(|| codes::Rating::Level.err())?;
            dimensions.insert(d.as_str().to_string(), l);
        }
        let mut tags = Vec::new();
        for t in &input.tags {
            let t = Tag::parse(t.trim()).ok_or_else(|| codes::Rating::Tag.err())?;
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        Ok(Self {
            channel,
            level,
            dimensions,
            tags,
            comment: Comment::parse(&input.comment)?,
            default: false,
        })
    }

    /// The 基本满意 a service counts as when nobody rated it in time.
    pub fn default_for(channel: Channel) -> Self {
        Self {
            channel,
            level: Level::Basic,
            dimensions: BTreeMap::new(),
            tags: Vec::new(),
            comment: None,
            default: true,
        }
    }

    /// Each dimension with its level: 整体满意度 first, then those rated, in the channel's order.
    pub fn by_dimension(&self) -> Vec<(Dimension, Level)> {
        self.channel
            .dimensions()
            .iter()
            .filter_map(|d| {
                if *d == Dimension::Overall {
                    Some((*d, self.level))
                } else {
                    self.dimensions.get(d.as_str()).map(|l| (*d, *l))
                }
            })
            .collect()
    }
}

/// The service as the rule of who may rate sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub kind: ServiceKind,
    /// The account of the person served (the applicant, the caller); `None` for a window visit,
    /// whose rater is whoever stands at the device.
    pub served: Option<i64>,
    /// Every staff member who handled it (clerks, approvers, the person on duty at a window).
    pub handlers: Vec<i64>,
    /// Decided (a case), replied (a ticket or a disclosure request), or ended (a visit).
    pub finished: bool,
    /// Already rated (by a person or by default).
    pub rated: bool,
}

/// Who is rating: their account (none at a hall device) and whether they are staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rater {
    pub account: Option<i64>,
    pub staff: bool,
}

/// Whether `rater` may rate `service`: once, after it ends, only by the person served, and
/// never by a staff member who handled it.
pub fn may_rate(service: &Service, rater: &Rater) -> Result<(), DomainError> {
    if let Some(a) = rater.account {
        if service.handlers.contains(&a) {
            return Err(codes::Rating::OwnWork.err());
        }
    }
    if let Some(served) = service.served {
        if rater.account != Some(served) {
            return Err(codes::Rating::NotRater.err());
        }
    } else if rater.staff {
        // A window visit is rated by the visitor at the device, not by staff signed in.
        return Err(codes::Rating::OwnWork.err());
    }
    if !service.finished {
        return Err(codes::Rating::NotDecided.err());
    }
    if service.rated {
        return Err(codes::Rating::Once.err());
    }
    Ok(())
}

/// The local rules of ratings (settings, with these defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatingRules {
    /// Natural days after which an unrated service counts as 基本满意 (Guangdong: 7).
    pub default_after_days: u32,
    /// Working days to rectify a 差评 (5 to 15; default 15).
    pub rectify_days: u32,
    /// Working days for the centre's call-back (回访) of a 差评.
    pub callback_days: u32,
}

impl Default for RatingRules {
    fn default() -> Self {
        Self {
            default_after_days: 7,
            rectify_days: 15,
            callback_days: 1,
        }
    }
}

impl RatingRules {
    /// The instant from which a service finished at `finished_at` and still unrated counts as
    /// 基本满意: that many natural days later.
    pub fn default_at(&self, finished_at: DateTime<Utc>) -> DateTime<Utc> {
        finished_at + Duration::days(i64::from(self.default_after_days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(level: &str) -> RatingInput {
        RatingInput {
            level: level.into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_last_two_levels_are_bad() {
        let bad: Vec<_> = Level::ALL.iter().filter(|l| l.is_bad()).collect();
        assert_eq!(bad, [&Level::Unsatisfied, &Level::VeryUnsatisfied]);
        assert_eq!(Level::VerySatisfied.score(), 5);
        assert_eq!(Level::VeryUnsatisfied.score(), 1);
        assert_eq!(Level::Basic.label(), "基本满意");
    }

    #[test]
    fn each_channel_rates_the_standards_dimensions() {
        let online: Vec<_> = Channel::Online
            .dimensions()
            .iter()
            .map(|d| d.label())
            .collect();
        assert_eq!(
            online,
            [
                "整体满意度",
                "办事效率",
                "办事指南精确度",
                "办事便捷度",
                "平台操作性"
            ]
        );
        let hall: Vec<_> = Channel::Hall
            .dimensions()
            .iter()
            .map(|d| d.label())
            .collect();
        assert_eq!(hall, ["整体满意度", "服务效率", "服务水平", "服务态度"]);
        assert_eq!(ServiceKind::Window.channel(), Channel::Hall);
        assert_eq!(ServiceKind::Case.channel(), Channel::Online);
    }

    #[test]
    fn a_rating_parses_its_dimensions_tags_and_comment() {
        let mut i = input("unsatisfied");
        i.dimensions
            .insert("efficiency".into(), "very_unsatisfied".into());
        i.tags = vec!["slow".into(), "slow".into(), "many_visits".into()];
        i.comment = "  跑了三次  ".into();
        let r = Rating::parse(Channel::Online, &i).unwrap();
        assert!(r.level.is_bad() && !r.default);
        assert_eq!(r.tags, [Tag::Slow, Tag::ManyVisits]);
        assert_eq!(r.comment.as_ref().map(Comment::as_str), Some("跑了三次"));
        assert_eq!(
            r.by_dimension(),
            [
                (Dimension::Overall, Level::Unsatisfied),
                (Dimension::Efficiency, Level::VeryUnsatisfied)
            ]
        );

        let code = |i: &RatingInput, c| Rating::parse(c, i).unwrap_err().code.as_str();
        assert_eq!(code(&input("good"), Channel::Online), "rating.level");
        let mut hall_dim = input("satisfied");
        hall_dim
            .dimensions
            .insert("service_attitude".into(), "satisfied".into());
        assert_eq!(code(&hall_dim, Channel::Online), "rating.dimension");
        assert!(Rating::parse(Channel::Hall, &hall_dim).is_ok());
        let mut tag = input("satisfied");
        tag.tags = vec!["nice".into()];
        assert_eq!(code(&tag, Channel::Online), "rating.tag");
        let mut long = input("satisfied");
        long.comment = "长".repeat(501);
        assert_eq!(code(&long, Channel::Online), "rating.comment");
        long.comment = "长".repeat(500);
        assert!(Rating::parse(Channel::Online, &long).is_ok());
    }

    #[test]
    fn only_the_person_served_rates_once_and_never_staff_their_own_work() {
        let case = Service {
            kind: ServiceKind::Case,
            served: Some(10),
            handlers: vec![20, 21],
            finished: true,
            rated: false,
        };
        let applicant = Rater {
            account: Some(10),
            staff: false,
        };
        assert!(may_rate(&case, &applicant).is_ok());
        let err = |s: &Service, r: &Rater| may_rate(s, r).unwrap_err().code.as_str();
        let other = Rater {
            account: Some(11),
            staff: false,
        };
        assert_eq!(err(&case, &other), "rating.not_rater");
        let clerk = Rater {
            account: Some(20),
            staff: true,
        };
        assert_eq!(err(&case, &clerk), "rating.own_work");
        // Staff who applied for themselves and did not handle it may rate.
        let staff_applicant = Service {
            served: Some(30),
            ..case.clone()
        };
        assert!(may_rate(
            &staff_applicant,
            &Rater {
                account: Some(30),
                staff: true
            }
        )
        .is_ok());
        let running = Service {
            finished: false,
            ..case.clone()
        };
        assert_eq!(err(&running, &applicant), "rating.not_decided");
        let rated = Service {
            rated: true,
            ..case.clone()
        };
        assert_eq!(err(&rated, &applicant), "rating.once");

        let visit = Service {
            kind: ServiceKind::Window,
            served: None,
            handlers: vec![20],
            finished: true,
            rated: false,
        };
        let device = Rater {
            account: None,
            staff: false,
        };
        assert!(may_rate(&visit, &device).is_ok());
        assert_eq!(err(&visit, &clerk), "rating.own_work");
    }

    #[test]
    fn an_unrated_service_counts_as_basic_after_the_settings_days() {
        let rules = RatingRules::default();
        assert_eq!((rules.default_after_days, rules.rectify_days), (7, 15));
        let t = DateTime::parse_from_rfc3339("2026-04-02T10:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            rules.default_at(t),
            DateTime::parse_from_rfc3339("2026-04-09T10:00:00+08:00").unwrap()
        );
        let d = Rating::default_for(Channel::Online);
        assert!(d.default && d.level == Level::Basic && d.level.is_good());
    }
}
