//! The demo city: a fictional 清江市 with three districts, six townships, twelve villages, a city
//! centre with two sub-halls, ten departments, forty staff, twenty residents and five companies.
//! It loads only into an empty database, through the same store calls (and audit chain) as
//! everything else.

use tongban_domain::codes;
use tongban_domain::identity::IdNumber;
use tongban_domain::org::{HallKind, Role};
use tongban_domain::region::RegionCode;
use tongban_domain::uscc::Uscc;
use tongban_store::org::{NewHall, Region};
use tongban_store::users::NewUser;

use crate::error::{AppError, Result};
use crate::{password, App};

/// Every demo account's password. Printed by `tongban demo`; never use demo data in production.
pub const DEMO_PASSWORD: &str = "Tongban@2026";

pub const CITY: &str = "361200";

const REGIONS: &[(&str, &str)] = &[
    ("361200", "清江市"),
    ("361202", "江北区"),
    ("361203", "江南区"),
    ("361221", "青山县"),
    ("361202001000", "临江街道"),
    ("361202001001", "滨江社区"),
    ("361202001002", "望江社区"),
    ("361202101000", "北山镇"),
    ("361202101201", "北山村"),
    ("361202101202", "石桥村"),
    ("361203001000", "南湖街道"),
    ("361203001001", "南湖社区"),
    ("361203001002", "柳岸社区"),
    ("361203101000", "桃源镇"),
    ("361203101201", "桃源村"),
    ("361203101202", "杏花村"),
    ("361221100000", "青山镇"),
    ("361221100201", "青山村"),
    ("361221100202", "竹林村"),
    ("361221200000", "云溪乡"),
    ("361221200201", "云溪村"),
    ("361221200202", "白水村"),
];

/// (login prefix, name) of the city departments.
pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("scjg", "清江市市场监管局"),
    ("zjj", "清江市住建局"),
    ("rsj", "清江市人社局"),
    ("mzj", "清江市民政局"),
    ("gaj", "清江市公安局"),
    ("wjw", "清江市卫健委"),
    ("zrzy", "清江市自然资源局"),
    ("jtys", "清江市交通运输局"),
    ("jyj", "清江市教育局"),
    ("swj", "清江市税务局"),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "志强", "丽娟", "海燕", "伟", "敏", "静", "磊", "晓东", "勇", "艳", "俊杰",
    "娟", "文涛", "明", "超", "春霞", "平", "国刚", "桂英", "玉兰", "文博", "晓华", "红梅", "子轩",
    "嘉怡", "浩然", "雨桐", "思远", "欣怡",
];

fn person_name(i: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[(i * 7 + 3) % GIVEN.len()]
    )
}

/// One demo sign-in, as printed for the person trying the demo.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub login: String,
    pub role: Role,
    pub name: String,
    pub unit: String,
}

fn code(s: &str) -> Result<RegionCode> {
    RegionCode::parse(s).map_err(AppError::internal)
}

