//! The search index: articles made findable in Chinese, in either script, and related to one
//! another.
//!
//! The index is derived data: tantivy files under `DATA/index/`, built from the store and
//! rebuilt from it at will (`xinwen reindex`). Each commit records the store's change time it
//! has caught up to, so after a crash [`SearchIndex::catch_up`] indexes only what changed since.
//! Results are checked against the store before they are shown, so a removed article leaves
//! search at once, even before the index hears of it.
//!
//! Every text is indexed three times, in normal form (simplified, half-width, lower case; see
//! `xinwen-text`): as jieba's search-mode words, which rank well; as overlapping character
//! bigrams, which find what no dictionary knows (a new name, a place) and make every
//! two-character query a single term lookup; and as trigrams, through which longer exact
//! sequences are checked with a third of the terms. A query word matches either way.
//!
//! This crate owns the schema, the analysis wiring, query building, ranking (BM25 with a
//! freshness factor), snippets and related reading. It must not render pages.

mod query;
mod rank;
mod snippet;

pub use query::{Clause, ParsedQuery, parse};
pub use snippet::snippet;

use chrono::{DateTime, Utc};
use rank::{Bounded, BoundedClause, FreshTop, freshness};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{TextAnalyzer, Token as TantivyToken, TokenStream, Tokenizer};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term, doc,
};
use xinwen_text::{Analyzer, bigrams, normalize};

/// Bumped when the schema or the analysis changes: an index of another version is rebuilt.
const SCHEMA_VERSION: &str = "7";

/// Keywords kept with each article for related reading: about all of a news article's content
/// words. Profiles cut to the heaviest few compare worse (on THUCNews, P@5 0.909 with 40,
/// 0.913 with 60, 0.921 with 100 or 150, the same on either half of it alone).
const PROFILE_KEYWORDS: usize = 150;

/// Keywords a related-reading query asks for: the heaviest of the widened profile. More cost
/// time and change nothing measurable.
const QUERY_KEYWORDS: usize = 80;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index at {path} cannot be used: {message}")]
    Open { path: String, message: String },
    #[error("the search index failed: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("reading the store for the index failed: {0}")]
    Store(#[from] xinwen_store::Error),
    #[error("indexing in the background failed: {0}")]
    Background(String),
}

/// One step of catching up: a batch put in (and removals), or the commit that ends it.
enum CatchUpStep {
    Put {
        removed: Vec<i64>,
        docs: Vec<IndexDoc>,
    },
    Commit(i64),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// What the index keeps of an article.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexDoc {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub source: String,
    pub channel: String,
    pub published: DateTime<Utc>,
    /// The story the article belongs to, once stories exist: related reading skips it.
    pub story: Option<String>,
}

impl From<xinwen_store::IndexRow> for IndexDoc {
    fn from(row: xinwen_store::IndexRow) -> Self {
        IndexDoc {
            id: row.id,
            title: row.title,
            body: row.body_text,
            source: row.source_slug,
            channel: row.channel_slug,
            published: row.published_at,
            story: row.story_id.map(|s| s.to_string()),
        }
    }
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title_words: Field,
    title_bigrams: Field,
    title_trigrams: Field,
    body_words: Field,
    body_bigrams: Field,
    body_trigrams: Field,
    source: Field,
    channel: Field,
    story: Field,
    published: Field,
    keywords: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        id: builder.add_i64_field("id", INDEXED | STORED | FAST),
        title_words: builder.add_text_field("title_words", text("zh_words")),
        title_bigrams: builder.add_text_field("title_bigrams", text("zh_bigrams")),
        title_trigrams: builder.add_text_field("title_trigrams", text("zh_trigrams")),
        body_words: builder.add_text_field("body_words", text("zh_words")),
        body_bigrams: builder.add_text_field("body_bigrams", text("zh_bigrams")),
        body_trigrams: builder.add_text_field("body_trigrams", text("zh_trigrams")),
        source: builder.add_text_field("source", STRING),
        channel: builder.add_text_field("channel", STRING),
        story: builder.add_text_field("story", STRING | STORED),
        published: builder.add_i64_field("published", INDEXED | FAST),
        keywords: builder.add_text_field("keywords", STORED),
    };
    (builder.build(), fields)
}

/// jieba words, for tantivy. The text is already in normal form when it arrives.
#[derive(Clone)]
struct WordsTokenizer(Analyzer);

