//! Local rules as settings: each has a key, a documented default and a parser. Stored values
//! override defaults; a value that does not parse is refused when it is set.

use chrono::Duration;
use tongban_domain::account::LockoutPolicy;
use tongban_domain::codes;

use crate::error::{AppError, Result};

/// One setting: its key, default, and what it means.
pub struct SettingDef {
    pub key: &'static str,
    pub default: &'static str,
    pub min: i64,
    pub max: i64,
    pub label: &'static str,
}

/// Every setting there is, with its default. The README's configuration section lists these.
pub const DEFS: &[SettingDef] = &[
    SettingDef {
        key: "session.idle_minutes",
        default: "30",
        min: 5,
        max: 480,
        label: "会话空闲超时（分钟）",
    },
    SettingDef {
        key: "session.absolute_hours",
        default: "12",
        min: 1,
        max: 72,
        label: "会话最长有效期（小时）",
    },
    SettingDef {
        key: "session.cache_seconds",
        default: "5",
        min: 0,
        max: 60,
        label: "会话校验在本服务器内存中保留的秒数（0：每次请求都读数据库）",
    },
    SettingDef {
        key: "login.max_failures",
        default: "5",
        min: 3,
        max: 20,
        label: "连续登录失败锁定次数",
    },
    SettingDef {
        key: "login.lock_minutes",
        default: "15",
        min: 1,
        max: 1440,
        label: "锁定时长（分钟）",
    },
    SettingDef {
        key: "login.ip_attempts_per_15min",
        default: "30",
        min: 5,
        max: 1000,
        label: "同一地址15分钟内登录尝试上限",
    },
    SettingDef {
        key: "password.min_length",
        default: "8",
        min: 8,
        max: 64,
        label: "密码最短长度",
    },
    SettingDef {
        key: "sms_code.valid_minutes",
        default: "5",
        min: 1,
        max: 30,
        label: "短信验证码有效期（分钟）",
    },
    SettingDef {
        key: "sms_code.resend_seconds",
        default: "60",
        min: 30,
        max: 600,
        label: "同一手机号重新获取验证码的间隔（秒）",
    },
    SettingDef {
        key: "sms_code.per_hour",
        default: "5",
        min: 1,
        max: 20,
        label: "同一手机号每小时最多获取验证码次数",
    },
    SettingDef {
        key: "sms_code.max_tries",
        default: "5",
        min: 1,
        max: 10,
        label: "一个验证码最多可输错次数",
    },
    SettingDef {
        key: "case.deferred_days",
        default: "5",
        min: 1,
        max: 60,
        label: "容缺材料补交期限（工作日）",
    },
    SettingDef {
        key: "case.extension_days",
        default: "10",
        min: 1,
        max: 10,
        label: "单一部门办理延期（工作日，行政许可法第四十二条）",
    },
    SettingDef {
        key: "case.joint_extension_days",
        default: "15",
        min: 1,
        max: 15,
        label: "联合办理（45日）延期（工作日）",
    },
    SettingDef {
        key: "case.special_counting",
        default: "1",
        min: 0,
        max: 1,
        label: "特殊程序时间扣除规则（1：起日不计入、恢复日计入；0：起止日均不计入）",
    },
    SettingDef {
        key: "case.supplement_days",
        default: "10",
        min: 1,
        max: 60,
        label: "补正材料通知书给申请人的补正期限（工作日）",
    },
    SettingDef {
        key: "case.max_upload_mb",
        default: "10",
        min: 1,
        max: 100,
        label: "单个申请材料文件大小上限（MB）",
    },
    SettingDef {
        key: "supervision.yellow_percent",
        default: "90",
        min: 50,
        max: 99,
        label: "黄灯预警：已用时限达到的百分比",
    },
    SettingDef {
        key: "supervision.yellow_days_left",
        default: "1",
        min: 0,
        max: 10,
        label: "黄灯预警：剩余工作日不超过",
    },
    SettingDef {
        key: "supervision.short_yellow_hour",
        default: "12",
        min: 0,
        max: 23,
        label: "短时限黄灯：按上两项自开始即为黄灯的时限，改为到期日当天几时起预警",
    },
    SettingDef {
        key: "supervision.sweep_poll_seconds",
        default: "1",
        min: 1,
        max: 3600,
        label: "预警扫描最长间隔（秒）：其他服务器写入的时限节点最迟在此时间内被发现",
    },
    SettingDef {
        key: "supervision.backdate_hours",
        default: "24",
        min: 1,
        max: 720,
        label: "体外循环：录入时间晚于业务时间超过（小时）",
    },
    SettingDef {
        key: "supervision.order_reply_days",
        default: "5",
        min: 1,
        max: 30,
        label: "督办回复期限（工作日）",
    },
    SettingDef {
        key: "notify.quiet_start_hour",
        default: "22",
        min: 0,
        max: 23,
        label: "免打扰时段开始（时，预警短信与邮件顺延至结束）",
    },
    SettingDef {
        key: "notify.quiet_end_hour",
        default: "8",
        min: 0,
        max: 23,
        label: "免打扰时段结束（时；与开始相同则不设免打扰）",
    },
    SettingDef {
        key: "supervision.double_intake_days",
        default: "30",
        min: 1,
        max: 365,
        label: "两头受理：中心窗口与部门受理点收件相隔不超过（日历日）",
    },
    SettingDef {
        key: "licence.valid_years",
        default: "5",
        min: 1,
        max: 30,
        label: "电子证照有效期（年，事项未另行规定时）",
    },
    SettingDef {
        key: "licence.reminder_days",
        default: "30",
        min: 1,
        max: 365,
        label: "证照到期前提醒持证人（日历日）",
    },
    SettingDef {
        key: "calendar.provisional",
        default: "1",
        min: 0,
        max: 1,
        label: "未公布年份按法定节假日推算时限（1 推算，0 不推算）",
    },
    SettingDef {
        key: "disclosure.supplement_days",
        default: "15",
        min: 1,
        max: 60,
        label: "政府信息公开申请补正期限（工作日）",
    },
    SettingDef {
        key: "disclosure.fee_days",
        default: "20",
        min: 1,
        max: 60,
        label: "信息处理费缴费期限（工作日）",
    },
    SettingDef {
        key: "disclosure.agency_days",
        default: "15",
        min: 1,
        max: 60,
        label: "征求其他机关意见的答复期限（工作日）",
    },
    SettingDef {
        key: "opengov.consultation_days",
        default: "30",
        min: 1,
        max: 180,
        label: "公开征求意见的默认期限（自然日）",
    },
    SettingDef {
        key: "opengov.consultation_min_days",
        default: "30",
        min: 1,
        max: 180,
        label: "公开征求意见的最短期限（自然日）",
    },
    SettingDef {
        key: "opengov.report_days",
        default: "15",
        min: 1,
        max: 60,
        label: "征求意见结束后公布采纳情况的期限（工作日）",
    },
    SettingDef {
        key: "opengov.proposal_reply_months",
        default: "3",
        min: 1,
        max: 12,
        label: "建议提案自交办之日起的答复期限（月）",
    },
    SettingDef {
        key: "opengov.publicity_days.licensing",
        default: "5",
        min: 1,
        max: 90,
        label: "行政许可事项结果公示的最短公示期（工作日）",
    },
    SettingDef {
        key: "opengov.publicity_days.procurement",
        default: "1",
        min: 1,
        max: 90,
        label: "政府采购结果公告的最短期限（工作日）",
    },
    SettingDef {
        key: "opengov.publicity_days.tendering",
        default: "3",
        min: 1,
        max: 90,
        label: "建设工程中标候选人的最短公示期（自然日）",
    },
    SettingDef {
        key: "opengov.publicity_days.land",
        default: "10",
        min: 1,
        max: 90,
        label: "经营性土地使用权出让公示的最短期限（自然日）",
    },
    SettingDef {
        key: "opengov.publicity_days.funds",
        default: "5",
        min: 1,
        max: 90,
        label: "专项资金分配公示的最短期限（工作日）",
    },
    SettingDef {
        key: "opengov.publicity_days.property",
        default: "20",
        min: 1,
        max: 90,
        label: "产权交易信息披露的最短期限（工作日）",
    },
    SettingDef {
        key: "opengov.publicity_days.hiring",
        default: "7",
        min: 1,
        max: 90,
        label: "人员录用拟聘名单的最短公示期（工作日）",
    },
    SettingDef {
        key: "opengov.publicity_days.planning",
        default: "30",
        min: 1,
        max: 90,
        label: "城市规划和建设批前公示的最短期限（自然日）",
    },
    SettingDef {
        key: "opengov.objection_days",
        default: "5",
        min: 1,
        max: 30,
        label: "公示异议的答复期限（工作日）",
    },
    SettingDef {
        key: "opengov.publicity_outcome_days",
        default: "5",
        min: 1,
        max: 30,
        label: "公示期满后公布结果的期限（工作日）",
    },
    SettingDef {
        key: "opengov.agenda_days",
        default: "3",
        min: 0,
        max: 30,
        label: "公开会议会前公示议题的最短天数（自然日）",
    },
    SettingDef {
        key: "opengov.minutes_days",
        default: "7",
        min: 1,
        max: 60,
        label: "公开会议会后公布会议纪要的期限（工作日）",
    },
    SettingDef {
        key: "opengov.hall_seconds",
        default: "20",
        min: 5,
        max: 600,
        label: "大厅电子显示屏每屏停留的秒数",
    },
    SettingDef {
        key: "opengov.kiosk_idle_seconds",
        default: "90",
        min: 15,
        max: 1800,
        label: "触摸屏无操作返回首页的秒数",
    },
    SettingDef {
        key: "disclosure.reasons_days",
        default: "15",
        min: 1,
        max: 60,
        label: "要求申请人说明理由的期限（第三十五条，工作日）",
    },
    SettingDef {
        key: "upload.quota_mb",
        default: "200",
        min: 1,
        max: 100000,
        label: "每个账号上传材料的总量上限（MB）",
    },
    SettingDef {
        key: "portal.hot_min_searches",
        default: "3",
        min: 1,
        max: 1000,
        label: "首页热门搜索：一周内至少被搜索多少次才展示",
    },
    SettingDef {
        key: "upload.orphan_days",
        default: "30",
        min: 1,
        max: 3650,
        label: "上传后无办件引用的材料文件保留天数（期满删除）",
    },
    SettingDef {
        key: "hotline.sla.consult_days",
        default: "2",
        min: 1,
        max: 60,
        label: "12345咨询类工单办理时限（工作日）",
    },
    SettingDef {
        key: "hotline.sla.help_days",
        default: "10",
        min: 1,
        max: 60,
        label: "12345求助类工单办理时限（工作日）",
    },
    SettingDef {
        key: "hotline.sla.complaint_days",
        default: "15",
        min: 1,
        max: 60,
        label: "12345投诉类工单办理时限（工作日）",
    },
    SettingDef {
        key: "hotline.sla.report_days",
        default: "15",
        min: 1,
        max: 60,
        label: "12345举报类工单办理时限（工作日）",
    },
    SettingDef {
        key: "hotline.sla.suggestion_days",
        default: "10",
        min: 1,
        max: 60,
        label: "12345建议类工单办理时限（工作日）",
    },
    SettingDef {
        key: "hotline.urgent_hours",
        default: "24",
        min: 1,
        max: 168,
        label: "12345紧急工单办理时限（小时，连续计算）",
    },
    SettingDef {
        key: "hotline.return_days",
        default: "1",
        min: 0,
        max: 10,
        label: "承办单位可退单的期限（派单后工作日）",
    },
    SettingDef {
        key: "hotline.max_returns",
        default: "2",
        min: 0,
        max: 10,
        label: "一张工单最多可退单次数",
    },
    SettingDef {
        key: "hotline.max_extension_days",
        default: "10",
        min: 1,
        max: 60,
        label: "单次延期申请最多天数（工作日）",
    },
    SettingDef {
        key: "hotline.callback_days",
        default: "3",
        min: 1,
        max: 15,
        label: "答复后回访期限（工作日），期满未回访自动办结",
    },
    SettingDef {
        key: "hotline.sign_hours",
        default: "24",
        min: 1,
        max: 168,
        label: "派单后签收时限（小时），响应率按此计算",
    },
    SettingDef {
        key: "hotline.max_reworks",
        default: "1",
        min: 0,
        max: 5,
        label: "回访不满意可重办的次数",
    },
    SettingDef {
        key: "hotline.duplicate_days",
        default: "7",
        min: 0,
        max: 90,
        label: "疑似重复诉求的比对天数（同一来电号码，或同一事项分类和地址），0为不提示",
    },
    SettingDef {
        key: "hotline.photo_max_count",
        default: "4",
        min: 0,
        max: 9,
        label: "每件诉求可上传的照片数，0为不收照片",
    },
    SettingDef {
        key: "hotline.photo_max_kb",
        default: "5120",
        min: 64,
        max: 20480,
        label: "每张照片的大小上限（KB）",
    },
    SettingDef {
        key: "hotline.photo_jpeg",
        default: "1",
        min: 0,
        max: 1,
        label: "是否接收 JPEG 照片（1收，0不收）",
    },
    SettingDef {
        key: "hotline.photo_png",
        default: "1",
        min: 0,
        max: 1,
        label: "是否接收 PNG 照片（1收，0不收）",
    },
    SettingDef {
        key: "rating.default_days",
        default: "7",
        min: 1,
        max: 30,
        label: "服务结束后未评价视为基本满意的期限（自然日）",
    },
    SettingDef {
        key: "rating.rectify_days",
        default: "15",
        min: 5,
        max: 15,
        label: "差评整改期限（工作日）",
    },
    SettingDef {
        key: "rating.callback_days",
        default: "1",
        min: 1,
        max: 5,
        label: "差评回访期限（工作日）",
    },
];

