//! Replies (答复) as typed decisions: every type of 第三十六条, 部分公开 (第三十七条) and 不予处理,
//! each with the grounds it needs and the legal basis it rests on. The reasons follow the rows of
//! the national annual-report format (国办公开办函〔2021〕30号), so the report can count them.

use serde::{Deserialize, Serialize};

use crate::codes;
use crate::error::DomainError;

/// The regulation, as cited in every basis.
pub const REGULATION: &str = "《中华人民共和国政府信息公开条例》";

crate::closed_set! {
    /// The type of a reply.
    pub enum ReplyKind {
        /// 第三十六条（二）: the information is provided.
        Disclosed = "disclosed" => "予以公开",
        /// 第三十七条: the disclosable part is provided, the rest withheld with grounds.
        PartlyDisclosed = "partly_disclosed" => "部分公开",
        /// 第三十六条（三）: not disclosed, with grounds.
        Withheld = "withheld" => "不予公开",
        /// 第三十六条（一）: already published; the applicant is told where.
        AlreadyPublic = "already_public" => "已主动公开（告知获取方式和途径）",
        /// 第三十六条（四）、第三十八条: cannot be provided (not held, needs creating, still unclear).
        Unavailable = "unavailable" => "无法提供",
        /// 第三十六条（五）: not this agency's to disclose; the competent one is named if known.
        NotThisAgency = "not_this_agency" => "不属于本机关负责公开",
        /// 第三十六条（七）: other laws govern access (工商、不动产登记资料等).
        OtherRoute = "other_route" => "告知依照有关法律、行政法规办理",
        /// 第三十六条（六）、第三十五条、第三十九条: not processed as a disclosure request.
        NotProcessed = "not_processed" => "不予处理",
    }
}

crate::closed_set! {
    /// Why information (or a part of it) is withheld: the 不予公开 rows of the national format.
    pub enum WithholdGround {
        StateSecret = "state_secret" => "属于国家秘密",
        LawForbids = "law_forbids" => "其他法律行政法规禁止公开",
        Security = "security" => "危及“三安全一稳定”",
        ThirdParty = "third_party" => "保护第三方合法权益",
        Internal = "internal" => "属于三类内部事务信息",
        Process = "process" => "属于四类过程性信息",
        EnforcementFile = "enforcement_file" => "属于行政执法案卷",
        Query = "query" => "属于行政查询事项",
    }
}

impl WithholdGround {
    /// The article the ground rests on.
    pub fn article(self) -> &'static str {
        match self {
            WithholdGround::StateSecret | WithholdGround::LawForbids | WithholdGround::Security => {
                "第十四条"
            }
            WithholdGround::ThirdParty => "第十五条",
            WithholdGround::Internal
            | WithholdGround::Process
            | WithholdGround::EnforcementFile => "第十六条",
            WithholdGround::Query => "第三十六条第（七）项",
        }
    }
}

crate::closed_set! {
    /// Why information cannot be provided: the 无法提供 rows of the national format.
    pub enum UnavailableReason {
        NotHeld = "not_held" => "本机关不掌握相关政府信息",
        NeedsCreation = "needs_creation" => "没有现成信息需要另行制作",
        StillUnclear = "still_unclear" => "补正后申请内容仍不明确",
    }
}

impl UnavailableReason {
    pub fn article(self) -> &'static str {
        match self {
            UnavailableReason::NotHeld => "第三十六条第（四）项",
            UnavailableReason::NeedsCreation => "第三十八条",
            UnavailableReason::StillUnclear => "第三十条",
        }
    }
}

crate::closed_set! {
    /// Why a request is not processed: the 不予处理 rows of the national format.
    pub enum NotProcessedReason {
        Petition = "petition" => "信访举报投诉类申请",
        Repeated = "repeated" => "重复申请",
        Publication = "publication" => "要求提供公开出版物",
        Excessive = "excessive" => "无正当理由大量反复申请",
        Confirmation = "confirmation" => "要求行政机关确认或重新出具已获取信息",
    }
}

impl NotProcessedReason {
    pub fn article(self) -> &'static str {
        match self {
            NotProcessedReason::Petition => "第三十九条第一款",
            NotProcessedReason::Repeated => "第三十六条第（六）项",
            NotProcessedReason::Publication => "第三十九条第二款",
            NotProcessedReason::Excessive => "第三十五条",
            NotProcessedReason::Confirmation => "第三十九条第二款",
        }
    }
}