/// Character bigrams, for tantivy.
#[derive(Clone)]
struct BigramTokenizer;

/// Character trigrams, for tantivy.
#[derive(Clone)]
struct TrigramTokenizer;

impl Tokenizer for TrigramTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        into_stream(xinwen_text::trigrams(text))
    }
}

struct Tokens {
    tokens: Vec<TantivyToken>,
    index: usize,
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        self.index += 1;
        self.index <= self.tokens.len()
    }
    fn token(&self) -> &TantivyToken {
        &self.tokens[self.index - 1]
    }
    fn token_mut(&mut self) -> &mut TantivyToken {
        &mut self.tokens[self.index - 1]
    }
}

fn into_stream(tokens: Vec<xinwen_text::Token>) -> Tokens {
    Tokens {
        tokens: tokens
            .into_iter()
            .filter(|t| t.text.len() <= 64)
            .map(|t| TantivyToken {
                offset_from: t.start,
                offset_to: t.end,
                position: t.position,
                text: t.text,
                position_length: 1,
            })
            .collect(),
        index: 0,
    }
}

impl Tokenizer for WordsTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        into_stream(self.0.words(text))
    }
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        into_stream(bigrams(text))
    }
}

/// One search result: an article id and why it ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: i64,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hits {
    /// How many articles match; an estimate when `total_exact` is false.
    pub total: usize,
    pub total_exact: bool,
    pub items: Vec<Hit>,
}

/// A related article and the keywords it shares with the one being read.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    pub id: i64,
    pub score: f32,
    pub shared: Vec<String>,
    /// Close: it shares at least two of the article's keywords, carrying a fifth of their
    /// weight. The others fill the list: nearer matches first, then the channel's articles
    /// nearest in time.
    pub close: bool,
}

/// The fewest articles a related list holds when the index has that many others.
pub const RELATED_AT_LEAST: usize = 5;

/// The index, its reader, and its one writer.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    analyzer: Analyzer,
    path: Option<PathBuf>,
    /// When the last catch-up with the store finished: what a node's readiness is judged by.
    caught_up_at: Mutex<Option<std::time::Instant>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("path", &self.path)
            .finish()
    }
}

/// Heap the writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 128 * 1024 * 1024;

