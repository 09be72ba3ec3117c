//! The demo city's 12345 hotline: township units with their staff, the operator and centre
//! accounts, a subject tree, a routing table, a few approved answers and a handful of tickets
//! in several states — all made through the use cases, so each is audited like real work.

use tongban_domain::org::Role;
use tongban_domain::region::RegionCode;
use tongban_store::users::NewUser;

use crate::demo::{DemoAccount, CITY, DEMO_PASSWORD};
use crate::error::{AppError, Result};
use crate::hotline::{TicketAction, TicketInput};
use crate::{password, App};

/// (login prefix, unit name, township region).
pub const TOWNSHIP_UNITS: &[(&str, &str, &str)] = &[
    ("linjiang", "临江街道综合行政执法办公室", "361202001000"),
    ("beishan", "北山镇人民政府", "361202101000"),
    ("nanhu", "南湖街道办事处", "361203001000"),
];

/// The subject tree: (code, name, parent).
pub const SUBJECTS: &[(&str, &str, Option<&str>)] = &[
    ("env", "生态环境", None),
    ("env.noise", "噪声扰民", Some("env")),
    ("env.pollution", "环境污染", Some("env")),
    ("urban", "城市管理", None),
    ("urban.stall", "占道经营", Some("urban")),
    ("urban.road", "道路设施", Some("urban")),
    ("market", "市场监管", None),
    ("market.consumer", "消费维权", Some("market")),
    ("market.food", "食品安全", Some("market")),
    ("social", "社会保障", None),
    ("social.insurance", "社保缴费", Some("social")),
    ("gov", "政务服务", None),
    ("gov.consult", "办事咨询", Some("gov")),
    ("gov.efficiency", "效能投诉", Some("gov")),
];

impl App {
    /// Loads the hotline into the demo city (after [`App::load_demo`]); returns its sign-ins.
    pub async fn load_demo_hotline(&self) -> Result<Vec<DemoAccount>> {
        let now = self.now();
        let hash = password::hash(DEMO_PASSWORD).await?;
        let admin_row = self
            .store
            .user_by_login("admin")
            .await?
            .ok_or_else(|| AppError::internal("load the demo city first"))?;
        let admin = crate::accounts::actor_of(&admin_row);
        let mut accounts = Vec::new();
        let mut person = 600usize;
        let mut add = |login: String, role: Role, dept: Option<i64>, region: &str, unit: &str| {
            person += 1;
            let name = format!(
                "{}{}",
                ["周", "吴", "郑", "冯", "陈", "褚"][person % 6],
                ["丽华", "建军", "晓敏", "志远", "海波", "春燕"][(person / 6) % 6]
            );
            let user = NewUser {
                login: login.clone(),
                password_hash: hash.clone(),
                name: name.clone(),
                role: Some(role),
                department_id: dept,
                region_code: RegionCode::parse(region).ok(),
                phone: Some(format!("137{:08}", 36_120_000 + person)),
                email: Some(format!("{login}@qingjiang.gov.cn")),
                ..NewUser::default()
            };
            accounts.push(DemoAccount {
                login,
                role,
                name: name.clone(),
                unit: unit.to_string(),
            });
            let e = self.system_entry(
                "staff.create",
                String::new(),
                format!("演示：{} {name}", role.label()),
            );
            async move { Ok::<i64, AppError>(self.store.create_user(&user, now, e).await?) }
        };
        add(
            "huawu".into(),
            Role::Operator,
            None,
            CITY,
            "清江市12345热线",
        )
        .await?;
        add(
            "huawu2".into(),
            Role::Operator,
            None,
            CITY,
            "清江市12345热线",
        )
        .await?;
        add(
            "rexian".into(),
            Role::HotlineCentre,
            None,
            CITY,
            "清江市12345热线",
        )
        .await?;
        let mut units = Vec::new();
        for (short, name, region) in TOWNSHIP_UNITS {
            let rc = RegionCode::parse(region).map_err(AppError::internal)?;
            let dept = self
                .store
                .create_department(
                    name,
                    &rc,
                    self.system_entry("department.create", String::new(), format!("演示：{name}")),
                )
                .await?;
            add(
                format!("{short}.clerk"),
                Role::Clerk,
                Some(dept),
                region,
                name,
            )
            .await?;
            add(
                format!("{short}.head"),
                Role::DeptHead,
                Some(dept),
                region,
                name,
            )
            .await?;
            units.push(dept);
        }
        for (code, name, parent) in SUBJECTS {
            self.add_hotline_subject(&admin, code, name, *parent)
                .await?;
        }
        let city_dept = |name: &str| {
            let name = name.to_string();
            async move {
                self.store
                    .departments(None)
                    .await?
                    .into_iter()
                    .find(|d| d.name == name)
                    .map(|d| d.id)
                    .ok_or_else(|| AppError::internal(format!("demo department {name}")))
            }
        };
        let scjg = city_dept("清江市市场监管局").await?;
        let zjj = city_dept("清江市住建局").await?;
        let rsj = city_dept("清江市人社局").await?;
        let jtys = city_dept("清江市交通运输局").await?;
        for (subject, region, dept, lead) in [
            ("env.noise", CITY, zjj, true),
            ("env.noise", "361202001000", units[0], true),
            ("env.pollution", CITY, zjj, true),
            ("urban.stall", "361202001000", units[0], true),
            ("urban.stall", "361202001000", scjg, false),
            ("urban.stall", "361202101000", units[1], true),
            ("urban.stall", "361203001000", units[2], true),
            ("urban.road", CITY, jtys, true),
            ("market.consumer", CITY, scjg, true),
            ("market.food", CITY, scjg, true),
            ("social.insurance", CITY, rsj, true),
            ("gov.consult", CITY, scjg, true),
            ("gov.efficiency", CITY, scjg, true),
        ] {
            self.set_hotline_route(&admin, subject, region, dept, lead)
                .await?;
        }
        for (subject, q, a) in [
            (
                "social.insurance",
                "灵活就业人员如何缴纳社保？",
                "灵活就业人员可凭身份证到户籍或居住地社保经办窗口登记，或在“清江人社”公众号网上办理，按月或按年缴费。",
            ),
            (
                "gov.consult",
                "营业执照遗失怎么补办？",
                "营业执照遗失可在政务服务网“营业执照补领”事项网上申请，或到市政务服务中心A01窗口办理，即办件，不收费。",
            ),
            (
                "env.noise",
                "夜间施工噪声可以投诉吗？",
                "夜间22时至次日6时，除抢修抢险和经批准的连续作业外，禁止产生噪声的建筑施工。可拨打12345投诉，说明地点和时间。",
            ),
            (
                "market.consumer",
                "网购商品七天无理由退货怎么维权？",
                "先与商家协商；协商不成的，可拨打12345或通过全国12315平台投诉，保留订单和聊天记录。",
            ),
        ] {
            self.add_hotline_answer(&admin, Some(subject), CITY, q, a)
                .await?;
        }
        self.demo_tickets().await?;
        Ok(accounts)
    }

