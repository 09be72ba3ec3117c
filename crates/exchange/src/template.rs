//! The workbook template: sheet names and column headers, in the order an export writes them.
//! An import finds columns by their header text, so their order in a file may differ.

pub const ITEMS: &str = "事项";
pub const MATERIALS: &str = "材料";
pub const STEPS: &str = "环节";
pub const GROUPS: &str = "并联组";
pub const FEES: &str = "收费";
pub const SPECIALS: &str = "特殊环节";

/// Every sheet an import requires, in the order an export writes them.
pub const SHEETS: [&str; 6] = [ITEMS, MATERIALS, STEPS, GROUPS, FEES, SPECIALS];

/// Columns of 事项, one row per item.
pub mod item {
    pub const BASIC_CODE: &str = "基本编码";
    pub const CODE: &str = "实施编码";
    pub const NAME: &str = "事项名称";
    pub const TYPE: &str = "事项类型";
    pub const DEPARTMENT: &str = "实施部门";
    pub const LEVEL: &str = "实施层级";
    pub const REGION: &str = "区划代码";
    pub const SERVICE_OBJECT: &str = "服务对象";
    pub const SETTING_BASIS: &str = "设定依据";
    pub const IMPLEMENTING_BASIS: &str = "实施依据";
    pub const CONDITIONS: &str = "受理条件";
    pub const QUANTITY_LIMIT: &str = "数量限制";
    pub const STATUTORY: &str = "法定时限";
    pub const COMMITTED: &str = "承诺时限";
    pub const HANDLING: &str = "办件类型";
    pub const VISITS: &str = "到现场次数";
    pub const RESULT: &str = "办理结果";
    pub const DELIVERY: &str = "送达方式";
    pub const PLACE: &str = "办理地点";
    pub const HOURS: &str = "办理时间";
    pub const CONSULT: &str = "咨询电话";
    pub const COMPLAINT: &str = "投诉电话";
    pub const ONLINE_DEPTH: &str = "网办深度";
    pub const DEEMED: &str = "超时默认";
    pub const THEMES: &str = "主题";
    pub const FAQ: &str = "常见问题";
    /// Written by an export for reference; an import ignores them.
    pub const STATUS: &str = "状态";
    pub const VERSION: &str = "版本";

    pub const REQUIRED: [&str; 26] = [
        BASIC_CODE,
        CODE,
        NAME,
        TYPE,
        DEPARTMENT,
        LEVEL,
        REGION,
        SERVICE_OBJECT,
        SETTING_BASIS,
        IMPLEMENTING_BASIS,
        CONDITIONS,
        QUANTITY_LIMIT,
        STATUTORY,
        COMMITTED,
        HANDLING,
        VISITS,
        RESULT,
        DELIVERY,
        PLACE,
        HOURS,
        CONSULT,
        COMPLAINT,
        ONLINE_DEPTH,
        DEEMED,
        THEMES,
        FAQ,
    ];
}

/// Columns of 材料, one row per material.
pub mod material {
    pub const CODE: &str = "实施编码";
    pub const KEY: &str = "材料编号";
    pub const NAME: &str = "材料名称";
    pub const FORM: &str = "材料形式";
    pub const COPIES: &str = "份数";
    pub const REQUIRED_FLAG: &str = "必要";
    pub const DEFERRABLE: &str = "容缺";
    pub const SOURCE: &str = "来源";
    pub const NOTE: &str = "备注";

    pub const REQUIRED: [&str; 9] = [
        CODE,
        KEY,
        NAME,
        FORM,
        COPIES,
        REQUIRED_FLAG,
        DEFERRABLE,
        SOURCE,
        NOTE,
    ];
}

/// Columns of 环节, one row per step, in process order.
pub mod step {
    pub const CODE: &str = "实施编码";
    pub const KEY: &str = "环节编号";
    pub const NAME: &str = "环节名称";
    pub const KIND: &str = "环节类型";
    pub const POST: &str = "责任岗位";
    pub const DEPARTMENT: &str = "办理部门";
    pub const LIMIT: &str = "时限";
    pub const GROUP: &str = "并联组";
    pub const LEAD: &str = "主办";
    pub const MATERIALS: &str = "审查材料";
    pub const DEEMED: &str = "超时默认";

    pub const REQUIRED: [&str; 11] = [
        CODE, KEY, NAME, KIND, POST, DEPARTMENT, LIMIT, GROUP, LEAD, MATERIALS, DEEMED,
    ];
}

/// Columns of 并联组.
pub mod group {
    pub const CODE: &str = "实施编码";
    pub const KEY: &str = "组编号";
    pub const NAME: &str = "组名称";
    pub const RULE: &str = "规则";

    pub const REQUIRED: [&str; 4] = [CODE, KEY, NAME, RULE];
}

/// Columns of 收费.
pub mod fee {
    pub const CODE: &str = "实施编码";
    pub const NAME: &str = "收费项目";
    pub const BASIS: &str = "收费依据";
    pub const AMOUNT: &str = "金额（元）";

    pub const REQUIRED: [&str; 4] = [CODE, NAME, BASIS, AMOUNT];
}

/// Columns of 特殊环节.
pub mod special {
    pub const CODE: &str = "实施编码";
    pub const KIND: &str = "类别";
    pub const DESCRIPTION: &str = "说明";
    pub const MAX_DAYS: &str = "最长时限";

    pub const REQUIRED: [&str; 4] = [CODE, KIND, DESCRIPTION, MAX_DAYS];
}
