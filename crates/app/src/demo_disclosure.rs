//! The demo's disclosure offices and requests: the city government office (清江市人民政府办公室)
//! and 江北区's, each with a clerk, an approver and a head, and a dozen requests in several
//! states. Each request is driven through the domain's own commands at past instants, so its
//! log, clock and projection are exactly what the procedure would have left.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use tongban_domain::calendar::{Calendar, WorkingDays};
use tongban_domain::disclosure::{
    Applicant, ApplicantInput, ApplicantKind, By, Channel, ConsultationKind, DisclosureEvent,
    FeeBasis, Filing, FormWanted, NotProcessedReason, Office, OrganisationKind, Recorded,
    RemedyKind, RemedyOutcome, Reply, ReplyInput, ReplyKind, Request, RequestNumber,
    UnavailableReason, WithheldPart, WithholdGround, THIRD_PARTY_DAYS,
};
use tongban_domain::identity::IdNumber;
use tongban_domain::org::Role;
use tongban_domain::region::RegionCode;
use tongban_domain::DomainError;
use tongban_store::users::NewUser;

use crate::demo::DemoAccount;
use crate::{password, App, AppError, Result};

/// (login prefix, office name, region).
pub const OFFICES: &[(&str, &str, &str)] = &[
    ("gkb", "清江市人民政府办公室（政务公开办）", "361200"),
    ("jbgkb", "江北区人民政府办公室（政务公开办）", "361202"),
];

type Step = fn(&Request, &Calendar, DateTime<Utc>) -> Result<DisclosureEvent, DomainError>;
type DynStep = dyn Fn(&Request, &Calendar, DateTime<Utc>) -> Result<DisclosureEvent, DomainError>;
type BoxStep = Box<DynStep>;

/// Whose request a demo one is: by its index among the current ones, or the `h`-th of the
/// history.
#[derive(Clone, Copy)]
enum Who {
    ByIndex,
    History(usize),
}

/// How many requests the history holds.
const HISTORY: usize = 48;

/// Organisations asking, one per column of the annual report.
const ORGANISATIONS: &[(OrganisationKind, &str)] = &[
    (OrganisationKind::Business, "清江建设工程有限公司"),
    (OrganisationKind::Research, "清江大学城市发展研究院"),
    (OrganisationKind::Charity, "清江市绿水环保公益服务中心"),
    (OrganisationKind::LegalService, "清江明法律师事务所"),
    (OrganisationKind::Other, "白鹭社区业主委员会"),
];

/// The `h`-th historical request's receipt: a Tuesday-ish morning every week of 2025 from
/// 6 January (the last, in mid-December, is answered in January 2026).
fn history_received(h: usize) -> DateTime<Utc> {
    let start = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap_or_default();
    // The last two come just before Christmas and are answered in January 2026.
    let offset = if h + 2 >= HISTORY {
        350 + (h % 2) as i64
    } else {
        h as i64 * 7 + (h % 3) as i64
    };
    let day = start + Duration::days(offset);
    tongban_domain::time::start_of_day(day) + Duration::hours(10)
}

fn reply_with(input: ReplyInput) -> Result<Reply, DomainError> {
    Reply::parse(ReplyInput {
        text: "答复内容见答复书。".into(),
        ..input
    })
}

fn withheld(ground: WithholdGround, part: &str) -> ReplyInput {
    ReplyInput {
        withheld: vec![WithheldPart {
            part: part.into(),
            ground,
            reason: "经审查属于依法不予公开的情形".into(),
        }],
        ..ReplyInput::default()
    }
}