/// The disclosure procedure's local values, in working days: the applicant's time for a 补正
/// and for paying a fee, and another agency's time to answer a consultation (a third party's
/// 15 days are the law's, not a setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisclosureRules {
    pub supplement_days: u32,
    pub fee_days: u32,
    pub agency_days: u32,
    /// 第三十五条: the applicant's time to give reasons.
    pub reasons_days: u32,
}

/// Settings a region may set for itself, as `key@region`, e.g. `supervision.yellow_percent@511300`:
/// the longest matching region prefix wins over the city-wide value.
pub const REGIONAL: &[&str] = &[
    "supervision.yellow_percent",
    "supervision.yellow_days_left",
    "supervision.short_yellow_hour",
    "calendar.provisional",
    "hotline.sla.consult_days",
    "hotline.sla.help_days",
    "hotline.sla.complaint_days",
    "hotline.sla.report_days",
    "hotline.sla.suggestion_days",
    "hotline.urgent_hours",
];

/// The settings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// How long a checked session is kept in memory (0: not kept).
    pub session_cache: Duration,
    /// The longest the warning sweeper sleeps without reading the crossing index again.
    pub sweep_poll: Duration,
    pub lockout: LockoutPolicy,
    pub ip_attempts_per_15min: u32,
    pub password_min_length: usize,
    /// SMS codes for signing in and resetting a password.
    pub sms_code: SmsCodeRules,
    pub case_rules: tongban_domain::case::CaseRules,
    pub max_upload_bytes: usize,
    /// The most one account may have uploaded, counting each of its files once.
    pub upload_quota_bytes: i64,
    /// Days an upload no case took up is kept before the sweeper removes it.
    pub upload_orphan_days: i64,
    /// How many searches a query needs in a week before the home page shows it as hot.
    pub hot_min_searches: i64,
    pub warnings: tongban_domain::supervision::WarningRules,
    pub backdate_limit: Duration,
    pub order_reply_days: u32,
    /// 两头受理: two intakes of one matter this many calendar days apart or fewer are a pair.
    pub double_intake_days: u32,
    /// Warning rules set for a region subtree, longest prefix first.
    pub regional_warnings: Vec<(String, tongban_domain::supervision::WarningRules)>,
    pub quiet_hours: QuietHours,
    /// Years an e-licence is valid for when its item says nothing else.
    pub licence_valid_years: u32,
    /// Calendar days before its last day that a licence's holder is reminded.
    pub licence_reminder_days: u32,
    /// Whether deadlines may run on provisional years (city-wide).
    pub provisional: bool,
    /// Regions that set `calendar.provisional` for themselves, longest prefix first.
    pub regional_provisional: Vec<(String, bool)>,
    /// The hotline's time limits city-wide.
    pub hotline_sla: tongban_domain::hotline::SlaTable,
    /// Regions with hotline time limits of their own, longest prefix first.
    pub regional_sla: Vec<(String, tongban_domain::hotline::SlaTable)>,
    /// The hotline's bounds on returns, extensions, call-backs and rework.
    pub hotline: tongban_domain::hotline::HotlineRules,
    /// 好差评: the default-rating days and the rectification's deadlines.
    pub ratings: tongban_domain::rating::RatingRules,
    /// Local values of the disclosure procedure.
    pub disclosure: DisclosureRules,
    /// Local values of open government (政务公开).
    pub opengov: OpengovRules,
}

