//! Codes of the organisation and its settings.

use crate::error_codes;

error_codes! {
    /// Regions (区划, GB/T 2260).
    pub enum Region {
        County = "region.county", Invalid => "区划代码的县级部分无效：12位代码的前6位须是县级代码",
        Format = "region.format", Invalid => "区划代码应为6位（市、县）或12位（乡镇、村）数字",
        Missing = "region.missing", Invalid => "所选区划不存在",
        Parent = "region.parent", Invalid => "上级区划尚未建立，请先添加上级区划",
        Province = "region.province", Invalid => "区划代码是省级代码，本系统从市级开始",
    }
}

error_codes! {
    /// Halls (政务服务中心, 分厅, 便民服务中心, 代办点).
    pub enum Hall {
        Kind = "hall.kind", Invalid => "大厅类型无效",
        Level = "hall.level", Invalid => "该类大厅不能设在这一级区划",
        Parent = "hall.parent", Invalid => "上级大厅须为您管辖范围内的政务服务中心",
    }
}

error_codes! {
    /// Posts and their substitutes (同岗替代).
    pub enum Post {
        Department = "post.department", Invalid => "人员不属于该部门",
        SubstituteSelf = "post.substitute_self", Invalid => "替岗人员不能是在岗人员本人",
    }
}

error_codes! {
    /// Local rules (settings).
    pub enum Setting {
        NotRegional = "setting.not_regional", Invalid => "该设置项不能按地区设置",
        Range = "setting.range", Invalid => "设置值超出范围",
        Region = "setting.region", Invalid => "不是有效的行政区划代码",
        Unknown = "setting.unknown", Invalid => "没有该设置项",
        Value = "setting.value", Invalid => "设置值应为整数",
    }
}

error_codes! {
    /// The simulated clock.
    pub enum Clock {
        Amount = "clock.amount", Invalid => "拨动量超出范围",
        Backwards = "clock.backwards", Invalid => "模拟时钟只能向前拨",
        NotSimulated = "clock.not_simulated", Invalid => "系统使用真实时钟，不能拨动（仅 --simulated-clock 启动时可用）",
    }
}

error_codes! {
    /// The demo city.
    pub enum Demo {
        NotEmpty = "demo.not_empty", Conflict => "数据库中已有数据，演示数据只能载入空库",
    }
}

error_codes! {
    /// Notification channels.
    pub enum Notify {
        Config = "notify.config", Invalid => "通知渠道的配置有误",
    }
}