/// The steps of the `h`-th historical request: every outcome row of the report in turn, some
/// after a consultation or an extension, some followed by a 复议 or 诉讼. Replies come within
/// 6 to 16 days, so none is late.
fn history_steps(h: usize) -> Vec<(i64, BoxStep)> {
    let reply_day = if h + 2 >= HISTORY {
        16
    } else {
        6 + (h % 11) as i64
    };
    let answer = move |input: ReplyInput| -> BoxStep {
        Box::new(move |r: &Request, _: &Calendar, _| r.answer(reply_with(input.clone())?))
    };
    let kind = |k: ReplyKind| ReplyInput {
        kind: Some(k),
        ..ReplyInput::default()
    };
    let mut steps: Vec<(i64, BoxStep)> = Vec::new();
    match h % 14 {
        0 | 7 => steps.push((reply_day, answer(kind(ReplyKind::Disclosed)))),
        1 => steps.push((
            reply_day,
            answer(ReplyInput {
                pointer: Some("清江市人民政府门户网站“政府信息公开”栏目".into()),
                ..kind(ReplyKind::AlreadyPublic)
            }),
        )),
        2 => {
            steps.push((
                2,
                Box::new(|r: &Request, c: &Calendar, t| {
                    r.open_consultation(
                        ConsultationKind::ThirdParty,
                        "清江建设工程有限公司",
                        "合同单价是否涉及商业秘密",
                        wd(THIRD_PARTY_DAYS),
                        c,
                        t,
                    )
                }),
            ));
            steps.push((
                7,
                Box::new(|r: &Request, _: &Calendar, t| {
                    r.close_consultation(Some("不同意公开合同单价"), t)
                }),
            ));
            steps.push((
                12,
                answer(ReplyInput {
                    kind: Some(ReplyKind::PartlyDisclosed),
                    ..withheld(WithholdGround::ThirdParty, "合同单价")
                }),
            ));
        }
        3 => steps.push((
            reply_day,
            answer(ReplyInput {
                kind: Some(ReplyKind::Withheld),
                ..withheld(WithholdGround::Process, "内部讨论记录")
            }),
        )),
        4 => steps.push((
            reply_day,
            answer(ReplyInput {
                kind: Some(ReplyKind::Withheld),
                ..withheld(
                    [
                        WithholdGround::StateSecret,
                        WithholdGround::Internal,
                        WithholdGround::EnforcementFile,
                        WithholdGround::Query,
                    ][(h / 14) % 4],
                    "相关文件",
                )
            }),
        )),
        5 => steps.push((
            reply_day,
            answer(ReplyInput {
                unavailable: Some(UnavailableReason::NotHeld),
                ..kind(ReplyKind::Unavailable)
            }),
        )),
        6 => steps.push((
            reply_day,
            answer(ReplyInput {
                unavailable: Some(UnavailableReason::NeedsCreation),
                ..kind(ReplyKind::Unavailable)
            }),
        )),
        8 => steps.push((
            reply_day,
            answer(ReplyInput {
                pointer: Some("清江市自然资源局".into()),
                ..kind(ReplyKind::NotThisAgency)
            }),
        )),
        9 => steps.push((
            reply_day,
            answer(ReplyInput {
                not_processed: Some(
                    [NotProcessedReason::Repeated, NotProcessedReason::Petition][(h / 14) % 2],
                ),
                ..kind(ReplyKind::NotProcessed)
            }),
        )),
        10 => {
            steps.push((
                1,
                Box::new(|r: &Request, c: &Calendar, t| {
                    r.request_reasons("一个月内提出同类申请30余件", wd(10), c, t)
                }),
            ));
            steps.push((
                18,
                answer(ReplyInput {
                    not_processed: Some(NotProcessedReason::Excessive),
                    ..kind(ReplyKind::NotProcessed)
                }),
            ));
        }
        11 => {
            steps.push((
                1,
                Box::new(|r: &Request, c: &Calendar, t| {
                    r.request_supplement(&["请写明所需文件的年份".into()], wd(5), c, t)
                }),
            ));
            steps.push((
                20,
                Box::new(|r: &Request, _: &Calendar, t| r.lapse_supplement(t)),
            ));
        }
        12 => {
            steps.push((
                3,
                Box::new(|r: &Request, c: &Calendar, t| {
                    r.extend(10, "需调取历年档案，工作量较大", true, c, t)
                }),
            ));
            steps.push((16, answer(kind(ReplyKind::Disclosed))));
        }
        _ => steps.push((3, Box::new(|r: &Request, _: &Calendar, _| r.withdraw()))),
    }
    // A 复议 against some replies, decided; a 诉讼 after one of them.
    if matches!(h % 14, 3 | 4 | 9) {
        let outcome = [
            RemedyOutcome::Upheld,
            RemedyOutcome::Corrected,
            RemedyOutcome::Other,
        ][h % 3];
        let last = steps.last().map_or(0, |s| s.0);
        steps.push((
            last + 20,
            Box::new(move |r: &Request, _: &Calendar, t| {
                r.record_remedy(
                    RemedyKind::Reconsideration,
                    tongban_domain::time::local_date(t),
                    "清江市人民政府",
                    t,
                )
            }),
        ));
        steps.push((
            last + 60,
            Box::new(move |r: &Request, _: &Calendar, t| {
                r.decide_remedy(
                    RemedyKind::Reconsideration,
                    outcome,
                    tongban_domain::time::local_date(t),
                    t,
                )
            }),
        ));
        if h % 14 == 3 {
            steps.push((
                last + 75,
                Box::new(|r: &Request, _: &Calendar, t| {
                    r.record_remedy(
                        RemedyKind::Litigation,
                        tongban_domain::time::local_date(t),
                        "清江市中级人民法院",
                        t,
                    )
                }),
            ));
        }
    }
    steps
}