/// Open government's local values: a consultation's default and shortest period (natural
/// days; 重大行政决策程序暂行条例 第十五条: 一般不少于30日), the working days after it for the
/// adoption report, and the months a unit has to reply to a proposal from its 交办.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpengovRules {
    pub consultation: tongban_domain::opengov::ConsultationRules,
    pub proposal_reply_months: u32,
    /// Publicity notices: each area's shortest period, the objection and outcome deadlines.
    pub publicity: tongban_domain::opengov::PublicityRules,
    /// Open meetings: the agenda's days before, the minutes' working days after.
    pub meeting: tongban_domain::opengov::MeetingRules,
    /// Seconds each screen of the hall display stays.
    pub hall_seconds: u32,
    /// Seconds without a touch before the kiosk goes back to its home.
    pub kiosk_idle_seconds: u32,
}

/// SMS codes: how long one is valid, how soon another may be asked for the same phone, how
/// many a phone may get in an hour, and how many wrong tries one code allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsCodeRules {
    pub valid: Duration,
    pub resend: Duration,
    pub per_hour: i64,
    pub max_tries: i64,
}

/// Hours (Shanghai) in which warning messages wait: from `start` until `end`, across midnight
/// when `start > end`; none when they are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: u32,
    pub end: u32,
}

impl QuietHours {
    /// When a message written at `now` may go out: `now`, or the end of the quiet hours.
    pub fn release(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
        use chrono::Timelike;
        let local = now.with_timezone(&tongban_domain::time::shanghai());
        let h = local.hour();
        let quiet = match self.start.cmp(&self.end) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => h >= self.start && h < self.end,
            std::cmp::Ordering::Greater => h >= self.start || h < self.end,
        };
        if !quiet {
            return now;
        }
        let mut day = local.date_naive();
        if h >= self.end {
            day = day.succ_opt().unwrap_or(day);
        }
        day.and_hms_opt(self.end, 0, 0)
            .and_then(|t| {
                t.and_local_timezone(tongban_domain::time::shanghai())
                    .single()
            })
            .map_or(now, |t| t.with_timezone(&chrono::Utc))
    }
}

