//! The tamper-evident audit chain: every record's hash covers its content and the previous
//! record's hash, so altering, removing or reordering any record breaks every hash after it.

pub mod action;

pub use action::{AuditAction, AuditObject, AuditObjectKind, UNKNOWN_ACTION};

use crate::codes;
use crate::error::ErrorCode;
use crate::region::RegionCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::Digest;

crate::closed_set! {
    /// SM3 (GB/T 32905) by default: the hash Chinese government systems must use.
    #[derive(Default)]
    pub enum HashAlgo {
        #[default]
        Sm3 = "sm3" => "SM3（GB/T 32905）",
        Sha256 = "sha256" => "SHA-256",
    }
}

impl HashAlgo {
    fn digest(self, bytes: &[u8]) -> String {
        match self {
            HashAlgo::Sm3 => hex::encode(sm3::Sm3::digest(bytes)),
            HashAlgo::Sha256 => hex::encode(sha2::Sha256::digest(bytes)),
        }
    }
}

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, by whom, to what. `at` is kept to the millisecond so it round-trips exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub summary: String,
    /// The region of the object acted on (a case's, a ticket's, a department's, a staff
    /// member's scope), which decides who may read the record: a reader scoped to a region sees
    /// the records of its subtree. `None` is a deployment-level record (settings, the calendar,
    /// the catalog, applicants' accounts), read only by the administrator and whole-city readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionCode>,
}

impl AuditEntry {
    /// The same entry, about an object of `region`.
    pub fn in_region(self, region: &RegionCode) -> Self {
        AuditEntry {
            region: Some(region.clone()),
            ..self
        }
    }

    /// The same entry, about an object of `region` when it has one (a text that is not a
    /// region code leaves the record deployment-level).
    pub fn in_region_str(self, region: Option<impl AsRef<str>>) -> Self {
        AuditEntry {
            region: region.and_then(|r| RegionCode::parse(r.as_ref()).ok()),
            ..self
        }
    }
}

/// A stored record: its place in the chain, its entry, and the hashes that link it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub entry: AuditEntry,
    pub algo: HashAlgo,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of one record. Each field is length-prefixed so no two different records share an
/// encoding (moving text from one field into the next changes the hash). The region, when the
/// record has one, is a tenth field, so relabelling a record to move it into or out of a
/// reader's scope breaks the chain like any other change; a record without one (every record
/// written before records had regions) hashes exactly as it always did.
pub fn record_hash(algo: HashAlgo, seq: i64, prev_hash: &str, entry: &AuditEntry) -> String {
    let mut buf = Vec::with_capacity(256);
    let at = entry.at.timestamp_millis().to_string();
    let seq = seq.to_string();
    let fields = [
        algo.as_str(),
        seq.as_str(),
        prev_hash,
        at.as_str(),
        &entry.actor,
        &entry.role,
        &entry.action,
        &entry.target,
        &entry.summary,
    ];
    let region = entry.region.as_ref().map(RegionCode::as_str);
    for field in fields.into_iter().chain(region) {
        buf.extend_from_slice(field.len().to_string().as_bytes());
        buf.push(b':');
        buf.extend_from_slice(field.as_bytes());
        buf.push(b'\n');
    }
    algo.digest(&buf)
}

/// Links the next record onto the chain whose last record has `prev`.
pub fn link(algo: HashAlgo, prev: Option<(i64, &str)>, entry: AuditEntry) -> AuditRecord {
    let (seq, prev_hash) = match prev {
        Some((seq, hash)) => (seq + 1, hash.to_string()),
        None => (1, GENESIS.to_string()),
    };
    let hash = record_hash(algo, seq, &prev_hash, &entry);
    AuditRecord {
        seq,
        entry,
        algo,
        prev_hash,
        hash,
    }
}

/// Where and how a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("审计记录 #{seq} 已被篡改：内容与其哈希不符")]
    Altered { seq: i64 },
    #[error("审计记录 #{expected} 缺失或顺序被打乱（此处为 #{found}）")]
    Missing { expected: i64, found: i64 },
    #[error("审计记录 #{seq} 与前一条记录的链接断开（记录被删除、插入或重排）")]
    Unlinked { seq: i64 },
    #[error("审计链末尾被截断：应以 #{expected} 结束，实际以 #{found} 结束")]
    Truncated { expected: i64, found: i64 },
}

impl crate::error::Code for ChainBreak {
    fn code(&self) -> ErrorCode {
        match self {
            ChainBreak::Altered { .. } => codes::Audit::Altered.code(),
            ChainBreak::Missing { .. } => codes::Audit::Missing.code(),
            ChainBreak::Unlinked { .. } => codes::Audit::Unlinked.code(),
            ChainBreak::Truncated { .. } => codes::Audit::Truncated.code(),
        }
    }
}

/// Walks a chain in `seq` order and checks it record by record. Feed it every record; call
/// [`ChainVerifier::finish`] with the head the store keeps to catch a truncated tail.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    last: Option<(i64, String)>,
    count: u64,
}

impl ChainVerifier {
    pub fn push(&mut self, record: &AuditRecord) -> Result<(), ChainBreak> {
        let (expected_seq, expected_prev) = match &self.last {
            Some((seq, hash)) => (seq + 1, hash.as_str()),
            None => (1, GENESIS),
        };
        if record.seq != expected_seq {
            return Err(ChainBreak::Missing {
                expected: expected_seq,
                found: record.seq,
            });
        }
        if record.prev_hash != expected_prev {
            return Err(ChainBreak::Unlinked { seq: record.seq });
        }
        if record_hash(record.algo, record.seq, &record.prev_hash, &record.entry) != record.hash {
            return Err(ChainBreak::Altered { seq: record.seq });
        }
        self.last = Some((record.seq, record.hash.clone()));
        self.count += 1;
        Ok(())
    }