fn wd(n: u32) -> WorkingDays {
    WorkingDays::new(n).expect("a demo count in range")
}

fn reply(kind: ReplyKind) -> Reply {
    let mut input = ReplyInput {
        kind: Some(kind),
        text: "所需信息以电子邮件提供。".into(),
        ..ReplyInput::default()
    };
    match kind {
        ReplyKind::PartlyDisclosed | ReplyKind::Withheld => {
            input.withheld = vec![WithheldPart {
                part: "合同单价及联系人手机号码".into(),
                ground: WithholdGround::ThirdParty,
                reason: "涉及商业秘密和个人隐私，第三方不同意公开".into(),
            }]
        }
        ReplyKind::AlreadyPublic => {
            input.pointer = Some("清江市人民政府门户网站“政府信息公开”栏目".into())
        }
        _ => {}
    }
    Reply::parse(input).expect("a demo reply with its grounds")
}

/// The steps of each demo request, each with its offset in days from the receipt.
fn scripts() -> Vec<Vec<(i64, Step)>> {
    vec![
        // Just received; the clock runs.
        vec![],
        // 补正 sent, awaiting the supplement.
        vec![(1, |r, c, t| {
            r.request_supplement(&["请写明所需文件的年份和文号".into()], wd(15), c, t)
        })],
        // Supplemented, restarted.
        vec![
            (1, |r, c, t| {
                r.request_supplement(&["请写明项目名称".into()], wd(15), c, t)
            }),
            (4, |r, _, t| r.supplement("老旧小区改造（白鹭片区）项目", t)),
        ],
        // Consulting a third party.
        vec![(3, |r, c, t| {
            r.open_consultation(
                ConsultationKind::ThirdParty,
                "清江建设工程有限公司",
                "施工合同是否涉及商业秘密",
                wd(THIRD_PARTY_DAYS),
                c,
                t,
            )
        })],
        // Awaiting a per-volume fee.
        vec![(5, |r, c, t| {
            r.notice_fee(FeeBasis::PerVolume { pages: 120 }, wd(20), c, t)
        })],
        // Extended by the head.
        vec![(10, |r, c, t| {
            r.extend(15, "需调取历年档案，工作量较大", true, c, t)
        })],
        // Replied: disclosed.
        vec![(6, |r, _, _| r.answer(reply(ReplyKind::Disclosed)))],
        // Replied: partly disclosed after a consultation and a fee.
        vec![
            (2, |r, c, t| {
                r.open_consultation(
                    ConsultationKind::ThirdParty,
                    "清江建设工程有限公司",
                    "合同单价",
                    wd(THIRD_PARTY_DAYS),
                    c,
                    t,
                )
            }),
            (6, |r, _, t| {
                r.close_consultation(Some("不同意公开合同单价"), t)
            }),
            (7, |r, c, t| {
                r.notice_fee(FeeBasis::PerVolume { pages: 45 }, wd(20), c, t)
            }),
            (8, |r, _, t| r.pay_fee("JK-DEMO-0001", t)),
            (12, |r, _, _| r.answer(reply(ReplyKind::PartlyDisclosed))),
        ],
        // Replied: already public.
        vec![(2, |r, _, _| r.answer(reply(ReplyKind::AlreadyPublic)))],
        // Replied: withheld.
        vec![(9, |r, _, _| r.answer(reply(ReplyKind::Withheld)))],
        // Deemed withdrawn after an unanswered 补正.
        vec![
            (1, |r, c, t| {
                r.request_supplement(&["请说明所需信息的具体内容".into()], wd(5), c, t)
            }),
            (20, |r, _, t| r.lapse_supplement(t)),
        ],
        // Withdrawn by the applicant.
        vec![(3, |r, _, _| r.withdraw())],
    ]
}

