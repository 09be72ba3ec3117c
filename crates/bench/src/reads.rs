//! Reads, the work most visitors cause.
//!
//! - Catalog search: 100,000 generated items shaped like a province's catalog (the same items
//!   implemented in many districts, licences with their 变更/延续/注销/补办 sub-items), searched
//!   with everyday Chinese queries, beside the same number of lookups in a
//!   `HashMap<String, Vec<i64>>` of exact keywords: the trivial in-memory floor.
//! - The public case-status lookup over HTTP (`GET /api/v1/public/cases/{number}?tail=`),
//!   served in-process by the real router on 127.0.0.1, driven by 64 keep-alive connections of
//!   the minimal client below; beside `GET /healthz` on the same server (the HTTP floor: no
//!   session, one database ping) and the store's own point read of a case by number from 64
//!   clients (the database floor: the lookup does that read and more).
//!
//! The client (`Client`, [`hammer`]) is shared with the `startup` section.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tongban_app::App;
use tongban_search::{CatalogIndex, SearchDoc};
use tongban_store::{Options, Store};

use crate::lifecycle::{Cast, STEPS};
use crate::report::{quantile, Report};
use crate::{Plan, Res};

/// Items in the generated catalog.
const ITEMS: usize = 100_000;
/// Concurrent keep-alive connections (HTTP) and clients (store).
pub const CONNECTIONS: usize = 64;
/// Hits asked of each search, as the catalog page shows.
const PAGE: usize = 10;

pub async fn section(plan: &Plan, scratch: &std::path::Path, report: &mut Report) -> Res<()> {
    search(plan, report).await?;
    let dir = scratch.join("reads_sqlite");
    let store = Store::open(
        dir.to_str().ok_or("scratch path")?,
        // The reader pool `tongban serve` opens by default ([storage] max_connections = 8).
        &Options {
            max_connections: 8,
            ..Options::default()
        },
    )
    .await?;
    lookup(plan, store, "SQLite", report).await?;
    if let Some(url) = &plan.pg {
        let schema = format!("bench_reads_{}", std::process::id());
        let store = Store::open(
            url,
            &Options {
                pg_schema: Some(schema.clone()),
                max_connections: 8,
                ..Options::default()
            },
        )
        .await?;
        let outcome = lookup(plan, store, "PostgreSQL", report).await;
        crate::limits::drop_schema(url, &schema).await?;
        outcome?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Catalog search
// ---------------------------------------------------------------------------------------------

struct Base {
    kind: &'static str,
    name: &'static str,
    dept: &'static str,
    theme: &'static str,
    object: &'static str,
    materials: &'static [&'static str],
    condition: &'static str,
    basis: &'static str,
}

#[allow(clippy::too_many_arguments)]
const fn b(
    kind: &'static str,
    name: &'static str,
    dept: &'static str,
    theme: &'static str,
    object: &'static str,
    materials: &'static [&'static str],
    condition: &'static str,
    basis: &'static str,
) -> Base {
    Base {
        kind,
        name,
        dept,
        theme,
        object,
        materials,
        condition,
        basis,
    }
}

const PERSON: &str = "自然人";
const COMPANY: &str = "法人";