    /// A handful of tickets in several states.
    async fn demo_tickets(&self) -> Result<()> {
        let actor = |login: &str| {
            let login = login.to_string();
            async move {
                let u = self
                    .store
                    .user_by_login(&login)
                    .await?
                    .ok_or_else(|| AppError::internal(format!("demo user {login}")))?;
                Ok::<_, AppError>(crate::accounts::actor_of(&u))
            }
        };
        let op = actor("huawu").await?;
        let unit = actor("linjiang.clerk").await?;
        let input =
            |category: &str, subject: &str, region: &str, phone: &str, text: &str| TicketInput {
                category: category.into(),
                channel: Some("phone".into()),
                subject: subject.into(),
                region: region.into(),
                caller_name: Some("李建华".into()),
                caller_phone: Some(phone.into()),
                text: text.into(),
                ..TicketInput::default()
            };
        // Received, waiting for dispatch.
        self.file_ticket(
            &op,
            input(
                "help",
                "urban.road",
                "361203001000",
                "13912340001",
                "南湖路与柳岸路交叉口井盖缺失，存在安全隐患。",
            ),
        )
        .await?;
        // A 咨询 answered on the spot.
        let t = self
            .file_ticket(
                &op,
                input(
                    "consult",
                    "gov.consult",
                    "361202",
                    "13912340002",
                    "营业执照丢了怎么补办？",
                ),
            )
            .await?;
        self.ticket_act(
            &op,
            &t.number,
            TicketAction::AnswerOnSpot {
                answer: "可在政务服务网申请补领，或到市政务服务中心A01窗口即办。".into(),
                knowledge_id: None,
            },
        )
        .await?;
        // Dispatched to the township, not yet signed.
        let dispatch = TicketAction::Dispatch {
            lead: None,
            co: Vec::new(),
            note: String::new(),
        };
        let t = self
            .file_ticket(
                &op,
                input(
                    "complaint",
                    "urban.stall",
                    "361202001000",
                    "13912340003",
                    "滨江路菜市场门口长期占道经营，影响通行。",
                ),
            )
            .await?;
        self.ticket_act(&op, &t.number, dispatch.clone()).await?;
        // Signed and being handled.
        let t = self
            .file_ticket(
                &op,
                input(
                    "complaint",
                    "env.noise",
                    "361202001000",
                    "13912340004",
                    "望江社区旁工地夜间施工，噪声很大。",
                ),
            )
            .await?;
        self.ticket_act(&op, &t.number, dispatch.clone()).await?;
        self.ticket_act(&unit, &t.number, TicketAction::Sign)
            .await?;
        // Replied, waiting for the call-back.
        let t = self
            .file_ticket(
                &op,
                input(
                    "suggestion",
                    "urban.stall",
                    "361202001000",
                    "13912340005",
                    "建议在滨江社区设置早市临时摊位。",
                ),
            )
            .await?;
        self.ticket_act(&op, &t.number, dispatch.clone()).await?;
        self.ticket_act(&unit, &t.number, TicketAction::Sign)
            .await?;
        self.ticket_act(
            &unit,
            &t.number,
            TicketAction::Reply {
                text: "已研究，拟在滨江路北段设置早市临时摊位，6时至8时开放。".into(),
            },
        )
        .await?;
        // Closed after a satisfied call-back.
        let t = self
            .file_ticket(
                &op,
                input(
                    "help",
                    "env.noise",
                    "361202001000",
                    "13912340006",
                    "小区广场舞音响太大声。",
                ),
            )
            .await?;
        self.ticket_act(&op, &t.number, dispatch).await?;
        self.ticket_act(&unit, &t.number, TicketAction::Sign)
            .await?;
        self.ticket_act(
            &unit,
            &t.number,
            TicketAction::Reply {
                text: "已与广场舞团队沟通，音量已调低并限定在21时前结束。".into(),
            },
        )
        .await?;
        self.ticket_act(
            &op,
            &t.number,
            TicketAction::CallBack {
                result: "satisfied".into(),
                note: String::new(),
            },
        )
        .await?;
        Ok(())
    }
}
