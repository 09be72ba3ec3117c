//! Codes of electronic supervision (电子监察).

use crate::error_codes;

error_codes! {
    /// The supervision board's filters.
    pub enum Board {
        After = "board.after", Invalid => "after 应为预警编号（整数）",
        Day = "board.day", Invalid => "统计日期",
        Department = "board.department", Invalid => "部门",
        From = "board.from", Invalid => "收件起始日期",
        Hall = "board.hall", Invalid => "大厅",
        Item = "board.item", Invalid => "事项",
        Kind = "board.kind", Invalid => "类别应为 case（办件）、ticket（12345工单）、disclosure（依申请公开）或 rating（差评整改），不填为全部",
        Light = "board.light", Invalid => "灯色应为 yellow（黄灯）或 red（红灯），不填为全部预警",
        Limit = "board.limit", Invalid => "limit 应为 1 到 500 的整数",
        Range = "board.range", Invalid => "收件起始日期不能晚于截止日期",
        Region = "board.region", Invalid => "地区不正确或不在您的管辖范围内",
        To = "board.to", Invalid => "收件截止日期不正确",
    }
}

error_codes! {
    /// Supervision findings.
    pub enum Finding {
        Decided = "finding.decided", Conflict => "该发现已被处理",
        Reason = "finding.reason", Invalid => "请填写认定或排除的理由（2000字以内）",
        Status = "finding.status", Invalid => "状态应为 open、confirmed 或 dismissed",
    }
}

error_codes! {
    /// Supervision orders (督办).
    pub enum Order {
        Days = "order.days", Invalid => "回复期限应为1至30个工作日",
        Instruction = "order.instruction", Invalid => "请填写督办事项（2000字以内）",
        NoUnit = "order.no_unit", Conflict => "该事项尚未交由任何单位承办（如工单仍在12345热线中心待派单），请先派单再督办",
        Note = "order.note", Invalid => "办结意见不能超过2000字",
        Reply = "order.reply", Invalid => "请填写整改情况（4000字以内）",
        Status = "order.status", Conflict => "该督办当前状态不能进行此操作",
    }
}

error_codes! {
    /// Efficiency warnings (效能告诫).
    pub enum Admonition {
        Case = "admonition.case", Invalid => "办件不存在或不在您的监察范围内",
        Evidence = "admonition.evidence", Invalid => "效能告诫引用的依据不符合要求",
        Finding = "admonition.finding", Invalid => "监察发现不存在或不在您的监察范围内",
        Person = "admonition.person", Invalid => "效能告诫只对部门工作人员（窗口人员、审批人员、部门负责人）作出",
        Reason = "admonition.reason", Invalid => "请填写效能告诫的事由（2000字以内）",
        Year = "admonition.year", Invalid => "年份应在2000年至2100年之间",
    }
}