impl App {
    /// Loads the demo's disclosure offices (after [`App::load_demo`]) and a dozen requests;
    /// returns the offices' sign-ins and the request numbers.
    pub async fn load_demo_disclosure(&self) -> Result<(Vec<DemoAccount>, Vec<String>)> {
        let now = self.now();
        let hash = password::hash(crate::demo::DEMO_PASSWORD).await?;
        let mut accounts = Vec::new();
        let mut offices = Vec::new();
        for (i, (short, name, region)) in OFFICES.iter().enumerate() {
            let rc = RegionCode::parse(region).map_err(AppError::internal)?;
            let dept = self
                .store
                .create_department(
                    name,
                    &rc,
                    self.system_entry("department.create", String::new(), format!("演示：{name}")),
                )
                .await?;
            for (j, (suffix, role, person)) in [
                ("clerk", Role::Clerk, "公开办经办人"),
                ("approver", Role::Approver, "公开办审核人"),
                ("head", Role::DeptHead, "公开办负责人"),
            ]
            .into_iter()
            .enumerate()
            {
                let login = format!("{short}.{suffix}");
                let person_name = format!("{person}{}", ["甲", "乙"][i]);
                let user = NewUser {
                    login: login.clone(),
                    password_hash: hash.clone(),
                    name: person_name.clone(),
                    role: Some(role),
                    department_id: Some(dept),
                    region_code: Some(rc.clone()),
                    phone: Some(format!("139{:08}", 36_120_100 + i * 10 + j)),
                    email: Some(format!("{login}@qingjiang.gov.cn")),
                    ..NewUser::default()
                };
                self.store
                    .create_user(
                        &user,
                        now,
                        self.system_entry(
                            "staff.create",
                            String::new(),
                            format!("演示：{} {person_name}", role.label()),
                        ),
                    )
                    .await?;
                accounts.push(DemoAccount {
                    login,
                    role,
                    name: person_name,
                    unit: (*name).to_string(),
                });
            }
            offices.push(Office {
                department_id: dept,
                name: (*name).to_string(),
                region: rc,
            });
        }
        let mut numbers = Vec::new();
        for (i, script) in scripts().into_iter().enumerate() {
            let office = &offices[i % offices.len()];
            // Received 1 to 34 days ago, so due dates spread over the coming weeks.
            let received = now - Duration::days(2 + (i as i64 * 3) % 34) - Duration::hours(1);
            let steps: Vec<(i64, &DynStep)> =
                script.iter().map(|(d, s)| (*d, s as &DynStep)).collect();
            let n = self
                .seed_disclosure(office, i, received, Who::ByIndex, &steps)
                .await?;
            numbers.push(n);
        }
        // A year of history: 48 requests received through 2025 (the last carried into 2026),
        // each closed, so the 2025 annual report has real numbers in every part.
        for h in 0..HISTORY {
            let received = history_received(h);
            if received >= now {
                continue;
            }
            let office = &offices[h % offices.len()];
            let steps = history_steps(h);
            let steps: Vec<(i64, &DynStep)> = steps
                .iter()
                .map(|(d, s)| (*d, s.as_ref() as &DynStep))
                .collect();
            let n = self
                .seed_disclosure(office, 100 + h, received, Who::History(h), &steps)
                .await?;
            numbers.push(n);
        }
        Ok((accounts, numbers))
    }

