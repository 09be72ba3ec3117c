//! Behaviour of the catalog index through its public API.

use tongban_search::{CatalogIndex, SearchDoc, Synonyms};

fn s(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|x| x.to_string()).collect()
}

fn doc(item_id: i64, code: &str, name: &str) -> SearchDoc {
    SearchDoc {
        item_id,
        code: code.into(),
        name: name.into(),
        department: "市场监督管理局".into(),
        item_type: "行政许可".into(),
        service_object: "法人".into(),
        online_depth: 3,
        ..SearchDoc::default()
    }
}

/// A small realistic catalog.
fn catalog() -> Vec<SearchDoc> {
    vec![
        SearchDoc {
            themes: s(&["开办企业"]),
            materials: s(&["公司登记（备案）申请书", "公司章程", "法定代表人身份证明"]),
            conditions: s(&["申请人为依法设立的有限责任公司"]),
            faq: s(&["问：企业名称如何申报？答：通过名称自主申报系统申报。"]),
            basis: s(&["《中华人民共和国市场主体登记管理条例》"]),
            ..doc(1, "XK00101001", "企业设立登记")
        },
        SearchDoc {
            themes: s(&["餐饮服务"]),
            materials: s(&[
                "食品经营许可申请书",
                "营业执照复印件",
                "与食品经营相适应的主要设备设施布局、操作流程等文件",
                "经营场所平面布局图",
            ]),
            conditions: s(&["具有与经营的食品品种、数量相适应的经营场所"]),
            basis: s(&["《中华人民共和国食品安全法》第三十五条"]),
            ..doc(2, "XK00601001", "食品经营许可")
        },
        SearchDoc {
            department: "卫生健康委员会".into(),
            materials: s(&["卫生许可申请书", "营业执照复印件", "卫生管理制度"]),
            faq: s(&["问：开超市卖散装食品还要办这个吗？答：超市不属于本事项范围，食品类请咨询市场监管部门。"]),
            ..doc(3, "XK00701002", "公共场所卫生许可")
        },
        SearchDoc {
            department: "公安局".into(),
            item_type: "公共服务".into(),
            service_object: "自然人".into(),
            materials: s(&["居民户口簿", "出生医学证明"]),
            conditions: s(&["新生儿出生一个月内申报"]),
            ..doc(4, "GG00201003", "出生登记")
        },
        SearchDoc {
            department: "公安局交通管理局".into(),
            materials: s(&["机动车驾驶证", "身体条件证明"]),
            ..doc(5, "GG00301007", "机动车驾驶证换证")
        },
        SearchDoc {
            department: "民政局".into(),
            materials: s(&["户口簿", "家庭收入证明"]),
            conditions: s(&["家庭人均收入低于当地最低生活保障标准"]),
            ..doc(6, "GF00101001", "最低生活保障对象认定")
        },
    ]
}

fn ids(hits: &[tongban_search::Hit]) -> Vec<i64> {
    hits.iter().map(|h| h.item_id).collect()
}

fn loaded() -> CatalogIndex {
    let idx = CatalogIndex::in_memory().expect("index");
    idx.replace_all(&catalog()).expect("load");
    idx
}

#[test]
fn everyday_word_finds_official_name_via_synonyms() {
    let idx = loaded();
    let hits = idx.search("营业执照", 10).expect("search");
    // 企业设立登记 never mentions 营业执照: only the synonym table connects them. It must
    // also outrank the items that merely ask for 营业执照复印件 as a material.
    assert_eq!(hits.first().map(|h| h.item_id), Some(1), "{hits:?}");
    assert_eq!(
        hits[0].snippet, "",
        "name matched (via synonym): no snippet"
    );
    // Without the table the same search cannot find it.
    let plain = CatalogIndex::in_memory()
        .expect("index")
        .with_synonyms(Synonyms::none());
    plain.replace_all(&catalog()).expect("load");
    assert!(!ids(&plain.search("营业执照", 10).expect("search")).contains(&1));
}

#[test]
fn more_everyday_words() {
    let idx = loaded();
    for (query, expected) in [("我想开饭店", 2), ("驾照", 5), ("低保", 6), ("生孩子", 4)]
    {
        let hits = idx.search(query, 10).expect("search");
        assert_eq!(
            hits.first().map(|h| h.item_id),
            Some(expected),
            "{query}: {hits:?}"
        );
    }
}