impl Settings {
    /// The warning rules for a case of `region`: its region's own, else the city-wide ones.
    pub fn warnings_for(&self, region: &str) -> tongban_domain::supervision::WarningRules {
        self.regional_warnings
            .iter()
            .find(|(prefix, _)| region.starts_with(prefix.as_str()))
            .map_or(self.warnings, |(_, r)| *r)
    }

    /// The hotline's time limits for a ticket of `region`: its region's own, else the city's.
    pub fn sla_for(&self, region: &str) -> tongban_domain::hotline::SlaTable {
        self.regional_sla
            .iter()
            .find(|(prefix, _)| region.starts_with(prefix.as_str()))
            .map_or(self.hotline_sla, |(_, t)| *t)
    }

    /// Whether the deadlines of a case of `region` may run on provisional years.
    pub fn provisional_for(&self, region: &str) -> bool {
        self.regional_provisional
            .iter()
            .find(|(prefix, _)| region.starts_with(prefix.as_str()))
            .map_or(self.provisional, |(_, p)| *p)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from_pairs(&[]).expect("defaults parse")
    }
}

fn def(key: &str) -> Option<&'static SettingDef> {
    DEFS.iter().find(|d| d.key == key)
}

/// Parses a value for `key`, refusing unknown keys and values out of range.
pub fn parse_value(key: &str, value: &str) -> Result<i64> {
    let key = match key.split_once('@') {
        Some((base, region)) => {
            if !REGIONAL.contains(&base) {
                return Err(AppError::new(
                    codes::Setting::NotRegional,
                    format!("设置项“{base}”不能按地区设置"),
                ));
            }
            tongban_domain::region::RegionCode::parse(region).map_err(|_| {
                AppError::new(
                    codes::Setting::Region,
                    format!("“{region}”不是有效的行政区划代码"),
                )
            })?;
            base
        }
        None => key,
    };
    let d = def(key).ok_or_else(|| {
        AppError::new(codes::Setting::Unknown, format!("没有名为“{key}”的设置项"))
    })?;
    let n: i64 = value.trim().parse().map_err(|_| {
        AppError::new(
            codes::Setting::Value,
            format!("“{}”应为整数，收到“{value}”", d.label),
        )
    })?;
    if n < d.min || n > d.max {
        return Err(AppError::new(
            codes::Setting::Range,
            format!("“{}”应在{}至{}之间", d.label, d.min, d.max),
        ));
    }
    Ok(n)
}

