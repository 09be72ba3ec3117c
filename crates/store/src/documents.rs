//! The document register: every module's issued documents, their sealed files, the
//! certificate authority and the agencies' seal keys, and the log of verifications.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::audit::AuditEntry;

use crate::{millis, Result, Store};

/// An issued document as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DocumentRecord {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub subject_kind: String,
    pub subject_id: i64,
    pub subject_ref: String,
    pub title: String,
    /// The paragraphs as a JSON array.
    pub body: String,
    /// The fields as a JSON array of {label, value}.
    pub fields: String,
    pub department_id: i64,
    pub agency: Option<String>,
    pub hash: String,
    pub issued_at: i64,
    pub verify_code: String,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

/// A document to write (its subject's id may be filled in by the writer, as for a new case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub number: String,
    pub kind: String,
    pub subject_kind: String,
    pub subject_id: i64,
    pub subject_ref: String,
    pub title: String,
    pub body: String,
    pub fields: String,
    pub department_id: i64,
    pub agency: Option<String>,
    pub hash: String,
    pub issued_at: i64,
    pub verify_code: String,
}

const RECORD: &str = "SELECT id, number, kind, subject_kind, subject_id, subject_ref, title, body,
    fields, department_id, agency, hash, issued_at, verify_code, revoked_at, revoked_reason
    FROM documents";

