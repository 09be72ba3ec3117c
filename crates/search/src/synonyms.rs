//! Everyday words → official item names.
//!
//! Citizens type what they want to do ("开饭店", "上户口", "驾照"); the catalog names the
//! administrative act ("食品经营许可", "户口登记", "机动车驾驶证"). This table closes that gap
//! at *query* time: when a rule's everyday phrase occurs anywhere in the query (substring,
//! case-insensitive), each of its official terms is searched as well, OR-ed with the query
//! as typed. An official term of several words must match all of them (e.g. "设立登记" needs
//! both 设立 and 登记), so an expansion adds precise alternatives, not noise.
//!
//! The index is never touched: editing the table takes effect on the next search, no reindex.
//!
//! The table is plain data. [`Synonyms`] is `serde`-(de)serialisable, so the app can later
//! load it from settings (e.g. a `[[search.synonyms]]` TOML array of
//! `{ everyday = [...], official = [...] }`) and pass it to
//! [`CatalogIndex::with_synonyms`](crate::CatalogIndex::with_synonyms);
//! [`Synonyms::builtin`] is the shipped default.
//!
//! Rules of thumb for entries: everyday phrases of at least two characters (one character
//! would fire on far too many queries); official terms as they appear in item names; keep
//! the everyday word itself among the official terms when it also appears in names
//! (退休 → 养老/退休), otherwise matches on it would rank only through the query as typed.

use serde::{Deserialize, Serialize};

/// One rule: any of `everyday` in the query adds all of `official` as alternatives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynonymRule {
    /// What citizens type. Matched as a substring of the lower-cased query.
    pub everyday: Vec<String>,
    /// Official terms searched in addition to the query.
    pub official: Vec<String>,
}

/// A set of [`SynonymRule`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synonyms {
    /// The rules, applied all at once: every rule whose phrase occurs contributes.
    pub rules: Vec<SynonymRule>,
}

/// The shipped table: (everyday phrases, official terms).
pub const BUILTIN: &[(&[&str], &[&str])] = &[
    // 市场主体
    (
        &["营业执照", "办执照", "开公司", "注册公司"],
        &["设立登记", "营业执照"],
    ),
    (&["个体户"], &["个体工商户"]),
    (&["改地址", "换地址", "改经营范围"], &["变更登记"]),
    (&["注销公司", "关公司"], &["注销登记"]),
    // 经营许可
    (
        &["开饭店", "开餐馆", "开餐厅", "开饭馆", "开小吃店", "卖吃的"],
        &["食品经营许可"],
    ),
    (&["开药店", "卖药"], &["药品经营许可"]),
    (&["卖烟", "开烟店", "烟草证"], &["烟草专卖零售许可"]),
    (&["开网吧"], &["互联网上网服务营业场所"]),
    (&["开诊所"], &["医疗机构执业登记", "诊所备案"]),
    (
        &["开理发店", "开美容院", "开宾馆", "开旅馆"],
        &["公共场所卫生许可"],
    ),
    (
        &["办培训班", "开培训班", "开学校", "办学校"],
        &["民办学校办学许可", "民办学校设立"],
    ),
    (&["跑出租", "开出租", "网约车"], &["出租汽车", "道路运输"]),
    // 户籍与证件
    (&["上户口", "报户口", "落户"], &["户籍", "户口登记"]),
    (&["迁户口", "户口迁移"], &["户口迁移", "迁入", "迁出"]),
    (&["身份证"], &["居民身份证"]),
    (&["驾照", "驾驶证"], &["机动车驾驶证"]),
    (&["上牌", "上车牌", "新车登记"], &["机动车注册登记"]),
    (&["护照"], &["普通护照", "出入境证件"]),
    (&["港澳通行证", "去香港", "去澳门"], &["往来港澳通行证"]),
    (&["居住证", "暂住证"], &["居住证"]),
    (&["改名字", "改名"], &["姓名变更"]),
    (&["补办", "丢了", "遗失", "掉了"], &["补领", "补发", "挂失"]),
    // 婚育
    (&["结婚证", "领结婚证", "扯证"], &["结婚登记"]),
    (&["离婚"], &["离婚登记"]),
    (
        &["生孩子", "生娃", "生小孩", "出生证"],
        &["出生医学证明", "生育"],
    ),
    (&["准生证"], &["生育登记", "生育服务证"]),
    (&["独生子女证"], &["独生子女父母光荣证"]),
    // 社会保障
    (&["退休", "退休金"], &["养老", "退休"]),
    (&["低保"], &["最低生活保障"]),
    (&["社保卡"], &["社会保障卡"]),
    (&["社保"], &["社会保险"]),
    (&["医保"], &["基本医疗保险", "医疗保障"]),
    (&["看病报销", "报销医药费"], &["医疗费用报销", "医疗保险"]),
    (&["失业金", "失业救济"], &["失业保险金"]),
    (&["工伤"], &["工伤认定", "工伤保险"]),
    (&["残疾证"], &["残疾人证"]),
    (&["老年证", "老人证"], &["老年人优待证"]),
    (&["高龄补贴"], &["高龄津贴"]),
    (
        &["死亡证明", "人去世", "人走了"],
        &["死亡医学证明", "户口注销"],
    ),
    // 住房与建设
    (&["公积金"], &["住房公积金"]),
    (
        &["盖房子", "建房", "建房子", "自建房"],
        &["建设工程规划许可", "施工许可"],
    ),
    (&["房产证", "房本"], &["不动产权证书", "不动产登记"]),
    (&["过户"], &["转移登记"]),
    (&["挖路", "占道"], &["占用挖掘道路", "占用城市道路"]),
    (&["砍树"], &["林木采伐许可", "树木砍伐"]),
    // 税务
    (&["延期报税", "晚点报税", "推迟报税"], &["延期申报"]),
    (&["报税", "交税", "缴税"], &["纳税申报"]),
    (&["领发票", "开发票"], &["发票领用", "发票"]),
    // 其他
    (&["养狗", "狗证"], &["犬只登记", "养犬登记"]),
];