impl Settings {
    /// Builds the settings from stored pairs over the defaults.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Settings> {
        let get = |key: &str| -> Result<i64> {
            let stored = pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str());
            let default = def(key).map_or("0", |d| d.default);
            parse_value(key, stored.unwrap_or(default))
        };
        Ok(Settings {
            session_idle: Duration::minutes(get("session.idle_minutes")?),
            session_absolute: Duration::hours(get("session.absolute_hours")?),
            session_cache: Duration::seconds(get("session.cache_seconds")?),
            sweep_poll: Duration::seconds(get("supervision.sweep_poll_seconds")?),
            lockout: LockoutPolicy {
                max_failures: get("login.max_failures")? as u32,
                lock_for: Duration::minutes(get("login.lock_minutes")?),
            },
            ip_attempts_per_15min: get("login.ip_attempts_per_15min")? as u32,
            password_min_length: get("password.min_length")? as usize,
            sms_code: SmsCodeRules {
                valid: Duration::minutes(get("sms_code.valid_minutes")?),
                resend: Duration::seconds(get("sms_code.resend_seconds")?),
                per_hour: get("sms_code.per_hour")?,
                max_tries: get("sms_code.max_tries")?,
            },
            case_rules: tongban_domain::case::CaseRules {
                deferred_days: get("case.deferred_days")? as u32,
                supplement_days: get("case.supplement_days")? as u32,
                extension_days: get("case.extension_days")? as u32,
                joint_extension_days: get("case.joint_extension_days")? as u32,
                special_counting: match get("case.special_counting")? {
                    0 => tongban_domain::calendar::SpanCounting::BothEnds,
                    _ => tongban_domain::calendar::SpanCounting::StartDay,
                },
            },
            max_upload_bytes: get("case.max_upload_mb")? as usize * 1024 * 1024,
            upload_quota_bytes: get("upload.quota_mb")? * 1024 * 1024,
            upload_orphan_days: get("upload.orphan_days")?,
            hot_min_searches: get("portal.hot_min_searches")?,
            warnings: tongban_domain::supervision::WarningRules {
                yellow_percent: get("supervision.yellow_percent")? as u32,
                yellow_days_left: get("supervision.yellow_days_left")? as u32,
                short_yellow_hour: get("supervision.short_yellow_hour")? as u32,
            },
            backdate_limit: Duration::hours(get("supervision.backdate_hours")?),
            order_reply_days: get("supervision.order_reply_days")? as u32,
            regional_warnings: regional_warnings(pairs, &get)?,
            quiet_hours: QuietHours {
                start: get("notify.quiet_start_hour")? as u32,
                end: get("notify.quiet_end_hour")? as u32,
            },
            double_intake_days: get("supervision.double_intake_days")? as u32,
            licence_valid_years: get("licence.valid_years")? as u32,
            licence_reminder_days: get("licence.reminder_days")? as u32,
            provisional: get("calendar.provisional")? == 1,
            regional_provisional: regional_provisional(pairs)?,
            hotline_sla: sla_table(&|k| get(k))?,
            regional_sla: regional_sla(pairs, &get)?,
            hotline: tongban_domain::hotline::HotlineRules {
                return_days: get("hotline.return_days")? as u32,
                max_returns: get("hotline.max_returns")? as u32,
                max_extension_days: get("hotline.max_extension_days")? as u32,
                callback_days: get("hotline.callback_days")? as u32,
                max_reworks: get("hotline.max_reworks")? as u32,
                sign_hours: get("hotline.sign_hours")? as u32,
                duplicate_days: get("hotline.duplicate_days")? as u32,
                photo_max_count: get("hotline.photo_max_count")? as u32,
                photo_max_kb: get("hotline.photo_max_kb")? as u32,
                photo_jpeg: get("hotline.photo_jpeg")? == 1,
                photo_png: get("hotline.photo_png")? == 1,
            },
            ratings: tongban_domain::rating::RatingRules {
                default_after_days: get("rating.default_days")? as u32,
                rectify_days: get("rating.rectify_days")? as u32,
                callback_days: get("rating.callback_days")? as u32,
            },
            disclosure: DisclosureRules {
                supplement_days: get("disclosure.supplement_days")? as u32,
                fee_days: get("disclosure.fee_days")? as u32,
                agency_days: get("disclosure.agency_days")? as u32,
                reasons_days: get("disclosure.reasons_days")? as u32,
            },
            opengov: OpengovRules {
                consultation: tongban_domain::opengov::ConsultationRules {
                    default_days: get("opengov.consultation_days")? as u32,
                    min_days: get("opengov.consultation_min_days")? as u32,
                    report_days: get("opengov.report_days")? as u32,
                },
                proposal_reply_months: get("opengov.proposal_reply_months")? as u32,
                publicity: tongban_domain::opengov::PublicityRules {
                    min_days: tongban_domain::opengov::PublicityArea::ALL
                        .into_iter()
                        .map(|a| {
                            get(&format!("opengov.publicity_days.{}", a.as_str()))
                                .map(|d| (a, d as u32))
                        })
                        .collect::<Result<Vec<_>>>()?,
                    objection_days: get("opengov.objection_days")? as u32,
                    outcome_days: get("opengov.publicity_outcome_days")? as u32,
                },
                meeting: tongban_domain::opengov::MeetingRules {
                    agenda_days: get("opengov.agenda_days")? as u32,
                    minutes_days: get("opengov.minutes_days")? as u32,
                },
                hall_seconds: get("opengov.hall_seconds")? as u32,
                kiosk_idle_seconds: get("opengov.kiosk_idle_seconds")? as u32,
            },
        })
    }
}

