//! Ranking without visiting every match: the best page of results by BM25 × freshness, and an
//! honest count of how many there are.
//!
//! A word in nearly every article (我们) or a phrase in a third of them would otherwise cost a
//! score for each of hundreds of thousands of matches, to keep ten. Two things avoid that.
//!
//! - [`FreshTop`] tells the scorer the lowest BM25 that could still make the page: the k-th
//!   best score so far divided by the most freshness can add. A union of plain terms then skips
//!   blocks of documents with tantivy's block-max WAND; [`Bounded`] does the like for unions
//!   with clauses tantivy cannot bound itself (phrases), by block-max MaxScore over the block
//!   maxima of a term every match of a clause contains.
//! - The count is exact up to [`COUNT_EXACTLY_UP_TO`] matches in a segment; past that it is
//!   extrapolated from samples spread over the segment, and said to be an estimate.
//!
//! The page is exactly what scoring every match would give; only the count is approximate, and
//! only when it is large.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{
    Bm25Weight, BooleanQuery, BooleanWeight, EnableScoring, Explanation, Occur, Query, Scorer,
    SumCombiner, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED, Term};

/// The most [`freshness`] multiplies a score by.
pub(crate) const FRESHNESS_CEILING: f32 = 1.33;

/// Up to a third more for what is close in time (`age` in seconds), halving every week.
pub(crate) fn freshness(age: i64) -> f32 {
    let days = age.max(0) as f32 / 86_400.0;
    1.0 + (FRESHNESS_CEILING - 1.0) * 0.5f32.powf(days / 7.0)
}

/// Matches counted one by one in a segment before the rest is estimated.
pub(crate) const COUNT_EXACTLY_UP_TO: u64 = 2_000;

/// One page of the best documents and how many matched.
#[derive(Debug, Default)]
pub(crate) struct Ranked {
    pub top: Vec<(Score, DocAddress)>,
    pub matched: u64,
    pub exact: bool,
}

/// The best `keep` documents by BM25 × freshness at `now`, with the count of matches.
pub(crate) struct FreshTop {
    pub keep: usize,
    pub now: i64,
    /// The query's alternatives, scoring off, to count its matches with (see
    /// [`counting_weights`]).
    pub counting: Vec<Box<dyn Weight>>,
    /// Matches counted one by one in a segment before the rest is estimated.
    pub count_exactly_up_to: u64,
}

/// A document in the running top: lower score first out, and among equals the later document.
#[derive(Clone, Copy, PartialEq)]
struct Entry {
    score: Score,
    doc: DocId,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.doc.cmp(&self.doc))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The running top of one segment.
pub(crate) struct SegmentTop {
    keep: usize,
    now: i64,
    published: Option<Column<i64>>,
    heap: BinaryHeap<Reverse<Entry>>,
    segment: SegmentOrdinal,
    seen: u64,
}

impl SegmentTop {
    /// Offers a document; returns the BM25 a later document needs to beat to get in.
    fn offer(&mut self, doc: DocId, score: Score) -> Score {
        self.seen += 1;
        let when = self
            .published
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(self.now);
        let entry = Entry {
            score: score * freshness(self.now - when),
            doc,
        };
        if self.heap.len() < self.keep {
            self.heap.push(Reverse(entry));
        } else if let Some(mut lowest) = self.heap.peek_mut()
            && entry > lowest.0
        {
            *lowest = Reverse(entry);
        }
        self.floor()
    }

    fn floor(&self) -> Score {
        match self.heap.peek() {
            // Freshness can raise a score by FRESHNESS_CEILING at most: below this BM25 a
            // document cannot pass the lowest kept. A hair lower, for rounding.
            Some(lowest) if self.heap.len() >= self.keep => {
                lowest.0.score / FRESHNESS_CEILING * (1.0 - 1e-5)
            }
            _ => Score::MIN,
        }
    }

    fn into_ranked(self) -> Ranked {
        let segment = self.segment;
        Ranked {
            top: self
                .heap
                .into_iter()
                .map(|Reverse(e)| (e.score, DocAddress::new(segment, e.doc)))
                .collect(),
            matched: self.seen,
            exact: true,
        }
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = Ranked;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.offer(doc, score);
    }

    fn harvest(self) -> Ranked {
        self.into_ranked()
    }
}

