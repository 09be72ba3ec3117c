//! The catalog (事项目录 / 实施清单): one item is one thing a person can ask the government to
//! do. Its materials, steps, limits and fees drive the guide, the application form, the
//! workflow and the clock, so every element is typed and checked together ([`Item::check`]).

pub mod blank_form;
mod codes;
mod consistency;
pub mod flowchart;
pub mod life_events;
mod lifecycle;
pub mod sample;

pub use codes::{BasicCode, ImplementationCode};
pub use consistency::{check_correspondence, Issue};
pub use lifecycle::{may_draft, sees_drafts, transition, ItemAction, ItemStatus, ReviewStage};

use serde::{Deserialize, Serialize};

use crate::calendar::SuspensionKind;
use crate::region::{Level, RegionCode};

crate::closed_set! {
    /// The item types of the national list, each with its code letters.
    pub enum ItemType {
        Licensing = "licensing" => "行政许可",
        Confirmation = "confirmation" => "行政确认",
        Benefit = "benefit" => "行政给付",
        Levy = "levy" => "行政征收",
        Reward = "reward" => "行政奖励",
        Adjudication = "adjudication" => "行政裁决",
        OtherPower = "other_power" => "其他行政权力",
        PublicService = "public_service" => "公共服务",
        Filing = "filing" => "行政备案",
    }
}

impl ItemType {
    /// The two letters that open a basic code of this type.
    pub fn prefix(self) -> &'static str {
        match self {
            ItemType::Licensing => "XK",
            ItemType::Confirmation => "QR",
            ItemType::Benefit => "JF",
            ItemType::Levy => "ZS",
            ItemType::Reward => "JL",
            ItemType::Adjudication => "CJ",
            ItemType::OtherPower => "QT",
            ItemType::PublicService => "GG",
            ItemType::Filing => "BA",
        }
    }

    pub fn from_prefix(p: &str) -> Option<ItemType> {
        ItemType::ALL.into_iter().find(|t| t.prefix() == p)
    }
}

crate::closed_set! {
    /// Who the item serves.
    pub enum ServiceObject {
        Person = "person" => "自然人",
        Company = "company" => "法人",
        Both = "both" => "自然人、法人",
    }
}

impl ServiceObject {
    pub fn serves_person(self) -> bool {
        matches!(self, ServiceObject::Person | ServiceObject::Both)
    }

    pub fn serves_company(self) -> bool {
        matches!(self, ServiceObject::Company | ServiceObject::Both)
    }
}

crate::closed_set! {
    /// 即办件 (decided on the spot) or 承诺件 (decided within the committed limit).
    pub enum HandlingKind {
        Instant = "instant" => "即办件",
        Committed = "committed" => "承诺件",
    }
}

/// A law, regulation or rule the item rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    /// 设定依据 (creates the power) or 实施依据 (governs how it is exercised).
    pub kind: BasisKind,
    /// E.g. 《中华人民共和国食品安全法》.
    pub title: String,
    /// E.g. 第三十五条.
    pub article: String,
    pub text: String,
}

crate::closed_set! {
    pub enum BasisKind {
        Setting = "setting" => "设定依据",
        Implementing = "implementing" => "实施依据",
    }
}

crate::closed_set! {
    /// Original, copy, or both.
    pub enum MaterialForm {
        Original = "original" => "原件",
        Copy = "copy" => "复印件",
        OriginalAndCopy = "original_and_copy" => "原件及复印件",
        Electronic = "electronic" => "电子材料",
    }
}

/// One material an applicant hands in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// Stable within the item (e.g. `m1`): steps refer to materials by key.
    pub key: String,
    pub name: String,
    pub form: MaterialForm,
    pub copies: u8,
    pub required: bool,
    /// 容缺: may be accepted now and supplied later.
    pub deferrable: bool,
    /// Where it comes from: 申请人自备, 政府部门核发, …
    pub source: String,
    /// Stored file names (content-addressed) of the sample and the blank template.
    #[serde(default)]
    pub sample_file: Option<String>,
    #[serde(default)]
    pub template_file: Option<String>,
    #[serde(default)]
    pub note: String,
    /// A licence type of the e-licence register (e.g. 营业执照): a holder's valid licence of
    /// this type may be given by reference instead of an upload (免提交).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence_type: Option<String>,
}

crate::closed_set! {
    /// What a step is for.
    pub enum StepKind {
        Intake = "intake" => "受理",
        Review = "review" => "审查",
        Decision = "decision" => "决定",
        Delivery = "delivery" => "送达",
    }
}