/// A hotline SLA table from a getter of setting values.
fn sla_table(get: &dyn Fn(&str) -> Result<i64>) -> Result<tongban_domain::hotline::SlaTable> {
    let days = |key: &str| -> Result<tongban_domain::calendar::WorkingDays> {
        let n = get(key)?;
        tongban_domain::calendar::WorkingDays::new(n as u32)
            .map_err(|_| AppError::new(codes::Setting::Range, format!("“{key}”应为正整数")))
    };
    Ok(tongban_domain::hotline::SlaTable {
        consult: days("hotline.sla.consult_days")?,
        help: days("hotline.sla.help_days")?,
        complaint: days("hotline.sla.complaint_days")?,
        report: days("hotline.sla.report_days")?,
        suggestion: days("hotline.sla.suggestion_days")?,
        urgent_hours: get("hotline.urgent_hours")? as u32,
    })
}

/// The regions with hotline time limits of their own, each completed from the city-wide values.
fn regional_sla(
    pairs: &[(String, String)],
    get: &dyn Fn(&str) -> Result<i64>,
) -> Result<Vec<(String, tongban_domain::hotline::SlaTable)>> {
    let mut regions: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k.starts_with("hotline."))
        .filter_map(|(k, _)| k.split_once('@').map(|(_, r)| r.to_string()))
        .collect();
    regions.sort_by_key(|r| std::cmp::Reverse(r.len()));
    regions.dedup();
    regions
        .into_iter()
        .map(|region| {
            let value = |key: &str| -> Result<i64> {
                let own = format!("{key}@{region}");
                match pairs.iter().find(|(k, _)| *k == own) {
                    Some((k, v)) => parse_value(k, v),
                    None => get(key),
                }
            };
            let table = sla_table(&value)?;
            let prefix = tongban_domain::region::RegionCode::parse(&region)
                .map(|r| r.prefix().to_string())
                .unwrap_or(region);
            Ok((prefix, table))
        })
        .collect()
}