impl Collector for FreshTop {
    type Fruit = Ranked;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        Ok(SegmentTop {
            keep: self.keep.max(1),
            now: self.now,
            published: reader.fast_fields().i64("published").ok(),
            heap: BinaryHeap::new(),
            segment,
            seen: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Ranked> {
        let mut top = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                return top.floor();
            }
            top.offer(doc, score)
        })?;
        let (matched, exact) = count_matches(&self.counting, reader, self.count_exactly_up_to)?;
        Ok(Ranked {
            matched,
            exact,
            ..top.into_ranked()
        })
    }

    fn merge_fruits(&self, fruits: Vec<Ranked>) -> tantivy::Result<Ranked> {
        let mut merged = Ranked {
            exact: true,
            ..Ranked::default()
        };
        for fruit in fruits {
            merged.top.extend(fruit.top);
            merged.matched += fruit.matched;
            merged.exact &= fruit.exact;
        }
        merged.top.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| a.1.segment_ord.cmp(&b.1.segment_ord))
                .then_with(|| a.1.doc_id.cmp(&b.1.doc_id))
        });
        merged.top.truncate(self.keep);
        Ok(merged)
    }
}

/// Parts the rest of a segment is cut into when its count is estimated, so that the estimate
/// samples all of it: the matches of a story that broke last week are all at one end.
const STRATA: u32 = 32;

/// The weights to count a query's matches with, scoring off: a [`Bounded`] union's clauses
/// (their union is walked document by document, so that moving to the next stratum is a
/// seek in each clause, not a refill of tantivy's buffered union), or the query itself.
pub(crate) fn counting_weights(
    query: &dyn Query,
    searcher: &tantivy::Searcher,
) -> tantivy::Result<Vec<Box<dyn Weight>>> {
    let scoring = EnableScoring::disabled_from_searcher(searcher);
    match query.downcast_ref::<Bounded>() {
        Some(bounded) => bounded
            .clauses
            .iter()
            .map(|c| c.query.weight(scoring))
            .collect(),
        None => Ok(vec![query.weight(scoring)?]),
    }
}

/// The live matches of a segment (documents any of `alternatives` matches): counted one by
/// one up to `up_to`; past that, the rest of the segment is cut into strata, a few matches
/// are counted at the start of each and the rest of each stratum extrapolated from how far
/// into it the count got.
fn count_matches(
    alternatives: &[Box<dyn Weight>],
    reader: &SegmentReader,
    up_to: u64,
) -> tantivy::Result<(u64, bool)> {
    let mut union = FirstOf {
        scorers: alternatives
            .iter()
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?,
        alive: reader.alive_bitset(),
    };
    let (counted, reached) = union.count(0, TERMINATED, up_to);
    if reached == TERMINATED {
        return Ok((counted, true));
    }
    let start = u64::from(reached) + 1;
    let rest = u64::from(reader.max_doc()).saturating_sub(start);
    let per_stratum = (up_to / 2 / u64::from(STRATA)).max(1);
    let mut total = counted as f64;
    for stratum in 0..u64::from(STRATA) {
        let from = (start + rest * stratum / u64::from(STRATA)) as DocId;
        let to = (start + rest * (stratum + 1) / u64::from(STRATA)) as DocId;
        if from >= to {
            continue;
        }
        let (counted, reached) = union.count(from, to, per_stratum);
        total += if reached < to {
            counted as f64 * f64::from(to - from) / f64::from(reached - from + 1)
        } else {
            counted as f64
        };
    }
    Ok((
        (total.round() as u64).min(u64::from(reader.num_docs())),
        false,
    ))
}

/// The documents any of `scorers` is on, in order, one at a time.
struct FirstOf<'a> {
    scorers: Vec<Box<dyn Scorer>>,
    alive: Option<&'a tantivy::fastfield::AliveBitSet>,
}

impl FirstOf<'_> {
    fn doc(&self) -> DocId {
        self.scorers
            .iter()
            .map(|s| s.doc())
            .min()
            .unwrap_or(TERMINATED)
    }

    /// Live documents from `from` (not before where the walk is) up to `to`, excluded, at
    /// most `limit` of them; and the document the count stopped at (`to` or beyond when it
    /// went through, TERMINATED when nothing is left).
    fn count(&mut self, from: DocId, to: DocId, limit: u64) -> (u64, DocId) {
        for scorer in self.scorers.iter_mut() {
            if scorer.doc() < from {
                scorer.seek(from);
            }
        }
        let mut counted = 0u64;
        let mut doc = self.doc();
        while doc < to {
            if self.alive.is_none_or(|a| a.is_alive(doc)) {
                counted += 1;
                if counted >= limit {
                    return (counted, doc);
                }
            }
            for scorer in self.scorers.iter_mut() {
                if scorer.doc() == doc {
                    scorer.advance();
                }
            }
            doc = self.doc();
        }
        (counted, doc)
    }
}