/// A part withheld from a 部分公开 (or the whole of a 不予公开), with its ground and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithheldPart {
    /// What is withheld (e.g. "第3页申请人身份证号码").
    pub part: String,
    pub ground: WithholdGround,
    /// Why the ground applies to this part.
    pub reason: String,
}

/// What a form or API body says of a reply, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplyInput {
    pub kind: Option<ReplyKind>,
    #[serde(default)]
    pub withheld: Vec<WithheldPart>,
    pub unavailable: Option<UnavailableReason>,
    pub not_processed: Option<NotProcessedReason>,
    /// Where it was published (已主动公开), the competent agency (不属于本机关), or the law that
    /// governs access (依照有关法律办理).
    pub pointer: Option<String>,
    /// The body of the reply: what is provided, how and when.
    #[serde(default)]
    pub text: String,
}

/// A checked reply: its type has every ground it needs. Build it with [`Reply::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub kind: ReplyKind,
    #[serde(default)]
    pub withheld: Vec<WithheldPart>,
    pub unavailable: Option<UnavailableReason>,
    pub not_processed: Option<NotProcessedReason>,
    pub pointer: Option<String>,
    pub text: String,
}

const MAX_TEXT: usize = 5000;
const MAX_LINE: usize = 500;

fn filled(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty() && t.chars().count() <= MAX_LINE).then(|| t.to_string())
}

fn missing(what: &str) -> DomainError {
    codes::Disclosure::GroundsMissing.with(format!("{what}：请写明理由和依据"))
}

impl Reply {
    /// Checks that the type carries exactly the grounds it needs: 部分公开 and 不予公开 at least
    /// one withheld part (each with its ground and reason), 无法提供 and 不予处理 their reason,
    /// 已主动公开, 不属于本机关 and 依法办理 their pointer. Anything the type does not use is
    /// dropped, so a stored reply never carries a ground that does not apply.
    pub fn parse(input: ReplyInput) -> Result<Reply, DomainError> {
        let kind = input
            .kind
            .ok_or_else(|| codes::Disclosure::GroundsMissing.with("请选择答复类型"))?;
        let text = input.text.trim().to_string();
        if text.chars().count() > MAX_TEXT {
            return Err(codes::Disclosure::ReplyText.err());
        }
        let mut reply = Reply {
            kind,
            withheld: Vec::new(),
            unavailable: None,
            not_processed: None,
            pointer: None,
            text,
        };
        match kind {
            ReplyKind::Disclosed => {}
            ReplyKind::PartlyDisclosed | ReplyKind::Withheld => {
                if input.withheld.is_empty() {
                    return Err(missing(kind.label()));
                }
                for w in input.withheld {
                    let (Some(part), Some(reason)) = (filled(&w.part), filled(&w.reason)) else {
                        return Err(missing(kind.label()));
                    };
                    reply.withheld.push(WithheldPart {
                        part,
                        ground: w.ground,
                        reason,
                    });
                }
            }
            ReplyKind::Unavailable => {
                reply.unavailable = Some(input.unavailable.ok_or_else(|| missing(kind.label()))?);
            }
            ReplyKind::NotProcessed => {
                reply.not_processed =
                    Some(input.not_processed.ok_or_else(|| missing(kind.label()))?);
            }
            ReplyKind::AlreadyPublic | ReplyKind::NotThisAgency | ReplyKind::OtherRoute => {
                let p = input.pointer.as_deref().and_then(filled);
                reply.pointer = Some(p.ok_or_else(|| missing(kind.label()))?);
            }
        }
        Ok(reply)
    }

