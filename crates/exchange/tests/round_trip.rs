//! Export then import gives back the same items.

mod common;

use common::{dept_id, dept_name, read, rows, write};
use tongban_domain::calendar::SuspensionKind;
use tongban_domain::catalog::{
    sample, Delivery, Fee, GroupRule, ImplementationCode, MaterialForm, SpecialProcedure,
};
use tongban_domain::codes;
use tongban_exchange::{export_catalog, import_catalog, CatalogRow};

#[test]
fn the_sample_items_round_trip() {
    let rows = rows();
    let bytes = export_catalog(&rows, &dept_name).expect("exported");
    let items = import_catalog(&bytes, &dept_id).unwrap_or_else(|e| panic!("{e}"));
    let expected: Vec<_> = rows.into_iter().map(|r| r.item).collect();
    assert_eq!(items, expected);
}

#[test]
fn every_element_round_trips_even_when_retyped_as_text() {
    let mut item = sample::food_licence();
    item.implementation_code =
        ImplementationCode::new(&item.basic_code, &item.region, &sample::agency(2), 2).unwrap();
    item.name = "食品经营许可（变更）".into();
    item.quantity_limit = "每个经营场所限办一证".into();
    item.fees = vec![
        Fee {
            name: "工本费".into(),
            basis: "《某省行政事业性收费目录》".into(),
            amount_fen: 1234,
        },
        Fee {
            name: "检测费".into(),
            basis: "《某省检测收费标准》".into(),
            amount_fen: 7,
        },
    ];
    item.special_procedures.push(SpecialProcedure {
        kind: SuspensionKind::ExpertReview,
        description: "需专家评审的".into(),
        max_days: 15,
    });
    item.parallel_groups[0].rule = GroupRule::AnyAgrees;
    item.materials[3].form = MaterialForm::Electronic;
    item.materials[3].copies = 3;
    item.materials[3].note = "委托办理时提供".into();
    item.materials[3].source = "政府部门核发".into();
    item.steps[3].department_id = Some(1);
    item.steps[3].deemed_approval = true;
    item.delivery = vec![Delivery::Online];
    item.deemed_approval = true;
    item.online_depth = 4;
    item.faq.push(tongban_domain::catalog::Faq {
        question: "可以网上办吗？".into(),
        answer: "可以，全程网办。".into(),
    });
    assert!(item.check().is_empty(), "{:#?}", item.check());
    let rows = vec![CatalogRow {
        item: item.clone(),
        status: "已发布".into(),
        version: 2,
    }];
    let bytes = export_catalog(&rows, &dept_name).unwrap();
    assert_eq!(
        import_catalog(&bytes, &dept_id).unwrap(),
        vec![item.clone()]
    );

    // The same workbook with every cell retyped as text, as a person editing it may leave it.
    let retyped = write(&read(&bytes));
    assert_eq!(import_catalog(&retyped, &dept_id).unwrap(), vec![item]);
}

#[test]
fn the_export_lays_out_the_template() {
    let bytes = export_catalog(&rows(), &dept_name).unwrap();
    let grids = read(&bytes);
    let names: Vec<&str> = grids.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        names,
        ["事项", "材料", "环节", "并联组", "收费", "特殊环节"]
    );
    let items = &grids[0];
    assert_eq!(items.rows.len(), 3);
    assert_eq!(items.get(2, "实施部门"), "清江市市场监督管理局");
    assert_eq!(items.get(2, "事项类型"), "行政许可");
    assert_eq!(items.get(2, "办件类型"), "承诺件");
    assert_eq!(items.get(2, "超时默认"), "否");
    assert_eq!(items.get(2, "状态"), "已发布");
    assert_eq!(
        items.get(2, "设定依据"),
        "《中华人民共和国食品安全法》第三十五条：国家对食品生产经营实行许可制度。"
    );
    assert_eq!(items.get(2, "主题"), "开办企业，经营许可");
    assert!(items.get(2, "常见问题").starts_with("问：已有营业执照"));
    assert_eq!(grids[1].rows.len(), 1 + 4 + 2);
    let steps = &grids[2];
    let s2b = steps.find("环节编号", "s2b");
    assert_eq!(steps.get(s2b, "办理部门"), "清江市卫生健康委员会");
    assert_eq!(steps.get(s2b, "并联组"), "g1");
    assert_eq!(steps.get(s2b, "超时默认"), "是");
    assert_eq!(
        steps.get(steps.find("环节编号", "s1"), "审查材料"),
        "m1,m2,m4"
    );
}

#[test]
fn an_unknown_department_stops_the_export() {
    let err = export_catalog(&rows(), &|id| (id == 1).then(|| "市场局".to_string())).unwrap_err();
    assert_eq!(
        tongban_domain::Code::code(&err),
        codes::Exchange::UnknownDepartment
    );
}
