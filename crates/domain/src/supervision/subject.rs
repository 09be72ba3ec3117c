//! What supervision watches: a *subject*. A case (办件) was the only one; the 12345 hotline's
//! tickets, disclosure requests, rating rectifications, consultations and proposals are watched by the same deadline
//! index, raise findings in the same table and take 督办 through the same orders. A subject is
//! named by its kind and its module's own row id; its number is the public reference boards show.

use serde::{Deserialize, Serialize};

crate::closed_set! {
    /// The kinds of supervised matters.
    #[derive(PartialOrd, Ord)]
    pub enum SubjectKind {
        Case = "case" => "办件",
        Ticket = "ticket" => "12345工单",
        Disclosure = "disclosure" => "依申请公开",
        Rating = "rating" => "差评整改",
        Consultation = "consultation" => "公开征求意见",
        Proposal = "proposal" => "建议提案办理",
        Publicity = "publicity" => "公示",
        Meeting = "meeting" => "公开会议",
        CatalogEntry = "catalog_entry" => "主动公开",
    }
}

impl SubjectKind {
    /// The page of the subject numbered `number`: `/cases/{n}`, `/hotline/tickets/{n}`,
    /// `/disclosure/requests/{n}`, `/ratings/{n}`,
    /// `/opengov/consultations/{n}`, `/opengov/proposals/{n}`. The number is percent-encoded as a path
    /// segment, so a number never escapes its segment.
    pub fn path(self, number: &str) -> String {
        let base = match self {
            SubjectKind::Case => "/cases/",
            SubjectKind::Ticket => "/hotline/tickets/",
            SubjectKind::Disclosure => "/disclosure/requests/",
            SubjectKind::Rating => "/ratings/",
            SubjectKind::Consultation => "/opengov/consultations/",
            SubjectKind::Proposal => "/opengov/proposals/",
            SubjectKind::Publicity => "/opengov/notices/",
            SubjectKind::Meeting => "/opengov/meetings/",
            SubjectKind::CatalogEntry => "/disclosure/catalog/",
        };
        let mut out = String::with_capacity(base.len() + number.len());
        out.push_str(base);
        for b in number.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
}

/// One supervised matter: its kind, its module's row id and its public number. A case and a
/// ticket with the same id are different subjects.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SubjectRef {
    pub kind: SubjectKind,
    pub id: i64,
    pub number: String,
}

impl SubjectRef {
    pub fn new(kind: SubjectKind, id: i64, number: impl Into<String>) -> Self {
        Self {
            kind,
            id,
            number: number.into(),
        }
    }

    /// A case's subject.
    pub fn case(id: i64, number: impl Into<String>) -> Self {
        Self::new(SubjectKind::Case, id, number)
    }

    /// The subject's page.
    pub fn path(&self) -> String {
        self.kind.path(&self.number)
    }

    /// The audit chain's target for the subject: `case:{n}` for a case (as always), `{kind}:{n}`
    /// for the others.
    pub fn audit_target(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.number)
    }

    /// How people read it: `办件 511302-20260105-0001`, `12345工单 GD-…`.
    pub fn display(&self) -> String {
        format!("{} {}", self.kind.label(), self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_links_to_its_own_page() {
        assert_eq!(SubjectKind::Case.path("511302-1"), "/cases/511302-1");
        assert_eq!(
            SubjectKind::Ticket.path("GD20260105001"),
            "/hotline/tickets/GD20260105001"
        );
        assert_eq!(
            SubjectKind::Disclosure.path("YSQ-1"),
            "/disclosure/requests/YSQ-1"
        );
        assert_eq!(SubjectKind::Rating.path("7"), "/ratings/7");
        assert_eq!(
            SubjectKind::Consultation.path("ZQ20260001"),
            "/opengov/consultations/ZQ20260001"
        );
        assert_eq!(
            SubjectKind::Proposal.path("TA20260001"),
            "/opengov/proposals/TA20260001"
        );
        assert_eq!(
            SubjectKind::Publicity.path("GS20260001"),
            "/opengov/notices/GS20260001"
        );
        assert_eq!(
            SubjectKind::Meeting.path("HY20260001"),
            "/opengov/meetings/HY20260001"
        );
        assert_eq!(SubjectKind::Case.path("a/b?c"), "/cases/a%2Fb%3Fc");
    }

    #[test]
    fn kinds_keep_their_wire_names_and_labels() {
        assert_eq!(SubjectKind::parse("ticket"), Some(SubjectKind::Ticket));
        assert_eq!(SubjectKind::Disclosure.label(), "依申请公开");
        assert_eq!(SubjectKind::ALL.len(), 9);
        let s = SubjectRef::case(3, "N-3");
        assert_eq!(s.audit_target(), "case:N-3");
        assert_eq!(
            SubjectRef::new(SubjectKind::Ticket, 3, "T-3").audit_target(),
            "ticket:T-3"
        );
        assert_ne!(s, SubjectRef::new(SubjectKind::Ticket, 3, "N-3"));
        assert_eq!(s.display(), "办件 N-3");
    }
}