/// The regions that allow or block provisional counting for themselves, longest prefix first.
fn regional_provisional(pairs: &[(String, String)]) -> Result<Vec<(String, bool)>> {
    let mut out: Vec<(String, bool)> = pairs
        .iter()
        .filter_map(|(k, v)| {
            let region = k.strip_prefix("calendar.provisional@")?;
            Some((k, region, v))
        })
        .map(|(k, region, v)| {
            let on = parse_value(k, v)? == 1;
            let prefix = tongban_domain::region::RegionCode::parse(region)
                .map(|r| r.prefix().to_string())
                .unwrap_or_else(|_| region.to_string());
            Ok((prefix, on))
        })
        .collect::<Result<_>>()?;
    out.sort_by_key(|(r, _)| std::cmp::Reverse(r.len()));
    Ok(out)
}

/// The regions with warning rules of their own, each completed from the city-wide values.
fn regional_warnings(
    pairs: &[(String, String)],
    get: &dyn Fn(&str) -> Result<i64>,
) -> Result<Vec<(String, tongban_domain::supervision::WarningRules)>> {
    let mut regions: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k.starts_with("supervision."))
        .filter_map(|(k, _)| k.split_once('@').map(|(_, r)| r.to_string()))
        .collect();
    regions.sort_by_key(|r| std::cmp::Reverse(r.len()));
    regions.dedup();
    regions
        .into_iter()
        .map(|region| {
            let value = |key: &str| -> Result<u32> {
                let own = format!("{key}@{region}");
                match pairs.iter().find(|(k, _)| *k == own) {
                    Some((k, v)) => parse_value(k, v),
                    None => get(key),
                }
                .map(|n| n as u32)
            };
            let rules = tongban_domain::supervision::WarningRules {
                yellow_percent: value("supervision.yellow_percent")?,
                yellow_days_left: value("supervision.yellow_days_left")?,
                short_yellow_hour: value("supervision.short_yellow_hour")?,
            };
            // Stored as the canonical prefix, so 511300 and 5113 name the same subtree.
            let prefix = tongban_domain::region::RegionCode::parse(&region)
                .map(|r| r.prefix().to_string())
                .unwrap_or(region);
            Ok((prefix, rules))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let s = Settings::default();
        assert_eq!(s.session_idle, Duration::minutes(30));
        assert_eq!(s.lockout.max_failures, 5);
        assert_eq!(s.double_intake_days, 30);
        let s = Settings::from_pairs(&[
            ("login.max_failures".into(), "3".into()),
            ("supervision.double_intake_days".into(), "7".into()),
        ])
        .unwrap();
        assert_eq!(s.lockout.max_failures, 3);
        assert_eq!(s.double_intake_days, 7);
    }

    #[test]
    fn a_region_may_set_its_own_warning_rules() {
        let s = Settings::from_pairs(&[
            ("supervision.yellow_percent".into(), "80".into()),
            ("supervision.yellow_days_left@511302".into(), "2".into()),
        ])
        .unwrap();
        let city = s.warnings_for("511303");
        assert_eq!((city.yellow_percent, city.yellow_days_left), (80, 1));
        let own = s.warnings_for("511302");
        assert_eq!((own.yellow_percent, own.yellow_days_left), (80, 2));
        assert_eq!(
            parse_value("login.max_failures@511302", "3")
                .unwrap_err()
                .code,
            codes::Setting::NotRegional
        );
        assert_eq!(
            parse_value("supervision.yellow_percent@12", "80")
                .unwrap_err()
                .code,
            codes::Setting::Region
        );
    }

    #[test]
    fn a_region_may_block_provisional_counting() {
        let s = Settings::default();
        assert!(s.provisional_for("511302"), "on by default");
        let s =
            Settings::from_pairs(&[("calendar.provisional@511302".into(), "0".into())]).unwrap();
        assert!(!s.provisional_for("511302"));
        assert!(s.provisional_for("511303"));
        assert!(s.regional_warnings.is_empty());
        let s = Settings::from_pairs(&[
            ("calendar.provisional".into(), "0".into()),
            ("calendar.provisional@511300".into(), "1".into()),
        ])
        .unwrap();
        assert!(s.provisional_for("511302"));
        assert!(!s.provisional_for("510100"));
    }

    #[test]
    fn quiet_hours_hold_messages_until_morning() {
        use chrono::TimeZone;
        let q = QuietHours { start: 22, end: 8 };
        let at = |d: u32, h: u32| {
            tongban_domain::time::shanghai()
                .with_ymd_and_hms(2026, 3, d, h, 30, 0)
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        assert_eq!(q.release(at(2, 10)), at(2, 10), "daytime goes at once");
        let morning = tongban_domain::time::shanghai()
            .with_ymd_and_hms(2026, 3, 3, 8, 0, 0)
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(q.release(at(2, 23)), morning, "late evening waits");
        assert_eq!(q.release(at(3, 6)), morning, "early morning waits");
        let none = QuietHours { start: 8, end: 8 };
        assert_eq!(none.release(at(2, 23)), at(2, 23));
    }

    #[test]
    fn hotline_limits_have_documented_defaults_and_regional_overrides() {
        use tongban_domain::hotline::Category;
        let s = Settings::default();
        let city = s.sla_for("361202");
        let days: Vec<u32> = Category::ALL.iter().map(|c| city.limit(*c).get()).collect();
        assert_eq!(days, [2, 10, 15, 15, 10]);
        assert_eq!(city.urgent_hours, 24);
        assert_eq!(s.hotline.max_returns, 2);
        let s = Settings::from_pairs(&[
            ("hotline.sla.complaint_days".into(), "12".into()),
            ("hotline.sla.consult_days@361202101000".into(), "1".into()),
        ])
        .unwrap();
        assert_eq!(s.sla_for("361202001000").complaint.get(), 12);
        assert_eq!(s.sla_for("361202001000").consult.get(), 2);
        let own = s.sla_for("361202101201");
        assert_eq!((own.consult.get(), own.complaint.get()), (1, 12));
        assert_eq!(
            parse_value("hotline.max_returns@361200", "3")
                .unwrap_err()
                .code,
            codes::Setting::NotRegional
        );
    }

    #[test]
    fn bad_values_are_refused() {
        assert_eq!(
            parse_value("login.max_failures", "x").unwrap_err().code,
            codes::Setting::Value
        );
        assert_eq!(
            parse_value("login.max_failures", "1").unwrap_err().code,
            codes::Setting::Range
        );
        assert_eq!(
            parse_value("nope", "1").unwrap_err().code,
            codes::Setting::Unknown
        );
    }
}