impl App {
    /// Loads the demo city into an empty database and returns its sign-ins.
    pub async fn load_demo(&self) -> Result<Vec<DemoAccount>> {
        if !self.store.regions(None).await?.is_empty() {
            return Err(AppError::of(codes::Demo::NotEmpty));
        }
        let now = self.now();
        let entry =
            |action: &str, summary: String| self.system_entry(action, String::new(), summary);
        // One hash for every demo account keeps loading quick; each real account gets its own salt.
        let hash = password::hash(DEMO_PASSWORD).await?;
        let mut accounts = Vec::new();

        for (c, name) in REGIONS {
            let rc = code(c)?;
            let region = Region {
                level: rc.level(),
                parent_code: rc.parent().map(String::from),
                code: rc,
                name: (*name).into(),
            };
            self.store
                .create_region(
                    &region,
                    entry("region.create", format!("演示：区划 {name}")),
                )
                .await?;
        }

        let hall = |name: String, kind: HallKind, region: &str, parent: Option<i64>| {
            let region = code(region);
            let e = entry("hall.create", format!("演示：{name}"));
            async move {
                let h = NewHall {
                    name,
                    kind,
                    region_code: region?,
                    parent_hall_id: parent,
                    address: String::new(),
                    hours: "工作日 9:00-12:00，13:30-17:00".into(),
                };
                Ok::<i64, AppError>(self.store.create_hall(&h, e).await?)
            }
        };
        let centre = hall("清江市政务服务中心".into(), HallKind::Centre, CITY, None).await?;
        let north = hall(
            "清江市政务服务中心江北分厅".into(),
            HallKind::SubHall,
            "361202",
            Some(centre),
        )
        .await?;
        let south = hall(
            "清江市政务服务中心江南分厅".into(),
            HallKind::SubHall,
            "361203",
            Some(centre),
        )
        .await?;
        hall(
            "青山县政务服务中心".into(),
            HallKind::Centre,
            "361221",
            None,
        )
        .await?;
        let mut village_halls = Vec::new();
        for (c, name) in REGIONS.iter().filter(|(c, _)| c.len() == 12) {
            if c.ends_with("000") {
                hall(format!("{name}便民服务中心"), HallKind::Township, c, None).await?;
            } else {
                village_halls.push((
                    *c,
                    hall(format!("{name}代办点"), HallKind::Village, c, None).await?,
                ));
            }
        }

        let city = code(CITY)?;
        let mut person = 0usize;
        let mut add = |login: String,
                       role: Role,
                       dept: Option<(i64, &str)>,
                       region: &str,
                       hall_id: Option<i64>| {
            person += 1;
            let name = person_name(person);
            let unit = dept.map_or_else(|| region.to_string(), |(_, n)| n.to_string());
            let user = NewUser {
                login: login.clone(),
                password_hash: hash.clone(),
                name: name.clone(),
                role: Some(role),
                department_id: dept.map(|(id, _)| id),
                region_code: code(region).ok(),
                hall_id,
                // Work contacts, so warnings, findings and orders reach staff in the demo.
                phone: Some(format!("138{:08}", 36_120_000 + person)),
                email: Some(format!("{login}@qingjiang.gov.cn")),
                ..NewUser::default()
            };
            let e = entry("staff.create", format!("演示：{} {}", role.label(), name));
            accounts.push(DemoAccount {
                login,
                role,
                name,
                unit,
            });
            async move { Ok::<i64, AppError>(self.store.create_user(&user, now, e).await?) }
        };

        add("admin".into(), Role::Admin, None, CITY, Some(centre)).await?;
        for login in ["jiancha", "jijian"] {
            add(login.into(), Role::Supervisor, None, CITY, Some(centre)).await?;
        }
        add("fazhi".into(), Role::Legal, None, CITY, Some(centre)).await?;
        add("lingdao".into(), Role::Leader, None, CITY, Some(centre)).await?;
        add(
            "jiangbei.jiancha".into(),
            Role::Supervisor,
            None,
            "361202",
            Some(north),
        )
        .await?;

        for (i, (short, name)) in DEPARTMENTS.iter().enumerate() {
            let dept = self
                .store
                .create_department(
                    name,
                    &city,
                    entry("department.create", format!("演示：{name}")),
                )
                .await?;
            let number = format!("A{:02}", i + 1);
            self.store
                .create_window(
                    centre,
                    dept,
                    &number,
                    &format!("{}综合窗口", name.trim_start_matches("清江市")),
                    entry("window.create", format!("演示：窗口 {number}")),
                )
                .await?;
            let d = Some((dept, *name));
            let clerk = add(format!("{short}.clerk"), Role::Clerk, d, CITY, Some(centre)).await?;
            let approver = add(format!("{short}.approver"), Role::Approver, d, CITY, None).await?;
            let head = add(format!("{short}.head"), Role::DeptHead, d, CITY, None).await?;
            for (post, holder, sub) in [
                ("受理岗", clerk, approver),
                ("审核岗", approver, head),
                ("决定岗", head, approver),
            ] {
                self.store
                    .create_post(
                        dept,
                        post,
                        holder,
                        Some(sub),
                        entry("post.create", format!("演示：{name} {post}")),
                    )
                    .await?;
            }
            let sub_hall = match *short {
                "scjg" => Some((north, "B01")),
                "rsj" => Some((south, "C01")),
                _ => None,
            };
            if let Some((hall_id, number)) = sub_hall {
                let label = format!("{}分厅窗口", name.trim_start_matches("清江市"));
                self.store
                    .create_window(
                        hall_id,
                        dept,
                        number,
                        &label,
                        entry("window.create", format!("演示：窗口 {number}")),
                    )
                    .await?;
                add(
                    format!("{short}.clerk2"),
                    Role::Clerk,
                    d,
                    CITY,
                    Some(hall_id),
                )
                .await?;
            }
        }
        for (login, village) in [
            ("daiban.binjiang", "361202001001"),
            ("daiban.taoyuan", "361203101201"),
        ] {
            let hall_id = village_halls
                .iter()
                .find(|(c, _)| *c == village)
                .map(|(_, id)| *id);
            add(login.into(), Role::Agent, None, village, hall_id).await?;
        }
        add(
            "daiban.center".into(),
            Role::Agent,
            None,
            CITY,
            Some(centre),
        )
        .await?;

        for i in 1..=20usize {
            let district = ["361202", "361203", "361221"][i % 3];
            let birth = format!(
                "{}{:02}{:02}",
                1950 + (i * 3) % 55,
                1 + i % 12,
                1 + (i * 5) % 28
            );
            let id = IdNumber::complete(&format!("{district}{birth}{:03}", 100 + i * 7))
                .map_err(AppError::internal)?;
            let name = person_name(100 + i);
            let user = NewUser {
                login: format!("user{i:02}"),
                password_hash: hash.clone(),
                name: name.clone(),
                role: Some(Role::Applicant),
                applicant_kind: Some("person".into()),
                id_number: Some(id.as_str().into()),
                phone: Some(format!("139{:08}", 36_120_000 + i)),
                ..NewUser::default()
            };
            self.store
                .create_user(
                    &user,
                    now,
                    entry("account.register", format!("演示：个人 {}", id.masked())),
                )
                .await?;
            accounts.push(DemoAccount {
                login: user.login,
                role: Role::Applicant,
                name,
                unit: "个人".into(),
            });
        }
        let companies = [
            "星火科技有限公司",
            "江南食品有限公司",
            "青山茶业合作社",
            "清江建设工程有限公司",
            "滨江餐饮管理有限公司",
        ];
        for (i, company) in companies.iter().enumerate() {
            let district = ["361202", "361203", "361221"][i % 3];
            let uscc = Uscc::complete(&format!("91{district}MA{:07}", 3_000_123 + i * 1_111))
                .map_err(AppError::internal)?;
            let user = NewUser {
                login: format!("corp{:02}", i + 1),
                password_hash: hash.clone(),
                name: format!("清江市{company}"),
                role: Some(Role::Applicant),
                applicant_kind: Some("company".into()),
                uscc: Some(uscc.as_str().into()),
                email: Some(format!("corp{:02}@example.cn", i + 1)),
                ..NewUser::default()
            };
            self.store
                .create_user(
                    &user,
                    now,
                    entry("account.register", format!("演示：法人 {uscc}")),
                )
                .await?;
            accounts.push(DemoAccount {
                login: user.login,
                role: Role::Applicant,
                name: user.name,
                unit: "法人".into(),
            });
        }
        Ok(accounts)
    }
}