    async fn seed_disclosure(
        &self,
        office: &Office,
        i: usize,
        received: DateTime<Utc>,
        who: Who,
        script: &[(i64, &DynStep)],
    ) -> Result<String> {
        let now = self.now();
        let first17 = format!("3612021985{:02}{:02}{:03}", 1 + i % 12, 1 + i % 28, 10 + i);
        let id = IdNumber::complete(&first17).map_err(AppError::internal)?;
        let org = match who {
            Who::ByIndex if i % 4 == 3 => {
                Some((OrganisationKind::Business, "清江建设工程有限公司"))
            }
            Who::History(h) if h % 3 == 1 => Some(ORGANISATIONS[(h / 3) % ORGANISATIONS.len()]),
            _ => None,
        };
        let (kind, name, id_code, org_kind) = if let Some((org_kind, org_name)) = org {
            (
                ApplicantKind::LegalPerson,
                org_name.to_string(),
                "91350100M000100Y43".to_string(),
                Some(org_kind),
            )
        } else {
            (
                ApplicantKind::Citizen,
                format!(
                    "{}{}",
                    ["王", "李", "赵", "陈", "刘", "周"][i % 6],
                    ["明", "华", "芳", "强"][i % 4]
                ),
                id.as_str().to_string(),
                None,
            )
        };
        let applicant = Applicant::parse(
            &ApplicantInput {
                kind: Some(kind),
                name,
                id_code,
                phone: Some(format!("137{:08}", 36_120_000 + i)),
                org_kind,
                ..ApplicantInput::default()
            },
            None,
        )?;
        let filing = Filing {
            applicant,
            office: office.clone(),
            description: [
                "2025年老旧小区改造项目的资金安排文件",
                "本街道2025年度低保人员名单（不含身份证号码）",
                "市区道路拓宽工程的规划许可文件",
                "2025年本市政府采购项目的中标公告",
            ][i % 4]
                .to_string(),
            purpose: Some("了解相关政策".into()),
            form: FormWanted::Email,
            channel: if i.is_multiple_of(3) {
                Channel::RegisteredPost
            } else {
                Channel::InPerson
            },
        };
        let cal = self.calendar_for(office.region.as_str()).await?;
        let by = By {
            user_id: None,
            name: "公开办经办人（演示）".into(),
        };
        let mut log: Vec<Recorded> = Request::file(filing, Some(received), now)?
            .into_iter()
            .map(|event| Recorded {
                event,
                at: received,
                by: by.clone(),
            })
            .collect();
        for (days, step) in script {
            let at = received + Duration::days(*days);
            if at > now {
                break;
            }
            let req = Request::replay(&log).ok_or_else(|| AppError::internal("demo filing"))?;
            let event = step(&req, &cal, at)?;
            log.push(Recorded {
                event,
                at,
                by: by.clone(),
            });
        }
        let req = Request::replay(&log).ok_or_else(|| AppError::internal("demo filing"))?;
        let region6: String = office.region.as_str().chars().take(6).collect();
        let day = tongban_domain::time::local_date(received);
        let (_, number) = self
            .store
            .create_disclosure(&region6, day, now, |seq| -> Result<_> {
                let number = RequestNumber::new(&region6, day, seq)?;
                let entry = self.system_entry(
                    "disclosure.demo",
                    format!("disclosure:{number}"),
                    format!("演示：政府信息公开申请 {number}"),
                );
                let mut w =
                    self.disclosure_write(number.as_str(), &req, &log, &log, &cal, now, entry)?;
                // A demo request's history is not news: nothing is sent.
                w.notifications.clear();
                Ok(w)
            })
            .await??;
        Ok(number)
    }
}
