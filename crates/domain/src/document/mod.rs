//! Official documents (公文): one model for every module's notices, decisions and replies.
//!
//! A module issues a [`Document`]: its kind, issuing agency, title, number (文号), paragraphs and
//! fields, and the subject it belongs to (a case, a hotline ticket, a disclosure request…). The
//! text is frozen when issued and its hash proves it; the document service renders it to PDF or
//! OFD, seals it with the agency's SM2 key and answers verifications. Nothing here does IO.

pub mod layout;
pub mod licence;
pub mod seal;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::DomainError;

/// What a document belongs to. A module adds its own kind here when it starts issuing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// 办件
    Case,
    /// 12345 工单
    Ticket,
    /// 依申请公开
    Request,
    /// 征求意见
    Consultation,
    /// 电子证照
    Licence,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 5] = [
        SubjectKind::Case,
        SubjectKind::Ticket,
        SubjectKind::Request,
        SubjectKind::Consultation,
        SubjectKind::Licence,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Case => "case",
            SubjectKind::Ticket => "ticket",
            SubjectKind::Request => "request",
            SubjectKind::Consultation => "consultation",
            SubjectKind::Licence => "licence",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The owner of a document: who may read it is decided by whoever may read the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub id: i64,
    /// The subject's public reference (a case number, a ticket number).
    pub reference: String,
}

/// One label and value of a document's table (a licence's fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

/// An issued document, as every module hands it to the document service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The document number (文号), unique across the deployment.
    pub number: String,
    /// `module.kind`, e.g. `case.approval`, `hotline.reply`.
    pub kind: String,
    pub title: String,
    /// The frozen text: the addressee line first (ending in `：`) and the date line last, as
    /// issued.
    pub paragraphs: Vec<String>,
    /// A table of labelled values, after the paragraphs (empty for most notices).
    pub fields: Vec<Field>,
    /// The issuing agency (a department) and its name as printed in the 落款.
    pub department_id: i64,
    pub agency: String,
    pub subject: Subject,
    pub issued_at: DateTime<Utc>,
}

impl Document {
    /// SHA-256 over the number, title, text and fields: what a verifier recomputes. Documents
    /// without fields hash exactly as the case documents always have.
    pub fn content_hash(&self) -> String {
        content_hash(&self.number, &self.title, &self.paragraphs, &self.fields)
    }

    /// Checks what every module must give before a document can be issued.
    pub fn check(&self) -> Result<(), DomainError> {
        use crate::codes::Document as C;
        let bad = |code: C| Err(code.err());
        if self.number.trim().is_empty() || self.number.chars().count() > 64 {
            return bad(C::Number);
        }
        if self.title.trim().is_empty() || self.title.chars().count() > 60 {
            return bad(C::Title);
        }
        let Some((module, kind)) = self.kind.split_once('.') else {
            return bad(C::Kind);
        };
        let word =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if !word(module) || !word(kind) {
            return bad(C::Kind);
        }
        if self.paragraphs.iter().all(|p| p.trim().is_empty()) {
            return bad(C::Empty);
        }
        if self.agency.trim().is_empty() {
            return bad(C::Agency);
        }
        Ok(())
    }

    /// The addressee (主送), when the first paragraph is one.
    pub fn addressee(&self) -> Option<&str> {
        self.paragraphs
            .first()
            .filter(|p| p.ends_with('：') && p.chars().count() <= 40)
            .map(String::as_str)
    }

    /// The body: the paragraphs between the addressee and the date line.
    pub fn body(&self) -> &[String] {
        let start = usize::from(self.addressee().is_some());
        let end = if self.paragraphs.last().is_some_and(|p| is_date_line(p)) {
            self.paragraphs.len().saturating_sub(1)
        } else {
            self.paragraphs.len()
        };
        self.paragraphs.get(start..end.max(start)).unwrap_or(&[])
    }

    /// The date of the 落款, as printed: `2026年11月21日`.
    pub fn date_line(&self) -> String {
        crate::time::local_date(self.issued_at)
            .format("%Y年%m月%d日")
            .to_string()
    }

    /// Every character the document prints, for checking the font covers them.
    pub fn all_text(&self) -> String {
        let mut s = String::new();
        for part in [&self.number, &self.title, &self.agency] {
            s.push_str(part);
        }
        for p in &self.paragraphs {
            s.push_str(p);
        }
        for f in &self.fields {
            s.push_str(&f.label);
            s.push_str(&f.value);
        }
        s
    }
}

fn is_date_line(p: &str) -> bool {
    let t = p.trim();
    t.ends_with('日') && t.contains('年') && t.contains('月') && t.chars().count() <= 12
}