/// Demo materials that get a blank template to download: the application forms.
/// A printable blank form for a material, as a PDF set by the document service.
fn blank_form(item: &str, material: &str) -> Result<Vec<u8>> {
    use tongban_domain::catalog::blank_form;
    let rows: Vec<tongban_documents::form::FormRow> = blank_form::ROWS
        .iter()
        .map(|(label, lines)| tongban_documents::form::FormRow {
            label: (*label).to_string(),
            lines: *lines,
        })
        .collect();
    tongban_documents::form::blank_form_pdf(
        material,
        &blank_form::subtitle(item),
        &rows,
        blank_form::NOTE,
    )
    .map_err(AppError::internal)
}

impl App {
    /// Loads the demo catalog: each item drafted by its department's head, given blank forms
    /// for its application materials, and taken through the three reviews with comments, so
    /// the demo has a history. The last two stay in review for trying the reviews out.
    pub async fn load_demo_catalog(&self) -> Result<usize> {
        use tongban_domain::catalog::ItemAction;
        let departments = self.store.departments(None).await?;
        let dept_id = |short: &str| {
            DEPARTMENTS
                .iter()
                .find(|(s, _)| *s == short)
                .and_then(|(_, name)| departments.iter().find(|d| d.name == *name))
                .map(|d| d.id)
        };
        let mut items = crate::demo_catalog::demo_items(&dept_id).map_err(AppError::internal)?;
        let actor = |login: String| async move {
            let user = self
                .store
                .user_by_login(&login)
                .await?
                .ok_or_else(|| AppError::internal(format!("demo account {login} missing")))?;
            Ok::<_, AppError>(crate::accounts::actor_of(&user))
        };
        let (first, second, last) = (
            actor("jiancha".into()).await?,
            actor("fazhi".into()).await?,
            actor("lingdao".into()).await?,
        );
        let total = items.len();
        for (n, item) in items.iter_mut().enumerate() {
            let short = DEPARTMENTS
                .iter()
                .find(|(s, _)| dept_id(s) == Some(item.department_id))
                .map(|(s, _)| *s)
                .unwrap_or("scjg");
            let head = actor(format!("{short}.head")).await?;
            for m in item
                .materials
                .iter_mut()
                .filter(|m| tongban_domain::catalog::blank_form::is_form(&m.name))
            {
                let entry =
                    self.system_entry("file.put", String::new(), format!("演示：{} 空表", m.name));
                let hash = self
                    .store
                    .put_file(
                        &format!("{}（空表）.pdf", m.name),
                        "application/pdf",
                        &blank_form(&item.name, &m.name)?,
                        self.now(),
                        entry,
                    )
                    .await?;
                m.template_file = Some(hash);
            }
            let id = self.create_item(&head, item).await?;
            self.item_action(&head, id, 1, ItemAction::Submit, "申报事项，请审核", None)
                .await?;
            if n + 2 >= total {
                continue;
            }
            self.item_action(
                &first,
                id,
                1,
                ItemAction::Approve,
                "要素齐全，同意提交复审",
                None,
            )
            .await?;
            self.item_action(
                &second,
                id,
                1,
                ItemAction::Approve,
                "设定依据合法有效",
                None,
            )
            .await?;
            self.item_action(&last, id, 1, ItemAction::Approve, "同意发布", None)
                .await?;
        }
        // 一件事一次办: the bundles made of the items just published.
        self.load_demo_bundles().await?;
        Ok(total)
    }
}
