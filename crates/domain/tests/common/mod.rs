//! The cast and the world case tests share: the sample 食品经营许可, its posts, a simulated
//! instant, and helpers that drive the engine.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tongban_domain::calendar::Calendar;
use tongban_domain::case::intake::MaterialCheck;
use tongban_domain::case::*;
use tongban_domain::catalog::sample::food_licence;
use tongban_domain::catalog::{Delivery, Item};
use tongban_domain::org::{Actor, Role};
use tongban_domain::region::RegionCode;

pub const SCJG: i64 = 1;
pub const WJW: i64 = 6;

pub fn city() -> RegionCode {
    RegionCode::parse("361200").unwrap()
}

pub fn person(id: i64, role: Role, dept: Option<i64>) -> Actor {
    Actor {
        user_id: id,
        name: format!("用户{id}"),
        role,
        department_id: dept,
        region: if role == Role::Applicant {
            None
        } else {
            Some(city())
        },
    }
}

pub fn staff(id: i64) -> StaffRef {
    StaffRef {
        user_id: id,
        name: format!("用户{id}"),
    }
}

// The cast: applicant 100, agent 101, scjg clerk 10 / approver 11 / head 12, wjw approver 21 /
// head 22, and scjg's second approver 13 (the substitute on 审核岗).
pub fn applicant() -> Actor {
    person(100, Role::Applicant, None)
}
pub fn clerk() -> Actor {
    person(10, Role::Clerk, Some(SCJG))
}
pub fn approver() -> Actor {
    person(11, Role::Approver, Some(SCJG))
}
pub fn head() -> Actor {
    person(12, Role::DeptHead, Some(SCJG))
}
pub fn wjw_approver() -> Actor {
    person(21, Role::Approver, Some(WJW))
}

pub fn posts(holder_away: bool) -> PostBook {
    let post = |dept, name: &str, holder: i64, sub: i64| Post {
        department_id: dept,
        name: name.into(),
        holder: staff(holder),
        substitute: Some(staff(sub)),
        holder_away: holder_away && holder == 11,
    };
    PostBook(vec![
        post(SCJG, "受理岗", 10, 11),
        post(SCJG, "审核岗", 11, 13),
        post(SCJG, "决定岗", 12, 11),
        post(WJW, "审核岗", 21, 22),
        post(WJW, "决定岗", 22, 21),
    ])
}

/// Monday 2 March 2026, 10:00 in Shanghai.
pub fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

pub struct World {
    pub item: Item,
    pub cal: Calendar,
    pub posts: PostBook,
    pub rules: CaseRules,
    pub now: DateTime<Utc>,
}

impl World {
    pub fn new() -> Self {
        World {
            item: food_licence(),
            cal: Calendar::shipped(),
            posts: posts(false),
            rules: CaseRules::default(),
            now: monday(),
        }
    }

    pub fn ctx<'a>(&'a self, who: Who<'a>) -> Ctx<'a> {
        Ctx {
            item: &self.item,
            cal: &self.cal,
            now: self.now,
            who,
            posts: &self.posts,
            rules: &self.rules,
        }
    }

    pub fn submit(&self, materials: &[&str]) -> Decided {
        let a = applicant();
        let sub = Submission {
            applicant: Party {
                kind: PartyKind::Company,
                name: "清江味道餐饮有限公司".into(),
                id_code: "91350100M000100Y43".into(),
                phone: "13800001234".into(),
                email: None,
                user_id: Some(100),
            },
            channel: Channel::Online,
            intake_hall_id: None,
            pickup_hall_id: Some(1),
            delivery: Delivery::Window,
            materials: files(materials),
            form: BTreeMap::new(),
        };
        let number =
            CaseNumber::new(&city(), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 1).unwrap();
        receive(sub, number, 7, 1, &self.ctx(Who::Person(&a))).expect("received")
    }

    pub fn run(&self, case: &Case, who: &Actor, cmd: Command) -> Result<Decided, String> {
        handle(case, cmd, &self.ctx(Who::Person(who))).map_err(|e| e.code.to_string())
    }

    pub fn ok(&self, case: &Case, who: &Actor, cmd: Command) -> Case {
        match self.run(case, who, cmd.clone()) {
            Ok(d) => d.case,
            Err(code) => panic!("{cmd:?} refused: {code}"),
        }
    }

    pub fn tick(&self, case: &Case) -> Decided {
        handle(case, Command::Tick, &self.ctx(Who::System)).expect("tick")
    }
}

pub fn files(keys: &[&str]) -> BTreeMap<String, Vec<FileRef>> {
    keys.iter()
        .map(|k| {
            (
                k.to_string(),
                vec![FileRef {
                    hash: format!("hash-{k}"),
                    name: format!("{k}.pdf"),
                    size: 10,
                }],
            )
        })
        .collect()
}

pub fn check(keys: &[&str]) -> MaterialCheck {
    MaterialCheck {
        present: keys.iter().map(|k| k.to_string()).collect::<BTreeSet<_>>(),
        defective: vec![],
    }
}

pub fn accepted(w: &World) -> Case {
    let case = w.submit(&["m1", "m2", "m3"]).case;
    w.ok(
        &case,
        &clerk(),
        Command::Accept {
            check: check(&["m1", "m2", "m3"]),
        },
    )
}

pub fn open_keys(case: &Case) -> Vec<String> {
    case.open_steps().iter().map(|s| s.key.clone()).collect()
}