/// Inserts documents inside a caller's transaction (a module writes its documents with the
/// change that issues them).
macro_rules! insert_documents {
    ($tx:ident, $docs:expr) => {{
        for d in $docs {
            let d: &$crate::documents::NewDocument = d;
            sqlx::query(
                "INSERT INTO documents (number, kind, subject_kind, subject_id, subject_ref, title,
                    body, fields, department_id, agency, hash, issued_at, verify_code)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&d.number)
            .bind(&d.kind)
            .bind(&d.subject_kind)
            .bind(d.subject_id)
            .bind(&d.subject_ref)
            .bind(&d.title)
            .bind(&d.body)
            .bind(&d.fields)
            .bind(d.department_id)
            .bind(d.agency.as_deref())
            .bind(&d.hash)
            .bind(d.issued_at)
            .bind(&d.verify_code)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(crate) use insert_documents;

/// A sealed file as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FileRow {
    pub document_id: i64,
    pub format: String,
    pub content: Vec<u8>,
    pub sm3: String,
    pub signed_at: i64,
    pub key_id: i64,
    pub signed_sm3: String,
    pub revisions: i64,
}

/// An agency's seal key as stored (its secret sealed under the master key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SealKeyRow {
    pub id: i64,
    pub department_id: i64,
    pub status: String,
    pub public_key: String,
    #[serde(skip)]
    pub secret: Vec<u8>,
    #[serde(skip)]
    pub cert: Vec<u8>,
    pub serial: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

const KEY: &str = "SELECT id, department_id, status, public_key, secret, cert, serial, created_at,
    retired_at, revoked_at, revoked_reason FROM seal_keys";

/// One verification for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRow {
    pub channel: String,
    pub client: String,
    pub file_sm3: Option<String>,
    pub document_id: Option<i64>,
    pub verdict: String,
}

impl Store {
    /// Issues documents on their own (a module whose change is already written).
    pub async fn issue_documents(&self, docs: &[NewDocument], audit: AuditEntry) -> Result<()> {
        write!(self, |tx| {
            insert_documents!(tx, docs);
            audit!(self, tx, audit);
        });
        Ok(())
    }

    pub async fn document(&self, number: &str) -> Result<Option<DocumentRecord>> {
        let sql = format!("{RECORD} WHERE number = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(number)
            .fetch_optional(db)
            .await?))
    }

    pub async fn document_by_id(&self, id: i64) -> Result<Option<DocumentRecord>> {
        let sql = format!("{RECORD} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// A subject's documents in the order they were issued.
    pub async fn documents_of(
        &self,
        subject_kind: &str,
        subject_id: i64,
    ) -> Result<Vec<DocumentRecord>> {
        let sql = format!(
            "{RECORD} WHERE subject_kind = $1 AND subject_id = $2 ORDER BY issued_at, number"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(subject_kind)
            .bind(subject_id)
            .fetch_all(db)
            .await?))
    }

    /// Documents with no sealed PDF yet, oldest first.
    pub async fn unsealed_documents(&self, limit: i64) -> Result<Vec<DocumentRecord>> {
        let sql = format!(
            "{RECORD} WHERE NOT EXISTS (SELECT 1 FROM document_files f
                WHERE f.document_id = documents.id AND f.format = 'pdf')
             ORDER BY id LIMIT $1"
        );
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(limit)
            .fetch_all(db)
            .await?))
    }

    /// Cases in `status` (closed: delivered) with a document of one of `kinds`, not revoked,
    /// whose PDF has no later mark yet: the delivery stamps still to put on.
    pub async fn unstamped_deliveries(
        &self,
        kinds: &[String],
        status: &str,
        limit: i64,
    ) -> Result<Vec<i64>> {
        let [approval, refusal] = kinds else {
            return Ok(Vec::new());
        };
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT DISTINCT d.subject_id FROM documents d JOIN cases c ON c.id = d.subject_id
             WHERE d.subject_kind = 'case' AND d.kind IN ($1, $2) AND d.revoked_at IS NULL
               AND c.status = $3
               AND NOT EXISTS (SELECT 1 FROM document_files f WHERE f.document_id = d.id
                   AND f.format = 'pdf' AND f.revisions > 1)
             ORDER BY d.subject_id LIMIT $4"
        )
        .bind(approval)
        .bind(refusal)
        .bind(status)
        .bind(limit)
        .fetch_all(db)
        .await?))
    }

    pub async fn document_file(&self, document_id: i64, format: &str) -> Result<Option<FileRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT document_id, format, content, sm3, signed_at, key_id, signed_sm3, revisions
             FROM document_files WHERE document_id = $1 AND format = $2"
        )
        .bind(document_id)
        .bind(format)
        .fetch_optional(db)
        .await?))
    }

    /// Keeps a sealed file unless one is already kept (two renders at once: the first wins);
    /// answers the file kept.
    pub async fn keep_document_file(
        &self,
        f: &FileRow,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<FileRow> {
        let inserted = write!(self, |tx| {
            let n = sqlx::query(
                "INSERT INTO document_files (document_id, format, content, sm3, signed_at, key_id,
                    signed_sm3, revisions, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) ON CONFLICT DO NOTHING",
            )
            .bind(f.document_id)
            .bind(&f.format)
            .bind(&f.content)
            .bind(&f.sm3)
            .bind(f.signed_at)
            .bind(f.key_id)
            .bind(&f.signed_sm3)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                audit!(self, tx, audit);
            }
            n
        });
        if inserted > 0 {
            return Ok(f.clone());
        }
        self.document_file(f.document_id, &f.format)
            .await?
            .ok_or_else(|| crate::StoreError::Conflict("document.file".into()))
    }

    /// Appends a signed revision to a kept file, if no other revision came first.
    #[allow(clippy::too_many_arguments)]
    pub async fn append_document_revision(
        &self,
        document_id: i64,
        format: &str,
        revisions: i64,
        content: &[u8],
        sm3: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<bool> {
        Ok(write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE document_files SET content = $1, sm3 = $2, revisions = revisions + 1,
                    updated_at = $3
                 WHERE document_id = $4 AND format = $5 AND revisions = $6",
            )
            .bind(content)
            .bind(sm3)
            .bind(millis(now))
            .bind(document_id)
            .bind(format)
            .bind(revisions)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                audit!(self, tx, audit);
            }
            n > 0
        }))
    }

    /// The file whose first signature covers this SM3 digest, or whose bytes have it.
    pub async fn document_file_by_sm3(&self, sm3: &str) -> Result<Option<FileRow>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT document_id, format, content, sm3, signed_at, key_id, signed_sm3, revisions
             FROM document_files WHERE signed_sm3 = $1 OR sm3 = $1 LIMIT 1"
        )
        .bind(sm3)
        .fetch_optional(db)
        .await?))
    }

    pub async fn revoke_document(
        &self,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<bool> {
        Ok(write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE documents SET revoked_at = $1, revoked_reason = $2
                 WHERE id = $3 AND revoked_at IS NULL",
            )
            .bind(millis(now))
            .bind(reason)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                audit!(self, tx, audit);
            }
            n > 0
        }))
    }

    /// The root of the deployment's CA: its certificate and sealed key.
    pub async fn seal_authority(&self) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        Ok(read!(self, |db| sqlx::query_as(
            "SELECT cert, secret FROM seal_authority ORDER BY id LIMIT 1"
        )
        .fetch_optional(db)
        .await?))
    }

    /// Keeps a new root unless one exists; answers the one in force.
    pub async fn keep_seal_authority(
        &self,
        cert: &[u8],
        secret: &[u8],
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<(Vec<u8>, Vec<u8>)> {
        write!(self, |tx| {
            let have: Option<i64> = sqlx::query_scalar("SELECT id FROM seal_authority LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
            if have.is_none() {
                sqlx::query(
                    "INSERT INTO seal_authority (cert, secret, created_at) VALUES ($1, $2, $3)",
                )
                .bind(cert)
                .bind(secret)
                .bind(millis(now))
                .execute(&mut *tx)
                .await?;
                audit!(self, tx, audit);
            }
        });
        self.seal_authority()
            .await?
            .ok_or_else(|| crate::StoreError::Conflict("document.authority".into()))
    }

    pub async fn active_seal_key(&self, department_id: i64) -> Result<Option<SealKeyRow>> {
        let sql = format!("{KEY} WHERE department_id = $1 AND status = 'active'");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(department_id)
            .fetch_optional(db)
            .await?))
    }

    pub async fn seal_key(&self, id: i64) -> Result<Option<SealKeyRow>> {
        let sql = format!("{KEY} WHERE id = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(db)
            .await?))
    }

    /// The key whose certificate has this serial (hex).
    pub async fn seal_key_by_serial(&self, serial: &str) -> Result<Option<SealKeyRow>> {
        let sql = format!("{KEY} WHERE serial = $1");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(serial)
            .fetch_optional(db)
            .await?))
    }

    pub async fn seal_keys_of(&self, department_id: i64) -> Result<Vec<SealKeyRow>> {
        let sql = format!("{KEY} WHERE department_id = $1 ORDER BY id DESC");
        Ok(read!(self, |db| sqlx::query_as(&sql)
            .bind(department_id)
            .fetch_all(db)
            .await?))
    }

    /// The next certificate serial.
    pub async fn next_seal_serial(&self) -> Result<i64> {
        let n: Option<i64> = read!(self, |db| sqlx::query_scalar(
            "SELECT MAX(id) FROM seal_keys"
        )
        .fetch_one(db)
        .await?);
        Ok(n.unwrap_or(0) + 2)
    }

    /// Makes `key` the department's active key; the one before it is retired (it still
    /// verifies what it signed). With `only_if_none`, does nothing when a key is active.
    pub async fn activate_seal_key(
        &self,
        key: &SealKeyRow,
        only_if_none: bool,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<Option<i64>> {
        Ok(write!(self, |tx| {
            let active: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM seal_keys WHERE department_id = $1 AND status = 'active'",
            )
            .bind(key.department_id)
            .fetch_optional(&mut *tx)
            .await?;
            if active.is_some() && only_if_none {
                None
            } else {
                sqlx::query("UPDATE seal_keys SET status = 'retired', retired_at = $1 WHERE department_id = $2 AND status = 'active'")
                    .bind(millis(now))
                    .bind(key.department_id)
                    .execute(&mut *tx)
                    .await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO seal_keys (department_id, status, public_key, secret, cert, serial, created_at)
                     VALUES ($1, 'active', $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(key.department_id)
                .bind(&key.public_key)
                .bind(&key.secret)
                .bind(&key.cert)
                .bind(&key.serial)
                .bind(millis(now))
                .fetch_one(&mut *tx)
                .await?;
                audit!(self, tx, audit);
                Some(id)
            }
        }))
    }

    pub async fn revoke_seal_key(
        &self,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<bool> {
        Ok(write!(self, |tx| {
            let n = sqlx::query(
                "UPDATE seal_keys SET status = 'revoked', revoked_at = $1, revoked_reason = $2
                 WHERE id = $3 AND status <> 'revoked'",
            )
            .bind(millis(now))
            .bind(reason)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                audit!(self, tx, audit);
            }
            n > 0
        }))
    }

    pub async fn log_verification(&self, v: &VerificationRow, now: DateTime<Utc>) -> Result<()> {
        write!(self, |tx| {
            sqlx::query(
                "INSERT INTO document_verifications (at, channel, client, file_sm3, document_id, verdict)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(millis(now))
            .bind(&v.channel)
            .bind(&v.client)
            .bind(v.file_sm3.as_deref())
            .bind(v.document_id)
            .bind(&v.verdict)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// How many verifications the log holds for a document.
    pub async fn verification_count(&self, document_id: i64) -> Result<i64> {
        Ok(read!(self, |db| sqlx::query_scalar(
            "SELECT COUNT(*) FROM document_verifications WHERE document_id = $1"
        )
        .bind(document_id)
        .fetch_one(db)
        .await?))
    }
}