impl Synonyms {
    /// The shipped table ([`BUILTIN`]).
    pub fn builtin() -> Self {
        let owned = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        Synonyms {
            rules: BUILTIN
                .iter()
                .map(|(everyday, official)| SynonymRule {
                    everyday: owned(everyday),
                    official: owned(official),
                })
                .collect(),
        }
    }

    /// No rules: the query is searched as typed.
    pub fn none() -> Self {
        Synonyms::default()
    }

    /// Official terms to add for `query`, deduplicated, in table order. Terms that already
    /// occur in the query are left out (the query as typed covers them).
    pub fn expand(&self, query: &str) -> Vec<&str> {
        let query = query.to_lowercase();
        let mut out: Vec<&str> = Vec::new();
        for rule in &self.rules {
            let fires = rule
                .everyday
                .iter()
                .any(|p| !p.trim().is_empty() && query.contains(&p.trim().to_lowercase()));
            if !fires {
                continue;
            }
            for term in &rule.official {
                let term = term.trim();
                if term.is_empty() || query.contains(&term.to_lowercase()) || out.contains(&term) {
                    continue;
                }
                out.push(term);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_enough_realistic_rules() {
        let s = Synonyms::builtin();
        let pairs: usize = s
            .rules
            .iter()
            .map(|r| r.everyday.len() * r.official.len())
            .sum();
        assert!(s.rules.len() >= 25, "{} rules", s.rules.len());
        assert!(pairs >= 25);
        for r in &s.rules {
            assert!(!r.official.is_empty());
            for p in &r.everyday {
                assert!(p.chars().count() >= 2, "one-character trigger {p:?}");
            }
        }
    }

    #[test]
    fn expands_everyday_words() {
        let s = Synonyms::builtin();
        assert_eq!(s.expand("营业执照怎么办"), vec!["设立登记"]);
        assert_eq!(s.expand("我想开饭店"), vec!["食品经营许可"]);
        assert_eq!(s.expand("生娃"), vec!["出生医学证明", "生育"]);
        assert_eq!(s.expand("退休"), vec!["养老"]);
        assert_eq!(s.expand("上户口"), vec!["户籍", "户口登记"]);
        assert_eq!(s.expand("驾照到期"), vec!["机动车驾驶证"]);
        assert_eq!(s.expand("低保"), vec!["最低生活保障"]);
        assert_eq!(s.expand("盖房子"), vec!["建设工程规划许可", "施工许可"]);
        assert_eq!(
            s.expand("社保卡丢了"),
            vec!["补领", "补发", "挂失", "社会保障卡", "社会保险"]
        );
        assert_eq!(s.expand("结婚证"), vec!["结婚登记"]);
        assert_eq!(s.expand("公积金提取"), vec!["住房公积金"]);
    }

    #[test]
    fn no_expansion_for_unrelated_or_empty_queries() {
        let s = Synonyms::builtin();
        assert!(s.expand("食品经营许可").is_empty());
        assert!(s.expand("").is_empty());
        assert!(Synonyms::none().expand("开饭店").is_empty());
    }

    #[test]
    fn table_round_trips_through_serde() {
        let s = Synonyms::builtin();
        let json = serde_json::to_string(&s).expect("serialise");
        assert!(json.contains("开饭店"));
        let back: Synonyms = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, s);
        let custom: Synonyms =
            serde_json::from_str(r#"{"rules":[{"everyday":["办证"],"official":["证照办理"]}]}"#)
                .expect("settings shape");
        assert_eq!(custom.expand("我要办证"), vec!["证照办理"]);
    }
}