/// The item named 食品… leads; an item whose FAQ mentions 食品 once in passing scores far below
/// it and is cut as a weak match (`WEAK_MATCH_RATIO`), while a query found only in FAQs still
/// finds them.
#[test]
fn name_match_leads_and_a_passing_faq_mention_is_cut() {
    let idx = loaded();
    let hits = idx.search("食品", 10).expect("search");
    assert_eq!(hits.first().map(|h| h.item_id), Some(2), "{hits:?}");
    assert!(hits.iter().all(|h| h.item_id != 3), "{hits:?}");
    let floor = hits[0].score * tongban_search::WEAK_MATCH_RATIO;
    assert!(hits.iter().all(|h| h.score >= floor), "{hits:?}");

    let faq_only = idx.search("散装食品", 10).expect("search");
    assert_eq!(faq_only.first().map(|h| h.item_id), Some(3), "{faq_only:?}");
}

/// The name weight itself, without help from other fields: the FAQ says 食品 three times in
/// short entries, the name once, and the name still wins (fails with equal weights).
#[test]
fn name_weight_beats_a_dense_faq() {
    let idx = CatalogIndex::in_memory().expect("index");
    idx.replace_all(&[
        SearchDoc {
            faq: s(&["食品？食品。", "食品。"]),
            ..doc(1, "A0001", "公共场所卫生许可")
        },
        SearchDoc {
            faq: s(&["问：办理时限是多久？答：自受理之日起二十个工作日内作出决定。"]),
            ..doc(3, "A0003", "建设工程规划许可")
        },
        SearchDoc {
            materials: s(&["申请书"]),
            ..doc(2, "A0002", "食品经营许可")
        },
    ])
    .expect("load");
    let hits = idx.search("食品", 10).expect("search");
    assert_eq!(ids(&hits), vec![2, 1], "{hits:?}");
    assert_eq!(hits[0].snippet, "", "name matched");
    assert!(hits[1].snippet.contains("食品"), "{hits:?}");
}

#[test]
fn material_search_finds_item_with_snippet() {
    let idx = loaded();
    let hits = idx.search("平面布局图", 10).expect("search");
    let first = hits.first().expect("a hit");
    assert_eq!(first.item_id, 2, "{hits:?}");
    assert_eq!(first.name, "食品经营许可");
    assert!(first.snippet.contains("平面布局图"), "{first:?}");
    assert!(!first.snippet.contains('<'), "plain text: {first:?}");
}

#[test]
fn upsert_replaces_and_remove_removes() {
    let idx = loaded();
    assert_eq!(idx.len(), 6);
    let mut renamed = catalog().remove(4); // 机动车驾驶证换证, id 5
    renamed.name = "机动车驾驶人考试".into();
    renamed.materials = s(&["身体条件证明"]);
    idx.upsert(&renamed).expect("upsert");
    assert_eq!(idx.len(), 6, "replaced, not added");
    assert!(!ids(&idx.search("换证", 10).expect("search")).contains(&5));
    assert_eq!(
        ids(&idx.search("驾驶人考试", 10).expect("search")).first(),
        Some(&5)
    );

    idx.remove(5).expect("remove");
    assert_eq!(idx.len(), 5);
    assert!(!ids(&idx.search("驾驶人考试", 10).expect("search")).contains(&5));
    assert!(idx
        .search("XK00601001", 5)
        .expect("search")
        .iter()
        .all(|h| h.item_id != 5));
}

#[test]
fn basic_code_finds_its_item() {
    let idx = loaded();
    for q in ["XK00601001", "xk00601001", "  XK00601001 "] {
        let hits = idx.search(q, 10).expect("search");
        assert_eq!(ids(&hits), vec![2], "{q:?}");
    }
    assert!(
        idx.search("XK0060100", 10).expect("search").is_empty(),
        "exact, not prefix"
    );
}

#[test]
fn query_syntax_and_punctuation_never_error() {
    let idx = loaded();
    for q in [
        "\"食品",
        "食品\"",
        "name:食品",
        "(食品",
        "食品)",
        "-食品",
        "+食品 -许可",
        "食品 AND OR NOT",
        "[食品 TO 许可]",
        "食品^10",
        "*",
        "\\",
    ] {
        idx.search(q, 10).unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
    // The syntax characters are ignored, the words still count.
    assert_eq!(
        ids(&idx.search("name:\"食品经营\"", 10).expect("search")).first(),
        Some(&2)
    );
    for q in ["", "   ", "\"\"", ":", "()", "-", "！？。，、", "\"():-+"] {
        assert!(idx.search(q, 10).expect("search").is_empty(), "{q:?}");
    }
}

#[test]
fn on_disk_index_survives_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("catalog-index");
    {
        let idx = CatalogIndex::open(&path).expect("create");
        idx.replace_all(&catalog()).expect("load");
        idx.remove(6).expect("remove");
    }
    let idx = CatalogIndex::open(&path).expect("reopen");
    assert_eq!(idx.len(), 5);
    assert_eq!(
        ids(&idx.search("食品经营许可", 1).expect("search")),
        vec![2]
    );
    assert!(idx
        .search("最低生活保障", 10)
        .expect("search")
        .iter()
        .all(|h| h.item_id != 6));
    idx.upsert(&doc(7, "XK00901001", "药品经营许可"))
        .expect("write after reopen");
    assert_eq!(idx.len(), 6);
}