/// One clause of a [`Bounded`] union: a query scored with BM25 over `terms` (one term, or the
/// terms of a phrase) times `boost`, every match of which contains each of `terms`.
#[derive(Debug)]
pub(crate) struct BoundedClause {
    /// The clause, boost applied.
    pub query: Box<dyn Query>,
    pub terms: Vec<Term>,
    pub boost: Score,
}

impl Clone for BoundedClause {
    fn clone(&self) -> Self {
        BoundedClause {
            query: self.query.box_clone(),
            terms: self.terms.clone(),
            boost: self.boost,
        }
    }
}

/// Any of its clauses, scores summed, ranked without scoring what cannot make the top.
///
/// Documents go by in windows: from the next candidate to the end of the first block to end
/// among the clauses' bounding terms. In a window each clause can score at most its term's
/// block maximum under the clause's BM25 (a phrase occurs no more often than any of its
/// terms; the rarest bounds best). A window whose maxima sum below the lowest score wanted is
/// skipped; otherwise only documents of the clauses that could reach it on their own are
/// candidates, and the others are looked up for those candidates while they still could
/// matter (block-max MaxScore).
#[derive(Clone, Debug)]
pub(crate) struct Bounded {
    pub clauses: Vec<BoundedClause>,
}

impl Bounded {
    fn union(&self) -> BooleanQuery {
        BooleanQuery::new(
            self.clauses
                .iter()
                .map(|c| (Occur::Should, c.query.box_clone()))
                .collect(),
        )
    }
}

impl Query for Bounded {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let EnableScoring::Enabled {
            statistics_provider,
            ..
        } = scoring
        else {
            return self.union().weight(scoring);
        };
        // Unions of single terms are bounded by tantivy itself (block-max WAND), better.
        if self.clauses.iter().all(|c| c.terms.len() == 1) {
            return self.union().weight(scoring);
        }
        let mut clauses = Vec::with_capacity(self.clauses.len());
        for clause in &self.clauses {
            let mut rarest: Option<(u64, &Term)> = None;
            for term in &clause.terms {
                let frequency = statistics_provider.doc_freq(term)?;
                if rarest.is_none_or(|(f, _)| frequency < f) {
                    rarest = Some((frequency, term));
                }
            }
            let Some((_, term)) = rarest else {
                return self.union().weight(scoring);
            };
            let bm25 = Bm25Weight::for_terms(statistics_provider, &clause.terms)?;
            clauses.push(ClauseWeight {
                weight: Arc::from(clause.query.weight(scoring)?),
                bounding_term: term.clone(),
                bm25: bm25.boost_by(clause.boost),
            });
        }
        // The plain union, for when the query is a part of a larger one, shares the clauses'
        // weights rather than looking their statistics up again.
        let union = BooleanWeight::with_minimum_number_should_match(
            clauses
                .iter()
                .map(|c| {
                    (
                        Occur::Should,
                        Box::new(SharedWeight(c.weight.clone())) as Box<dyn Weight>,
                    )
                })
                .collect(),
            1,
            true,
            Box::new(SumCombiner::default),
        );
        Ok(Box::new(BoundedWeight {
            union: Box::new(union),
            clauses,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query.query_terms(visitor);
        }
    }
}

struct ClauseWeight {
    weight: Arc<dyn Weight>,
    bounding_term: Term,
    bm25: Bm25Weight,
}

/// A clause's weight, in the union as well as on its own.
struct SharedWeight(Arc<dyn Weight>);

impl Weight for SharedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.0.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct BoundedWeight {
    union: Box<dyn Weight>,
    clauses: Vec<ClauseWeight>,
}

/// A clause at work in one segment: its scorer, and its bounding term's place in its blocks.
struct ClauseCursor {
    scorer: Box<dyn Scorer>,
    blocks: BlockSegmentPostings,
    norms: FieldNormReader,
    bm25: Bm25Weight,
    /// The bounding term's first document at or after the window's start (TERMINATED when
    /// there is none), and the last document of that block.
    first: DocId,
    last: DocId,
    /// What the clause can score in the current window.
    ceiling: Score,
}

impl ClauseCursor {
    fn seek_blocks(&mut self, doc: DocId) {
        let at = self.blocks.seek(doc);
        let docs = self.blocks.docs();
        match (docs.get(at), docs.last()) {
            (Some(&first), Some(&last)) if first != TERMINATED => {
                self.first = first;
                self.last = last;
            }
            _ => self.first = TERMINATED,
        }
    }

