//! The document service's use cases: issuing a document for any module, sealing it (rendered
//! once, signed with the issuing agency's SM2 key, kept byte for byte), handing the file to
//! those who may see its subject, later marks as signed revisions, the agencies' keys and the
//! deployment's CA, and verification of any file anyone brings.
//!
//! How a module issues a document: build a [`Document`] (kind `module.kind`, the issuing
//! department and its name, title, number, paragraphs, fields, and the [`Subject`] it belongs
//! to) and call [`App::issue_document`], or write a `NewDocument` row in the module's own
//! transaction with `insert_documents!`. Sealing, delivery and verification then come for
//! free; the module adds one arm to [`App::sees_subject`] to say who may read its documents.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_documents::pdf::Look;
use tongban_documents::seal::{LocalSeal, SealService};
use tongban_documents::{ca, keys, sign, verify};
use tongban_domain::document::{
    seal as seal_design, Document, Field, Format, Subject, SubjectKind, Verdict, VerifyError,
};
use tongban_domain::org::{Actor, Role};
use tongban_store::documents::{DocumentRecord, FileRow, NewDocument, SealKeyRow, VerificationRow};

use crate::error::{invalid, AppError, Result};
use crate::App;
use tongban_domain::case::document::DocKind;
use tongban_domain::case::{Case, CaseStatus};

/// The documents a delivery stamps: the decision, whichever way it went.
const RESULT_KINDS: [DocKind; 2] = [DocKind::Approval, DocKind::Refusal];

/// The register's kind of a case document (`case.approval`).
fn result_kind(k: DocKind) -> String {
    format!("case.{}", k.as_str())
}

/// The document service's configuration: the master key that keeps the seal keys, and the
/// address the QR codes lead to.
#[derive(Debug, Clone)]
pub struct DocumentConfig {
    pub master_key: keys::MasterKey,
    /// e.g. `https://zwfw.example.gov.cn`; the QR code adds `/verify/{number}`.
    pub public_url: String,
    /// Cut a multi-page document's seal across the page edges (骑缝章).
    pub cross_page_seal: bool,
}

/// The root certificate with its opened key.
type Authority = Arc<(ca::Cert, Arc<sm2::dsa::SigningKey>)>;
/// A department's seal in use: the key's id (0 for an external service) and the signer.
type Seal = (i64, Arc<dyn SealService>);

/// What the service keeps in memory: the configuration, the root and each agency's seal.
pub struct DocumentState {
    config: RwLock<DocumentConfig>,
    root: RwLock<Option<Authority>>,
    seals: Mutex<HashMap<i64, Seal>>,
    /// Agencies with their own signing service (configured, not built in).
    external: RwLock<HashMap<i64, Arc<dyn SealService>>>,
}

impl DocumentState {
    /// With a master key of this process only: keys made under it cannot be opened by another.
    pub fn ephemeral() -> DocumentState {
        let hex = keys::MasterKey::generate_hex().unwrap_or_else(|_| "00".repeat(16));
        let master_key = keys::MasterKey::parse(&hex).unwrap_or_else(|_| {
            keys::MasterKey::parse("000102030405060708090a0b0c0d0e0f")
                .unwrap_or_else(|_| unreachable!("a constant key parses"))
        });
        DocumentState {
            config: RwLock::new(DocumentConfig {
                master_key,
                public_url: "http://127.0.0.1:8080".into(),
                cross_page_seal: true,
            }),
            root: RwLock::new(None),
            seals: Mutex::new(HashMap::new()),
            external: RwLock::new(HashMap::new()),
        }
    }
}

/// A verification's answer: only what the public may see.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub verdict: Verdict,
    pub verdict_label: String,
    pub format: Option<Format>,
    pub number: Option<String>,
    pub title: Option<String>,
    /// The issuing agency.
    pub issuer: Option<String>,
    /// The addressee, masked.
    pub holder: Option<String>,
    /// The certificate's subject that signed it.
    pub signer: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    /// Signatures in the file: the document's own, then later marks.
    pub signatures: usize,
}