/// The hash of a document's frozen text (see [`Document::content_hash`]).
pub fn content_hash(number: &str, title: &str, paragraphs: &[String], fields: &[Field]) -> String {
    let mut h = Sha256::new();
    h.update(number.as_bytes());
    h.update([0]);
    h.update(title.as_bytes());
    for p in paragraphs {
        h.update([0]);
        h.update(p.as_bytes());
    }
    for f in fields {
        h.update([1]);
        h.update(f.label.as_bytes());
        h.update([0]);
        h.update(f.value.as_bytes());
    }
    hex::encode(h.finalize())
}

/// A document's file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Pdf,
    /// GB/T 33190-2016
    Ofd,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Ofd => "ofd",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "pdf" => Some(Format::Pdf),
            "ofd" => Some(Format::Ofd),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Ofd => "application/ofd",
        }
    }

    /// Tells a file's format by its first bytes, never by its name.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"%PDF-") {
            Some(Format::Pdf)
        } else if bytes.starts_with(b"PK\x03\x04") {
            Some(Format::Ofd)
        } else {
            None
        }
    }
}

/// What a verification answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Signed by the issuing agency's certified key, unchanged since, and in force.
    Valid,
    /// A document of ours whose bytes no longer match its signature.
    Altered,
    /// Genuine, but the document or the key that signed it has been revoked.
    Revoked,
    /// Nothing in the file is a document this deployment issued.
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Altered => "altered",
            Verdict::Revoked => "revoked",
            Verdict::Unknown => "unknown",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Verdict::Valid => "有效：文件完整，签章有效",
            Verdict::Altered => "已被篡改：文件内容与签章不符",
            Verdict::Revoked => "已撤销：文书或签章密钥已被撤销",
            Verdict::Unknown => "无法识别：不是本平台签发的文书",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        [
            Verdict::Valid,
            Verdict::Altered,
            Verdict::Revoked,
            Verdict::Unknown,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// Why a file cannot be verified at all: each a 4xx with its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("只能核验 PDF 或 OFD 格式的文件")]
    NotADocument,
    #[error("文件的签名只覆盖了文件的一部分，签名之后的内容未经签署")]
    PartialSignature,
    #[error("签名证书不是由本平台的证书机构签发的")]
    ForeignCertificate,
    #[error("文件太大，无法核验")]
    TooLarge,
}

impl crate::Code for VerifyError {
    fn code(&self) -> crate::error::ErrorCode {
        use crate::codes::Document as C;
        match self {
            VerifyError::NotADocument => C::NotADocument,
            VerifyError::PartialSignature => C::PartialSignature,
            VerifyError::ForeignCertificate => C::ForeignCertificate,
            VerifyError::TooLarge => C::TooLarge,
        }
        .code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Document {
        Document {
            number: "准36020020261121001".into(),
            kind: "case.approval".into(),
            title: "准予行政许可决定书".into(),
            paragraphs: vec![
                "张三：".into(),
                "你申请的事项，决定准予行政许可。".into(),
                "2026年11月21日".into(),
            ],
            fields: vec![],
            department_id: 1,
            agency: "清江市市场监督管理局".into(),
            subject: Subject {
                kind: SubjectKind::Case,
                id: 1,
                reference: "3602002026112100001".into(),
            },
            issued_at: DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default(),
        }
    }

    #[test]
    fn body_is_between_addressee_and_date() {
        let d = doc();
        assert_eq!(d.addressee(), Some("张三："));
        assert_eq!(d.body(), &["你申请的事项，决定准予行政许可。".to_string()]);
    }

    #[test]
    fn fields_change_the_hash_and_none_keep_it() {
        let d = doc();
        let plain = d.content_hash();
        let mut with = d.clone();
        with.fields.push(Field {
            label: "有效期".into(),
            value: "五年".into(),
        });
        assert_ne!(plain, with.content_hash());
        // Without fields the hash is the one case documents have always had.
        let mut h = Sha256::new();
        h.update(d.number.as_bytes());
        h.update([0]);
        h.update(d.title.as_bytes());
        for p in &d.paragraphs {
            h.update([0]);
            h.update(p.as_bytes());
        }
        assert_eq!(plain, hex::encode(h.finalize()));
    }

    #[test]
    fn kind_must_name_module_and_kind() {
        let mut d = doc();
        assert!(d.check().is_ok());
        d.kind = "approval".into();
        assert_eq!(
            d.check().map_err(|e| e.code),
            Err(crate::codes::Document::Kind.code())
        );
        d.kind = "Case.x".into();
        assert_eq!(
            d.check().map_err(|e| e.code),
            Err(crate::codes::Document::Kind.code())
        );
    }

    #[test]
    fn files_are_told_by_their_first_bytes() {
        assert_eq!(Format::sniff(b"%PDF-1.7\n"), Some(Format::Pdf));
        assert_eq!(Format::sniff(b"PK\x03\x04...."), Some(Format::Ofd));
        assert_eq!(Format::sniff(b"GIF89a"), None);
    }
}
