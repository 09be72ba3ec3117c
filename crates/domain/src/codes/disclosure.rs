//! Codes of government-information disclosure requests (依申请公开, 政府信息公开条例 2019).

use crate::error_codes;

error_codes! {
    /// Disclosure requests: the procedure's refusals and the use cases around them.
    pub enum Disclosure {
        ApplicantKind = "disclosure.applicant_kind", Invalid => "公民须提供居民身份证号码，法人或者非法人组织须提供统一社会信用代码",
        ApplicantName = "disclosure.applicant_name", Invalid => "请填写申请人姓名或者名称（100字以内）",
        ConsultationDeadline = "disclosure.consultation_deadline", Conflict => "第三方的答复期限尚未届满，也未收到答复，不能结束征求意见",
        ConsultationOpen = "disclosure.consultation_open", Conflict => "正在征求意见，请先结束征求意见",
        ConsultationParty = "disclosure.consultation_party", Invalid => "请写明被征求意见的第三方或机关以及征求意见的内容",
        Contact = "disclosure.contact", Invalid => "请至少留下一种联系方式（手机号码或电子邮箱）",
        Description = "disclosure.description", Invalid => "请写明所需政府信息的名称、文号或者便于查询的其他特征性描述（2000字以内）",
        ExtensionApprover = "disclosure.extension_approver", Forbidden => "延长答复期限须经政府信息公开工作机构负责人同意",
        ExtensionSecond = "disclosure.extension_second", Conflict => "答复期限只能延长一次",
        ExtensionLate = "disclosure.extension_late", Conflict => "答复期限已经届满，不能再延长",
        ExtensionReason = "disclosure.extension_reason", Invalid => "延长答复期限须写明理由，并告知申请人",
        ExtensionTooLong = "disclosure.extension_too_long", Invalid => "延长的期限最长不得超过20个工作日",
        FeeBothModes = "disclosure.fee_both_modes", Invalid => "信息处理费按件计收或者按量计收只能择一适用，不能同时适用",
        FeeFree = "disclosure.fee_free", Invalid => "按所选方式计算不收取信息处理费，无须发出收费通知",
        FeeMode = "disclosure.fee_mode", Invalid => "请选择按件计收（填写本月第几件申请）或者按量计收（填写页数）",
        FeeNotDue = "disclosure.fee_not_due", Conflict => "缴费期限尚未届满",
        FeeSecond = "disclosure.fee_second", Conflict => "本申请已经发出过收费通知",
        GroundsMissing = "disclosure.grounds_missing", Invalid => "该答复类型须写明理由和依据",
        NotFound = "disclosure.not_found", NotFound => "没有该政府信息公开申请",
        NotHolder = "disclosure.not_holder", Forbidden => "该申请不由你所在的政府信息公开工作机构办理",
        NotApplicant = "disclosure.not_applicant", Forbidden => "只有申请人本人才能办理此操作",
        ReceiptFuture = "disclosure.receipt_future", Invalid => "收到申请的时间不能晚于现在",
        ReceiptMissing = "disclosure.receipt_missing", Invalid => "当面提交须填写递交时间，挂号信函须填写签收时间",
        ReplyText = "disclosure.reply_text", Invalid => "答复说明过长（5000字以内）",
        Stale = "disclosure.stale", Conflict => "该申请已被他人更新，请刷新后重试",
        State = "disclosure.state", Conflict => "申请当前所处的环节不能办理此操作",
        SupplementDeadline = "disclosure.supplement_deadline", Invalid => "补正期限须晚于发出通知之日",
        SupplementItems = "disclosure.supplement_items", Invalid => "补正通知须逐项写明需要作出更改、补充的内容",
        SupplementLate = "disclosure.supplement_late", Conflict => "补正通知须在收到申请之日起7个工作日内一次性发出",
        SupplementNotDue = "disclosure.supplement_not_due", Conflict => "补正期限尚未届满",
        SupplementSecond = "disclosure.supplement_second", Conflict => "补正通知只能发出一次（一次性告知）",
    }
}
