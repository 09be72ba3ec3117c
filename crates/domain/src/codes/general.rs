//! Codes every layer shares: not found, internal failures, a store that cannot write, requests
//! that cannot be read.

use crate::error_codes;

error_codes! {
    /// Codes any use case may answer with.
    pub enum General {
        Conflict = "conflict", Conflict => "记录已存在，不能重复创建",
        Internal = "internal", Internal => "系统暂时无法处理，请稍后再试",
        NotFound = "not_found", NotFound => "未找到",
    }
}

error_codes! {
    /// The store cannot take writes for now (disk full, I/O error, read-only file, database
    /// down). Nothing of the request was saved; the store recovers by itself when the fault
    /// clears, so the same request can be sent again.
    pub enum Store {
        Busy = "store.busy", Unavailable => "数据库正忙（被其他进程锁定），请稍后再试",
        DiskFull = "store.disk_full", Unavailable => "数据库所在磁盘已满，本次操作未保存，请联系管理员",
        ReadOnly = "store.read_only", Unavailable => "数据库处于只读状态，本次操作未保存，请联系管理员",
        Unavailable = "store.unavailable", Unavailable => "数据库暂时无法写入，本次操作未保存，请稍后再试",
    }
}

error_codes! {
    /// A request the web layer cannot read (its body, form or query).
    pub enum Request {
        Body = "request.body", Invalid => "无法读取请求内容",
        ContentType = "request.content_type", Invalid => "请求须为 JSON（Content-Type: application/json）",
        Form = "request.form", Invalid => "表单内容不完整或格式不对，请返回检查后重新提交",
        IdempotencyMismatch = "request.idempotency_mismatch", Invalid => "该幂等键已用于内容不同的请求，请换用新的幂等键",
        JsonData = "request.json_data", Invalid => "请求字段缺失或类型不对",
        JsonSyntax = "request.json_syntax", Invalid => "请求内容不是有效的 JSON",
        Path = "request.path", Invalid => "地址中的编号格式不对",
        Query = "request.query", Invalid => "查询参数格式不对",
    }
}

error_codes! {
    /// A form field every kind of record shares.
    pub enum Form {
        Id = "form.id", Invalid => "编号无效",
        Required = "form.required", Invalid => "必填内容不能为空，且不超过100个字",
    }
}

error_codes! {
    /// Where the audit chain is broken (`tongban audit verify`).
    pub enum Audit {
        Altered = "audit.altered", Internal => "审计记录已被篡改：内容与其哈希不符",
        Missing = "audit.missing", Internal => "审计记录缺失或顺序被打乱",
        Truncated = "audit.truncated", Internal => "审计链末尾被截断",
        Unlinked = "audit.unlinked", Internal => "审计记录与前一条记录的链接断开",
    }
}