/// One step (环节) of the process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub key: String,
    pub name: String,
    pub kind: StepKind,
    /// The post responsible, e.g. 受理岗.
    pub post: String,
    /// The department doing the step; the item's own department when `None`.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// Working days this step may take (0 for on the spot).
    pub limit_days: u32,
    /// Steps sharing a group run in parallel (并联).
    #[serde(default)]
    pub parallel_group: Option<String>,
    /// In a parallel group: the lead department's step (主办); the others assist (协办).
    #[serde(default)]
    pub lead: bool,
    /// Materials this step examines.
    #[serde(default)]
    pub materials: Vec<String>,
    /// 超时默认: at timeout this step counts as approved (a local rule per step).
    #[serde(default)]
    pub deemed_approval: bool,
}

crate::closed_set! {
    /// How a parallel group decides.
    pub enum GroupRule {
        AllAgree = "all_agree" => "全部同意方可通过",
        AnyAgrees = "any_agrees" => "任一同意即可通过",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParallelGroup {
    pub key: String,
    pub name: String,
    pub rule: GroupRule,
}

/// A special procedure (特殊环节) whose time does not count towards the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialProcedure {
    pub kind: SuspensionKind,
    pub description: String,
    /// The longest it may take, in working days, told to the applicant in writing.
    pub max_days: u32,
}

/// One fee. Amounts are in fen so they add exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    pub name: String,
    pub basis: String,
    pub amount_fen: u64,
}

crate::closed_set! {
    pub enum Delivery {
        Window = "window" => "窗口领取",
        Post = "post" => "邮寄送达",
        Online = "online" => "电子送达",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// Life events and audiences for browsing the catalog.
pub const THEMES: &[&str] = &[
    "开办企业",
    "生育",
    "就业",
    "养老",
    "教育",
    "住房",
    "交通出行",
    "医疗卫生",
    "社会救助",
    "婚姻",
    "户籍",
    "工程建设",
    "经营许可",
    "纳税",
];

/// One version of an item: every element of the implementation list and of 行政许可法 第三十条.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub basic_code: BasicCode,
    pub implementation_code: ImplementationCode,
    pub name: String,
    pub item_type: ItemType,
    pub department_id: i64,
    pub level: Level,
    pub region: RegionCode,
    pub service_object: ServiceObject,
    pub legal_basis: Vec<LegalBasis>,
    pub conditions: Vec<String>,
    /// 数量限制, empty when none.
    #[serde(default)]
    pub quantity_limit: String,
    pub materials: Vec<Material>,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub parallel_groups: Vec<ParallelGroup>,
    #[serde(default)]
    pub special_procedures: Vec<SpecialProcedure>,
    pub statutory_limit_days: u32,
    pub committed_limit_days: u32,
    pub handling: HandlingKind,
    pub max_visits: u8,
    #[serde(default)]
    pub fees: Vec<Fee>,
    pub result_name: String,
    #[serde(default)]
    pub result_sample_file: Option<String>,
    pub delivery: Vec<Delivery>,
    pub place: String,
    pub hours: String,
    pub consult_phone: String,
    pub complaint_phone: String,
    #[serde(default)]
    pub faq: Vec<Faq>,
    /// 网办深度 1–4: 1 information online … 4 done entirely online.
    pub online_depth: u8,
    /// 超时默认 for the whole item; each step may also say so.
    #[serde(default)]
    pub deemed_approval: bool,
    #[serde(default)]
    pub themes: Vec<String>,
}

impl Item {
    /// Free when no fee is provided by law.
    pub fn is_free(&self) -> bool {
        self.fees.is_empty()
    }

    pub fn total_fee_fen(&self) -> u64 {
        self.fees.iter().map(|f| f.amount_fen).sum()
    }

    pub fn material(&self, key: &str) -> Option<&Material> {
        self.materials.iter().find(|m| m.key == key)
    }

    /// The steps in order, with the steps of a parallel group gathered into one stage.
    pub fn stages(&self) -> Vec<Vec<&Step>> {
        let mut stages: Vec<Vec<&Step>> = Vec::new();
        for step in &self.steps {
            match (&step.parallel_group, stages.last_mut()) {
                (Some(g), Some(last))
                    if last
                        .first()
                        .is_some_and(|s| s.parallel_group.as_ref() == Some(g)) =>
                {
                    last.push(step)
                }
                _ => stages.push(vec![step]),
            }
        }
        stages
    }

    /// Working days the process takes: serial stages add up, a parallel stage takes its longest step.
    pub fn process_days(&self) -> u32 {
        self.stages()
            .iter()
            .map(|s| s.iter().map(|st| st.limit_days).max().unwrap_or(0))
            .sum()
    }

    pub fn online_depth_label(&self) -> &'static str {
        match self.online_depth {
            1 => "一级（办事指南网上公开）",
            2 => "二级（网上预审）",
            3 => "三级（网上受理、到现场领证）",
            _ => "四级（全程网办）",
        }
    }

    /// Every rule an item must keep to be saved; empty when it keeps them all.
    pub fn check(&self) -> Vec<Issue> {
        consistency::check(self)
    }
}

/// Formats fen as yuan: `12345` → `123.45`.
pub fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}
