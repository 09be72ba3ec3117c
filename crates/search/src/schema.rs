//! Index schema and text analysis.
//!
//! Chinese text fields go through jieba in *search mode* (a word and its dictionary
//! sub-words: 食品经营许可证 → 食品, 经营, 许可, 许可证, …), then lower-casing, and lose
//! tokens that hold no letter or digit (punctuation, spaces). Only term frequencies are
//! indexed, no positions: queries are bags of terms, never phrases.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, STRING,
};
use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};
use tantivy::Index;
use tantivy_jieba::JiebaTokenizer;

/// Tokenizer name for Chinese text fields.
pub(crate) const ZH: &str = "tongban_zh";
/// Tokenizer name for the basic code: whole value, lower-cased.
pub(crate) const CODE: &str = "tongban_code";

/// Longest token kept, in bytes: longer ones are junk (base64, URLs) and blow up the index.
const MAX_TOKEN_BYTES: usize = 64;

/// Handles to the schema's fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub item_id: Field,
    pub code: Field,
    pub name: Field,
    pub department: Field,
    pub item_type: Field,
    pub service_object: Field,
    pub themes: Field,
    pub online_depth: Field,
    pub materials: Field,
    pub conditions: Field,
    pub faq: Field,
    pub basis: Field,
}

/// A searched text field and its weight.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Weighted {
    pub field: Field,
    pub boost: f32,
}

impl Fields {
    /// Builds the schema. Changing it makes existing on-disk indexes fail to open
    /// (`search.index`): the app then rebuilds with `replace_all` into a fresh directory.
    pub fn schema() -> (Schema, Fields) {
        let zh = |stored: bool| {
            let opts = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(ZH)
                    .set_index_option(IndexRecordOption::WithFreqs),
            );
            if stored {
                opts.set_stored()
            } else {
                opts
            }
        };
        let code_opts = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(CODE)
                    .set_index_option(IndexRecordOption::Basic),
            )
            .set_stored();

        let mut b = Schema::builder();
        let fields = Fields {
            item_id: b.add_i64_field(
                "item_id",
                NumericOptions::default().set_indexed().set_stored(),
            ),
            code: b.add_text_field("code", code_opts),
            name: b.add_text_field("name", zh(true)),
            department: b.add_text_field("department", zh(false)),
            // Raw values, kept for future filters; not part of free-text search.
            item_type: b.add_text_field("item_type", STRING),
            service_object: b.add_text_field("service_object", STRING),
            themes: b.add_text_field("themes", zh(false)),
            online_depth: b.add_u64_field("online_depth", NumericOptions::default().set_indexed()),
            // Stored: snippets are cut from them.
            materials: b.add_text_field("materials", zh(true)),
            conditions: b.add_text_field("conditions", zh(true)),
            faq: b.add_text_field("faq", zh(true)),
            basis: b.add_text_field("basis", zh(false)),
        };
        (b.build(), fields)
    }

    /// The free-text fields a query term is looked up in, with their boosts. The name
    /// dominates: an item *called* 食品经营许可 beats one whose FAQ mentions 食品.
    pub fn searched(&self) -> [Weighted; 7] {
        let w = |field, boost| Weighted { field, boost };
        [
            w(self.name, 3.0),
            w(self.themes, 1.5),
            w(self.materials, 1.0),
            w(self.conditions, 1.0),
            w(self.department, 0.8),
            w(self.faq, 0.8),
            w(self.basis, 0.5),
        ]
    }
}

/// jieba in search mode (index and query sub-words).
pub(crate) fn zh_analyzer() -> TextAnalyzer {
    analyzer(JiebaTokenizer::new())
}

/// jieba in default mode: the coarsest words, used to group a query's terms.
pub(crate) fn word_analyzer() -> TextAnalyzer {
    analyzer(JiebaTokenizer::with_search_mode(false))
}

fn analyzer(jieba: JiebaTokenizer) -> TextAnalyzer {
    TextAnalyzer::builder(jieba)
        .filter(WordsOnly)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// The basic code as one lower-cased token.
pub(crate) fn code_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

/// Registers this crate's tokenizers on `index` (they are not persisted with it).
pub(crate) fn register(index: &Index) {
    let t = index.tokenizers();
    t.register(ZH, zh_analyzer());
    t.register(CODE, code_analyzer());
}

/// Runs `analyzer` over `text`, returning token texts in order (duplicates kept).
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Drops tokens without any letter or digit (jieba emits punctuation and spaces as tokens).
#[derive(Clone, Copy)]
struct WordsOnly;

impl TokenFilter for WordsOnly {
    type Tokenizer<T: Tokenizer> = WordsOnlyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordsOnlyTokenizer<T> {
        WordsOnlyTokenizer(tokenizer)
    }
}

#[derive(Clone)]
struct WordsOnlyTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for WordsOnlyTokenizer<T> {
    type TokenStream<'a> = WordsOnlyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordsOnlyStream(self.0.token_stream(text))
    }
}

struct WordsOnlyStream<S>(S);

impl<S: TokenStream> TokenStream for WordsOnlyStream<S> {
    fn advance(&mut self) -> bool {
        while self.0.advance() {
            if self.0.token().text.chars().any(char::is_alphanumeric) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_mode_keeps_subwords_and_drops_punctuation() {
        let toks = tokens(&mut zh_analyzer(), "食品经营许可证（餐饮）！ ABC");
        assert!(toks.contains(&"食品".to_string()), "{toks:?}");
        assert!(toks.contains(&"许可".to_string()), "{toks:?}");
        assert!(toks.contains(&"许可证".to_string()), "{toks:?}");
        assert!(toks.contains(&"abc".to_string()), "lower-cased: {toks:?}");
        assert!(
            toks.iter().all(|t| t.chars().any(char::is_alphanumeric)),
            "punctuation leaked: {toks:?}"
        );
    }

    #[test]
    fn code_is_one_lowercased_token() {
        assert_eq!(
            tokens(&mut code_analyzer(), "XK00601001"),
            vec!["xk00601001"]
        );
    }
}
