//! The demo's proactive-disclosure catalog: 200 entries of the two disclosure offices
//! ([`crate::demo_disclosure::OFFICES`]) formed from January 2025 to about three weeks ago,
//! under every heading, each published within its 20 working days except one published late
//! (a `publish_late` finding); a few 规章 and 规范性文件 abolished; three entries still pending
//! (one of them past its due day, so the board lights it red and the sweeper records the
//! finding); the city's monthly 政府公报 listing its 规章 and 规范性文件; and both guides.
//! Load it after [`App::load_demo_disclosure`].

use chrono::{Datelike, Duration, NaiveDate};
use tongban_domain::disclosure::catalog::{publication_due, Heading};
use tongban_domain::time::local_date;
use tongban_store::disclosure_catalog::NewCatalogEntry;

use crate::demo_disclosure::OFFICES;
use crate::error::invalid;
use crate::{App, AppError, Result};

/// How many entries the demo catalog holds.
pub const DEMO_ENTRIES: usize = 200;

const SUBJECTS: &[&str] = &[
    "城市供水",
    "农贸市场",
    "公共停车",
    "物业服务",
    "养老服务",
    "学前教育",
    "河道保洁",
    "燃气安全",
    "校外培训",
    "夜间经济",
    "老旧小区改造",
    "垃圾分类",
];

fn title(h: Heading, i: usize, year: i32) -> (String, Option<String>, String) {
    let s = SUBJECTS[i % SUBJECTS.len()];
    let n = i + 1;
    let (t, doc) = match h {
        Heading::Functions => (format!("机构职能及内设机构调整说明（{s}）"), None),
        Heading::Rules => (
            format!("清江市{s}管理办法"),
            Some(format!("清江市人民政府令第{n}号")),
        ),
        Heading::Normative => (
            format!("关于进一步加强{s}工作的通知"),
            Some(format!("清府规〔{year}〕{n}号")),
        ),
        Heading::Plans => (format!("{s}“十五五”专项规划（征求意见稿说明）"), None),
        Heading::Statistics => (format!("{year}年{s}统计数据"), None),
        Heading::Licensing => (
            format!("{s}相关行政许可决定公示（第{n}批）"),
            Some(format!("清许〔{year}〕{n}号")),
        ),
        Heading::Penalty => (
            format!("行政处罚决定公示（{s}）"),
            Some(format!("清罚〔{year}〕{n}号")),
        ),
        Heading::Coercion => (format!("行政强制决定公示（{s}）"), None),
        Heading::Fees => (
            format!("{year}年第{}批行政事业性收费公示", n % 12 + 1),
            None,
        ),
        Heading::Budget => (format!("{year}年部门预算公开（{s}）"), None),
        Heading::Procurement => (format!("{s}服务项目政府采购中标结果公告"), None),
        Heading::Tendering => (format!("{s}提升工程施工招标公告"), None),
        Heading::Land => (
            format!("清江市QJ-{n:03}地块国有建设用地使用权出让公告"),
            None,
        ),
        Heading::Funds => (format!("{year}年{s}专项资金分配结果公示"), None),
        Heading::Property => (format!("{s}国有资产产权交易公告"), None),
        Heading::Recruitment => (format!("{year}年{s}岗位公开招聘拟录用人员公示"), None),
        Heading::Planning => (format!("{s}片区控制性详细规划批后公布"), None),
        Heading::Emergency => (format!("{s}突发事件应急预案"), None),
        Heading::Other => (format!("{s}工作动态"), None),
    };
    let body = format!(
        "{t}\n\n一、背景和依据\n根据《中华人民共和国政府信息公开条例》及有关规定，现将{s}有关情况予以公开。\n\n二、主要内容\n（演示数据）本件为清江市演示城市的主动公开信息，内容仅供试用。\n\n三、联系方式\n清江市人民政府办公室（政务公开办），电话 0791-0000000。"
    );
    (t, doc, body)
}