    /// The clause's score for `doc` if it matches it, moving forward to see.
    fn score_at(&mut self, doc: DocId) -> Option<Score> {
        if self.scorer.doc() < doc {
            self.scorer.seek(doc);
        }
        (self.scorer.doc() == doc).then(|| self.scorer.score())
    }
}

impl Weight for BoundedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.union.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.union.explain(reader, doc)
    }

    fn for_each_pruning(
        &self,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut clauses: Vec<ClauseCursor> = Vec::with_capacity(self.clauses.len());
        for clause in &self.clauses {
            let field = clause.bounding_term.field();
            // A clause whose term is not in this segment matches nothing here.
            let Some(mut blocks) = reader
                .inverted_index(field)?
                .read_block_postings(&clause.bounding_term, IndexRecordOption::WithFreqs)?
            else {
                continue;
            };
            blocks.seek(0);
            let mut cursor = ClauseCursor {
                scorer: clause.weight.scorer(reader, 1.0)?,
                blocks,
                norms: reader.get_fieldnorms_reader(field)?,
                bm25: clause.bm25.clone(),
                first: 0,
                last: 0,
                ceiling: 0.0,
            };
            cursor.seek_blocks(0);
            clauses.push(cursor);
        }
        // Clauses by what they can add in the window, least first.
        let mut order: Vec<usize> = (0..clauses.len()).collect();
        let mut start: DocId = 0;
        loop {
            let mut window_end = TERMINATED;
            for clause in clauses.iter_mut() {
                if clause.first != TERMINATED && clause.first < start {
                    clause.seek_blocks(start);
                }
                if clause.first != TERMINATED {
                    window_end = window_end.min(clause.last);
                }
            }
            if window_end == TERMINATED {
                break;
            }
            for clause in clauses.iter_mut() {
                clause.ceiling = if clause.first <= window_end {
                    clause.blocks.block_max_score(&clause.norms, &clause.bm25)
                } else {
                    0.0
                };
            }
            order.sort_by(|a, b| clauses[*a].ceiling.total_cmp(&clauses[*b].ceiling));
            // The clauses that cannot reach the threshold even together: a document only
            // they match is no candidate.
            let mut optional = 0;
            let mut optional_ceiling = 0.0;
            while optional < order.len()
                && optional_ceiling + clauses[order[optional]].ceiling <= threshold
            {
                optional_ceiling += clauses[order[optional]].ceiling;
                optional += 1;
            }
            let (lookups, candidates) = order.split_at(optional);
            let mut doc = start;
            loop {
                let mut candidate = TERMINATED;
                for &i in candidates {
                    let scorer = &mut clauses[i].scorer;
                    if scorer.doc() < doc {
                        scorer.seek(doc);
                    }
                    candidate = candidate.min(scorer.doc());
                }
                if candidate > window_end {
                    break;
                }
                let mut score = 0.0;
                for &i in candidates {
                    if clauses[i].scorer.doc() == candidate {
                        score += clauses[i].scorer.score();
                    }
                }
                // The optional clauses, most valuable first, while they could still lift
                // the candidate over the threshold.
                let mut could_add = optional_ceiling;
                for &i in lookups.iter().rev() {
                    if score + could_add <= threshold {
                        break;
                    }
                    could_add -= clauses[i].ceiling;
                    if let Some(more) = clauses[i].score_at(candidate) {
                        score += more;
                    }
                }
                if score > threshold {
                    threshold = callback(candidate, score);
                }
                doc = candidate + 1;
            }
            if window_end >= TERMINATED - 1 {
                break;
            }
            start = window_end + 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IndexDoc, SearchIndex, parse};
    use chrono::{Duration, TimeZone, Utc};
    use tantivy::collector::{Count, TopDocs};

    /// A corpus where a few words are everywhere, in articles of very different lengths and
    /// ages: what pruning has to get right.
    fn corpus(size: usize) -> (SearchIndex, chrono::DateTime<Utc>) {
        const WORDS: &[&str] = &[
            "经济",
            "发展",
            "北京",
            "市场",
            "台风",
            "渡轮",
            "南屿岛",
            "地铁",
            "开通",
            "市民",
            "海鸥队",
            "冠军",
            "人工智能",
            "芯片",
            "项目",
            "学校",
        ];
        let index = SearchIndex::in_memory(xinwen_text::Analyzer::new()).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
        let mut state = 0x2545_f491_u64;
        let mut next = move |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            ((state >> 33) as usize) % n
        };
        let docs: Vec<IndexDoc> = (0..size)
            .map(|n| {
                // Skewed: low indexes far more often, as word frequencies are.
                let title_words = 2 + next(5);
                let body_words = 3 + next(120);
                let mut pick = || WORDS[next(WORDS.len()).min(next(WORDS.len()))];
                let title: String = (0..title_words).map(|_| pick()).collect();
                let body: String = (0..body_words).map(|_| pick()).collect();
                IndexDoc {
                    id: n as i64,
                    title,
                    body,
                    source: "s".into(),
                    channel: "c".into(),
                    published: now - Duration::hours((n * 7919 % (24 * 60)) as i64),
                    story: None,
                }
            })
            .collect();
        for chunk in docs.chunks(700) {
            index.put(chunk).unwrap();
            // Several segments, each with full blocks of postings.
            index.commit(None).unwrap();
        }
        index.reader.reload().unwrap();
        (index, now)
    }

    /// The same query scored on every match, as TopDocs does without pruning.
    fn exhaustive(
        index: &SearchIndex,
        query: &str,
        k: usize,
        now: i64,
    ) -> (Vec<(f32, i64)>, usize) {
        let query = index.build(&parse(query, index.analyzer()));
        scored_exhaustively(index, query.as_ref(), k, now)
    }

    /// A page as (score, id) pairs, after checking its scores against `expected`'s.
    fn assert_same_scores(
        what: &str,
        hits: &crate::Hits,
        expected: &[(f32, i64)],
    ) -> Vec<(f32, i64)> {
        let got: Vec<(f32, i64)> = hits.items.iter().map(|h| (h.score, h.id)).collect();
        assert_eq!(got.len(), expected.len(), "{what}");
        for ((score, _), (want, _)) in got.iter().zip(expected) {
            assert!(
                (score - want).abs() <= want * 1e-4,
                "{what}: {got:?} != {expected:?}"
            );
        }
        got
    }

    fn scored_exhaustively(
        index: &SearchIndex,
        query: &dyn Query,
        k: usize,
        now: i64,
    ) -> (Vec<(f32, i64)>, usize) {
        let searcher = index.reader.searcher();
        let collector = TopDocs::with_limit(k).tweak_score(move |segment: &SegmentReader| {
            let column = segment.fast_fields().i64("published").ok();
            move |doc: DocId, score: Score| {
                let when = column.as_ref().and_then(|c| c.first(doc)).unwrap_or(now);
                score * freshness(now - when)
            }
        });
        let (top, total) = searcher.search(query, &(collector, Count)).unwrap();
        let top = top
            .into_iter()
            .map(|(score, address)| (score, index.id_of(&searcher, address).unwrap()))
            .collect();
        (top, total)
    }

    #[test]
    fn pruned_ranking_equals_scoring_every_match() {
        let (index, now) = corpus(6000);
        assert!(index.segment_count() > 1);
        let queries = [
            "经济",
            "发展",
            "南屿岛",
            "人工智能",
            "学校",
            "\"经济发展\"",
            "\"北京市场\"",
            "\"台风渡轮南屿岛\"",
            "\"发展经济\"",
            "济发",
            "岛地铁",
        ];
        for query in queries {
            for k in [1, 10, 30] {
                let (expected, total) = exhaustive(&index, query, k, now.timestamp());
                assert!(
                    total > k,
                    "{query}: too few matches ({total}) to test pruning"
                );
                let hits = index
                    .search(&parse(query, index.analyzer()), 0, k, now)
                    .unwrap();
                let got = assert_same_scores(&format!("{query} top {k}"), &hits, &expected);
                for ((score, id), (want_score, want_id)) in got.iter().zip(&expected) {
                    // Equal scores may come in either order; different ones may not.
                    if (score - want_score).abs() > 0.0 {
                        assert_eq!(id, want_id, "{query} top {k}");
                    }
                }
                if hits.total_exact {
                    assert_eq!(hits.total, total, "{query}: counted exactly");
                } else {
                    let error = (hits.total as f64 - total as f64).abs() / total as f64;
                    assert!(error < 0.1, "{query}: estimated {} for {total}", hits.total);
                }
            }
        }
        // A later page is the continuation of the first.
        let first = index
            .search(&parse("经济", index.analyzer()), 0, 20, now)
            .unwrap();
        let second = index
            .search(&parse("经济", index.analyzer()), 10, 10, now)
            .unwrap();
        assert_eq!(first.items[10..], second.items[..]);
    }

    #[test]
    fn a_bounded_clause_inside_a_larger_query_scores_as_a_plain_union() {
        let (index, now) = corpus(3000);
        for text in [
            "\"经济发展\" 学校",
            "人工智能 -台风",
            "\"北京市场\" source:s",
        ] {
            let parsed = parse(text, index.analyzer());
            // The same clauses as plain unions, nothing shared, nothing bounded.
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (occur, list) in [
                (Occur::Must, &parsed.must),
                (Occur::MustNot, &parsed.must_not),
            ] {
                for clause in list {
                    let bounded = index.clause_query(clause).unwrap();
                    clauses.push((occur, Box::new(bounded.union())));
                }
            }
            if parsed.source.is_some() {
                clauses.push((
                    Occur::Must,
                    Box::new(tantivy::query::TermQuery::new(
                        Term::from_field_text(index.fields.source, "s"),
                        IndexRecordOption::Basic,
                    )),
                ));
            }
            let plain = BooleanQuery::new(clauses);
            let (expected, total) = scored_exhaustively(&index, &plain, 10, now.timestamp());
            assert!(total > 10, "{text}: too few matches ({total})");
            let hits = index.search(&parsed, 0, 10, now).unwrap();
            assert_same_scores(text, &hits, &expected);
        }
    }

    #[test]
    fn large_counts_are_estimated_and_said_to_be() {
        let (index, now) = corpus(3000);
        let searcher = index.reader.searcher();
        let query = index.build(&parse("经济", index.analyzer()));
        let (_, exact_total) = exhaustive(&index, "经济", 1, now.timestamp());
        let estimate = |up_to: u64| {
            let collector = FreshTop {
                keep: 10,
                now: now.timestamp(),
                counting: counting_weights(query.as_ref(), &searcher).unwrap(),
                count_exactly_up_to: up_to,
            };
            searcher.search(query.as_ref(), &collector).unwrap()
        };
        let counted = estimate(u64::MAX);
        assert!(counted.exact);
        assert_eq!(counted.matched as usize, exact_total);
        let estimated = estimate(320);
        assert!(!estimated.exact);
        let error = (estimated.matched as f64 - exact_total as f64).abs() / exact_total as f64;
        assert!(
            error < 0.25,
            "estimate {} for {exact_total}",
            estimated.matched
        );
        assert_eq!(
            counted.top, estimated.top,
            "the page does not depend on the count"
        );
    }

    #[test]
    fn a_burst_of_matches_is_not_taken_for_the_whole_segment() {
        use tantivy::query::TermQuery;
        use tantivy::schema::{STRING, Schema};
        // One segment, in the order written: a story that came and went is a fifth of the
        // articles, one after another in the middle.
        let mut schema = Schema::builder();
        let word = schema.add_text_field("word", STRING);
        let index = tantivy::Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for n in 0..2000 {
            let text = if (800..1200).contains(&n) {
                "台风"
            } else {
                "经济"
            };
            writer.add_document(tantivy::doc!(word => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        let query = TermQuery::new(
            Term::from_field_text(word, "台风"),
            IndexRecordOption::Basic,
        );
        let weights = counting_weights(&query, &searcher).unwrap();
        let segment = searcher.segment_reader(0);
        assert_eq!(count_matches(&weights, segment, 1000).unwrap(), (400, true));
        let (estimate, exact) = count_matches(&weights, segment, 128).unwrap();
        assert!(!exact);
        assert!(
            (estimate as f64 - 400.0).abs() < 60.0,
            "estimated {estimate} for 400"
        );
    }
}