/// The items every district implements (names as on real provincial catalogs).
#[rustfmt::skip]
const BASES: &[Base] = &[
    b("XK", "食品经营许可", "市场监督管理局", "餐饮服务", COMPANY,
      &["食品经营许可申请书", "营业执照复印件", "经营场所平面布局图", "食品安全管理制度"],
      "具有与经营的食品品种、数量相适应的经营场所", "《中华人民共和国食品安全法》"),
    b("QT", "企业设立登记", "市场监督管理局", "开办企业", COMPANY,
      &["公司登记（备案）申请书", "公司章程", "法定代表人身份证明", "住所使用证明"],
      "申请人为依法设立的有限责任公司", "《中华人民共和国市场主体登记管理条例》"),
    b("QT", "个体工商户注册登记", "市场监督管理局", "开办企业", PERSON,
      &["个体工商户登记申请书", "经营者身份证明", "经营场所使用证明"],
      "有经营能力的自然人", "《促进个体工商户发展条例》"),
    b("QR", "不动产首次登记", "自然资源和规划局", "不动产登记", PERSON,
      &["不动产登记申请书", "申请人身份证明", "土地权属来源材料", "建设工程符合规划的材料"],
      "权属清楚、界址清晰", "《不动产登记暂行条例》"),
    b("QR", "不动产转移登记", "自然资源和规划局", "不动产登记", PERSON,
      &["不动产登记申请书", "不动产权证书", "房屋买卖合同", "完税凭证"],
      "买卖、赠与、继承等导致权利转移", "《不动产登记暂行条例》"),
    b("QR", "不动产抵押登记", "自然资源和规划局", "不动产登记", PERSON,
      &["不动产登记申请书", "不动产权证书", "主债权合同", "抵押合同"],
      "以不动产设定抵押", "《中华人民共和国民法典》"),
    b("GG", "社会保障卡申领", "人力资源和社会保障局", "社会保障", PERSON,
      &["居民身份证", "近期免冠证件照片"],
      "已参加社会保险的人员", "《社会保障卡管理办法》"),
    b("GG", "社会保障卡挂失与补领", "人力资源和社会保障局", "社会保障", PERSON,
      &["居民身份证", "社会保障卡挂失申请表"],
      "社会保障卡遗失或损坏", "《社会保障卡管理办法》"),
    b("QR", "结婚登记", "民政局", "婚姻登记", PERSON,
      &["居民身份证", "居民户口簿", "近期半身免冠合影照片"],
      "男女双方自愿结婚且达到法定婚龄", "《婚姻登记条例》"),
    b("QR", "离婚登记", "民政局", "婚姻登记", PERSON,
      &["结婚证", "居民身份证", "离婚协议书"],
      "双方自愿离婚并对子女抚养、财产处理达成协议", "《婚姻登记条例》"),
    b("GG", "户籍证明开具", "公安局", "户籍管理", PERSON,
      &["居民户口簿", "居民身份证"],
      "本辖区常住户口居民", "《中华人民共和国户口登记条例》"),
    b("QR", "出生登记", "公安局", "户籍管理", PERSON,
      &["出生医学证明", "父母居民户口簿", "结婚证"],
      "新生儿出生一个月内申报", "《中华人民共和国户口登记条例》"),
    b("XK", "户口迁移", "公安局", "户籍管理", PERSON,
      &["准予迁入证明", "居民户口簿", "居民身份证"],
      "符合落户条件", "《中华人民共和国户口登记条例》"),
    b("ZS", "契税申报", "税务局", "税费缴纳", PERSON,
      &["契税纳税申报表", "不动产买卖合同", "身份证明"],
      "承受土地、房屋权属", "《中华人民共和国契税法》"),
    b("QT", "增值税纳税申报", "税务局", "税费缴纳", COMPANY,
      &["增值税纳税申报表", "财务会计报表"],
      "增值税纳税人", "《中华人民共和国税收征收管理法》"),
    b("GG", "发票领用", "税务局", "税费缴纳", COMPANY,
      &["发票领用簿", "经办人身份证明"],
      "已办理税务登记", "《中华人民共和国发票管理办法》"),
    b("GG", "住房公积金提取", "住房公积金管理中心", "住房保障", PERSON,
      &["住房公积金提取申请表", "购房合同", "身份证明"],
      "购买、建造、翻建、大修自住住房", "《住房公积金管理条例》"),
    b("JF", "最低生活保障对象认定", "民政局", "社会救助", PERSON,
      &["居民户口簿", "家庭收入证明", "家庭财产申报表"],
      "家庭人均收入低于当地最低生活保障标准", "《社会救助暂行办法》"),
    b("JF", "失业保险金申领", "人力资源和社会保障局", "就业创业", PERSON,
      &["失业登记证明", "解除劳动合同证明", "居民身份证"],
      "非因本人意愿中断就业且已办理失业登记", "《失业保险条例》"),
    b("QR", "工伤认定", "人力资源和社会保障局", "社会保障", PERSON,
      &["工伤认定申请表", "劳动关系证明", "医疗诊断证明"],
      "在工作时间和工作场所内因工作原因受到事故伤害", "《工伤保险条例》"),
    b("JF", "高龄津贴发放", "民政局", "养老服务", PERSON,
      &["居民身份证", "居民户口簿", "银行账户信息"],
      "年满八十周岁的本地户籍老年人", "《中华人民共和国老年人权益保障法》"),
    b("GG", "老年人优待证办理", "民政局", "养老服务", PERSON,
      &["居民身份证", "近期免冠证件照片"],
      "年满六十周岁的老年人", "《中华人民共和国老年人权益保障法》"),
    b("QR", "残疾人证核发", "残疾人联合会", "残疾人服务", PERSON,
      &["残疾人证申请表", "残疾评定表", "居民户口簿"],
      "经评定符合残疾标准", "《中华人民共和国残疾人证管理办法》"),
    b("XK", "机动车驾驶证换证", "公安局交通警察支队", "交通出行", PERSON,
      &["机动车驾驶证", "身体条件证明", "居民身份证"],
      "驾驶证有效期满前九十日内", "《机动车驾驶证申领和使用规定》"),
    b("XK", "普通护照签发", "公安局出入境管理支队", "出入境", PERSON,
      &["居民身份证", "近期彩色照片", "出入境证件申请表"],
      "中国公民因私出国", "《中华人民共和国护照法》"),
    b("XK", "往来港澳通行证签发", "公安局出入境管理支队", "出入境", PERSON,
      &["居民身份证", "近期彩色照片"],
      "内地居民前往港澳", "《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》"),
    b("XK", "居住证签发", "公安局", "户籍管理", PERSON,
      &["居住登记凭证", "合法稳定住所证明", "居民身份证"],
      "离开常住户口所在地居住半年以上", "《居住证暂行条例》"),
    b("XK", "药品经营许可", "市场监督管理局", "医药卫生", COMPANY,
      &["药品经营许可申请表", "营业执照复印件", "质量管理制度"],
      "具有依法经过资格认定的药师", "《中华人民共和国药品管理法》"),
    b("XK", "建设工程规划许可", "自然资源和规划局", "工程建设", COMPANY,
      &["建设工程规划许可申请表", "建设工程设计方案", "土地权属证明"],
      "符合控制性详细规划", "《中华人民共和国城乡规划法》"),
    b("XK", "建筑工程施工许可", "住房和城乡建设局", "工程建设", COMPANY,
      &["施工许可申请表", "建设工程规划许可证", "施工合同"],
      "已办理建设工程规划许可", "《中华人民共和国建筑法》"),
    b("XK", "公共场所卫生许可", "卫生健康委员会", "医药卫生", COMPANY,
      &["卫生许可申请书", "营业执照复印件", "卫生管理制度"],
      "住宿、美容美发等公共场所", "《公共场所卫生管理条例》"),
    b("XK", "医疗机构执业登记", "卫生健康委员会", "医药卫生", COMPANY,
      &["医疗机构执业登记申请书", "设置医疗机构批准书", "医务人员资格证书"],
      "按照设置批准书建成医疗机构", "《医疗机构管理条例》"),
    b("XK", "民办学校办学许可", "教育局", "教育培训", COMPANY,
      &["办学许可申请书", "学校章程", "举办者资格证明"],
      "具备办学条件", "《中华人民共和国民办教育促进法》"),
    b("XK", "林木采伐许可", "林业局", "农林牧渔", PERSON,
      &["林木采伐申请书", "林权证明", "伐区调查设计"],
      "采伐林地上的林木", "《中华人民共和国森林法》"),
    b("XK", "占用挖掘城市道路许可", "城市管理局", "市政设施", COMPANY,
      &["占用挖掘道路申请表", "施工方案", "交通组织方案"],
      "因工程建设需要占用挖掘城市道路", "《城市道路管理条例》"),
    b("QR", "生育登记", "卫生健康委员会", "生育收养", PERSON,
      &["夫妻双方居民身份证", "结婚证"],
      "依法生育的夫妻", "《中华人民共和国人口与计划生育法》"),
    b("XK", "烟草专卖零售许可", "烟草专卖局", "商贸流通", PERSON,
      &["烟草专卖零售许可证申请表", "营业执照复印件", "经营场所证明"],
      "有与经营烟草制品零售业务相适应的资金", "《中华人民共和国烟草专卖法实施条例》"),
    b("QT", "养犬登记", "公安局", "公共安全", PERSON,
      &["养犬登记申请表", "犬只免疫证明", "居民身份证"],
      "在本市养犬的个人", "《养犬管理条例》"),
    b("GG", "基本医疗保险参保登记", "医疗保障局", "医疗保障", PERSON,
      &["居民身份证", "参保登记表"],
      "本地户籍或居住证持有人", "《中华人民共和国社会保险法》"),
    b("JF", "医疗费用报销", "医疗保障局", "医疗保障", PERSON,
      &["医疗费用发票", "费用明细清单", "出院小结", "社会保障卡"],
      "参保人员异地就医或未直接结算", "《医疗保障基金使用监督管理条例》"),
    b("XK", "道路运输经营许可", "交通运输局", "交通出行", COMPANY,
      &["道路运输经营申请表", "车辆技术等级证明", "驾驶人员从业资格证"],
      "有与其经营业务相适应的车辆", "《中华人民共和国道路运输条例》"),
];

