//! Chinese full-text search over Tongban's item catalog.
//!
//! The app hands over plain [`SearchDoc`]s (this crate knows nothing of the domain types)
//! and asks [`CatalogIndex::search`] with whatever a citizen typed. Under the hood:
//! tantivy, with jieba word segmentation on every text field, the item name weighted ×3
//! over materials/conditions/FAQ/legal basis, the basic code indexed raw, and a table of
//! everyday-word synonyms ([`synonyms`]) applied at query time.
//!
//! ```
//! use tongban_search::{CatalogIndex, SearchDoc};
//! let index = CatalogIndex::in_memory()?;
//! index.upsert(&SearchDoc {
//!     item_id: 1,
//!     code: "XK00601001".into(),
//!     name: "食品经营许可".into(),
//!     department: "市场监督管理局".into(),
//!     materials: vec!["经营场所平面布局图".into()],
//!     ..SearchDoc::default()
//! })?;
//! let hits = index.search("我想开饭店", 10)?; // 开饭店 → 食品经营许可
//! assert_eq!(hits[0].item_id, 1);
//! # Ok::<(), tongban_search::SearchError>(())
//! ```
//!
//! Concurrency: `CatalogIndex` is `Send + Sync`; share it in an `Arc`. Searches run in
//! parallel without locking; writes are serialised on one `IndexWriter`, and each write
//! commits and reloads the reader before returning, so the next search sees it.

mod error;
mod query;
mod schema;
mod snippet;
pub mod synonyms;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::schema::Value;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use error::SearchError;
pub use synonyms::{SynonymRule, Synonyms};

use query::{Plan, Planner};
use schema::Fields;

/// Total indexing memory of the writer, split between its threads (tantivy needs ≥ 15 MB
/// per thread).
const WRITER_MEMORY_PER_THREAD: usize = 20_000_000;
/// At most this many indexing threads: the catalog is small and the machine is shared.
const MAX_WRITER_THREADS: usize = 2;
/// A hit scoring below this share of the best hit is cut. Name and synonym hits score several
/// times a passing mention in materials or FAQ (the name's boost is 3, and a synonym adds its
/// own clause), so a quarter keeps every real candidate of the relevance table
/// (`tests/relevance.rs`) and drops "营业执照 is among this item's materials".
pub const WEAK_MATCH_RATIO: f32 = 0.25;
/// Upper bound on `limit`: a search never collects more hits than this.
pub const MAX_LIMIT: usize = 1_000;

/// One catalog item as the search index sees it: plain strings, already flattened by the
/// app (material names, condition texts, FAQ answers, legal basis titles).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDoc {
    /// The item's id; unique in the index (upsert/remove key).
    pub item_id: i64,
    /// Basic code (基本编码), e.g. `XK00601001`; found by exact, case-insensitive search.
    pub code: String,
    /// Item name (事项名称); weighted highest.
    pub name: String,
    /// Responsible department (实施主体).
    pub department: String,
    /// Item type (事项类型), e.g. 行政许可; indexed raw, not free-text searched.
    pub item_type: String,
    /// Service object (服务对象), e.g. 自然人/法人; indexed raw, not free-text searched.
    pub service_object: String,
    /// Theme labels (主题分类).
    pub themes: Vec<String>,
    /// Online service depth (网办深度), 0–4.
    pub online_depth: u8,
    /// Material names (申请材料).
    pub materials: Vec<String>,
    /// Acceptance conditions (受理条件).
    pub conditions: Vec<String>,
    /// FAQ entries (常见问题), question and answer as one string each.
    pub faq: Vec<String>,
    /// Legal basis (设定依据).
    pub basis: Vec<String>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub item_id: i64,
    /// Relevance; only meaningful to order hits of the same search.
    pub score: f32,
    pub name: String,
    /// Plain-text excerpt (no markup, at most ~60 characters plus `…`) from the material,
    /// condition or FAQ entry that best matches the query; empty when the name matched or
    /// when the item matched only through other fields.
    pub snippet: String,
}

/// Answers kept per generation of [`Recent`]: twice this many at most.
const RECENT_HALF: usize = 512;

/// The answers of recent searches, by (query as typed, trimmed; limit). Citizens ask the same
/// few things over and over (营业执照, 社保卡, 公积金提取), and the index changes only when the
/// catalog is published. Every write empties it before its commit becomes visible. Two
/// generations stand in for least-recently-used order: when the young map is full it becomes the
/// old one, and a hit in the old one moves back.
#[derive(Default)]
struct Recent {
    young: std::collections::HashMap<(String, usize), Vec<Hit>>,
    old: std::collections::HashMap<(String, usize), Vec<Hit>>,
    /// Moves on every write: an answer computed before a write is not kept after it.
    generation: u64,
}