    /// Checks the chain ends where the head says it does; returns the number of records.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<u64, ChainBreak> {
        let last_seq = self.last.as_ref().map_or(0, |(s, _)| *s);
        match head {
            Some((seq, hash))
                if seq != last_seq || self.last.as_ref().is_some_and(|l| l.1 != hash) =>
            {
                Err(ChainBreak::Truncated {
                    expected: seq,
                    found: last_seq,
                })
            }
            _ => Ok(self.count),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(i: i64) -> AuditEntry {
        AuditEntry {
            at: Utc.timestamp_millis_opt(1_767_225_600_000 + i).unwrap(),
            actor: "admin".into(),
            role: "admin".into(),
            action: "user.create".into(),
            target: format!("user:{i}"),
            summary: "新建账号".into(),
            region: None,
        }
    }

    fn chain(n: i64, algo: HashAlgo) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|r| (r.seq, r.hash.as_str()));
            let rec = link(algo, prev, entry(i));
            out.push(rec);
        }
        out
    }

    fn verify(records: &[AuditRecord]) -> Result<u64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for r in records {
            v.push(r)?;
        }
        let head = chain_head(records);
        v.finish(head.as_ref().map(|(s, h)| (*s, h.as_str())))
    }

    fn chain_head(records: &[AuditRecord]) -> Option<(i64, String)> {
        records.last().map(|r| (r.seq, r.hash.clone()))
    }

    #[test]
    fn an_intact_chain_verifies_with_either_hash() {
        assert_eq!(verify(&chain(5, HashAlgo::Sm3)), Ok(5));
        assert_eq!(verify(&chain(5, HashAlgo::Sha256)), Ok(5));
        assert_eq!(chain(1, HashAlgo::Sm3)[0].hash.len(), 64);
    }

    #[test]
    fn sm3_matches_the_standard_vector() {
        // GB/T 32905 example 1: SM3("abc").
        assert_eq!(
            HashAlgo::Sm3.digest(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn alteration_is_caught_at_the_record() {
        let mut records = chain(5, HashAlgo::Sm3);
        records[2].entry.summary = "改过的摘要".into();
        assert_eq!(verify(&records), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn removal_and_reordering_are_caught() {
        let mut removed = chain(5, HashAlgo::Sm3);
        removed.remove(1);
        assert_eq!(
            verify(&removed),
            Err(ChainBreak::Missing {
                expected: 2,
                found: 3
            })
        );

        let mut swapped = chain(5, HashAlgo::Sm3);
        // Swap contents but keep the seq column in order, as an UPDATE would.
        let (a, b) = (swapped[1].clone(), swapped[2].clone());
        swapped[1] = AuditRecord { seq: 2, ..b };
        swapped[2] = AuditRecord { seq: 3, ..a };
        assert_eq!(verify(&swapped), Err(ChainBreak::Unlinked { seq: 2 }));
    }

    #[test]
    fn a_truncated_tail_is_caught_by_the_head() {
        let records = chain(5, HashAlgo::Sm3);
        let head = chain_head(&records).unwrap();
        let mut v = ChainVerifier::default();
        for r in &records[..3] {
            v.push(r).unwrap();
        }
        assert_eq!(
            v.finish(Some((head.0, &head.1))),
            Err(ChainBreak::Truncated {
                expected: 5,
                found: 3
            })
        );
    }

    #[test]
    fn field_boundaries_matter() {
        let a = entry(1);
        let mut b = a.clone();
        b.actor = "admi".into();
        b.role = "nadmin".into();
        assert_ne!(
            record_hash(HashAlgo::Sm3, 1, GENESIS, &a),
            record_hash(HashAlgo::Sm3, 1, GENESIS, &b)
        );
    }

    #[test]
    fn a_record_without_a_region_hashes_as_before_regions() {
        // The hash of record 1 of `chain`, computed before records had a region: the chains
        // written then still verify.
        let e = entry(0);
        assert_eq!(record_hash(HashAlgo::Sm3, 1, GENESIS, &e), PRE_REGION_HASH,);
    }

    const PRE_REGION_HASH: &str =
        "14dca1e8f1d5973e80b08817869d81e3277e0142a5ed3d6f5b69ced14ffa0641";

    #[test]
    fn the_region_is_part_of_the_hash() {
        let jiangbei = RegionCode::parse("511302").unwrap();
        let mut records = chain(3, HashAlgo::Sm3);
        let plain = records[1].hash.clone();
        let placed = record_hash(
            HashAlgo::Sm3,
            2,
            &records[1].prev_hash,
            &records[1].entry.clone().in_region(&jiangbei),
        );
        assert_ne!(plain, placed);
        // Labelling a stored record with a region (to show it to a district) is tampering.
        records[1].entry.region = Some(jiangbei);
        assert_eq!(verify(&records), Err(ChainBreak::Altered { seq: 2 }));
        // And so is taking a region off.
        let mut placed_chain: Vec<AuditRecord> = Vec::new();
        for i in 0..3 {
            let prev = placed_chain.last().map(|r| (r.seq, r.hash.as_str()));
            let e = entry(i).in_region(&RegionCode::parse("511302").unwrap());
            placed_chain.push(link(HashAlgo::Sm3, prev, e));
        }
        assert_eq!(verify(&placed_chain), Ok(3));
        placed_chain[0].entry.region = None;
        assert_eq!(verify(&placed_chain), Err(ChainBreak::Altered { seq: 1 }));
    }
}
