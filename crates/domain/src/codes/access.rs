//! Codes of identity and access: signing in, accounts, ID numbers and credit codes.

use crate::error_codes;

error_codes! {
    /// Signing in, sessions and permission.
    pub enum Auth {
        BadCredentials = "auth.bad_credentials", Unauthenticated => "登录名或密码不正确；连续多次失败的账号会被暂时锁定，请稍后再试或联系管理员解锁",
        Csrf = "auth.csrf", Forbidden => "页面已过期或请求来源不明，请刷新页面后重试",
        Forbidden = "auth.forbidden", Forbidden => "您没有权限执行此操作或查看此内容",
        Required = "auth.required", Unauthenticated => "请先登录",
        Throttled = "auth.throttled", Throttled => "登录失败次数过多，请15分钟后再试",
        CodeWrong = "auth.code_wrong", Invalid => "验证码不正确，请核对短信中的6位数字",
        CodeExpired = "auth.code_expired", Invalid => "验证码已失效（已使用、已过期或输错次数过多），请重新获取",
        CodeTooSoon = "auth.code_too_soon", Throttled => "验证码刚刚发出，请稍候一分钟再重新获取",
        CodeThrottled = "auth.code_throttled", Throttled => "该手机号获取验证码过于频繁，请一小时后再试",
    }
}

error_codes! {
    /// Accounts: names, contacts, passwords and sign-in locks.
    pub enum Account {
        Contact = "account.contact", Invalid => "请至少填写手机号码或电子邮箱中的一项",
        Email = "account.email", Invalid => "电子邮箱格式不正确",
        IdTaken = "account.id_taken", Conflict => "该身份证号码已注册",
        Kind = "account.kind", Invalid => "注册类型应为 person（个人）或 company（法人）",
        Locked = "account.locked", Throttled => "连续登录失败次数过多，账号已暂时锁定",
        LoginName = "account.login_name", Invalid => "登录名须为3至32位字母、数字或 _ - . @",
        LoginTaken = "account.login_taken", Conflict => "该登录名已被使用",
        Name = "account.name", Invalid => "姓名不能为空，且不超过30个字",
        OldPassword = "account.old_password", Invalid => "原密码不正确",
        PasswordLength = "account.password_length", Invalid => "密码长度不符合要求",
        PasswordCommon = "account.password_common", Invalid => "密码过于常见，容易被猜中，请换一个",
        PasswordLogin = "account.password_login", Invalid => "密码不能包含登录名",
        PasswordSame = "account.password_same", Invalid => "新密码不能与原密码相同",
        PasswordWeak = "account.password_weak", Invalid => "密码须包含大写字母、小写字母、数字、符号中的至少三类",
        Phone = "account.phone", Invalid => "手机号码应为以1开头的11位数字",
        RegisterThrottled = "account.register_throttled", Throttled => "注册请求过于频繁，请15分钟后再试",
        UsccTaken = "account.uscc_taken", Conflict => "该统一社会信用代码已注册",
    }
}

error_codes! {
    /// 居民身份证号码 (GB 11643).
    pub enum Id {
        BirthDate = "id.birth_date", Invalid => "身份证号码中的出生日期不是真实的日期",
        BirthFuture = "id.birth_future", Invalid => "身份证号码中的出生日期晚于今天",
        Character = "id.character", Invalid => "身份证号码含有无效字符：前17位须为数字，末位为数字或X",
        CheckDigit = "id.check_digit", Invalid => "身份证号码校验码错误",
        Length = "id.length", Invalid => "身份证号码应为18位",
    }
}

error_codes! {
    /// 统一社会信用代码 (GB 32100).
    pub enum Uscc {
        Character = "uscc.character", Invalid => "统一社会信用代码含有无效字符",
        CheckDigit = "uscc.check_digit", Invalid => "统一社会信用代码校验码错误",
        Length = "uscc.length", Invalid => "统一社会信用代码应为18位",
        Region = "uscc.region", Invalid => "统一社会信用代码中的区划码无效",
        Required = "uscc.required", Invalid => "法人注册须填写统一社会信用代码",
    }
}

error_codes! {
    /// `tongban validate` and `/api/v1/validate`.
    pub enum Validate {
        Kind = "validate.kind", Invalid => "kind 应为 id 或 uscc",
    }
}

error_codes! {
    /// Staff accounts.
    pub enum Staff {
        Department = "staff.department", Invalid => "窗口人员、审批人员和部门负责人须归属一个部门",
        Region = "staff.region", Invalid => "所选区划不存在或不在您的管辖范围内",
        Role = "staff.role", Invalid => "角色无效",
    }
}