/// A licence's sub-items (子项); other items are one each.
const LICENCE_VARIANTS: &[&str] = &["", "变更", "延续", "注销", "补办"];

#[rustfmt::skip]
const DISTRICTS: &[&str] = &[
    "东城区", "西城区", "南湖区", "北山区", "江南区", "江北区", "高新区", "经开区", "临江县",
    "青山县", "白水县", "红河县", "清溪县", "龙泉市", "凤凰县", "石门县", "桃源县", "新安县",
    "平阳县", "安宁市", "长乐县", "永和县", "太平县", "金华区", "玉山县", "云台区", "松阳县",
    "柳林县", "梅江区", "竹溪县", "荷塘区", "枫林县", "望城区", "宁乡市", "湘江区", "岳麓区",
];

#[rustfmt::skip]
const STREETS: &[&str] = &[
    "和平街道", "解放街道", "人民街道", "新华街道", "建设街道", "胜利街道", "城关镇", "白沙镇",
    "黄坡镇", "石桥镇", "马田镇", "杨柳镇", "大坪乡", "小河乡", "东风街道", "西湖街道",
    "南门街道", "北门街道", "中山街道", "朝阳街道", "向阳街道", "红旗街道", "光明街道",
    "长安镇", "新城街道", "古城镇", "双龙镇", "三江乡",
];