#[test]
fn opening_a_file_as_directory_is_an_io_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").expect("write");
    let err = CatalogIndex::open(&file).expect_err("a file is not an index directory");
    assert_eq!(err.code(), "search.io", "{err}");
}

/// Generated catalog: names from word lists, so many items share words.
fn generated(n: usize) -> Vec<SearchDoc> {
    const SUBJECTS: &[&str] = &[
        "食品", "药品", "建筑", "道路", "医疗", "烟草", "森林", "船舶",
    ];
    const ACTS: &[&str] = &[
        "经营许可",
        "生产许可",
        "设立登记",
        "变更登记",
        "注销登记",
        "备案",
    ];
    (0..n)
        .map(|i| {
            let subject = SUBJECTS[i % SUBJECTS.len()];
            let act = ACTS[(i / SUBJECTS.len()) % ACTS.len()];
            SearchDoc {
                materials: vec![format!("{subject}{act}申请书"), format!("第{i}号情况说明")],
                ..doc(
                    10_000 + i as i64,
                    &format!("XK{:08}", i),
                    &format!("{subject}{act}（{i}）"),
                )
            }
        })
        .collect()
}

#[test]
fn replace_all_with_many_docs_then_search() {
    let idx = loaded();
    let docs = generated(1_000);
    idx.replace_all(&docs).expect("bulk load");
    assert_eq!(idx.len(), 1_000, "the old catalog is gone");
    assert!(idx.search("平面布局图", 10).expect("search").is_empty());

    let exact = docs
        .iter()
        .filter(|d| d.name.starts_with("药品生产许可"))
        .count();
    assert!(exact > 10);
    let hits = idx.search("药品生产许可", 50).expect("search");
    assert!(hits.len() > exact, "related items follow: {}", hits.len());
    assert!(
        hits[..exact]
            .iter()
            .all(|h| h.name.starts_with("药品生产许可")),
        "exact names first: {hits:?}"
    );
    assert_eq!(
        ids(&idx.search("XK00000777", 10).expect("search")),
        vec![10_777]
    );
    let registrations = docs.iter().filter(|d| d.name.contains("登记")).count();
    assert_eq!(
        idx.search("登记", 5_000).expect("search").len(),
        registrations
    );
}

#[test]
fn duplicate_ids_in_replace_all_keep_the_last() {
    let idx = CatalogIndex::in_memory().expect("index");
    idx.replace_all(&[doc(1, "A0001", "旧名称事项"), doc(1, "A0001", "新名称事项")])
        .expect("load");
    assert_eq!(idx.len(), 1);
    assert_eq!(
        idx.search("事项", 10).expect("search")[0].name,
        "新名称事项"
    );
}

#[test]
fn concurrent_searches_and_writes() {
    let idx = std::sync::Arc::new(loaded());
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let idx = idx.clone();
            std::thread::spawn(move || {
                for i in 0..20 {
                    if t == 0 {
                        idx.upsert(&doc(100 + i, "B0001", "临时测试事项"))
                            .expect("upsert");
                    } else {
                        let hits = idx.search("食品经营许可", 5).expect("search");
                        assert_eq!(hits.first().map(|h| h.item_id), Some(2));
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    assert_eq!(idx.len(), 26);
}

#[test]
fn a_remembered_answer_never_outlives_a_write() {
    let index = CatalogIndex::in_memory().expect("index");
    index.replace_all(&catalog()).expect("load");
    let first = index.search("食品经营许可", 10).expect("search");
    assert_eq!(first[0].item_id, 2);
    assert_eq!(
        index.search("  食品经营许可 ", 10).expect("again"),
        first,
        "the same answer, asked again"
    );
    // A new item, a removed one, a rebuilt index: each is seen by the very next search.
    index
        .upsert(&doc(
            99,
            "XK00601099",
            "食品经营许可（仅销售预包装食品）备案",
        ))
        .expect("upsert");
    let after = index.search("食品经营许可", 10).expect("search");
    assert!(after.iter().any(|h| h.item_id == 99), "{after:?}");
    index.remove(2).expect("remove");
    let removed = index.search("食品经营许可", 10).expect("search");
    assert!(!removed.iter().any(|h| h.item_id == 2), "{removed:?}");
    index.replace_all(&[]).expect("empty");
    assert!(index.search("食品经营许可", 10).expect("search").is_empty());
    // Uncached and cached agree.
    index.replace_all(&catalog()).expect("load");
    for q in ["营业执照", "开饭店", "XK00601001", "出生"] {
        assert_eq!(
            index.search(q, 5).expect("cached"),
            index.search_uncached(q, 5).expect("uncached"),
            "{q}"
        );
    }
}