impl App {
    /// Loads the demo catalog (see the module). Returns the 索引号 of the entries, in order.
    pub async fn load_demo_disclosure_catalog(&self) -> Result<Vec<String>> {
        let now = self.now();
        let today = local_date(now);
        let depts = self.store.departments(None).await?;
        let mut offices = Vec::new();
        for (_, name, _) in OFFICES {
            let d = depts
                .iter()
                .find(|d| d.name == *name)
                .ok_or_else(|| AppError::internal(format!("demo office {name} missing")))?;
            offices.push(d.clone());
        }
        let first =
            NaiveDate::from_ymd_opt(2025, 1, 6).ok_or_else(|| AppError::internal("date"))?;
        let last = today - Duration::days(30);
        let span = (last - first).num_days().max(1);
        let headings = Heading::ALL;
        let mut numbers = Vec::new();
        for i in 0..DEMO_ENTRIES {
            let office = &offices[i % offices.len()];
            let region = office.region_code.as_str().to_string();
            let cal = self.calendar_for(&region).await?;
            // Half the entries are 规章, 规范性文件 and the decisions table 二 counts.
            let heading = match i % 4 {
                0 => [Heading::Rules, Heading::Normative, Heading::Normative][(i / 4) % 3],
                1 => [
                    Heading::Licensing,
                    Heading::Penalty,
                    Heading::Coercion,
                    Heading::Fees,
                ][(i / 4) % 4],
                _ => headings[(i * 7) % headings.len()],
            };
            let pending = i >= DEMO_ENTRIES - 3;
            let formed_on = if pending {
                // Two still within their 20 working days, one past them.
                today - Duration::days([40, 10, 3][i - (DEMO_ENTRIES - 3)])
            } else {
                first + Duration::days((i as i64 * span) / DEMO_ENTRIES as i64)
            };
            let due_on = publication_due(formed_on, &cal).map_err(invalid)?;
            let published_on = if pending {
                None
            } else if i == 7 {
                // The one published late.
                Some((due_on + Duration::days(9)).min(today))
            } else {
                Some((formed_on + Duration::days((i % 12) as i64)).min(due_on))
            };
            let (t, doc_number, body) = title(heading, i, formed_on.year());
            let new = NewCatalogEntry {
                department_id: office.id,
                region: region.clone(),
                heading,
                title: t.clone(),
                doc_number,
                body,
                amount_fen: (heading == Heading::Fees).then_some(1_234_500 + i as i64 * 10_000),
                formed_on,
                due_on,
                created_by: None,
            };
            let audit = self.system_entry(
                "disclosure.catalog_register",
                String::new(),
                format!("演示：主动公开目录 {}《{t}》", heading.label()),
            );
            let row = self
                .store
                .insert_catalog_entry(
                    &new,
                    published_on,
                    |row| self.catalog_write(row, &cal, audit, now),
                    now,
                )
                .await??;
            let row = match (heading, published_on) {
                (Heading::Rules | Heading::Normative, Some(p)) if i % 5 == 0 => {
                    let on = p + Duration::days(200);
                    if on < today {
                        let audit = self.system_entry(
                            "disclosure.catalog_abolish",
                            String::new(),
                            format!("演示：废止《{t}》"),
                        );
                        self.store
                            .change_catalog_entry(
                                &tongban_store::disclosure_catalog::CatalogChange {
                                    id: row.id,
                                    from:
                                        tongban_domain::disclosure::catalog::EntryStatus::Published,
                                    to: tongban_domain::disclosure::catalog::EntryStatus::Abolished,
                                    on,
                                },
                                |r| self.catalog_write(r, &cal, audit, now),
                                now,
                            )
                            .await??
                    } else {
                        row
                    }
                }
                _ => row,
            };
            self.index_entry(&row);
            numbers.push((
                row.id,
                row.index_no.clone(),
                office.id,
                heading,
                published_on,
            ));
        }
        // The city's monthly 政府公报: its 规章 and 规范性文件 published in the month.
        let city = &offices[0];
        let mut month = first
            .with_day(1)
            .ok_or_else(|| AppError::internal("date"))?;
        let mut issue_of_year = (first.year(), 0);
        while month <= today {
            let next = if month.month() == 12 {
                NaiveDate::from_ymd_opt(month.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(month.year(), month.month() + 1, 1)
            }
            .ok_or_else(|| AppError::internal("date"))?;
            let ids: Vec<i64> = numbers
                .iter()
                .filter(|(_, _, d, h, p)| {
                    *d == city.id
                        && matches!(h, Heading::Rules | Heading::Normative)
                        && p.is_some_and(|p| p >= month && p < next)
                })
                .map(|n| n.0)
                .collect();
            if !ids.is_empty() && next <= today {
                if issue_of_year.0 != month.year() {
                    issue_of_year = (month.year(), 0);
                }
                issue_of_year.1 += 1;
                let title = format!(
                    "清江市人民政府公报{}年第{}期（{}月）",
                    month.year(),
                    issue_of_year.1,
                    month.month()
                );
                let audit = self.system_entry(
                    "disclosure.gazette_publish",
                    String::new(),
                    format!("演示：{title}"),
                );
                self.store
                    .insert_gazette(
                        city.id,
                        city.region_code.as_str(),
                        month.year(),
                        issue_of_year.1,
                        &title,
                        next,
                        &ids,
                        audit,
                        now,
                    )
                    .await?;
            }
            month = next;
        }
        for o in &offices {
            let audit = self.system_entry(
                "disclosure.guide_save",
                format!("department:{}", o.id),
                "演示：政府信息公开指南".into(),
            );
            let text = format!(
                "{}政府信息公开指南\n\n一、主动公开\n本机关主动公开的政府信息在“主动公开目录”中按栏目发布，信息自形成或者变更之日起20个工作日内公开；规章和规范性文件同时刊登于政府公报。\n\n二、依申请公开\n公民、法人或者其他组织可以通过本网站在线提交申请，也可以当面、邮寄或者传真提交。本机关自收到申请之日起20个工作日内答复；需要延长的，经负责人同意，延长期限最长不超过20个工作日。\n\n三、受理机构\n{}，办公时间：工作日 9:00—12:00、13:30—17:30。",
                o.name, o.name
            );
            self.store
                .save_catalog_guide(o.id, &text, 0, audit, now)
                .await?;
        }
        Ok(numbers.into_iter().map(|n| n.1).collect())
    }
}
