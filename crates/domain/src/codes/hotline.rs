//! Codes of the 12345 hotline (诉求工单).

use crate::error_codes;

error_codes! {
    /// 12345 work orders (工单): the state machine's refusals and the hotline use cases.
    pub enum Hotline {
        Answer = "hotline.answer", Invalid => "请填写答复内容（4000字以内）",
        AnswerCategory = "hotline.answer_category", Invalid => "只有咨询类工单可以由话务员即时办结",
        CallbackDone = "hotline.callback_done", Conflict => "该工单已回访，不能重复回访",
        CallbackResult = "hotline.callback_result", Invalid => "回访结果应为 satisfied（满意）、basic（基本满意）或 unsatisfied（不满意）",
        Caller = "hotline.caller", Invalid => "请填写来电人电话，或勾选匿名",
        Category = "hotline.category", Invalid => "诉求类别应为咨询、求助、投诉、举报或建议",
        Channel = "hotline.channel", Invalid => "受理渠道不正确",
        Efficiency = "hotline.efficiency", Invalid => "效能投诉须为投诉类工单，并指明被投诉的单位",
        ExtensionDays = "hotline.extension_days", Invalid => "延期天数超出允许的范围",
        ExtensionNone = "hotline.extension_none", Conflict => "没有待审批的延期申请",
        ExtensionPending = "hotline.extension_pending", Conflict => "已有延期申请待审批",
        ExtensionUrgent = "hotline.extension_urgent", Invalid => "紧急工单按小时计时，不能申请延期",
        MergeTarget = "hotline.merge_target", Invalid => "只能合并到另一张未办结的工单",
        Open311Key = "hotline.open311_key", Unauthenticated => "缺少有效的 Open311 接口密钥（api_key）",
        Open311KeyUnknown = "hotline.open311_key_unknown", NotFound => "未找到该接口密钥，或已吊销",
        Open311Service = "hotline.open311_service", NotFound => "没有该服务代码（service_code）",
        NotCentre = "hotline.not_centre", Forbidden => "须由12345中心人员办理",
        NotHolder = "hotline.not_holder", Forbidden => "该工单不在本单位办理，不能进行此操作",
        NotFound = "hotline.not_found", NotFound => "未找到该工单，或工单号与电话尾号不符",
        Number = "hotline.number", Invalid => "工单号格式不正确",
        Paused = "hotline.paused", Conflict => "工单已暂停计时",
        NotPaused = "hotline.not_paused", Conflict => "工单未暂停计时",
        Phone = "hotline.phone", Invalid => "电话号码应为7至12位数字",
        Photo = "hotline.photo", Invalid => "照片应为完整的 JPEG 或 PNG 图片",
        PhotoCount = "hotline.photo_count", Invalid => "照片数量超出限制",
        PhotoSize = "hotline.photo_size", Invalid => "照片文件过大",
        PhotoType = "hotline.photo_type", Invalid => "不接受该类型的照片，请上传 JPEG 或 PNG 图片",
        Place = "hotline.place", Invalid => "地址不能超过200字",
        Reason = "hotline.reason", Invalid => "请填写理由（500字以内）",
        Region = "hotline.region", Invalid => "地区不正确或不在您的管辖范围内",
        ReturnLimit = "hotline.return_limit", Conflict => "退单次数已达上限，请与12345中心协调",
        ReturnLate = "hotline.return_late", Conflict => "已超过退单时限，请按时办理或申请延期",
        Route = "hotline.route", Invalid => "该诉求事项在本地区没有承办单位，请手工指定",
        Stale = "hotline.stale", Conflict => "工单已被他人更新，请刷新后重试",
        Status = "hotline.status", Conflict => "工单当前状态不能进行此操作",
        StatusFilter = "hotline.status_filter", Invalid => "状态应为 received、dispatched、handling、returned、replied 或 closed",
        Subject = "hotline.subject", Invalid => "诉求事项分类不存在",
        Tail = "hotline.tail", Invalid => "请输入来电电话的后四位数字",
        Text = "hotline.text", Invalid => "请填写诉求内容（4000字以内）",
        Unit = "hotline.unit", Invalid => "承办单位不存在，或不在工单所在地区",
    }
}