    /// The articles the reply rests on, in order, without repeats.
    pub fn legal_basis(&self) -> Vec<String> {
        let mut arts: Vec<&'static str> = vec![match self.kind {
            ReplyKind::Disclosed => "第三十六条第（二）项",
            ReplyKind::PartlyDisclosed => "第三十七条",
            ReplyKind::Withheld => "第三十六条第（三）项",
            ReplyKind::AlreadyPublic => "第三十六条第（一）项",
            ReplyKind::Unavailable => "第三十六条第（四）项",
            ReplyKind::NotThisAgency => "第三十六条第（五）项",
            ReplyKind::OtherRoute => "第三十六条第（七）项",
            ReplyKind::NotProcessed => "第三十六条第（六）项",
        }];
        arts.extend(self.withheld.iter().map(|w| w.ground.article()));
        arts.extend(self.unavailable.map(UnavailableReason::article));
        arts.extend(self.not_processed.map(NotProcessedReason::article));
        let mut out: Vec<String> = Vec::new();
        for a in arts {
            let s = format!("{REGULATION}{a}");
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }

    /// The reasons a person reads, one per line.
    pub fn grounds(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .withheld
            .iter()
            .map(|w| format!("{}：{}（{}）", w.part, w.reason, w.ground.label()))
            .collect();
        out.extend(self.unavailable.map(|r| r.label().to_string()));
        out.extend(self.not_processed.map(|r| r.label().to_string()));
        if let Some(p) = &self.pointer {
            out.push(match self.kind {
                ReplyKind::AlreadyPublic => format!("获取方式和途径：{p}"),
                ReplyKind::NotThisAgency => format!("负责公开的机关：{p}"),
                _ => format!("依照：{p}"),
            });
        }
        out
    }

    /// Whether information reaches the applicant (so a fee may apply).
    pub fn provides_information(&self) -> bool {
        matches!(self.kind, ReplyKind::Disclosed | ReplyKind::PartlyDisclosed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: ReplyKind) -> ReplyInput {
        ReplyInput {
            kind: Some(kind),
            ..ReplyInput::default()
        }
    }

    #[test]
    fn every_type_without_its_grounds_is_refused() {
        for kind in ReplyKind::ALL {
            let r = Reply::parse(input(kind));
            if kind == ReplyKind::Disclosed {
                assert!(r.is_ok());
            } else {
                assert_eq!(
                    r.unwrap_err().code,
                    codes::Disclosure::GroundsMissing,
                    "{kind:?}"
                );
            }
        }
        assert_eq!(
            Reply::parse(ReplyInput::default()).unwrap_err().code,
            codes::Disclosure::GroundsMissing
        );
    }

    #[test]
    fn partial_disclosure_needs_every_part_grounded() {
        let mut i = input(ReplyKind::PartlyDisclosed);
        i.withheld = vec![WithheldPart {
            part: "第3页个人信息".into(),
            ground: WithholdGround::ThirdParty,
            reason: " ".into(),
        }];
        assert!(Reply::parse(i.clone()).is_err());
        i.withheld[0].reason = "涉及个人隐私，第三方不同意公开".into();
        i.not_processed = Some(NotProcessedReason::Repeated); // dropped: not this type's
        let r = Reply::parse(i).unwrap();
        assert_eq!(r.not_processed, None);
        assert_eq!(
            r.legal_basis(),
            vec![
                "《中华人民共和国政府信息公开条例》第三十七条",
                "《中华人民共和国政府信息公开条例》第十五条"
            ]
        );
        assert_eq!(
            r.grounds(),
            vec!["第3页个人信息：涉及个人隐私，第三方不同意公开（保护第三方合法权益）"]
        );
    }

    #[test]
    fn reasons_and_pointers_give_their_articles() {
        let mut i = input(ReplyKind::NotProcessed);
        i.not_processed = Some(NotProcessedReason::Excessive);
        let r = Reply::parse(i).unwrap();
        assert!(r.legal_basis().iter().any(|b| b.ends_with("第三十五条")));
        let mut i = input(ReplyKind::NotThisAgency);
        i.pointer = Some("市自然资源局，电话 0000-1234567".into());
        let r = Reply::parse(i).unwrap();
        assert_eq!(
            r.grounds(),
            vec!["负责公开的机关：市自然资源局，电话 0000-1234567"]
        );
        let mut i = input(ReplyKind::Unavailable);
        i.unavailable = Some(UnavailableReason::NeedsCreation);
        assert!(Reply::parse(i)
            .unwrap()
            .legal_basis()
            .iter()
            .any(|b| b.ends_with("第三十八条")));
    }

    #[test]
    fn every_reply_has_a_legal_basis() {
        for kind in ReplyKind::ALL {
            let r = Reply {
                kind,
                withheld: Vec::new(),
                unavailable: None,
                not_processed: None,
                pointer: None,
                text: String::new(),
            };
            assert!(!r.legal_basis().is_empty(), "{kind:?}");
        }
    }
}
