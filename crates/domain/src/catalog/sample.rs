//! Sample items for tests and examples: realistic, complete, and keeping every rule.

use super::*;
use crate::uscc::Uscc;

/// The credit code of a fictional agency, built with a valid check character.
pub fn agency(seq: u32) -> Uscc {
    Uscc::complete(&format!("11361200MB{seq:07}")).expect("a well-formed agency code")
}

fn material(
    key: &str,
    name: &str,
    form: MaterialForm,
    required: bool,
    deferrable: bool,
) -> Material {
    Material {
        key: key.into(),
        name: name.into(),
        form,
        copies: 1,
        required,
        deferrable,
        source: "申请人自备".into(),
        sample_file: None,
        template_file: None,
        note: String::new(),
        licence_type: None,
    }
}

fn step(key: &str, name: &str, kind: StepKind, post: &str, days: u32, materials: &[&str]) -> Step {
    Step {
        key: key.into(),
        name: name.into(),
        kind,
        post: post.into(),
        department_id: None,
        limit_days: days,
        parallel_group: None,
        lead: false,
        materials: materials.iter().map(|s| s.to_string()).collect(),
        deemed_approval: false,
    }
}

/// 食品经营许可 at the city: a committed item with a parallel on-site check by two departments,
/// a deferrable material and no fee.
pub fn food_licence() -> Item {
    let basic = BasicCode::parse("XK00601001").expect("valid");
    let region = RegionCode::parse("361200").expect("valid");
    let mut check_market = step("s2a", "现场核查", StepKind::Review, "核查岗", 5, &["m3"]);
    check_market.parallel_group = Some("g1".into());
    check_market.lead = true;
    let mut check_health = step("s2b", "卫生条件审查", StepKind::Review, "审查岗", 4, &[]);
    check_health.parallel_group = Some("g1".into());
    check_health.department_id = Some(6);
    check_health.deemed_approval = true;
    Item {
        implementation_code: ImplementationCode::new(&basic, &region, &agency(1), 1)
            .expect("valid"),
        basic_code: basic,
        name: "食品经营许可".into(),
        item_type: ItemType::Licensing,
        department_id: 1,
        level: Level::City,
        region,
        service_object: ServiceObject::Both,
        legal_basis: vec![
            LegalBasis {
                kind: BasisKind::Setting,
                title: "《中华人民共和国食品安全法》".into(),
                article: "第三十五条".into(),
                text: "国家对食品生产经营实行许可制度。".into(),
            },
            LegalBasis {
                kind: BasisKind::Implementing,
                title: "《食品经营许可和备案管理办法》".into(),
                article: "第十条".into(),
                text: "申请食品经营许可，应当向所在地县级以上地方市场监督管理部门提交申请材料。"
                    .into(),
            },
        ],
        conditions: vec![
            "具有与经营的食品品种、数量相适应的经营场所".into(),
            "有食品安全管理人员和保证食品安全的规章制度".into(),
        ],
        quantity_limit: String::new(),
        materials: vec![
            material(
                "m1",
                "食品经营许可申请书",
                MaterialForm::Original,
                true,
                false,
            ),
            material("m2", "营业执照复印件", MaterialForm::Copy, true, false),
            material(
                "m3",
                "经营场所平面布局图",
                MaterialForm::Original,
                true,
                true,
            ),
            material("m4", "委托代理人身份证明", MaterialForm::Copy, false, false),
        ],
        steps: vec![
            step(
                "s1",
                "受理",
                StepKind::Intake,
                "受理岗",
                1,
                &["m1", "m2", "m4"],
            ),
            check_market,
            check_health,
            step("s3", "审核决定", StepKind::Decision, "决定岗", 2, &["m1"]),
            step("s4", "制证送达", StepKind::Delivery, "受理岗", 1, &[]),
        ],
        parallel_groups: vec![ParallelGroup {
            key: "g1".into(),
            name: "现场核查并联组".into(),
            rule: GroupRule::AllAgree,
        }],
        special_procedures: vec![SpecialProcedure {
            kind: crate::calendar::SuspensionKind::Inspection,
            description: "需要对经营场所进行现场检查的".into(),
            max_days: 10,
        }],
        statutory_limit_days: 20,
        committed_limit_days: 10,
        handling: HandlingKind::Committed,
        max_visits: 1,
        fees: vec![],
        result_name: "食品经营许可证".into(),
        result_sample_file: None,
        delivery: vec![Delivery::Window, Delivery::Post, Delivery::Online],
        place: "清江市政务服务中心 A01 窗口".into(),
        hours: "工作日 9:00-12:00，13:30-17:00".into(),
        consult_phone: "0799-12345001".into(),
        complaint_phone: "12345".into(),
        faq: vec![Faq {
            question: "已有营业执照还需要办食品经营许可吗？".into(),
            answer: "需要。营业执照是主体资格，食品经营许可是经营食品的许可，两者都要办理。".into(),
        }],
        online_depth: 3,
        deemed_approval: false,
        themes: vec!["开办企业".into(), "经营许可".into()],
    }
}

/// The same item implemented by the 江北区 (上下对应 with [`food_licence`]).
pub fn food_licence_at_county() -> Item {
    let mut item = food_licence();
    let region = RegionCode::parse("361202").expect("valid");
    item.implementation_code =
        ImplementationCode::new(&item.basic_code, &region, &agency(21), 1).expect("valid");
    item.region = region;
    item.level = Level::County;
    item.department_id = 21;
    item.committed_limit_days = 8;
    item.steps[1].limit_days = 3;
    item.steps[2].limit_days = 3;
    item
}

/// 出生医学证明 registration, an on-the-spot public service with no fee.
pub fn birth_registration() -> Item {
    let basic = BasicCode::parse("GG00210001").expect("valid");
    let region = RegionCode::parse("361200").expect("valid");
    Item {
        implementation_code: ImplementationCode::new(&basic, &region, &agency(6), 1).expect("valid"),
        basic_code: basic,
        name: "出生医学证明首次签发".into(),
        item_type: ItemType::PublicService,
        department_id: 6,
        level: Level::City,
        region,
        service_object: ServiceObject::Person,
        legal_basis: vec![LegalBasis { kind: BasisKind::Setting, title: "《中华人民共和国母婴保健法》".into(), article: "第二十三条".into(), text: "医疗保健机构和从事家庭接生的人员按照国务院卫生行政部门的规定，出具统一制发的新生儿出生医学证明。".into() }],
        conditions: vec!["在本市助产机构出生的新生儿".into()],
        quantity_limit: String::new(),
        materials: vec![
            material("m1", "父母双方居民身份证", MaterialForm::Original, true, false),
            material("m2", "出生医学证明申请表", MaterialForm::Original, true, false),
        ],
        steps: vec![
            step("s1", "受理", StepKind::Intake, "受理岗", 0, &["m1", "m2"]),
            step("s2", "当场签发", StepKind::Decision, "签发岗", 0, &["m2"]),
        ],
        parallel_groups: vec![],
        special_procedures: vec![],
        statutory_limit_days: 0,
        committed_limit_days: 0,
        handling: HandlingKind::Instant,
        max_visits: 1,
        fees: vec![],
        result_name: "出生医学证明".into(),
        result_sample_file: None,
        delivery: vec![Delivery::Window],
        place: "清江市政务服务中心 A06 窗口".into(),
        hours: "工作日 9:00-12:00，13:30-17:00".into(),
        consult_phone: "0799-12345006".into(),
        complaint_phone: "12345".into(),
        faq: vec![],
        online_depth: 2,
        deemed_approval: false,
        themes: vec!["生育".into()],
    }
}
