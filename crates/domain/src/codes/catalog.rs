//! Codes of the item catalog and its workbook.

use crate::error_codes;

error_codes! {
    /// The item catalog: codes, consistency rules and the three reviews.
    pub enum Catalog {
        Action = "catalog.action", Invalid => "未知的操作",
        BasicCode = "catalog.basic_code", Invalid => "基本编码应为类型字母2位（如 XK）加主项5位、子项3位数字，共10位",
        BasicCodeType = "catalog.basic_code_type", Invalid => "基本编码的类型字母不是已知的事项类型代码",
        BasisMissing = "catalog.basis_missing", Invalid => "至少需要一条设定依据：没有法定依据的事项不得实施",
        Changed = "catalog.changed", Conflict => "该事项刚被他人处理，请刷新后重试",
        CodeChanged = "catalog.code_changed", Invalid => "实施编码是事项的身份，不能修改",
        CodeMismatch = "catalog.code_mismatch", Invalid => "实施编码的前10位应与基本编码一致",
        CodeRegion = "catalog.code_region", Invalid => "实施编码中的区划应与事项的实施区划一致",
        CommittedExceedsStatutory = "catalog.committed_exceeds_statutory", Invalid => "承诺时限不得超过法定时限",
        CommittedMissing = "catalog.committed_missing", Invalid => "承诺件须有承诺时限（工作日）",
        Copies = "catalog.copies", Invalid => "材料份数应为1至20",
        Correspondence = "catalog.correspondence", Invalid => "下级事项须与上级同一基本编码的事项保持一致（上下对应）",
        CorrespondenceLevel = "catalog.correspondence_level", Invalid => "上下对应只比较下级事项与上级事项",
        DeferrableOptional = "catalog.deferrable_optional", Invalid => "容缺只适用于必要材料",
        Department = "catalog.department", Invalid => "实施部门不存在",
        Document = "catalog.document", Invalid => "事项文档格式有误",
        DuplicateCode = "catalog.duplicate_code", Conflict => "实施编码已存在",
        DuplicateMaterial = "catalog.duplicate_material", Invalid => "材料重复列出",
        EffectiveDate = "catalog.effective_date", Invalid => "须写明生效日期（YYYY-MM-DD）",
        FeeAmount = "catalog.fee_amount", Invalid => "收费金额应大于0；不收费的不列收费项",
        FeeBasis = "catalog.fee_basis", Invalid => "每项收费须写明名称和收费依据；没有法定依据的不得收费",
        FirstStepIntake = "catalog.first_step_intake", Invalid => "第一个环节应为受理",
        GroupKey = "catalog.group_key", Invalid => "并联组编号重复",
        GroupLead = "catalog.group_lead", Invalid => "并联组应有且只有一个主办部门",
        GroupSize = "catalog.group_size", Invalid => "并联组至少需要两个部门的环节",
        GroupSplit = "catalog.group_split", Invalid => "并联组的环节应连续排列",
        GroupUnknown = "catalog.group_unknown", Invalid => "并联组未定义",
        HandlingNumber = "catalog.handling_number", Invalid => "办理项编号应为01至99",
        ImplementationCode = "catalog.implementation_code", Invalid => "实施编码应为42位（基本编码10位、区划12位、实施主体信用代码18位、办理项2位）",
        ImplementationRegion = "catalog.implementation_region", Invalid => "实施编码中的区划部分有误",
        InstantLimit = "catalog.instant_limit", Invalid => "即办件当场办结：承诺时限和各环节时限均应为0",
        Invalid = "catalog.invalid", Invalid => "事项有不符合要求之处",
        LeadOutsideGroup = "catalog.lead_outside_group", Invalid => "只有并联环节才有主办部门",
        LevelRegion = "catalog.level_region", Invalid => "实施层级与区划的层级不符",
        MaterialKey = "catalog.material_key", Invalid => "材料编号为空或重复",
        MaterialUnknown = "catalog.material_unknown", Invalid => "环节引用了不存在的材料",
        MaterialUnused = "catalog.material_unused", Invalid => "必要材料没有被任何环节（含受理）审查",
        MaxVisits = "catalog.max_visits", Invalid => "到现场次数不应超过5次",
        NotDraft = "catalog.not_draft", Conflict => "只有草稿可以编辑",
        NotPublished = "catalog.not_published", Invalid => "只有已发布的事项才能新建版本",
        OnlineDepth = "catalog.online_depth", Invalid => "网办深度应为1至4级",
        OpenVersion = "catalog.open_version", Conflict => "该事项已有正在修订或审核中的版本",
        ReasonRequired = "catalog.reason_required", Invalid => "须写明理由",
        Region = "catalog.region", Invalid => "区划不存在",
        Required = "catalog.required", Invalid => "必填内容不能为空",
        SameReviewer = "catalog.same_reviewer", Forbidden => "同一人不能对同一版本审核两次，三审须由不同人员办理",
        Special = "catalog.special", Invalid => "特殊环节须写明内容和最长时限（工作日）",
        StatutoryMissing = "catalog.statutory_missing", Invalid => "承诺件须有法定时限",
        StepKey = "catalog.step_key", Invalid => "环节编号为空或重复",
        StepsExceedLimit = "catalog.steps_exceed_limit", Invalid => "各环节时限合计（串联相加、并联取最长）超过承诺时限",
        TooLong = "catalog.too_long", Invalid => "事项名称不超过100个字",
        Transition = "catalog.transition", Forbidden => "事项当前的状态不能办理此操作",
        TypeMismatch = "catalog.type_mismatch", Invalid => "基本编码的类型字母与事项类型不符",
        WrongReviewer = "catalog.wrong_reviewer", Forbidden => "本轮审核应由其他角色办理",
    }
}

error_codes! {
    /// The catalog workbook import.
    pub enum Import {
        BadValue = "import.bad_value", Invalid => "单元格的值不符合要求",
        Changed = "import.changed", Conflict => "导入期间目录被他人修改，未写入任何内容，请重试",
        Duplicate = "import.duplicate", Invalid => "同一事项或同一编号重复出现",
        InReview = "import.in_review", Invalid => "该事项有版本正在审核，本次导入跳过该事项",
        Invalid = "import.invalid", Invalid => "导入文件有错误，未写入任何内容",
        MissingColumn = "import.missing_column", Invalid => "工作表缺少必需的列",
        MissingSheet = "import.missing_sheet", Invalid => "工作簿缺少必需的工作表",
        Region = "import.region", Invalid => "实施区划不在您的管辖范围内",
        UnknownDepartment = "import.unknown_department", Invalid => "部门不存在",
        UnknownItem = "import.unknown_item", Invalid => "引用了工作簿中不存在的事项",
        Unreadable = "import.unreadable", Invalid => "无法读取该文件，请上传 .xlsx 工作簿",
        Upload = "import.upload", Invalid => "文件上传不完整，请重试",
    }
}

error_codes! {
    /// Producing workbooks and bundles (logged; people see `internal`).
    pub enum Exchange {
        UnknownDepartment = "exchange.unknown_department", Internal => "事项引用的部门不存在",
        Xlsx = "exchange.xlsx", Internal => "生成Excel文件失败",
        Zip = "exchange.zip", Internal => "生成压缩包失败",
    }
}