impl Recent {
    fn get(&mut self, key: &(String, usize)) -> Option<Vec<Hit>> {
        if let Some(hits) = self.young.get(key) {
            return Some(hits.clone());
        }
        let hits = self.old.remove(key)?;
        self.put(key.clone(), hits.clone());
        Some(hits)
    }

    fn put(&mut self, key: (String, usize), hits: Vec<Hit>) {
        if self.young.len() >= RECENT_HALF && !self.young.contains_key(&key) {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(key, hits);
    }

    fn clear(&mut self) {
        self.young.clear();
        self.old.clear();
        self.generation += 1;
    }
}

/// The catalog's search index. `Send + Sync`: share it behind an `Arc`.
pub struct CatalogIndex {
    index: Index,
    reader: IndexReader,
    /// Created on first write, so read-only users never take the directory's writer lock.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    planner: Planner,
    synonyms: Synonyms,
    recent: Mutex<Recent>,
}

impl std::fmt::Debug for CatalogIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogIndex")
            .field("docs", &self.len())
            .field("synonym_rules", &self.synonyms.rules.len())
            .finish_non_exhaustive()
    }
}

impl CatalogIndex {
    /// Opens the on-disk index in `dir`, creating the directory and an empty index if
    /// missing. An index written with a different schema fails with `search.index`.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::io(Some(dir.to_owned()), e))?;
        let directory = MmapDirectory::open(dir).map_err(SearchError::from_open_dir)?;
        let (schema, fields) = Fields::schema();
        let index = Index::open_or_create(directory, schema).map_err(SearchError::from_tantivy)?;
        Self::with_index(index, fields)
    }

    /// A fresh index held in memory (tests, tools, small catalogs).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = Fields::schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<Self, SearchError> {
        schema::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(SearchError::from_tantivy)?;
        let mut planner = Planner {
            fields,
            zh: schema::zh_analyzer(),
            words: schema::word_analyzer(),
        };
        // Load jieba's dictionary now rather than in the first user's search.
        let _ = schema::tokens(&mut planner.zh, "预热分词词典");
        Ok(CatalogIndex {
            index,
            reader,
            writer: Mutex::new(None),
            fields,
            planner,
            synonyms: Synonyms::builtin(),
            recent: Mutex::new(Recent::default()),
        })
    }

    /// Replaces the synonym table (default: [`Synonyms::builtin`]). Takes effect on the next
    /// search; the index is untouched.
    #[must_use]
    pub fn with_synonyms(mut self, synonyms: Synonyms) -> Self {
        self.synonyms = synonyms;
        if let Ok(mut r) = self.recent.lock() {
            r.clear();
        }
        self
    }

    /// The synonym table in use.
    pub fn synonyms(&self) -> &Synonyms {
        &self.synonyms
    }

    /// Rebuilds the whole index from `docs`. Searches see the old contents until the new
    /// ones are committed, then all of them at once; on error the old contents stay.
    pub fn replace_all(&self, docs: &[SearchDoc]) -> Result<(), SearchError> {
        self.write(|w, f| {
            w.delete_all_documents()?;
            for doc in docs {
                // Only affects earlier docs of this batch: a repeated item_id keeps the last.
                w.delete_term(Term::from_field_i64(f.item_id, doc.item_id));
                w.add_document(to_document(f, doc))?;
            }
            Ok(())
        })
    }

    /// Adds `doc`, replacing any document with the same `item_id`; visible to the next
    /// search.
    pub fn upsert(&self, doc: &SearchDoc) -> Result<(), SearchError> {
        self.write(|w, f| {
            w.delete_term(Term::from_field_i64(f.item_id, doc.item_id));
            w.add_document(to_document(f, doc))?;
            Ok(())
        })
    }

    /// Removes the document of `item_id` (no error if there is none).
    pub fn remove(&self, item_id: i64) -> Result<(), SearchError> {
        self.write(|w, f| {
            w.delete_term(Term::from_field_i64(f.item_id, item_id));
            Ok(())
        })
    }

    /// The best `limit` items for `query` (capped at [`MAX_LIMIT`]), best first. Any text
    /// is accepted: empty or punctuation-only queries give no hits, never an error. A query
    /// asked since the last write is answered from memory.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let key = (query.trim().to_string(), limit.min(MAX_LIMIT));
        let generation = match self.recent.lock() {
            Ok(mut r) => {
                if let Some(hits) = r.get(&key) {
                    return Ok(hits);
                }
                r.generation
            }
            Err(_) => return self.search_uncached(query, limit),
        };
        let hits = self.search_uncached(query, limit)?;
        if let Ok(mut r) = self.recent.lock() {
            if r.generation == generation {
                r.put(key, hits.clone());
            }
        }
        Ok(hits)
    }

    /// [`CatalogIndex::search`] without the memory of recent answers: what a query costs the
    /// first time it is asked after a write (benchmarks).
    pub fn search_uncached(&self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let limit = limit.min(MAX_LIMIT);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let Some(Plan {
            strict,
            relaxed,
            terms,
        }) = self.planner.clone().plan(query, &self.synonyms)
        else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let collector = TopDocs::with_limit(limit).order_by_score();
        let mut top = searcher
            .search(&*strict, &collector)
            .map_err(SearchError::from_tantivy)?;
        if top.is_empty() {
            if let Some(relaxed) = relaxed {
                top = searcher
                    .search(&*relaxed, &collector)
                    .map_err(SearchError::from_tantivy)?;
            }
        }
        // Weak matches go: a hit far below the best one matched only by the way (a material
        // named in passing), and listing it buries what the person is after.
        let floor = top.first().map_or(0.0, |(best, _)| best * WEAK_MATCH_RATIO);
        let f = self.fields;
        top.into_iter()
            .take_while(|(score, _)| *score >= floor)
            .map(|(score, address)| {
                let doc: TantivyDocument =
                    searcher.doc(address).map_err(SearchError::from_tantivy)?;
                let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
                let name = text(f.name).to_string();
                let snippet = if snippet::name_matches(&name, &terms) {
                    String::new()
                } else {
                    let entries = [f.materials, f.conditions, f.faq]
                        .into_iter()
                        .flat_map(|field| doc.get_all(field).filter_map(|v| v.as_str()));
                    snippet::excerpt(entries, &terms)
                };
                Ok(Hit {
                    item_id: doc
                        .get_first(f.item_id)
                        .and_then(|v| v.as_i64())
                        .unwrap_or_default(),
                    score,
                    name,
                    snippet,
                })
            })
            .collect()
    }

    /// Number of documents visible to searches.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether no document is visible to searches.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs `ops` on the writer, then commits and reloads the reader; rolls back on error.
    fn write(
        &self,
        ops: impl FnOnce(&IndexWriter, &Fields) -> tantivy::Result<()>,
    ) -> Result<(), SearchError> {
        let mut guard = self.lock_writer()?;
        // Emptied before and after: a search that began before the write cannot keep its
        // answer (the generation moved), and none computed meanwhile survives the reload.
        self.forget_recent();
        let writer = match guard.as_mut() {
            Some(w) => w,
            None => guard.insert(self.new_writer()?),
        };
        let result = ops(writer, &self.fields).and_then(|()| writer.commit().map(drop));
        if let Err(e) = result {
            // Leave the writer as of the last commit; if even that fails, drop it and let
            // the next write start a fresh one.
            if writer.rollback().is_err() {
                *guard = None;
            }
            return Err(SearchError::from_tantivy(e));
        }
        let reloaded = self.reader.reload().map_err(SearchError::from_tantivy);
        self.forget_recent();
        reloaded
    }

    fn forget_recent(&self) {
        match self.recent.lock() {
            Ok(mut r) => r.clear(),
            Err(poisoned) => {
                poisoned.into_inner().clear();
                self.recent.clear_poison();
            }
        }
    }

    fn lock_writer(&self) -> Result<MutexGuard<'_, Option<IndexWriter>>, SearchError> {
        match self.writer.lock() {
            Ok(g) => Ok(g),
            Err(poisoned) => {
                // A write panicked half-way: discard its uncommitted work.
                let mut g = poisoned.into_inner();
                if let Some(w) = g.as_mut() {
                    if w.rollback().is_err() {
                        *g = None;
                    }
                }
                self.writer.clear_poison();
                Ok(g)
            }
        }
    }

    fn new_writer(&self) -> Result<IndexWriter, SearchError> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, MAX_WRITER_THREADS);
        self.index
            .writer_with_num_threads(threads, threads * WRITER_MEMORY_PER_THREAD)
            .map_err(SearchError::from_tantivy)
    }
}

fn to_document(f: &Fields, d: &SearchDoc) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_i64(f.item_id, d.item_id);
    doc.add_text(f.code, d.code.trim());
    doc.add_text(f.name, &d.name);
    doc.add_text(f.department, &d.department);
    doc.add_text(f.item_type, &d.item_type);
    doc.add_text(f.service_object, &d.service_object);
    doc.add_u64(f.online_depth, u64::from(d.online_depth));
    for (field, values) in [
        (f.themes, &d.themes),
        (f.materials, &d.materials),
        (f.conditions, &d.conditions),
        (f.faq, &d.faq),
        (f.basis, &d.basis),
    ] {
        for v in values {
            doc.add_text(field, v);
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_index_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<CatalogIndex>();
    }

    #[test]
    fn zero_limit_and_empty_index_are_fine() {
        let idx = CatalogIndex::in_memory().expect("index");
        assert!(idx.is_empty());
        assert!(idx.search("食品", 0).expect("search").is_empty());
        assert!(idx.search("食品", 10).expect("search").is_empty());
        idx.remove(42).expect("remove of a missing id is fine");
    }
}