fn verify_error(e: VerifyError) -> AppError {
    invalid(e)
}

fn internal(e: tongban_documents::Error) -> AppError {
    AppError::internal(e)
}

/// The id a sealed file carries: the register's row and its verification code.
fn file_id(rec: &DocumentRecord) -> String {
    format!("D{}-{}", rec.id, rec.verify_code)
}

fn parse_file_id(s: &str) -> Option<(i64, &str)> {
    let (id, code) = s.strip_prefix('D')?.split_once('-')?;
    Some((id.parse().ok()?, code))
}

/// A random verification code: ten characters from an alphabet without look-alikes.
pub fn new_verify_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

impl App {
    pub fn set_document_config(&self, config: DocumentConfig) {
        if let Ok(mut c) = self.docs.config.write() {
            *c = config;
        }
        if let Ok(mut s) = self.docs.seals.lock() {
            s.clear();
        }
        if let Ok(mut r) = self.docs.root.write() {
            *r = None;
        }
    }

    /// The address the public reaches this deployment at (QR codes and message links).
    pub fn public_url(&self) -> String {
        self.doc_config()
            .public_url
            .trim_end_matches('/')
            .to_string()
    }

    fn doc_config(&self) -> DocumentConfig {
        self.docs
            .config
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Plugs in an agency's own signing service instead of its built-in key.
    pub fn set_external_seal(&self, department_id: i64, service: Arc<dyn SealService>) {
        if let Ok(mut m) = self.docs.external.write() {
            m.insert(department_id, service);
        }
    }

    /// Back to the agency's built-in key (its own signing service retired or down for good).
    pub fn clear_external_seal(&self, department_id: i64) {
        if let Ok(mut m) = self.docs.external.write() {
            m.remove(&department_id);
        }
    }

    /// Whether `actor` may read documents of this subject: whoever may read the subject.
    /// Each module that issues documents adds its arm here.
    pub async fn sees_subject(&self, actor: &Actor, kind: SubjectKind, id: i64) -> Result<bool> {
        match kind {
            SubjectKind::Case => {
                let Some(stored) = self.store.case_by_id(id).await? else {
                    return Ok(false);
                };
                let case: tongban_domain::case::Case =
                    serde_json::from_str(&stored.state).map_err(AppError::internal)?;
                Ok(self.sees_case(actor, &case))
            }
            SubjectKind::Licence => {
                let Some(l) = self.store.licence_by_id(id).await? else {
                    return Ok(false);
                };
                Ok(self.sees_licence(actor, &l))
            }
            // Modules not yet issuing: nobody but administrators.
            _ => Ok(actor.role == Role::Admin),
        }
    }

    /// Issues a document for any module (its own change already written): checked, numbered
    /// as given, frozen with its hash, audited. It is sealed shortly after (or when first
    /// downloaded).
    pub async fn issue_document(
        &self,
        actor: Option<&Actor>,
        doc: &Document,
    ) -> Result<DocumentRecord> {
        doc.check().map_err(invalid)?;
        if self.store.document(&doc.number).await?.is_some() {
            return Err(AppError::new(
                tongban_domain::codes::Document::NumberTaken,
                "文书编号已被使用",
            ));
        }
        let row = new_document(doc)?;
        let summary = format!("签发《{}》{}", doc.title, doc.number);
        let entry = match actor {
            Some(a) => self.entry(
                a,
                "document.issue",
                format!("document:{}", doc.number),
                summary,
            ),
            None => self.system_entry(
                "document.issue",
                format!("document:{}", doc.number),
                summary,
            ),
        }
        .in_region_str(self.region_of_department(doc.department_id).await?);
        self.store
            .issue_documents(std::slice::from_ref(&row), entry)
            .await?;
        self.store
            .document(&doc.number)
            .await?
            .ok_or_else(|| AppError::internal("document vanished"))
    }

    /// The generic document of a stored record.
    pub async fn document_of(&self, rec: &DocumentRecord) -> Result<Document> {
        let paragraphs: Vec<String> =
            serde_json::from_str(&rec.body).map_err(AppError::internal)?;
        let fields: Vec<Field> = serde_json::from_str(&rec.fields).unwrap_or_default();
        let agency = match &rec.agency {
            Some(a) => a.clone(),
            None => self
                .store
                .department(rec.department_id)
                .await?
                .map(|d| d.name)
                .unwrap_or_default(),
        };
        Ok(Document {
            number: rec.number.clone(),
            kind: rec.kind.clone(),
            title: rec.title.clone(),
            paragraphs,
            fields,
            department_id: rec.department_id,
            agency,
            subject: Subject {
                kind: SubjectKind::parse(&rec.subject_kind).unwrap_or(SubjectKind::Case),
                id: rec.subject_id,
                reference: rec.subject_ref.clone(),
            },
            issued_at: DateTime::from_timestamp_millis(rec.issued_at).unwrap_or_default(),
        })
    }

    /// The deployment's root (made on first use) and its key.
    async fn authority(&self) -> Result<Authority> {
        if let Some(r) = self.docs.root.read().ok().and_then(|r| r.clone()) {
            return Ok(r);
        }
        let cfg = self.doc_config();
        let (cert, secret) = match self.store.seal_authority().await? {
            Some(found) => found,
            None => {
                let key = keys::generate().map_err(internal)?;
                let cert = ca::root(&key, "通办平台", self.now(), 30).map_err(internal)?;
                let der = ca::to_der(&cert).map_err(internal)?;
                let secret = cfg
                    .master_key
                    .seal(&key.to_bytes(), "authority")
                    .map_err(internal)?;
                let entry = self.system_entry(
                    "document.authority",
                    "seal_authority".into(),
                    "建立电子印章根证书".into(),
                );
                self.store
                    .keep_seal_authority(&der, &secret, self.now(), entry)
                    .await?
            }
        };
        let cert = ca::from_der(&cert).map_err(internal)?;
        let key = cfg
            .master_key
            .open(&secret, "authority")
            .and_then(|s| keys::from_secret(&s))
            .map_err(|e| {
                AppError::internal(format!("the CA key cannot be opened (master key?): {e}"))
            })?;
        let r = Arc::new((cert, Arc::new(key)));
        if let Ok(mut slot) = self.docs.root.write() {
            *slot = Some(r.clone());
        }
        Ok(r)
    }

    /// The root certificate anyone may download, as PEM.
    pub async fn root_certificate_pem(&self) -> Result<String> {
        let root = self.authority().await?;
        ca::to_pem(&root.0).map_err(internal)
    }

    /// The region of a department, which a document it issues (and every record about that
    /// document) belongs to: that region's supervisors read them, whoever acted.
    async fn region_of_department(&self, department_id: i64) -> Result<Option<String>> {
        Ok(self
            .store
            .department(department_id)
            .await?
            .map(|d| d.region_code.as_str().to_string()))
    }

    /// Makes a new key for a department, certified by the root; the key before it is retired.
    async fn new_seal_key(
        &self,
        department_id: i64,
        only_if_none: bool,
        actor: Option<&Actor>,
    ) -> Result<Option<i64>> {
        let dept = self
            .store
            .department(department_id)
            .await?
            .ok_or_else(|| AppError::not_found("该部门"))?;
        let root = self.authority().await?;
        let cfg = self.doc_config();
        let key = keys::generate().map_err(internal)?;
        let serial = self.store.next_seal_serial().await? as u64;
        let cert = ca::issue(
            &root.1,
            &root.0,
            &dept.name,
            key.verifying_key(),
            serial,
            self.now(),
            5,
        )
        .map_err(internal)?;
        let public = keys::public_hex(&key);
        let row = SealKeyRow {
            id: 0,
            department_id,
            status: "active".into(),
            // The label binds the sealed secret to its public key.
            secret: cfg
                .master_key
                .seal(&key.to_bytes(), &public)
                .map_err(internal)?,
            public_key: public,
            cert: ca::to_der(&cert).map_err(internal)?,
            serial: ca::serial_hex(&cert),
            created_at: 0,
            retired_at: None,
            revoked_at: None,
            revoked_reason: None,
        };
        let summary = format!(
            "{} 启用新的电子印章密钥（证书序列号 {}）",
            dept.name, row.serial
        );
        let target = format!("department:{department_id}");
        let entry = match actor {
            Some(a) => self.entry(a, "document.key_rotate", target, summary),
            None => self.system_entry("document.key_create", target, summary),
        }
        .in_region(&dept.region_code);
        let id = self
            .store
            .activate_seal_key(&row, only_if_none, self.now(), entry)
            .await?;
        if let Ok(mut s) = self.docs.seals.lock() {
            s.remove(&department_id);
        }
        Ok(id)
    }

    /// Gives every department without a seal key one (the demo, and a new deployment).
    pub async fn ensure_seal_keys(&self) -> Result<usize> {
        let mut made = 0;
        for d in self.store.departments(None).await? {
            if self.store.active_seal_key(d.id).await?.is_none()
                && self.new_seal_key(d.id, true, None).await?.is_some()
            {
                made += 1;
            }
        }
        Ok(made)
    }

    /// Rotates a department's key (administrators): old signatures stay verifiable.
    pub async fn rotate_seal_key(&self, actor: &Actor, department_id: i64) -> Result<i64> {
        if !actor.is_admin() {
            return Err(AppError::forbidden());
        }
        self.new_seal_key(department_id, false, Some(actor))
            .await?
            .ok_or_else(|| AppError::internal("no key made"))
    }

    /// Revokes a key (administrators): what it signed shows as revoked from now on.
    pub async fn revoke_seal_key(&self, actor: &Actor, key_id: i64, reason: &str) -> Result<()> {
        if !actor.is_admin() {
            return Err(AppError::forbidden());
        }
        if reason.trim().is_empty() {
            return Err(AppError::new(
                tongban_domain::codes::Document::ReasonRequired,
                "请写明撤销理由",
            ));
        }
        let key = self
            .store
            .seal_key(key_id)
            .await?
            .ok_or_else(|| AppError::not_found("该密钥"))?;
        let entry = self.entry(
            actor,
            "document.key_revoke",
            format!("seal_key:{key_id}"),
            format!("撤销密钥：{reason}"),
        );
        self.store
            .revoke_seal_key(key_id, reason.trim(), self.now(), entry)
            .await?;
        if let Ok(mut s) = self.docs.seals.lock() {
            s.remove(&key.department_id);
        }
        Ok(())
    }

    /// A department's keys, newest first (administrators).
    pub async fn seal_keys(&self, actor: &Actor, department_id: i64) -> Result<Vec<SealKeyRow>> {
        if !actor.is_admin() {
            return Err(AppError::forbidden());
        }
        Ok(self.store.seal_keys_of(department_id).await?)
    }

    /// The seal that signs for a department now: its own service if configured, else its
    /// active built-in key (made on first use). Answers the key's id (0 for an external one).
    async fn seal_for(&self, department_id: i64) -> Result<Seal> {
        if let Some(s) = self
            .docs
            .external
            .read()
            .ok()
            .and_then(|m| m.get(&department_id).cloned())
        {
            return Ok((0, s));
        }
        if let Some(s) = self
            .docs
            .seals
            .lock()
            .ok()
            .and_then(|m| m.get(&department_id).cloned())
        {
            return Ok(s);
        }
        let row = match self.store.active_seal_key(department_id).await? {
            Some(r) => r,
            None => {
                self.new_seal_key(department_id, true, None).await?;
                self.store
                    .active_seal_key(department_id)
                    .await?
                    .ok_or_else(|| AppError::internal("no active seal key"))?
            }
        };
        let root = self.authority().await?;
        let secret = self
            .doc_config()
            .master_key
            .open(&row.secret, &row.public_key)
            .map_err(|e| {
                AppError::internal(format!(
                    "seal key {} cannot be opened (master key?): {e}",
                    row.id
                ))
            })?;
        let key = keys::from_secret(&secret).map_err(internal)?;
        let cert = ca::from_der(&row.cert).map_err(internal)?;
        // The electronic seal (GB/T 38540) the CA, as seal maker, makes for this key: the
        // agency's name, the seal's picture, and this key's certificate as the one that may
        // apply it. Made again when the process starts (the key and certificate are the lasting
        // part; any copy of the seal verifies against the root).
        let agency = ca::common_name(&cert)
            .trim_end_matches(" 电子印章")
            .to_string();
        let eseal = tongban_documents::ses::make_seal(
            &tongban_documents::ses::SealOrder {
                id: &format!("ES-{department_id}-{}", row.id),
                name: &agency,
                svg: &seal_design::design(&agency, "电子印章", "").svg(),
                size_mm: 42,
                signer: &cert,
                made_at: self.now(),
            },
            &root.1,
            &root.0,
        )
        .map_err(internal)?;
        let seal: Arc<dyn SealService> =
            Arc::new(LocalSeal::new(key, vec![cert, root.0.clone()]).with_eseal(eseal));
        if let Ok(mut m) = self.docs.seals.lock() {
            m.insert(department_id, (row.id, seal.clone()));
        }
        Ok((row.id, seal))
    }

    /// The sealed file of a document, made now if it was not yet.
    pub async fn sealed_file(&self, rec: &DocumentRecord, format: Format) -> Result<FileRow> {
        if let Some(f) = self.store.document_file(rec.id, format.as_str()).await? {
            return Ok(f);
        }
        let doc = self.document_of(rec).await?;
        let (key_id, seal) = self.seal_for(rec.department_id).await?;
        let cfg = self.doc_config();
        let at = self.now();
        let time = tongban_domain::time::format_local(at);
        let look = Look {
            seal: Some(seal_design::design(&doc.agency, "电子印章", &time)),
            verify_url: Some(format!(
                "{}/verify/{}?code={}",
                cfg.public_url.trim_end_matches('/'),
                rec.number,
                rec.verify_code
            )),
            verify_code: Some(rec.verify_code.clone()),
            cross_page_seal: cfg.cross_page_seal,
        };
        let id = file_id(rec);
        let content = match format {
            Format::Pdf => {
                let raw = tongban_documents::pdf::render(&doc, &look).map_err(internal)?;
                let signing = sign::Signing {
                    at,
                    name: &doc.agency,
                    reason: &doc.title,
                    document_id: &id,
                };
                sign::sign(&raw, seal.as_ref(), &signing, None).map_err(internal)?
            }
            Format::Ofd => {
                tongban_documents::ofd::render_signed(&doc, &look, seal.as_ref(), &id, at)
                    .map_err(internal)?
            }
        };
        let report = verify::read(&content, &self.authority().await?.0).map_err(verify_error)?;
        let signed_sm3 = report
            .first()
            .and_then(|f| f.cms.as_ref())
            .map(|c| hex::encode(&c.message_digest))
            .unwrap_or_default();
        let row = FileRow {
            document_id: rec.id,
            format: format.as_str().into(),
            sm3: report.file_sm3.clone(),
            content,
            signed_at: at.timestamp_millis(),
            key_id,
            signed_sm3,
            revisions: 1,
        };
        let entry = self
            .system_entry(
                "document.seal",
                format!("document:{}", rec.number),
                format!(
                    "加盖电子印章（{}，SM3 {}）",
                    format.as_str(),
                    &row.sm3[..16]
                ),
            )
            .in_region_str(self.region_of_department(rec.department_id).await?);
        Ok(self.store.keep_document_file(&row, at, entry).await?)
    }

    /// Seals documents issued but not yet sealed (the background worker). Returns how many.
    pub async fn seal_pending_documents(&self, limit: i64) -> Result<usize> {
        let pending = self.store.unsealed_documents(limit).await?;
        let n = pending.len();
        for rec in pending {
            if let Err(e) = self.sealed_file(&rec, Format::Pdf).await {
                tracing::warn!(document = %rec.number, error = %e, "sealing failed");
            }
        }
        Ok(n)
    }

    /// A document's file for someone who may see its subject. Someone else's is not found.
    pub async fn document_file(
        &self,
        actor: &Actor,
        number: &str,
        format: Format,
    ) -> Result<(DocumentRecord, FileRow)> {
        let rec = self
            .store
            .document(number.trim())
            .await?
            .ok_or_else(|| AppError::not_found("该文书"))?;
        let kind =
            SubjectKind::parse(&rec.subject_kind).ok_or_else(|| AppError::not_found("该文书"))?;
        if !self.sees_subject(actor, kind, rec.subject_id).await? {
            return Err(AppError::of(tongban_domain::codes::Document::NotYours));
        }
        let file = self.sealed_file(&rec, format).await?;
        Ok((rec, file))
    }

    /// Revokes a document (the head of the issuing department, or an administrator), with a
    /// signed note appended to its file.
    pub async fn revoke_document(&self, actor: &Actor, number: &str, reason: &str) -> Result<()> {
        let rec = self
            .store
            .document(number.trim())
            .await?
            .ok_or_else(|| AppError::not_found("该文书"))?;
        let allowed = actor.is_admin()
            || (actor.role == Role::DeptHead && actor.department_id == Some(rec.department_id));
        if !allowed {
            return Err(AppError::forbidden());
        }
        if reason.trim().is_empty() {
            return Err(AppError::new(
                tongban_domain::codes::Document::ReasonRequired,
                "请写明撤销理由",
            ));
        }
        let entry = self
            .entry(
                actor,
                "document.revoke",
                format!("document:{}", rec.number),
                format!("撤销文书：{reason}"),
            )
            .in_region_str(self.region_of_department(rec.department_id).await?);
        if !self
            .store
            .revoke_document(rec.id, reason.trim(), self.now(), entry)
            .await?
        {
            return Err(AppError::new(
                tongban_domain::codes::Document::AlreadyRevoked,
                "该文书已撤销",
            ));
        }
        self.mark_document(
            &rec,
            &format!(
                "本文书已于{}撤销：{}",
                tongban_domain::time::format_local(self.now()),
                reason.trim()
            ),
        )
        .await
    }

    /// Appends a signed, visible mark to a document's sealed PDF (a revocation note). The
    /// first signature stays valid; the new one covers the whole file.
    pub async fn mark_document(&self, rec: &DocumentRecord, text: &str) -> Result<()> {
        for _ in 0..3 {
            if self.append_mark(rec, text, false).await? {
                return Ok(());
            }
        }
        Err(AppError::new(
            tongban_domain::codes::Document::Busy,
            "文书正被他人更新，请稍后再试",
        ))
    }

    /// Signs `text` onto the document's PDF as one more revision, unless another writer
    /// appended one meanwhile (answers false). With `first_only`, only onto a file that has
    /// no later mark yet: a delivery stamp goes on once, whoever gets there first.
    async fn append_mark(
        &self,
        rec: &DocumentRecord,
        text: &str,
        first_only: bool,
    ) -> Result<bool> {
        let file = self.sealed_file(rec, Format::Pdf).await?;
        if first_only && file.revisions > 1 {
            return Ok(false);
        }
        let doc = self.document_of(rec).await?;
        let (_, seal) = self.seal_for(rec.department_id).await?;
        let id = file_id(rec);
        let signing = sign::Signing {
            at: self.now(),
            name: &doc.agency,
            reason: text,
            document_id: &id,
        };
        let marked = sign::sign(
            &file.content,
            seal.as_ref(),
            &signing,
            Some(&sign::Mark { text: text.into() }),
        )
        .map_err(internal)?;
        let sm3 = hex::encode(tongban_documents::cms::sm3(&[&marked]));
        let entry = self
            .system_entry(
                "document.mark",
                format!("document:{}", rec.number),
                text.chars().take(80).collect(),
            )
            .in_region_str(self.region_of_department(rec.department_id).await?);
        Ok(self
            .store
            .append_document_revision(
                rec.id,
                "pdf",
                file.revisions,
                &marked,
                &sm3,
                self.now(),
                entry,
            )
            .await?)
    }

    /// The 送达 stamp: once a case's result is delivered, its decision (准予 or 不予行政许可决定书)
    /// carries a signed mark saying when and how, appended after the first signature so that
    /// signature stays valid. Once per document; answers how many were stamped now.
    pub async fn stamp_delivery(&self, case_id: i64, c: &Case) -> Result<usize> {
        let Some(d) = &c.delivered else {
            return Ok(0);
        };
        let text = format!(
            "本文书已于{}送达（{}）",
            tongban_domain::time::format_local(d.at),
            d.method.label()
        );
        let mut stamped = 0;
        for rec in self
            .store
            .documents_of(SubjectKind::Case.as_str(), case_id)
            .await?
        {
            if rec.revoked_at.is_none()
                && RESULT_KINDS.iter().any(|k| rec.kind == result_kind(*k))
                && self.append_mark(&rec, &text, true).await?
            {
                stamped += 1;
            }
        }
        Ok(stamped)
    }

    /// [`App::stamp_delivery`] after a delivery is written: a failure is logged, and the
    /// background worker's [`App::stamp_deliveries`] puts the stamp on later.
    pub(crate) async fn stamp_delivery_quietly(&self, case_id: i64, c: &Case) {
        if let Err(e) = self.stamp_delivery(case_id, c).await {
            tracing::warn!(case = case_id, error = %e, "delivery stamp not added");
        }
    }

    /// Stamps the delivered results that have no stamp yet (one missed when the process
    /// stopped between the delivery and its stamp, or whose stamp failed). Returns how many.
    pub async fn stamp_deliveries(&self, limit: i64) -> Result<usize> {
        let kinds: Vec<String> = RESULT_KINDS.iter().map(|k| result_kind(*k)).collect();
        let ids = self
            .store
            .unstamped_deliveries(&kinds, CaseStatus::Closed.as_str(), limit)
            .await?;
        let mut stamped = 0;
        for id in ids {
            let Some(stored) = self.store.case_by_id(id).await? else {
                continue;
            };
            let view = self.load(stored).await?;
            match self.stamp_delivery(id, &view.case).await {
                Ok(n) => stamped += n,
                Err(e) => tracing::warn!(case = id, error = %e, "delivery stamp not added"),
            }
        }
        Ok(stamped)
    }

    /// Checks a file anyone brings: valid, altered, revoked or unknown, with signer and time.
    /// Every check is logged with where it came from.
    pub async fn verify_file(
        &self,
        bytes: &[u8],
        channel: &str,
        client: &str,
    ) -> Result<Verification> {
        let root = self.authority().await?;
        let outcome = verify::read(bytes, &root.0);
        let (verdict, rec, report) = match outcome {
            Err(e) => {
                self.log_check(channel, client, None, None, "refused").await;
                return Err(verify_error(e));
            }
            Ok(report) => {
                let (verdict, rec) = self.judge(&report).await?;
                (verdict, rec, report)
            }
        };
        self.log_check(
            channel,
            client,
            Some(report.file_sm3.clone()),
            rec.as_ref().map(|r| r.id),
            verdict.as_str(),
        )
        .await;
        let first = report.first();
        let doc = match &rec {
            Some(r) => Some(self.document_of(r).await?),
            None => None,
        };
        Ok(Verification {
            verdict,
            verdict_label: verdict.label_zh().into(),
            format: Some(report.format),
            number: rec.as_ref().map(|r| r.number.clone()),
            title: rec.as_ref().map(|r| r.title.clone()),
            issuer: doc.as_ref().map(|d| d.agency.clone()),
            holder: doc.as_ref().and_then(|d| {
                d.addressee()
                    .map(|a| tongban_domain::mask::name(a.trim_end_matches('：')))
            }),
            signer: first.and_then(|f| f.signer()).map(ca::common_name),
            signed_at: first.and_then(|f| f.signing_time()),
            revoked_at: rec
                .as_ref()
                .and_then(|r| r.revoked_at)
                .and_then(DateTime::from_timestamp_millis),
            revoked_reason: rec.as_ref().and_then(|r| r.revoked_reason.clone()),
            signatures: report.signatures.len(),
        })
    }

    async fn log_check(
        &self,
        channel: &str,
        client: &str,
        sm3: Option<String>,
        doc: Option<i64>,
        verdict: &str,
    ) {
        let row = VerificationRow {
            channel: channel.into(),
            client: client.chars().take(64).collect(),
            file_sm3: sm3,
            document_id: doc,
            verdict: verdict.into(),
        };
        if let Err(e) = self.store.log_verification(&row, self.now()).await {
            tracing::warn!(error = %e, "verification not logged");
        }
    }

    /// The verdict for what a file shows, against the register.
    async fn judge(&self, report: &verify::Report) -> Result<(Verdict, Option<DocumentRecord>)> {
        // Which document the file claims to be: by the id it carries, else by what it signs.
        let mut rec = None;
        if let Some((id, code)) = report.document_id.as_deref().and_then(parse_file_id) {
            rec = self
                .store
                .document_by_id(id)
                .await?
                .filter(|r| r.verify_code == code);
        }
        let first = report.first();
        if rec.is_none() {
            if let Some(digest) = first
                .and_then(|f| f.cms.as_ref())
                .map(|c| hex::encode(&c.message_digest))
            {
                if let Some(f) = self.store.document_file_by_sm3(&digest).await? {
                    rec = self.store.document_by_id(f.document_id).await?;
                }
            }
        }
        let Some(rec) = rec else {
            return Ok((Verdict::Unknown, None));
        };
        if !report.intact() {
            return Ok((Verdict::Altered, Some(rec)));
        }
        // Intact: it must be the file we sealed (its first signature over the same bytes).
        let kept = self
            .store
            .document_file(rec.id, report.format.as_str())
            .await?;
        let digest = first
            .and_then(|f| f.cms.as_ref())
            .map(|c| hex::encode(&c.message_digest));
        if kept.as_ref().map(|k| &k.signed_sm3) != digest.as_ref() {
            return Ok((Verdict::Unknown, None));
        }
        let serial = first.and_then(|f| f.signer()).map(ca::serial_hex);
        let key_revoked = match serial {
            Some(s) => self
                .store
                .seal_key_by_serial(&s)
                .await?
                .is_some_and(|k| k.status == "revoked"),
            None => false,
        };
        if rec.revoked_at.is_some() || key_revoked {
            return Ok((Verdict::Revoked, Some(rec)));
        }
        Ok((Verdict::Valid, Some(rec)))
    }
}

/// The row of a document to issue.
pub fn new_document(doc: &Document) -> Result<NewDocument> {
    Ok(NewDocument {
        number: doc.number.clone(),
        kind: doc.kind.clone(),
        subject_kind: doc.subject.kind.as_str().into(),
        subject_id: doc.subject.id,
        subject_ref: doc.subject.reference.clone(),
        title: doc.title.clone(),
        body: serde_json::to_string(&doc.paragraphs).map_err(AppError::internal)?,
        fields: serde_json::to_string(&doc.fields).map_err(AppError::internal)?,
        department_id: doc.department_id,
        agency: Some(doc.agency.clone()),
        hash: doc.content_hash(),
        issued_at: doc.issued_at.timestamp_millis(),
        verify_code: new_verify_code(),
    })
}
