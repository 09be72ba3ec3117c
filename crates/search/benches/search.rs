//! Search latency over a 100,000-item catalog (in memory), for a few typical queries:
//! an official name, everyday words resolved by synonyms, a material, a basic code and a
//! spoken question. Names come from word lists, so, as in a real multi-district catalog,
//! many items share words (and whole names).
//!
//! Run: `cargo bench -p tongban-search`. Building the index is timed once and printed.

use std::sync::LazyLock;
use std::time::Instant;

use divan::{black_box, Bencher};
use tongban_search::{CatalogIndex, SearchDoc};

const ITEMS: usize = 100_000;

fn main() {
    LazyLock::force(&INDEX);
    divan::main();
}

const SUBJECTS: &[&str] = &[
    "食品",
    "药品",
    "医疗器械",
    "建筑工程",
    "道路运输",
    "烟草专卖",
    "林木采伐",
    "船舶",
    "特种设备",
    "危险化学品",
    "出版物",
    "文物保护",
    "排污",
    "取水",
    "户外广告",
    "旅行社",
    "民办学校",
    "职业培训",
    "人力资源服务",
    "劳务派遣",
    "养老机构",
    "殡葬服务",
    "社会团体",
    "消防安全",
    "燃气经营",
    "城市供热",
    "城市道路占用",
    "河道采砂",
    "采矿",
    "测绘资质",
    "气象探测",
    "农作物种子",
    "兽药",
    "饲料",
    "农药",
    "渔业捕捞",
    "动物防疫",
    "生猪屠宰",
    "公共场所卫生",
    "医疗机构",
    "母婴保健",
    "放射诊疗",
    "互联网上网服务",
    "娱乐场所",
    "营业性演出",
    "建设工程规划",
    "施工",
    "不动产",
    "住房公积金",
    "最低生活保障",
];
const ACTS: &[&str] = &[
    "经营许可",
    "生产许可",
    "设立登记",
    "变更登记",
    "注销登记",
    "备案",
    "年度检验",
    "资格认定",
    "证书补发",
    "许可延续",
    "审批",
    "核准",
    "执业登记",
];
const QUALIFIERS: &[&str] = &[
    "",
    "（新办）",
    "（变更）",
    "（延续）",
    "（补证）",
    "（告知承诺制）",
];
const CITIES: &[&str] = &[
    "杭州市",
    "宁波市",
    "温州市",
    "嘉兴市",
    "湖州市",
    "绍兴市",
    "金华市",
];
const DISTRICTS: &[&str] = &[
    "上城区",
    "拱墅区",
    "西湖区",
    "滨江区",
    "萧山区",
    "余杭区",
    "临平区",
    "钱塘区",
    "富阳区",
    "临安区",
    "桐庐县",
    "淳安县",
    "建德市",
];
const DEPARTMENTS: &[&str] = &[
    "市场监督管理局",
    "卫生健康局",
    "交通运输局",
    "自然资源和规划局",
    "住房和城乡建设局",
    "民政局",
    "人力资源和社会保障局",
    "农业农村局",
    "生态环境分局",
    "文化广电旅游局",
    "公安分局",
];
const MATERIALS: &[&str] = &[
    "申请书",
    "营业执照复印件",
    "法定代表人身份证明",
    "经营场所平面布局图",
    "经营场所产权证明",
    "租赁合同",
    "主要设备设施清单",
    "操作流程说明",
    "食品安全管理制度",
    "从业人员健康证明",
    "专业技术人员资格证书",
    "环境影响评价文件",
    "消防验收意见书",
    "授权委托书",
    "章程",
    "验资报告",
    "安全生产管理制度",
    "建设工程设计方案",
    "施工图审查合格书",
    "原证书正本及副本",
    "情况说明",
    "承诺书",
    "检验检测报告",
    "户口簿",
    "居民身份证",
    "出生医学证明",
    "结婚证",
    "家庭收入证明",
    "社会保险缴费证明",
    "劳动合同",
];
const CONDITIONS: &[&str] = &[
    "申请人依法取得营业执照",
    "具有与经营规模相适应的经营场所和设施设备",
    "具有相应的专业技术人员和管理制度",
    "符合国家有关安全生产的规定",
    "原证书在有效期内且无违法记录",
    "申请人户籍在本辖区或持有本辖区居住证",
];
const FAQ: &[&str] = &[
    "问：办理时限是多久？答：自受理之日起二十个工作日内作出决定，可全程网办。",
    "问：是否收费？答：本事项不收费。",
    "问：证书遗失如何补办？答：登录政务服务网申请补发，无需登报声明。",
    "问：可以委托他人办理吗？答：可以，需提供授权委托书及受托人身份证明。",
    "问：开饭店需要办理哪些证照？答：需先取得营业执照，再申请食品经营许可。",
];
const BASIS: &[&str] = &[
    "《中华人民共和国行政许可法》",
    "《中华人民共和国食品安全法》第三十五条",
    "《中华人民共和国市场主体登记管理条例》",
    "《中华人民共和国道路运输条例》",
    "《社会救助暂行办法》",
];