impl SearchIndex {
    /// Opens the index in `dir`, creating it, or recreating it when it was built by another
    /// version of the schema (the caller then catches up from the store, which is everything).
    pub fn open(dir: &Path, analyzer: Analyzer) -> Result<SearchIndex> {
        let open_error = |message: String| SearchError::Open {
            path: dir.display().to_string(),
            message,
        };
        let version_file = dir.join("xinwen-schema-version");
        let current = std::fs::read_to_string(&version_file).ok();
        if current.as_deref().map(str::trim) != Some(SCHEMA_VERSION) && dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| open_error(e.to_string()))?;
        }
        std::fs::create_dir_all(dir).map_err(|e| open_error(e.to_string()))?;
        let (schema, fields) = schema();
        let directory =
            tantivy::directory::MmapDirectory::open(dir).map_err(|e| open_error(e.to_string()))?;
        let index =
            Index::open_or_create(directory, schema).map_err(|e| open_error(e.to_string()))?;
        std::fs::write(&version_file, SCHEMA_VERSION).map_err(|e| open_error(e.to_string()))?;
        SearchIndex::with_index(index, fields, analyzer, Some(dir.to_owned()))
    }

    /// An index in memory, for evaluations and benchmarks.
    pub fn in_memory(analyzer: Analyzer) -> Result<SearchIndex> {
        let (schema, fields) = schema();
        SearchIndex::with_index(Index::create_in_ram(schema), fields, analyzer, None)
    }

    fn with_index(
        index: Index,
        fields: Fields,
        analyzer: Analyzer,
        path: Option<PathBuf>,
    ) -> Result<SearchIndex> {
        index.tokenizers().register(
            "zh_words",
            TextAnalyzer::from(WordsTokenizer(analyzer.clone())),
        );
        index
            .tokenizers()
            .register("zh_bigrams", TextAnalyzer::from(BigramTokenizer));
        index
            .tokenizers()
            .register("zh_trigrams", TextAnalyzer::from(TrigramTokenizer));
        let writer = index.writer(WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            analyzer,
            path,
            caught_up_at: Mutex::new(None),
        })
    }

    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds or replaces articles (not visible until [`commit`](Self::commit)).
    pub fn put(&self, docs: &[IndexDoc]) -> Result<()> {
        // Keywords take a segmentation pass of their own: spread it over the cores.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let chunk = docs.len().div_ceil(threads).max(1);
        let prepared: Vec<TantivyDocument> = std::thread::scope(|scope| {
            let parts: Vec<_> = docs
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || part.iter().map(|d| self.document(d)).collect::<Vec<_>>())
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|part| part.join().unwrap_or_default())
                .collect()
        });
        if prepared.len() != docs.len() {
            return Err(SearchError::Index(tantivy::TantivyError::InternalError(
                "preparing documents failed".into(),
            )));
        }
        let writer = self.writer();
        for (d, document) in docs.iter().zip(prepared) {
            writer.delete_term(Term::from_field_i64(self.fields.id, d.id));
            writer.add_document(document)?;
        }
        Ok(())
    }

    /// An article as the index keeps it: normal-form text in both analyses, and its keywords.
    fn document(&self, d: &IndexDoc) -> TantivyDocument {
        let f = self.fields;
        let title = normalize(&d.title);
        let body = normalize(&d.body);
        let keywords = self
            .analyzer
            .keywords(&format!("{title}。{title}。{body}"), PROFILE_KEYWORDS)
            .into_iter()
            .map(|(k, w)| format!("{k}:{w:.4}"))
            .collect::<Vec<_>>()
            .join(" ");
        let mut document = doc!(
            f.id => d.id,
            f.title_words => title.clone(),
            f.title_bigrams => title.clone(),
            f.title_trigrams => title,
            f.body_words => body.clone(),
            f.body_bigrams => body.clone(),
            f.body_trigrams => body,
            f.source => d.source.clone(),
            f.channel => d.channel.clone(),
            f.published => d.published.timestamp(),
            f.keywords => keywords,
        );
        if let Some(story) = &d.story {
            document.add_text(f.story, story);
        }
        document
    }

    pub fn remove(&self, id: i64) {
        self.writer()
            .delete_term(Term::from_field_i64(self.fields.id, id));
    }

    /// Makes what was put and removed visible, recording the store's change number it reflects.
    pub fn commit(&self, watermark: Option<i64>) -> Result<()> {
        let mut writer = self.writer();
        let mut prepared = writer.prepare_commit()?;
        if let Some(watermark) = watermark {
            prepared.set_payload(&format!("watermark={watermark}"));
        }
        prepared.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Merges the segments into as many as the machine has cores, of about equal size, and
    /// waits for it: for after a bulk load (`reindex`, the benchmark). Queries then visit no
    /// more segments than that, and no background merge left by the load shares the cores
    /// with them. Trickle updates while
    /// serving are left to the merge policy. Returns how many segments there were.
    pub fn compact(&self) -> Result<usize> {
        let parts = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut writer = self.writer();
        // No new background merges; those already running finish, and their segments then
        // join these.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let started = std::time::Instant::now();
        let before = self.index.searchable_segment_ids()?.len();
        let outcome = loop {
            let mut metas = self.index.searchable_segment_metas()?;
            if metas.len() <= parts {
                break Ok(());
            }
            // Largest first, each into the lightest part.
            metas.sort_by_key(|m| std::cmp::Reverse(m.num_docs()));
            let mut bins: Vec<(u64, Vec<tantivy::index::SegmentId>)> = vec![(0, Vec::new()); parts];
            for meta in metas {
                if let Some(bin) = bins.iter_mut().min_by_key(|b| b.0) {
                    bin.0 += u64::from(meta.num_docs());
                    bin.1.push(meta.id());
                }
            }
            let merges: Vec<_> = bins
                .iter()
                .filter(|(_, ids)| ids.len() > 1)
                .map(|(_, ids)| writer.merge(ids))
                .collect();
            let mut failure = None;
            for merge in merges {
                if let Err(e) = merge.wait() {
                    failure = Some(e);
                }
            }
            match failure {
                None => {}
                // Some segment is still in a background merge: wait for it to finish.
                Some(tantivy::TantivyError::InvalidArgument(_))
                    if started.elapsed() < std::time::Duration::from_secs(3600) =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                Some(e) => break Err(e),
            }
        };
        writer.set_merge_policy(Box::new(tantivy::indexer::LogMergePolicy::default()));
        drop(writer);
        outcome?;
        self.reader.reload()?;
        Ok(before)
    }

    /// How many segments queries visit.
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// The store change number the last commit caught up to.
    pub fn watermark(&self) -> Option<i64> {
        let metas = self.index.load_metas().ok()?;
        metas.payload?.strip_prefix("watermark=")?.parse().ok()
    }

    pub fn document_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Indexes every article changed in the store since the last commit (everything, on a new
    /// index), in batches, and commits. `progress` hears how many were done so far. The
    /// indexing runs on the caller's thread: for a command, or an editor's takedown that must
    /// be gone from search before the page answers.
    pub async fn catch_up(
        &self,
        store: &xinwen_store::Store,
        progress: impl Fn(u64),
    ) -> Result<u64> {
        self.catch_up_with(store, progress, |step| std::future::ready(self.apply(step)))
            .await
    }

    /// [`catch_up`](Self::catch_up) for a serving process keeping its index current: the
    /// segmenting and indexing run on low-priority threads (`xinwen-background`), so that an
    /// ingest pass elsewhere does not take the cores readers' pages need, and none of it runs
    /// on the async runtime's threads, where it would hold up every request they serve.
    pub async fn catch_up_quietly(self: &Arc<Self>, store: &xinwen_store::Store) -> Result<u64> {
        self.catch_up_with(
            store,
            |_| {},
            |step| {
                let index = self.clone();
                async move {
                    xinwen_background::run(move || index.apply(step))
                        .await
                        .map_err(|e| SearchError::Background(e.to_string()))?
                }
            },
        )
        .await
    }

    async fn catch_up_with<F, Fut>(
        &self,
        store: &xinwen_store::Store,
        progress: impl Fn(u64),
        mut apply: F,
    ) -> Result<u64>
    where
        F: FnMut(CatchUpStep) -> Fut,
        Fut: std::future::Future<Output = Result<()>>,
    {
        let mut since = self.watermark().unwrap_or(i64::MIN);
        let mut done = 0u64;
        let start_since = since;
        loop {
            let rows = store.articles_changed_since(since, 1000).await?;
            let Some(last) = rows.last() else { break };
            since = last.change_seq;
            let (live, removed): (Vec<_>, Vec<_>) = rows
                .into_iter()
                .partition(|r| r.status == xinwen_model::ArticleStatus::Live);
            done += (live.len() + removed.len()) as u64;
            apply(CatchUpStep::Put {
                removed: removed.iter().map(|r| r.id).collect(),
                docs: live.into_iter().map(IndexDoc::from).collect(),
            })
            .await?;
            progress(done);
        }
        if done > 0 || start_since == i64::MIN {
            apply(CatchUpStep::Commit(since)).await?;
        }
        *self.caught_up_at.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(std::time::Instant::now());
        Ok(done)
    }

    /// Whether the index caught up with the store within `limit`: everything the store held
    /// then is searchable. A node whose index has not (still building it, or cut off from
    /// the database) should not be sent readers.
    pub fn caught_up_within(&self, limit: std::time::Duration) -> bool {
        self.caught_up_at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|at| at.elapsed() <= limit)
    }

    fn apply(&self, step: CatchUpStep) -> Result<()> {
        match step {
            CatchUpStep::Put { removed, docs } => {
                for id in removed {
                    self.remove(id);
                }
                self.put(&docs)
            }
            CatchUpStep::Commit(watermark) => self.commit(Some(watermark)),
        }
    }

    /// A word, found either way it is indexed: as a word (ranks best), or exactly as
    /// written by its bigrams and trigrams (finds what the dictionary lacks).
    fn word_clause(&self, word: &str, title_boost: f32) -> Bounded {
        let f = self.fields;
        let mut options: Vec<(Scored, f32)> = Vec::new();
        for (field, boost) in [(f.title_words, 2.0 * title_boost), (f.body_words, 2.0)] {
            options.push((Scored::term(Term::from_field_text(field, word)), boost));
        }
        let pairs = [
            (f.title_bigrams, f.title_trigrams, title_boost),
            (f.body_bigrams, f.body_trigrams, 1.0),
        ];
        for (bigram_field, trigram_field, boost) in pairs {
            if let Some(exact) = self.exact_query(bigram_field, trigram_field, word) {
                options.push((exact, boost));
            }
        }
        union_of(options)
    }

    /// `text` exactly as written: by trigrams when it is one run of three or more Chinese
    /// characters (rarer terms, far fewer positions to check), by bigrams otherwise.
    fn exact_query(&self, bigram_field: Field, trigram_field: Field, text: &str) -> Option<Scored> {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() < 3 || !chars.iter().all(|c| xinwen_text::is_cjk(*c)) {
            return self.sequence_query(bigram_field, text);
        }
        let grams = xinwen_text::trigrams(text);
        // Trigrams 0, 3, 6... and the last one cover every character with a third of the terms.
        let last = grams.len() - 1;
        let terms: Vec<(usize, Term)> = grams
            .iter()
            .filter(|t| t.position % 3 == 0 || t.position == last)
            .map(|t| (t.position, Term::from_field_text(trigram_field, &t.text)))
            .collect();
        Scored::sequence(terms)
    }

    /// The bigram sequence of `text` in `field`: one term, or a phrase of them.
    fn sequence_query(&self, field: Field, text: &str) -> Option<Scored> {
        let terms: Vec<(usize, Term)> = bigrams(text)
            .into_iter()
            .map(|t| (t.position, Term::from_field_text(field, &t.text)))
            .collect();
        Scored::sequence(terms)
    }

    fn clause_query(&self, clause: &Clause) -> Option<Bounded> {
        match clause {
            Clause::Word(word) => Some(self.word_clause(word, 3.0)),
            Clause::Phrase(phrase) => {
                let f = self.fields;
                let mut options: Vec<(Scored, f32)> = Vec::new();
                if let Some(q) = self.exact_query(f.title_bigrams, f.title_trigrams, phrase) {
                    options.push((q, 3.0));
                }
                if let Some(q) = self.exact_query(f.body_bigrams, f.body_trigrams, phrase) {
                    options.push((q, 1.0));
                }
                (!options.is_empty()).then(|| union_of(options))
            }
        }
    }

    fn build(&self, parsed: &ParsedQuery) -> Box<dyn Query> {
        let f = self.fields;
        // One word or phrase and nothing else, the commonest search: its union is the whole
        // query, so that ranking can skip what cannot make the page (see `rank`).
        let nothing_else = parsed.must_not.is_empty()
            && parsed.source.is_none()
            && parsed.channel.is_none()
            && parsed.after.is_none()
            && parsed.before.is_none();
        if nothing_else && parsed.must.len() + parsed.should.len() == 1 {
            let only = parsed.must.iter().chain(&parsed.should).next();
            if let Some(query) = only.and_then(|c| self.clause_query(c)) {
                return Box::new(query);
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for clause in &parsed.must {
            if let Some(q) = self.clause_query(clause) {
                clauses.push((Occur::Must, Box::new(q)));
            }
        }
        for clause in &parsed.should {
            if let Some(q) = self.clause_query(clause) {
                clauses.push((Occur::Should, Box::new(q)));
            }
        }
        for clause in &parsed.must_not {
            if let Some(q) = self.clause_query(clause) {
                clauses.push((Occur::MustNot, Box::new(q)));
            }
        }
        if let Some(source) = &parsed.source {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.source, source),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(channel) = &parsed.channel {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.channel, channel),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if parsed.after.is_some() || parsed.before.is_some() {
            use std::ops::Bound;
            let bound = |t: Option<DateTime<Utc>>, inclusive: bool| match t {
                Some(t) if inclusive => {
                    Bound::Included(Term::from_field_i64(f.published, t.timestamp()))
                }
                Some(t) => Bound::Excluded(Term::from_field_i64(f.published, t.timestamp())),
                None => Bound::Unbounded,
            };
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    bound(parsed.after, true),
                    bound(parsed.before, false),
                )),
            ));
        }
        if !clauses.iter().any(|(occur, _)| *occur != Occur::MustNot) {
            clauses.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// One page of results, best first: BM25, raised by up to a third for articles of the
    /// last few days (`now` sets what "recent" means). The total is exact up to a few
    /// thousand matches and estimated beyond (`Hits::total_exact`).
    pub fn search(
        &self,
        parsed: &ParsedQuery,
        offset: usize,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Hits> {
        let searcher = self.reader.searcher();
        let query = self.build(parsed);
        let collector = FreshTop {
            keep: offset + limit.max(1),
            now: now.timestamp(),
            counting: rank::counting_weights(query.as_ref(), &searcher)?,
            count_exactly_up_to: rank::COUNT_EXACTLY_UP_TO,
        };
        let ranked = searcher.search(query.as_ref(), &collector)?;
        let items = ranked
            .top
            .into_iter()
            .skip(offset)
            .filter_map(|(score, address)| {
                Some(Hit {
                    id: self.id_of(&searcher, address)?,
                    score,
                })
            })
            .collect();
        Ok(Hits {
            total: usize::try_from(ranked.matched).unwrap_or(usize::MAX),
            total_exact: ranked.exact,
            items,
        })
    }

    /// The article id of a result, from its column: no stored document to read.
    fn id_of(&self, searcher: &Searcher, address: DocAddress) -> Option<i64> {
        searcher
            .segment_reader(address.segment_ord)
            .fast_fields()
            .i64("id")
            .ok()?
            .first(address.doc_id)
    }

    fn stored_keywords(&self, searcher: &Searcher, address: DocAddress) -> Vec<(String, f32)> {
        let Ok(document) = searcher.doc::<TantivyDocument>(address) else {
            return Vec::new();
        };
        let text = document
            .get_first(self.fields.keywords)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        text.split(' ')
            .filter_map(|pair| {
                let (word, weight) = pair.rsplit_once(':')?;
                Some((word.to_owned(), weight.parse().ok()?))
            })
            .collect()
    }

    /// Whether article `id` is in the index as its searcher sees it now.
    pub fn contains(&self, id: i64) -> bool {
        self.address_of(&self.reader.searcher(), id).is_some()
    }

    fn address_of(&self, searcher: &Searcher, id: i64) -> Option<DocAddress> {
        let query = TermQuery::new(
            Term::from_field_i64(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .ok()?
            .first()
            .map(|(_, address)| *address)
    }

    /// Up to `limit` articles about what article `id` is about, by its weighted keywords,
    /// nearer in time first among equals; never the article itself nor one of its story.
    /// The close ones (see [`Related::close`]) come first; when there are fewer than
    /// [`RELATED_AT_LEAST`], the list is filled, marked as such: with the nearest of the other
    /// matches, then with the articles of the same channel nearest in time. A reader always
    /// finds something to read next, and can tell a match from a suggestion.
    pub fn related(&self, id: i64, limit: usize) -> Result<Vec<Related>> {
        // Deeper than the list, so that a close match ranked below a few others still makes it.
        let ranked = self.related_with(id, limit.max(RELATED_AT_LEAST) * 3, false)?;
        let (mut list, others): (Vec<Related>, Vec<Related>) =
            ranked.into_iter().partition(|r| r.close);
        list.truncate(limit);
        let wanted = RELATED_AT_LEAST.min(limit);
        list.extend(others.into_iter().take(wanted.saturating_sub(list.len())));
        if list.len() < wanted {
            let taken: Vec<i64> = list.iter().map(|r| r.id).collect();
            list.extend(self.same_channel_nearest(id, &taken, wanted - list.len())?);
        }
        list.truncate(limit);
        Ok(list)
    }

    /// Up to `limit` live articles of article `id`'s channel nearest to it in time, leaving
    /// out `id`, its story and `taken`: the last filler of a related list.
    fn same_channel_nearest(&self, id: i64, taken: &[i64], limit: usize) -> Result<Vec<Related>> {
        let searcher = self.reader.searcher();
        let Some(address) = self.address_of(&searcher, id) else {
            return Ok(Vec::new());
        };
        let document: TantivyDocument = searcher.doc(address)?;
        let text_of = |field: Field| {
            document
                .get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let Some(channel) = text_of(self.fields.channel) else {
            return Ok(Vec::new());
        };
        let story = text_of(self.fields.story);
        let when = searcher
            .segment_reader(address.segment_ord)
            .fast_fields()
            .i64("published")
            .ok()
            .and_then(|c| c.first(address.doc_id))
            .unwrap_or(0);
        let f = self.fields;
        let term = |field: Field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::Basic,
            ))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, term(f.channel, &channel))];
        for other in taken.iter().chain([&id]) {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_i64(f.id, *other),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(story) = &story {
            clauses.push((Occur::MustNot, term(f.story, story)));
        }
        // Nearest in time first: the score is how close, whatever the text.
        let collector = TopDocs::with_limit(limit * 4 + 4).tweak_score(
            move |segment: &tantivy::SegmentReader| {
                let column = segment.fast_fields().i64("published").ok();
                move |doc: tantivy::DocId, _score: tantivy::Score| {
                    let other = column.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
                    -((other - when).abs() as f64)
                }
            },
        );
        let found = searcher.search(&BooleanQuery::new(clauses), &collector)?;
        let mut stories_seen: Vec<String> = Vec::new();
        let mut list = Vec::new();
        for (_, candidate) in found {
            if list.len() == limit {
                break;
            }
            let Some(other) = self.id_of(&searcher, candidate) else {
                continue;
            };
            let their_story = searcher
                .doc::<TantivyDocument>(candidate)
                .ok()
                .and_then(|d| {
                    d.get_first(f.story)
                        .and_then(|v| v.as_str())
                        .map(str::to_owned)
                });
            if let Some(their_story) = their_story {
                if stories_seen.contains(&their_story) {
                    continue;
                }
                stories_seen.push(their_story);
            }
            list.push(Related {
                id: other,
                score: 0.0,
                shared: Vec::new(),
                close: false,
            });
        }
        Ok(list)
    }

    /// Related reading as ranked, each marked close or not; with `only_clear_matches`, only
    /// the close ones. The evaluation measures the ranking itself.
    pub fn related_with(
        &self,
        id: i64,
        limit: usize,
        only_clear_matches: bool,
    ) -> Result<Vec<Related>> {
        let searcher = self.reader.searcher();
        let Some(address) = self.address_of(&searcher, id) else {
            return Ok(Vec::new());
        };
        let keywords = self.stored_keywords(&searcher, address);
        if keywords.is_empty() {
            return Ok(Vec::new());
        }
        let document: TantivyDocument = searcher.doc(address)?;
        let story = document
            .get_first(self.fields.story)
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let own = keywords.clone();
        // Pseudo-relevance feedback: the profile is widened with the keywords of the closest
        // few articles, so that an article saying little still finds its neighbours'
        // vocabulary (a match report that never says 足球 still relates to those that do).
        // Rocchio's classic weights: the article's own profile at 1, its three nearest
        // neighbours' together at 0.75.
        let keywords = {
            let first = self.keyword_query(&own, id, story.as_deref());
            let top = searcher.search(&first, &TopDocs::with_limit(3).order_by_score())?;
            let mut widened: Vec<(String, f32)> = unit(&own);
            let share = 0.75 / top.len().max(1) as f32;
            for (_, address) in top {
                for (word, weight) in unit(&self.stored_keywords(&searcher, address)) {
                    match widened.iter_mut().find(|(w, _)| *w == word) {
                        Some((_, existing)) => *existing += weight * share,
                        None => widened.push((word, weight * share)),
                    }
                }
            }
            widened.sort_by(|a, b| b.1.total_cmp(&a.1));
            widened.truncate(QUERY_KEYWORDS);
            widened
        };
        let query = self.keyword_query(&keywords, id, story.as_deref());
        let column = searcher
            .segment_readers()
            .get(address.segment_ord as usize)
            .and_then(|s| s.fast_fields().i64("published").ok());
        let when = column.and_then(|c| c.first(address.doc_id)).unwrap_or(0);
        let collector = TopDocs::with_limit((limit * 4).max(50)).tweak_score(
            move |segment: &tantivy::SegmentReader| {
                let column = segment.fast_fields().i64("published").ok();
                move |doc: tantivy::DocId, score: tantivy::Score| {
                    let other = column.as_ref().and_then(|c| c.first(doc)).unwrap_or(when);
                    score * freshness((other - when).abs())
                }
            },
        );
        // The bar and the "why" use the article's own keywords, not the widened profile.
        let total_weight: f32 = own.iter().map(|(_, w)| w).sum();
        let norm = |v: &[(String, f32)]| {
            v.iter()
                .map(|(_, w)| w * w)
                .sum::<f32>()
                .sqrt()
                .max(f32::EPSILON)
        };
        let own_norm = norm(&keywords);
        // The query finds candidates by BM25 over the keywords; they are then ordered by how
        // alike the two keyword profiles are (cosine), which does not favour long articles that
        // merely mention many of the words, blended with the BM25 order.
        let found = searcher.search(&query, &collector)?;
        let best = found
            .first()
            .map_or(1.0, |(score, _)| *score)
            .max(f32::EPSILON);
        let mut ranked = Vec::new();
        let mut seen_stories: Vec<String> = Vec::new();
        for (score, candidate) in found {
            let theirs = self.stored_keywords(&searcher, candidate);
            let their_weights: std::collections::HashMap<&str, f32> =
                theirs.iter().map(|(w, v)| (w.as_str(), *v)).collect();
            let shared: Vec<(String, f32)> = own
                .iter()
                .filter(|(word, _)| their_weights.contains_key(word.as_str()))
                .cloned()
                .collect();
            let dot: f32 = keywords
                .iter()
                .filter_map(|(word, w)| Some(w * their_weights.get(word.as_str())?))
                .sum();
            let cosine = dot / (own_norm * norm(&theirs));
            let shared_weight: f32 = shared.iter().map(|(_, w)| w).sum();
            let close = shared.len() >= 2 && shared_weight >= total_weight * 0.2;
            if only_clear_matches && !close {
                continue;
            }
            let Some(other) = self.id_of(&searcher, candidate) else {
                continue;
            };
            // One article per story: the others tell the same thing.
            let their_story = searcher
                .doc::<TantivyDocument>(candidate)
                .ok()
                .and_then(|d| {
                    d.get_first(self.fields.story)
                        .and_then(|v| v.as_str())
                        .map(str::to_owned)
                });
            if let Some(their_story) = their_story {
                if seen_stories.contains(&their_story) {
                    continue;
                }
                seen_stories.push(their_story);
            }
            ranked.push(Related {
                id: other,
                score: 0.5 * cosine + 0.5 * score / best,
                shared: shared.into_iter().take(4).map(|(w, _)| w).collect(),
                close,
            });
        }
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
        ranked.truncate(limit);
        Ok(ranked)
    }

    /// Articles sharing weighted keywords, never `id` itself nor one of its story.
    fn keyword_query(
        &self,
        keywords: &[(String, f32)],
        id: i64,
        story: Option<&str>,
    ) -> BooleanQuery {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (word, weight) in keywords {
            for (field, boost) in [(f.body_words, 1.0), (f.title_words, 1.5)] {
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, word),
                            IndexRecordOption::WithFreqs,
                        )),
                        weight * boost,
                    )),
                ));
            }
        }
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_i64(f.id, id),
                IndexRecordOption::Basic,
            )),
        ));
        if let Some(story) = story {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.story, story),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        BooleanQuery::new(clauses)
    }

    /// Where the index lives, if on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

