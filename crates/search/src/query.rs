//! Turning what a citizen typed into a tantivy query, programmatically.
//!
//! User input never reaches tantivy's query parser, so quotes, colons, brackets, `+`/`-`
//! are just characters: the tokenizer drops the punctuation and the rest are terms.
//!
//! Shape of the query for "开饭店要什么材料":
//! - the query is cut by jieba (default mode) into words; filler words (怎么, 需要, …) are
//!   dropped unless nothing else is left;
//! - each word becomes a *group*: the word or any of its dictionary sub-words (search mode),
//!   each looked up in every searched field with that field's boost (dis-max, so a term
//!   found in several fields counts mostly once);
//! - **strict**: most multi-character groups must match (all of them up to two, two thirds
//!   beyond); single-character words only add score;
//! - **relaxed** (only used when strict finds nothing): any group may match;
//! - always OR-ed in: the basic code (raw, exact, case-insensitive) and every synonym
//!   expansion (see [`crate::synonyms`]), an expansion needing all of its own words.

use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

use crate::schema::{tokens, Fields};
use crate::synonyms::Synonyms;

/// Longer queries are cut: bounded work per search whatever is pasted in.
pub(crate) const MAX_QUERY_CHARS: usize = 64;
/// A code clause outweighs any text match: typing a code means "that item".
const CODE_BOOST: f32 = 20.0;
/// Weight of a sub-word relative to the whole word it came from.
const SUBWORD_BOOST: f32 = 0.5;
/// Dis-max tie breaker: a term in several fields adds a little beyond its best field.
const TIE_BREAKER: f32 = 0.1;

/// Filler words of spoken queries: dropped unless the query has nothing else.
const FILLER: &[&str] = &[
    "怎么",
    "怎样",
    "如何",
    "怎么办",
    "怎么样",
    "哪里",
    "哪儿",
    "在哪",
    "在哪里",
    "去哪",
    "去哪里",
    "什么",
    "需要",
    "要",
    "想",
    "我",
    "我们",
    "我要",
    "我想",
    "的",
    "了",
    "吗",
    "呢",
    "啊",
    "吧",
    "办",
    "办理",
    "手续",
    "流程",
    "材料",
    "能",
    "可以",
    "在",
    "和",
    "与",
    "及",
    "或",
    "是",
    "有",
    "哪些",
    "多久",
    "多少",
    "去",
];

type BoxQuery = Box<dyn Query>;

/// What to search for one user query.
pub(crate) struct Plan {
    pub strict: Box<dyn Query>,
    /// Present when strict is narrower than "any group": the fallback for zero hits.
    pub relaxed: Option<Box<dyn Query>>,
    /// Lower-cased terms to look for when cutting snippets, longest first.
    pub terms: Vec<String>,
}

/// Analysis state for building plans; cloned per search (the analyzers are cheap handles).
#[derive(Clone)]
pub(crate) struct Planner {
    pub fields: Fields,
    pub zh: TextAnalyzer,
    pub words: TextAnalyzer,
}

/// One query word and its alternatives.
struct Group {
    word: String,
    subwords: Vec<String>,
}

impl Group {
    fn is_strong(&self) -> bool {
        // One CJK character (开, 图, 证) says little; a Latin/digit run of any length does.
        self.word.chars().count() >= 2 || self.word.is_ascii()
    }
}