/// `ITEMS` items: every base item (licences with their sub-items) in every district × street.
fn catalog() -> Vec<SearchDoc> {
    let mut docs = Vec::with_capacity(ITEMS);
    'places: for (d, district) in DISTRICTS.iter().enumerate() {
        for (s, street) in STREETS.iter().enumerate() {
            for (i, base) in BASES.iter().enumerate() {
                let variants = if base.kind == "XK" {
                    LICENCE_VARIANTS
                } else {
                    &LICENCE_VARIANTS[..1]
                };
                for (v, variant) in variants.iter().enumerate() {
                    if docs.len() == ITEMS {
                        break 'places;
                    }
                    let mut faq = Vec::new();
                    if (d + s + i) % 3 == 0 {
                        faq.push(format!(
                            "问：{street}可以就近办理{}吗？答：可到{district}{street}便民服务中心综合窗口提交材料。",
                            base.name
                        ));
                    }
                    if v > 0 {
                        faq.push(format!(
                            "问：{}{variant}需要多久？答：材料齐全的，{}个工作日内办结。",
                            base.name,
                            3 + (i + v) % 8
                        ));
                    }
                    docs.push(SearchDoc {
                        item_id: docs.len() as i64 + 1,
                        code: basic_code(i, v),
                        name: format!("{}{variant}", base.name),
                        department: format!("{district}{}", base.dept),
                        item_type: base.kind.into(),
                        service_object: base.object.into(),
                        themes: vec![base.theme.into()],
                        online_depth: ((d + s + i) % 4 + 1) as u8,
                        materials: base.materials.iter().map(|m| m.to_string()).collect(),
                        conditions: vec![base.condition.into()],
                        faq,
                        basis: vec![base.basis.into()],
                    });
                }
            }
        }
    }
    docs
}

/// The basic code (基本编码) of base `i`, sub-item `v`: the same in every district.
fn basic_code(i: usize, v: usize) -> String {
    format!("{}{:05}{:03}", BASES[i].kind, 100 + i, v + 1)
}