/// A keyword profile scaled to length one, so that profiles can be mixed fairly.
fn unit(keywords: &[(String, f32)]) -> Vec<(String, f32)> {
    let norm = keywords
        .iter()
        .map(|(_, w)| w * w)
        .sum::<f32>()
        .sqrt()
        .max(f32::EPSILON);
    keywords
        .iter()
        .map(|(k, w)| (k.clone(), w / norm))
        .collect()
}

/// A clause and the terms it scores with: one term, or the terms of a phrase.
struct Scored {
    query: Box<dyn Query>,
    terms: Vec<Term>,
}

impl Scored {
    fn term(term: Term) -> Scored {
        Scored {
            query: Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
            terms: vec![term],
        }
    }

    /// One term, or a phrase of them at their positions.
    fn sequence(terms: Vec<(usize, Term)>) -> Option<Scored> {
        match terms.len() {
            0 => None,
            1 => terms.into_iter().next().map(|(_, t)| Scored::term(t)),
            _ => Some(Scored {
                terms: terms.iter().map(|(_, t)| t.clone()).collect(),
                query: Box::new(PhraseQuery::new_with_offset(terms)),
            }),
        }
    }
}

/// Any of `options`, each with its boost, scores summed; bounded for ranking.
fn union_of(options: Vec<(Scored, f32)>) -> Bounded {
    Bounded {
        clauses: options
            .into_iter()
            .map(|(scored, boost)| BoundedClause {
                query: Box::new(BoostQuery::new(scored.query, boost)),
                terms: scored.terms,
                boost,
            })
            .collect(),
    }
}