/// Deterministic pseudo-random picks (no rand dependency): splitmix64.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn pick<'a>(list: &[&'a str], seed: u64) -> &'a str {
    list[(seed % list.len() as u64) as usize]
}

fn generate(n: usize) -> Vec<SearchDoc> {
    (0..n)
        .map(|i| {
            let r = |k: u64| mix(i as u64 * 16 + k);
            let subject_idx = (r(0) % SUBJECTS.len() as u64) as usize;
            let act_idx = (r(1) % ACTS.len() as u64) as usize;
            let subject = SUBJECTS[subject_idx];
            let act = ACTS[act_idx];
            let city = pick(CITIES, r(2));
            let district = pick(DISTRICTS, r(3));
            let n_materials = 3 + (r(4) % 4) as usize;
            SearchDoc {
                item_id: i as i64,
                code: format!("XK{:03}{:02}{:03}", subject_idx, act_idx, i % 1000),
                name: format!("{subject}{act}{}", pick(QUALIFIERS, r(5))),
                department: format!("{city}{district}{}", pick(DEPARTMENTS, r(6))),
                item_type: "行政许可".into(),
                service_object: if r(7) % 2 == 0 { "法人" } else { "自然人" }.into(),
                themes: vec![format!("{subject}管理")],
                online_depth: (r(8) % 5) as u8,
                materials: (0..n_materials)
                    .map(|k| {
                        let m = pick(MATERIALS, r(9 + k as u64));
                        if k == 0 {
                            format!("{subject}{act}{m}")
                        } else {
                            m.to_string()
                        }
                    })
                    .collect(),
                conditions: vec![
                    pick(CONDITIONS, r(13)).into(),
                    pick(CONDITIONS, r(14)).into(),
                ],
                faq: vec![pick(FAQ, r(15)).into()],
                basis: vec![pick(BASIS, r(2) ^ r(3)).into()],
            }
        })
        .collect()
}

static INDEX: LazyLock<CatalogIndex> = LazyLock::new(|| {
    let t = Instant::now();
    let docs = generate(ITEMS);
    let generated = t.elapsed();
    let index = CatalogIndex::in_memory().expect("index");
    index.replace_all(&docs).expect("load");
    eprintln!(
        "{} items: generated in {:.2?}, indexed in {:.2?}",
        index.len(),
        generated,
        t.elapsed() - generated
    );
    index
});

const QUERIES: &[&str] = &[
    "食品经营许可",
    "营业执照",
    "我想开饭店",
    "平面布局图",
    "XK00601001",
    "医疗器械备案怎么办理",
    "危险化学品",
];

/// Top 20, as a results page asks, the first time since the last write (no remembered answer).
#[divan::bench(args = QUERIES)]
fn search(bencher: Bencher, query: &str) {
    let index = &*INDEX;
    bencher.bench(|| index.search_uncached(black_box(query), 20).expect("search"));
}

/// The same, asked again: the remembered answer.
#[divan::bench(args = QUERIES)]
fn search_again(bencher: Bencher, query: &str) {
    let index = &*INDEX;
    index.search(query, 20).expect("search");
    bencher.bench(|| index.search(black_box(query), 20).expect("search"));
}
