//! Codes of the document service (文书、电子印章、核验) and the e-licence register (电子证照).

use crate::error_codes;

error_codes! {
    /// Issued documents, their sealed files and their verification.
    pub enum Document {
        AlreadyRevoked = "document.already_revoked", Conflict => "该文书已撤销",
        Agency = "document.agency", Invalid => "请写明发文机关",
        Busy = "document.busy", Conflict => "文书正被他人更新，请稍后再试",
        Empty = "document.empty", Invalid => "文书正文不能为空",
        ForeignCertificate = "document.foreign_certificate", Invalid => "签名证书不是由本平台的证书机构签发的",
        Format = "document.format", Invalid => "格式只能是 pdf 或 ofd",
        Kind = "document.kind", Invalid => "文书种类应写作“模块.种类”",
        NotADocument = "document.not_a_document", Invalid => "只能核验 PDF 或 OFD 格式的文件",
        NotYours = "document.not_yours", NotFound => "未找到该文书",
        Number = "document.number", Invalid => "文书编号应为1至64个字符",
        NumberTaken = "document.number_taken", Conflict => "文书编号已被使用",
        PartialSignature = "document.partial_signature", Invalid => "文件的签名只覆盖了文件的一部分，签名之后的内容未经签署",
        ReasonRequired = "document.reason_required", Invalid => "请写明撤销理由",
        Title = "document.title", Invalid => "文书标题应为1至60个字符",
        TooLarge = "document.too_large", Invalid => "文件太大，无法核验",
        Upload = "document.upload", Invalid => "文件上传不完整或超过大小上限，请重试",
    }
}

error_codes! {
    /// The e-licence register.
    pub enum Licence {
        Act = "licence.act", Invalid => "操作只能是 cancel（注销）或 revoke（吊销）",
        NotExpired = "licence.not_expired", Invalid => "证照尚在有效期内",
        NotHeld = "licence.not_held", Invalid => "所选证照不属于申请人，或不是本材料要求的证照",
        NotUsable = "licence.not_usable", Invalid => "证照不在有效状态，不能用于免提交",
        NotValid = "licence.not_valid", Conflict => "证照已不在有效状态，不能再变更",
        ReasonRequired = "licence.reason_required", Invalid => "注销或吊销证照必须写明理由",
    }
}