impl Planner {
    /// `None` when the query holds nothing searchable (empty, only punctuation).
    pub fn plan(&mut self, raw: &str, synonyms: &Synonyms) -> Option<Plan> {
        let text: String = raw.trim().chars().take(MAX_QUERY_CHARS).collect();
        if text.is_empty() {
            return None;
        }
        let mut terms: Vec<String> = Vec::new();
        let mut top: Vec<(Occur, Box<dyn Query>)> = Vec::new();

        for part in text.split_whitespace() {
            if looks_like_code(part) {
                let term = Term::from_field_text(self.fields.code, &part.to_lowercase());
                let q = TermQuery::new(term, IndexRecordOption::Basic);
                top.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), CODE_BOOST)),
                ));
            }
        }

        for expansion in synonyms.expand(&text) {
            let groups = self.groups(expansion, false);
            if groups.is_empty() {
                continue;
            }
            collect_terms(&groups, &mut terms);
            let all: Vec<Box<dyn Query>> = groups.iter().map(|g| self.group_query(g)).collect();
            top.push((Occur::Should, one_or(all, BooleanQuery::intersection)));
        }

        let groups = self.groups(&text, true);
        collect_terms(&groups, &mut terms);
        let (strict_main, relaxed_main) = self.main_queries(&groups);

        terms.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
        terms.dedup();

        let assemble = |main: Option<Box<dyn Query>>, others: &[(Occur, Box<dyn Query>)]| {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                others.iter().map(|(o, q)| (*o, q.box_clone())).collect();
            clauses.extend(main.map(|q| (Occur::Should, q)));
            match clauses.len() {
                0 => None,
                1 => clauses.pop().map(|(_, q)| q),
                _ => Some(Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>),
            }
        };
        let relaxed = relaxed_main.and_then(|q| assemble(Some(q), &top));
        let strict = assemble(strict_main, &top)?;
        Some(Plan {
            strict,
            relaxed,
            terms,
        })
    }

    /// Words of `text` with their sub-words. `drop_filler` strips spoken filler words
    /// (for user queries, not for official terms).
    fn groups(&mut self, text: &str, drop_filler: bool) -> Vec<Group> {
        let mut words = tokens(&mut self.words, text);
        let mut seen = std::collections::HashSet::new();
        words.retain(|w| seen.insert(w.clone()));
        if drop_filler && words.iter().any(|w| !FILLER.contains(&w.as_str())) {
            words.retain(|w| !FILLER.contains(&w.as_str()));
        }
        words
            .into_iter()
            .map(|word| {
                let mut subwords = tokens(&mut self.zh, &word);
                subwords.retain(|s| *s != word);
                subwords.sort();
                subwords.dedup();
                Group { word, subwords }
            })
            .collect()
    }

    /// The strict and (if different) relaxed query over the user's own words.
    fn main_queries(&self, groups: &[Group]) -> (Option<BoxQuery>, Option<BoxQuery>) {
        if groups.is_empty() {
            return (None, None);
        }
        let (strong, weak): (Vec<&Group>, Vec<&Group>) = groups.iter().partition(|g| g.is_strong());
        let relaxed = || -> Box<dyn Query> {
            one_or(
                groups.iter().map(|g| self.group_query(g)).collect(),
                BooleanQuery::union,
            )
        };
        if strong.is_empty() {
            return (Some(relaxed()), None);
        }
        let n = strong.len();
        let required = if n <= 2 { n } else { (2 * n).div_ceil(3) };
        let strong_q: Box<dyn Query> = if required == 1 {
            one_or(
                strong.iter().map(|g| self.group_query(g)).collect(),
                BooleanQuery::union,
            )
        } else {
            Box::new(BooleanQuery::union_with_minimum_required_clauses(
                strong.iter().map(|g| self.group_query(g)).collect(),
                required,
            ))
        };
        let strict: Box<dyn Query> = if weak.is_empty() {
            strong_q
        } else {
            let mut clauses = vec![(Occur::Must, strong_q)];
            clauses.extend(weak.iter().map(|g| (Occur::Should, self.group_query(g))));
            Box::new(BooleanQuery::new(clauses))
        };
        let needs_relaxed = required > 1 || !weak.is_empty();
        (Some(strict), needs_relaxed.then(relaxed))
    }

    /// A group matches through its word (full weight) or through all of its sub-words together
    /// (reduced weight). All, not any: "设立登记" must not match every item that says 登记.
    fn group_query(&self, group: &Group) -> Box<dyn Query> {
        let mut alternatives = vec![self.term_everywhere(&group.word, 1.0)];
        if !group.subwords.is_empty() {
            let parts = group
                .subwords
                .iter()
                .map(|s| self.term_everywhere(s, SUBWORD_BOOST))
                .collect();
            alternatives.push(one_or(parts, BooleanQuery::intersection));
        }
        one_or(alternatives, BooleanQuery::union)
    }

    /// `text` as a term in every searched field: dis-max of the field-boosted term queries.
    fn term_everywhere(&self, text: &str, boost: f32) -> Box<dyn Query> {
        let per_field: Vec<Box<dyn Query>> = self
            .fields
            .searched()
            .iter()
            .map(|w| {
                let term = Term::from_field_text(w.field, text);
                let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
                Box::new(BoostQuery::new(Box::new(q), w.boost * boost)) as Box<dyn Query>
            })
            .collect();
        Box::new(DisjunctionMaxQuery::with_tie_breaker(
            per_field,
            TIE_BREAKER,
        ))
    }
}

/// The single query itself, or `combine` of several.
fn one_or(
    mut queries: Vec<Box<dyn Query>>,
    combine: fn(Vec<Box<dyn Query>>) -> BooleanQuery,
) -> Box<dyn Query> {
    if queries.len() == 1 {
        if let Some(q) = queries.pop() {
            return q;
        }
    }
    Box::new(combine(queries))
}

fn collect_terms(groups: &[Group], terms: &mut Vec<String>) {
    for g in groups {
        terms.push(g.word.clone());
        terms.extend(g.subwords.iter().cloned());
    }
}

/// Basic codes are Latin letters and digits (XK00601001, 11100000MB0123456X-1); require a
/// digit so that ordinary words typed in Latin script do not hit the code field needlessly.
fn looks_like_code(s: &str) -> bool {
    s.len() >= 4
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && s.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{word_analyzer, zh_analyzer};

    fn planner() -> Planner {
        let (_, fields) = Fields::schema();
        Planner {
            fields,
            zh: zh_analyzer(),
            words: word_analyzer(),
        }
    }

    #[test]
    fn nothing_searchable_gives_no_plan() {
        let mut p = planner();
        let syn = Synonyms::builtin();
        for q in [
            "",
            "   ",
            "\t\n",
            "\"\"",
            "：:（）()[]{}+-!?。，、",
            "-- ++ \"\" ::",
        ] {
            assert!(p.plan(q, &syn).is_none(), "{q:?}");
        }
    }

    #[test]
    fn filler_words_are_dropped_but_never_everything() {
        let mut p = planner();
        let words: Vec<String> = p
            .groups("营业执照怎么办理", true)
            .into_iter()
            .map(|g| g.word)
            .collect();
        assert!(words.contains(&"营业执照".to_string()), "{words:?}");
        assert!(
            !words.iter().any(|w| w == "怎么" || w == "办理"),
            "{words:?}"
        );
        let words: Vec<String> = p.groups("办理", true).into_iter().map(|g| g.word).collect();
        assert_eq!(words, vec!["办理"]);
    }

    #[test]
    fn codes_need_a_digit() {
        assert!(looks_like_code("XK00601001"));
        assert!(looks_like_code("xk00601001-2"));
        assert!(!looks_like_code("食品"));
        assert!(!looks_like_code("abcd"));
        assert!(!looks_like_code("1"));
    }

    #[test]
    fn long_queries_are_cut() {
        let mut p = planner();
        let long = "食品经营许可".repeat(1000);
        assert!(p.plan(&long, &Synonyms::none()).is_some());
    }
}
