//! Relevance over the demo catalog: everyday queries and what a citizen expects on top.
//!
//! The catalog is `tests/data/demo_catalog.json`, the demo city's 42 items as the app indexes
//! them (the app's test `the_search_relevance_fixture_is_the_demo_catalog` keeps it equal).
//! Each row names the items that must lead the results, in any order, and the items that must
//! not appear at all (noise). Every row is checked; the failure lists every row that missed.
//! `TONGBAN_SHOW_HITS=1` prints each query's hits with their scores.

use tongban_search::{CatalogIndex, SearchDoc};

/// (query, items that must be the first results, items that must not be found).
const TABLE: &[(&str, &[&str], &[&str])] = &[
    (
        "营业执照",
        &["企业设立登记"],
        &["内地居民结婚登记", "失业登记", "社会团体成立登记"],
    ),
    (
        "营业执照怎么办理",
        &["企业设立登记"],
        &["内地居民结婚登记", "失业登记"],
    ),
    ("开公司", &["企业设立登记"], &["内地居民结婚登记"]),
    ("我想开饭店", &["食品经营许可"], &["内地居民结婚登记"]),
    ("开餐馆要什么材料", &["食品经营许可"], &[]),
    ("开药店", &["药品零售企业经营许可"], &[]),
    ("开诊所", &["医疗机构执业登记"], &[]),
    ("开理发店", &["公共场所卫生许可"], &[]),
    ("注销个体户", &["个体工商户注销登记"], &["企业设立登记"]),
    ("领结婚证", &["内地居民结婚登记"], &["企业设立登记"]),
    ("生孩子", &["出生医学证明首次签发", "生育登记"], &[]),
    ("准生证", &["生育登记"], &[]),
    ("低保", &["最低生活保障审核确认"], &[]),
    ("社保卡", &["社会保障卡申领"], &[]),
    ("失业金", &["失业保险金申领"], &[]),
    ("退休金", &["城镇职工基本养老保险待遇申领"], &[]),
    ("高龄补贴", &["高龄津贴申领"], &[]),
    ("身份证过期了", &["居民身份证换领"], &[]),
    ("护照", &["普通护照签发"], &[]),
    ("落户", &["户口迁移（人才引进落户）"], &[]),
    ("户籍证明", &["户籍证明开具"], &[]),
    ("施工许可证", &["建筑工程施工许可证核发"], &[]),
    (
        "盖房子",
        &["建设工程规划许可证核发", "建筑工程施工许可证核发"],
        &[],
    ),
    ("房子过户", &["国有建设用地使用权及房屋所有权转移登记"], &[]),
    ("网约车", &["网络预约出租汽车驾驶员证核发"], &[]),
    ("教师资格证", &["教师资格认定"], &[]),
    ("孩子转学", &["义务教育阶段学生转学"], &[]),
    ("学籍证明", &["学籍证明开具"], &[]),
    ("买房交契税", &["契税申报"], &[]),
    ("车辆购置税", &["车辆购置税申报"], &[]),
    ("新车上牌", &["机动车注册登记"], &[]),
    ("消防审查", &["特殊建设工程消防设计审查"], &[]),
    ("竣工验收", &["房屋建筑和市政基础设施工程竣工验收备案"], &[]),
    ("开学校", &["民办学校设立"], &[]),
    ("跑货运", &["道路货物运输经营许可"], &[]),
    ("延期报税", &["延期申报核准"], &[]),
    ("XK00601001", &["食品经营许可"], &[]),
];

fn index() -> CatalogIndex {
    let json = include_str!("data/demo_catalog.json");
    let docs: Vec<SearchDoc> = serde_json::from_str(json).expect("the fixture parses");
    let index = CatalogIndex::in_memory().expect("index");
    index.replace_all(&docs).expect("load");
    index
}

#[test]
fn everyday_queries_find_what_people_mean_first_and_no_noise() {
    let index = index();
    let mut misses = Vec::new();
    for (query, top, never) in TABLE {
        let hits = index.search(query, 50).expect("search");
        let names: Vec<&str> = hits.iter().map(|h| h.name.as_str()).collect();
        let head = &names[..top.len().min(names.len())];
        let leads = top.iter().all(|t| head.contains(t));
        let noise: Vec<&&str> = never.iter().filter(|n| names.contains(n)).collect();
        if std::env::var_os("TONGBAN_SHOW_HITS").is_some() {
            let scored: Vec<String> = hits
                .iter()
                .map(|h| format!("{}:{:.1}", h.name, h.score))
                .collect();
            eprintln!("{query}: {scored:?}");
        }
        if !leads || !noise.is_empty() {
            misses.push(format!(
                "{query}: want {top:?} first, none of {never:?}; got {names:?}"
            ));
        }
    }
    assert!(
        misses.is_empty(),
        "{} of {} rows missed:\n{}",
        misses.len(),
        TABLE.len(),
        misses.join("\n")
    );
}