/// What citizens type: official words, everyday words the synonym table maps, spoken questions,
/// a basic code, and misspellings (the index has no fuzzy matching: they take the relaxed
/// fallback, a second search, when the strict one finds nothing).
fn queries() -> Vec<String> {
    let mut q: Vec<String> = [
        "营业执照",
        "不动产登记",
        "社保卡",
        "结婚",
        "户籍证明",
        "契税",
        "我想开饭店",
        "驾照到期换证",
        "社保卡丢了怎么补办",
        "房产证过户",
        "公积金提取需要什么材料",
        "生孩子上户口",
        "低保",
        "医保报销",
        "个体户注销",
        "护照",
        "养狗",
        "食品经营许可延续",
        "离婚需要带什么",
        "盖房子",
        "营业执招",
        "不动铲登记",
        "社保咔补办",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    q.push(basic_code(0, 0));
    q
}

struct SearchFigures {
    docs: usize,
    build_s: f64,
    searches: usize,
    p50_ms: f64,
    p99_ms: f64,
    per_sec: f64,
    threads: usize,
    parallel_per_sec: f64,
    floor_per_sec: f64,
    scan_p50_ms: f64,
    again_p50_ms: f64,
    again_p99_ms: f64,
    empty: Vec<String>,
}

async fn search(plan: &Plan, report: &mut Report) -> Res<()> {
    let dur = plan.dur();
    let f = tokio::task::spawn_blocking(move || search_blocking(dur)).await??;
    report.add(
        format!("Catalog search: index build, {} items", f.docs),
        f.build_s,
        "s (generate + replace_all)",
    );
    report.against(
        format!("Catalog search, 1 thread, {} items", f.docs),
        f.per_sec,
        "queries/s",
        "exact-keyword HashMap lookups/s",
        f.floor_per_sec,
    );
    report.add(
        "Catalog search: one query p50 / p99, 1 thread, first asked since the last write",
        f.p50_ms,
        &format!(
            "ms p50 (p99 {:.2} ms, {} searches, top {PAGE})",
            f.p99_ms, f.searches
        ),
    );
    report.add(
        "Catalog search: the same query asked again p50 / p99 (remembered answer)",
        f.again_p50_ms,
        &format!("ms p50 (p99 {:.3} ms)", f.again_p99_ms),
    );
    report.against(
        format!("Catalog search, {} threads", f.threads),
        f.parallel_per_sec,
        "queries/s",
        "1-thread queries/s × threads",
        f.per_sec * f.threads as f64,
    );
    report.against(
        "Catalog search vs. no index: one query p50",
        f.p50_ms,
        "ms",
        "ms to substring-scan the item names",
        f.scan_p50_ms,
    );
    if !f.empty.is_empty() {
        eprintln!("  (queries with no hits: {})", f.empty.join("、"));
    }
    Ok(())
}

fn search_blocking(dur: Duration) -> Res<SearchFigures> {
    let started = Instant::now();
    let docs = catalog();
    let index = CatalogIndex::in_memory()?;
    index.replace_all(&docs)?;
    let build_s = started.elapsed().as_secs_f64();
    eprintln!("  (indexed {} items in {build_s:.1} s)", docs.len());
    if docs.len() != ITEMS {
        return Err(format!("generated {} items, not {ITEMS}", docs.len()).into());
    }
    if index.len() != docs.len() as u64 {
        return Err(format!("index holds {} of {} items", index.len(), docs.len()).into());
    }
    let queries = queries();
    let mut empty = Vec::new();
    for q in &queries {
        if index.search(q, PAGE)?.is_empty() {
            empty.push(q.clone());
        }
    }

    // One thread: latency and throughput, each query as if first asked since the last write
    // (the index remembers recent answers; that is measured apart below).
    let mut lat = Vec::new();
    let mut sink = 0usize;
    let started = Instant::now();
    while started.elapsed() < dur {
        for q in &queries {
            let t = Instant::now();
            sink += index.search_uncached(q, PAGE)?.len();
            lat.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    let per_sec = lat.len() as f64 / started.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);

    // The same queries asked again: the remembered answers.
    let mut again = Vec::new();
    for _ in 0..20 {
        for q in &queries {
            let t = Instant::now();
            sink += index.search(q, PAGE)?.len();
            again.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    again.sort_by(f64::total_cmp);

    // Every core.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let done = AtomicU64::new(0);
    let started = Instant::now();
    std::thread::scope(|s| -> Res<()> {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (index, queries, done) = (&index, &queries, &done);
                s.spawn(move || -> Res<()> {
                    let mut i = t;
                    while started.elapsed() < dur {
                        index.search_uncached(&queries[i % queries.len()], PAGE)?;
                        done.fetch_add(1, Ordering::Relaxed);
                        i += 1;
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join().map_err(|_| "search thread panicked")??;
        }
        Ok(())
    })?;
    let parallel_per_sec = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();

    // The floor: the same number of lookups in a table of exact keywords (name, theme,
    // department → item ids), taking the first page of ids as a search would.
    let mut table: HashMap<String, Vec<i64>> = HashMap::new();
    for d in &docs {
        for k in [&d.name, &d.department].into_iter().chain(&d.themes) {
            table.entry(k.clone()).or_default().push(d.item_id);
        }
    }
    let keys: Vec<String> = queries
        .iter()
        .cloned()
        .chain(BASES.iter().map(|b| b.name.to_string()))
        .collect();
    let mut page: Vec<i64> = Vec::with_capacity(PAGE);
    let started = Instant::now();
    for i in 0..lat.len() {
        page.clear();
        if let Some(ids) = table.get(std::hint::black_box(&keys[i % keys.len()])) {
            page.extend(ids.iter().take(PAGE));
        }
        sink += std::hint::black_box(&page).len();
    }
    let floor_per_sec = lat.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);

    // No index at all: a substring scan of the names alone.
    let mut scan = Vec::new();
    for q in &queries {
        let t = Instant::now();
        sink += docs.iter().filter(|d| d.name.contains(q.as_str())).count();
        scan.push(t.elapsed().as_secs_f64() * 1e3);
    }
    scan.sort_by(f64::total_cmp);
    std::hint::black_box(sink);

    Ok(SearchFigures {
        docs: docs.len(),
        build_s,
        searches: lat.len(),
        p50_ms: quantile(&lat, 0.5),
        p99_ms: quantile(&lat, 0.99),
        per_sec,
        threads,
        parallel_per_sec,
        floor_per_sec,
        scan_p50_ms: quantile(&scan, 0.5),
        again_p50_ms: quantile(&again, 0.5),
        again_p99_ms: quantile(&again, 0.99),
        empty,
    })
}

// ---------------------------------------------------------------------------------------------
// The public case-status lookup over HTTP
// ---------------------------------------------------------------------------------------------

/// A filed case and the four characters that unlock its public status.
struct Tracked {
    number: String,
    tail: String,
}

async fn lookup(plan: &Plan, store: Store, backend: &str, report: &mut Report) -> Res<()> {
    let dur = plan.dur();
    let app = crate::demo_app(store).await?;
    app.load_shipped_calendar().await?;
    let n = if plan.full { 1_000 } else { 300 };
    let t = Instant::now();
    let cases = Arc::new(file_cases(&app, n).await?);
    eprintln!(
        "  ({backend}: filed {} cases in {:.1} s: a third submitted, a third accepted, a third delivered)",
        cases.len(),
        t.elapsed().as_secs_f64()
    );
    let server = Server::start(app.clone()).await?;

    // Every case answers before anything is timed.
    let mut client = Client::new(server.addr);
    for c in cases.iter() {
        let (status, body) = client.get(&lookup_path(c)).await?;
        if status != 200 || !String::from_utf8_lossy(&body).contains(&c.number) {
            return Err(format!(
                "lookup of {} answered {status}: {}",
                c.number,
                String::from_utf8_lossy(&body)
            )
            .into());
        }
    }
    drop(client);

    let health = hammer(server.addr, CONNECTIONS, dur, |_| "/healthz".to_string()).await?;
    let looked = {
        let cases = cases.clone();
        hammer(server.addr, CONNECTIONS, dur, move |i| {
            lookup_path(&cases[(i as usize).wrapping_mul(7919) % cases.len()])
        })
        .await?
    };
    let reads = store_reads(app.clone(), cases.clone(), CONNECTIONS, dur).await?;
    server.stop().await;

    let c = CONNECTIONS;
    report.add(
        format!("{backend}: HTTP GET /healthz, {c} keep-alive connections"),
        health.per_sec,
        &format!("requests/s ({})", health.tally()),
    );
    report.add(
        format!("{backend}: store point read of a case by number, {c} clients"),
        reads,
        "reads/s",
    );
    report.against(
        format!("{backend}: HTTP public case lookup, {c} connections"),
        looked.per_sec,
        "requests/s",
        "GET /healthz requests/s, same server",
        health.per_sec,
    );
    report.against(
        format!("{backend}: HTTP public case lookup beside the database"),
        looked.per_sec,
        "requests/s",
        "store point reads/s",
        reads,
    );
    report.add(
        format!("{backend}: HTTP public case lookup p50 / p99, {c} connections"),
        looked.p50_ms,
        &format!("ms p50 (p99 {:.1} ms, {})", looked.p99_ms, looked.tally()),
    );
    if looked.failed() + health.failed() > 0 {
        eprintln!(
            "  WARNING {backend}: {} lookups and {} health checks did not answer 200",
            looked.failed(),
            health.failed()
        );
    }
    Ok(())
}

fn lookup_path(c: &Tracked) -> String {
    format!("/api/v1/public/cases/{}?tail={}", c.number, c.tail)
}

/// Files `n` cases of 不动产转移登记 online from 8 applicants at once: a third left submitted,
/// a third accepted, a third carried through to delivery (longer public timelines).
async fn file_cases(app: &Arc<App>, n: usize) -> Res<Vec<Tracked>> {
    const FILERS: usize = 8;
    let cast = Arc::new(Cast::new(app).await?);
    let mut tasks = Vec::new();
    for f in 0..FILERS {
        let (app, cast) = (app.clone(), cast.clone());
        tasks.push(tokio::spawn(async move {
            let user = crate::lifecycle::actor(&app, &format!("user{:02}", f + 1)).await?;
            let materials = crate::lifecycle::materials(&app, &user).await?;
            let mut out = Vec::new();
            for i in (f..n).step_by(FILERS) {
                let case = cast.submit(&app, &user, &materials).await?;
                let number = case.case.number.to_string();
                let applicant = &case.case.applicant;
                // Half by phone, half by ID number, as applicants do.
                let by = if i % 2 == 0 && applicant.phone.chars().count() >= 4 {
                    &applicant.phone
                } else {
                    &applicant.id_code
                };
                let chars: Vec<char> = by.chars().collect();
                let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
                let steps = [0, 1, STEPS.len()][i % 3];
                cast.advance(&app, &number, steps).await?;
                out.push(Tracked { number, tail });
            }
            Res::Ok(out)
        }));
    }
    let mut cases = Vec::with_capacity(n);
    for t in tasks {
        cases.extend(t.await??);
    }
    Ok(cases)
}

/// The store's read of a case row by number from `clients` tasks: reads per second.
async fn store_reads(
    app: Arc<App>,
    cases: Arc<Vec<Tracked>>,
    clients: usize,
    dur: Duration,
) -> Res<f64> {
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (app, cases, done) = (app.clone(), cases.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = c;
            while started.elapsed() < dur {
                let number = &cases[i.wrapping_mul(7919) % cases.len()].number;
                if app.store.case_by_number(number).await?.is_none() {
                    return Err(format!("case {number} vanished").into());
                }
                done.fetch_add(1, Ordering::Relaxed);
                i += clients;
            }
            Res::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// The web router served in-process on 127.0.0.1, as `tongban serve` serves it (with the
/// socket peer known, which the lookup's throttle keys on). Stopped when dropped.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub async fn start(app: Arc<App>) -> Res<Server> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let router = tongban_web::router(app, tongban_web::WebConfig::default(), None);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
        });
        Ok(Server {
            addr,
            stop: Some(stop),
            task,
        })
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.task).await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

// ---------------------------------------------------------------------------------------------
// A minimal HTTP/1.1 client: keep-alive, Content-Length or chunked bodies, one cookie.
// ---------------------------------------------------------------------------------------------

pub struct Client {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
    /// The session cookie the server last set (`name=value`), sent with every request.
    pub cookie: Option<String>,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Client {
        Client {
            addr,
            stream: None,
            buf: Vec::with_capacity(16 * 1024),
            cookie: None,
        }
    }

    /// `GET path`: status and body.
    pub async fn get(&mut self, path: &str) -> Res<(u16, Vec<u8>)> {
        self.request("GET", path, &[], b"").await
    }

    /// One request on the open connection (opening one first if needed): status and body.
    /// After an error the connection is dropped and the next call opens a new one.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Res<(u16, Vec<u8>)> {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: tongban-bench\r\nAccept: */*\r\n",
            self.addr
        );
        if let Some(c) = &self.cookie {
            request.push_str(&format!("Cookie: {c}\r\n"));
        }
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        if method != "GET" {
            request.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body);
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            self.stream = Some(stream);
            self.buf.clear();
        }
        let answer = self.exchange(&bytes).await;
        if answer.is_err() {
            self.stream = None;
        }
        answer
    }

    /// Sends one serialized request and reads its response.
    async fn exchange(&mut self, bytes: &[u8]) -> Res<(u16, Vec<u8>)> {
        self.stream
            .as_mut()
            .ok_or("not connected")?
            .write_all(bytes)
            .await?;
        let head_end = loop {
            if let Some(p) = find(&self.buf, b"\r\n\r\n", 0) {
                break p + 4;
            }
            self.fill().await?;
        };
        let (status, length, chunked, close) = {
            let head = std::str::from_utf8(&self.buf[..head_end])?;
            let mut lines = head.split("\r\n");
            let status_line = lines.next().unwrap_or_default();
            let status: u16 = status_line
                .split(' ')
                .nth(1)
                .ok_or_else(|| format!("bad status line {status_line:?}"))?
                .parse()?;
            let (mut length, mut chunked, mut close) = (None, false, false);
            for line in lines {
                let Some((k, v)) = line.split_once(':') else {
                    continue;
                };
                let v = v.trim();
                match k.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = Some(v.parse::<usize>()?),
                    "transfer-encoding" => chunked = v.to_ascii_lowercase().contains("chunked"),
                    "connection" => close = v.eq_ignore_ascii_case("close"),
                    "set-cookie" => {
                        let pair = v.split(';').next().unwrap_or_default();
                        if !pair.is_empty() {
                            self.cookie = Some(pair.to_string());
                        }
                    }
                    _ => {}
                }
            }
            (status, length, chunked, close)
        };
        let body = if chunked {
            self.chunked(head_end).await?
        } else {
            let len = match (status, length) {
                (100..=199 | 204 | 304, _) => 0,
                (_, Some(n)) => n,
                (_, None) => return Err("response without Content-Length".into()),
            };
            while self.buf.len() < head_end + len {
                self.fill().await?;
            }
            let body = self.buf[head_end..head_end + len].to_vec();
            self.buf.drain(..head_end + len);
            body
        };
        if close {
            self.stream = None;
        }
        Ok((status, body))
    }

    /// A chunked body starting at `at` in the buffer (no trailers expected).
    async fn chunked(&mut self, mut at: usize) -> Res<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(p) = find(&self.buf, b"\r\n", at) {
                    break p;
                }
                self.fill().await?;
            };
            let size_text = std::str::from_utf8(&self.buf[at..line_end])?;
            let size_text = size_text.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size_text, 16)?;
            let data = line_end + 2;
            while self.buf.len() < data + size + 2 {
                self.fill().await?;
            }
            body.extend_from_slice(&self.buf[data..data + size]);
            at = data + size + 2;
            if size == 0 {
                self.buf.drain(..at);
                return Ok(body);
            }
        }
    }

    async fn fill(&mut self) -> Res<()> {
        let Client { stream, buf, .. } = self;
        buf.reserve(8 * 1024);
        let n = stream
            .as_mut()
            .ok_or("not connected")?
            .read_buf(buf)
            .await?;
        if n == 0 {
            return Err("connection closed by the server".into());
        }
        Ok(())
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// What one load run saw.
#[derive(Debug, Default)]
pub struct HttpRun {
    /// Responses 200.
    pub ok: u64,
    /// Responses other than 200.
    pub other: u64,
    /// Requests that got no response (connection errors, malformed responses).
    pub errors: u64,
    pub per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// A few of the statuses other than 200, for the log.
    pub statuses: Vec<u16>,
}

impl HttpRun {
    pub fn failed(&self) -> u64 {
        self.other + self.errors
    }

    pub fn tally(&self) -> String {
        format!(
            "{} requests, {} not 200, {} errors",
            self.ok + self.other + self.errors,
            self.other,
            self.errors
        )
    }
}

/// `GET path(i)` over `conns` keep-alive connections for `dur`. Requests per second count
/// every answered request; latency is of answered requests.
pub async fn hammer<F>(addr: SocketAddr, conns: usize, dur: Duration, path: F) -> Res<HttpRun>
where
    F: Fn(u64) -> String + Send + Sync + 'static,
{
    let path = Arc::new(path);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..conns {
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = Client::new(addr);
            let mut run = HttpRun::default();
            let mut lat = Vec::new();
            let mut i = c as u64;
            while started.elapsed() < dur {
                let p = path(i);
                i += conns as u64;
                let t = Instant::now();
                match client.get(&p).await {
                    Ok((200, _)) => run.ok += 1,
                    Ok((status, _)) => {
                        run.other += 1;
                        if run.statuses.len() < 5 {
                            run.statuses.push(status);
                        }
                    }
                    Err(e) => {
                        run.errors += 1;
                        if run.errors <= 3 {
                            eprintln!("  http error on {p}: {e}");
                        }
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                }
                lat.push(t.elapsed().as_secs_f64() * 1e3);
            }
            (run, lat)
        }));
    }
    let mut total = HttpRun::default();
    let mut lat = Vec::new();
    for t in tasks {
        let (run, l) = t.await?;
        total.ok += run.ok;
        total.other += run.other;
        total.errors += run.errors;
        total.statuses.extend(run.statuses);
        lat.extend(l);
    }
    let secs = started.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    total.per_sec = (total.ok + total.other) as f64 / secs;
    total.p50_ms = quantile(&lat, 0.5);
    total.p99_ms = quantile(&lat, 0.99);
    if !total.statuses.is_empty() {
        total.statuses.truncate(10);
        eprintln!("  statuses other than 200: {:?}", total.statuses);
    }
    Ok(total)
}
