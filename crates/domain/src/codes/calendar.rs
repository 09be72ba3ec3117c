//! Codes of the calendar and the statutory clock.

use crate::error_codes;

error_codes! {
    /// The working-day calendar and the statutory clock.
    pub enum Calendar {
        Date = "calendar.date", Invalid => "日期应为 YYYY-MM-DD 格式",
        DateOutsideYear = "calendar.date_outside_year", Invalid => "日期不属于该年的节假日安排",
        DuplicateDate = "calendar.duplicate_date", Invalid => "同一日期在节假日安排中出现了两次",
        DuplicateYear = "calendar.duplicate_year", Invalid => "同一年的节假日安排重复载入",
        Empty = "calendar.empty", Invalid => "没有载入任何年份的节假日安排",
        EmptyName = "calendar.empty_name", Invalid => "节假日安排缺少名称或原因",
        EmptyNotice = "calendar.empty_notice", Invalid => "节假日安排缺少通知文号",
        Ics = "calendar.ics", Invalid => "ICS 文件过大（超过 1 MB）",
        InvalidSuspension = "calendar.invalid_suspension", Invalid => "中止计时记录有误",
        InvalidWorkingDays = "calendar.invalid_working_days", Invalid => "工作日天数超出范围",
        Kind = "calendar.kind", Invalid => "安排类别应为法定节假日放假、调休上班、本地停止办公或本地额外工作日",
        MakeupNotWeekend = "calendar.makeup_not_weekend", Invalid => "调休上班日应为周六或周日",
        MissingVersion = "calendar.missing_version", Invalid => "节假日数据缺少 version 行",
        Name = "calendar.name", Invalid => "名称或原因过长",
        NoHolidays = "calendar.no_holidays", Invalid => "该年的安排中没有任何放假日，请检查内容是否完整、年份是否正确",
        Notice = "calendar.notice", Invalid => "通知文号应为一行文字",
        Parse = "calendar.parse", Invalid => "节假日数据格式有误",
        YearGap = "calendar.year_gap", Invalid => "已载入的年份不连续",
        YearMissing = "calendar.year_missing", Invalid => "该年的节假日安排尚未载入，无法计算工作日",
        YearOutOfRange = "calendar.year_out_of_range", Invalid => "年份超出支持的范围",
    }
}
