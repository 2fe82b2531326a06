//! `xinwen bench search --docs N`: xinwen's index against SQLite FTS5 (trigram) on the same
//! synthetic corpus and the same queries, in one run.
//!
//! The corpus is generated: words drawn with a Zipf distribution (as word frequencies in any
//! language fall) from a vocabulary of common Chinese words and of made-up two- to
//! four-character names, which no dictionary knows, as real news is full of. Queries are words
//! of two, three and four characters from the frequent, middling and rare parts of the
//! vocabulary, and two-word phrases. Each engine answers each query; an answer counts as
//! correct when it is not empty and every document it returns contains the query.

use crate::bench::peak_rss_mib;
use crate::output::outln;
use crate::synthetic::{COMMON, Rng, Vocabulary};
use anyhow::Context;
use std::time::{Duration, Instant};
use xinwen_search::{IndexDoc, SearchIndex};
use xinwen_store::fts5::Fts5Baseline;

struct Latency {
    samples: Vec<Duration>,
}

impl Latency {
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.samples.clone();
        sorted.sort();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn run(docs: usize, queries_per_kind: usize) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let vocabulary = Vocabulary::new(&mut rng, 30_000);
    let mut uses = vec![0u32; vocabulary.words.len()];
    let mut corpus: Vec<(String, String)> = Vec::with_capacity(docs);
    for _ in 0..docs {
        let title_words = 6 + rng.below(8);
        let body_words = 60 + rng.below(90);
        let title = vocabulary.text(&mut rng, title_words, |i| uses[i] += 1);
        let body = vocabulary.text(&mut rng, body_words, |i| uses[i] += 1);
        corpus.push((title.trim_end_matches('。').to_owned(), body));
    }
    let chars: usize = corpus
        .iter()
        .map(|(t, b)| t.chars().count() + b.chars().count())
        .sum();
    outln!(
        "corpus: {docs} documents, {:.0} characters each on average, vocabulary {} words ({} made-up names); generated in {:.1} s",
        chars as f64 / docs.max(1) as f64,
        vocabulary.words.len(),
        vocabulary.words.len() - COMMON.len(),
        started.elapsed().as_secs_f64()
    );

    // Queries: words by length and frequency band, then phrases of two adjacent words.
    let used: Vec<usize> = (0..vocabulary.words.len())
        .filter(|i| uses[*i] > 0)
        .collect();
    let mut queries: Vec<(String, String)> = Vec::new();
    for length in [2usize, 3, 4] {
        let of_length: Vec<usize> = used
            .iter()
            .copied()
            .filter(|i| vocabulary.words[*i].chars().count() == length)
            .collect();
        for n in 0..queries_per_kind {
            // Spread over the frequency curve: the i-th of n quantiles of the ranks.
            let Some(&index) = of_length.get(n * of_length.len() / queries_per_kind.max(1)) else {
                continue;
            };
            queries.push((
                format!("{length}-char word"),
                vocabulary.words[index].clone(),
            ));
        }
    }
    for n in 0..queries_per_kind {
        let (title, _) = &corpus[(n * 7919) % corpus.len().max(1)];
        let words: Vec<char> = title.chars().collect();
        if words.len() >= 6 {
            let start = rng.below(words.len() - 5);
            let phrase: String = words[start..start + 5].iter().collect();
            if !phrase.contains(['，', '。', '、', '；']) {
                queries.push(("phrase".into(), format!("\"{phrase}\"")));
            }
        }
    }

    // xinwen.
    let temp = tempfile::Builder::new()
        .prefix("xinwen-bench-search-")
        .tempdir()?;
    let index_dir = temp.path().join("index");
    let index = SearchIndex::open(&index_dir, xinwen_text::Analyzer::new())?;
    let when = chrono::Utc::now();
    let clock = Instant::now();
    for (start, chunk) in corpus.chunks(20_000).enumerate() {
        let batch: Vec<IndexDoc> = chunk
            .iter()
            .enumerate()
            .map(|(n, (title, body))| IndexDoc {
                id: (start * 20_000 + n) as i64,
                title: title.clone(),
                body: body.clone(),
                source: format!("source-{}", n % 50),
                channel: format!("channel-{}", n % 8),
                published: when - chrono::Duration::minutes((start * 20_000 + n) as i64),
                story: None,
            })
            .collect();
        index.put(&batch)?;
    }
    index.commit(None)?;
    let xinwen_indexing = clock.elapsed();
    // Both engines are compacted after the bulk load, as an operator would after a reindex,
    // so that no background merge shares the cores with the timed queries.
    let clock = Instant::now();
    let segments = index.compact()?;
    let xinwen_compacting = clock.elapsed();
    let index_bytes = directory_size(&index_dir);

    // FTS5.
    let clock = Instant::now();
    let fts = Fts5Baseline::create(&temp.path().join("fts5.db")).await?;
    for (start, chunk) in corpus.chunks(20_000).enumerate() {
        let batch: Vec<(i64, &str, &str)> = chunk
            .iter()
            .enumerate()
            .map(|(n, (t, b))| ((start * 20_000 + n) as i64, t.as_str(), b.as_str()))
            .collect();
        fts.insert(&batch).await?;
    }
    let fts_indexing = clock.elapsed();
    let clock = Instant::now();
    fts.optimize().await?;
    let fts_compacting = clock.elapsed();
    let fts_bytes = std::fs::metadata(temp.path().join("fts5.db")).map_or(0, |m| m.len())
        + std::fs::metadata(temp.path().join("fts5.db-wal")).map_or(0, |m| m.len());
    outln!(
        "indexing: xinwen {:.1} s ({:.0} docs/s), index {:.1} MB; FTS5 trigram {:.1} s ({:.0} docs/s), {:.1} MB",
        xinwen_indexing.as_secs_f64(),
        docs as f64 / xinwen_indexing.as_secs_f64(),
        index_bytes as f64 / 1_048_576.0,
        fts_indexing.as_secs_f64(),
        docs as f64 / fts_indexing.as_secs_f64(),
        fts_bytes as f64 / 1_048_576.0
    );
    outln!(
        "compacting after the bulk load: xinwen {segments} segments into {} in {:.1} s; FTS5 optimize {:.1} s",
        index.segment_count(),
        xinwen_compacting.as_secs_f64(),
        fts_compacting.as_secs_f64()
    );

    let contains = |id: i64, needle: &str| {
        corpus
            .get(id as usize)
            .is_some_and(|(t, b)| t.contains(needle) || b.contains(needle))
    };
    let analyzer = index.analyzer().clone();
    // Warm both up on the whole query set once, untimed, as a running server would be.
    for (_, query) in &queries {
        let _ = index.search(&xinwen_search::parse(query, &analyzer), 0, 10, when)?;
        let _ = fts.search(&fts_query(query), 10).await;
    }
    let mut kinds: Vec<String> = queries.iter().map(|(k, _)| k.clone()).collect();
    kinds.dedup();
    outln!(
        "{:<13} {:>7} | {:>9} {:>9} {:>8} | {:>9} {:>9} {:>8}",
        "queries",
        "count",
        "xinwen p50",
        "p99",
        "correct",
        "FTS5 p50",
        "p99",
        "correct"
    );
    let mut all_x = Latency {
        samples: Vec::new(),
    };
    let mut all_f = Latency {
        samples: Vec::new(),
    };
    let mut answered_by_both = (
        Latency {
            samples: Vec::new(),
        },
        Latency {
            samples: Vec::new(),
        },
    );
    let (mut total_x, mut total_f, mut two_char_x, mut two_char_count) = (0, 0, 0, 0);
    // The slowest queries and how many documents they matched: what the tail is made of.
    // (time, query, matches, whether the count is exact)
    let mut slowest: Vec<(Duration, String, usize, bool)> = Vec::new();
    for kind in &kinds {
        let mut lx = Latency {
            samples: Vec::new(),
        };
        let mut lf = Latency {
            samples: Vec::new(),
        };
        let (mut correct_x, mut correct_f, mut count) = (0, 0, 0);
        for (_, query) in queries.iter().filter(|(k, _)| k == kind) {
            count += 1;
            let needle = query.trim_matches('"');
            let clock = Instant::now();
            let hits = index.search(&xinwen_search::parse(query, &analyzer), 0, 10, when)?;
            let took_x = clock.elapsed();
            lx.samples.push(took_x);
            slowest.push((took_x, query.clone(), hits.total, hits.total_exact));
            let ok_x = !hits.items.is_empty() && hits.items.iter().all(|h| contains(h.id, needle));
            let clock = Instant::now();
            let found = fts.search(&fts_query(query), 10).await.unwrap_or_default();
            let took_f = clock.elapsed();
            lf.samples.push(took_f);
            let ok_f = !found.is_empty() && found.iter().all(|id| contains(*id, needle));
            if ok_f {
                answered_by_both.0.samples.push(took_x);
                answered_by_both.1.samples.push(took_f);
            }
            correct_x += usize::from(ok_x);
            correct_f += usize::from(ok_f);
            if kind == "2-char word" {
                two_char_count += 1;
                two_char_x += usize::from(ok_x);
            }
        }
        total_x += correct_x;
        total_f += correct_f;
        outln!(
            "{kind:<13} {count:>7} | {:>8.2}ms {:>7.2}ms {:>8} | {:>8.2}ms {:>7.2}ms {:>8}",
            ms(lx.percentile(0.5)),
            ms(lx.percentile(0.99)),
            format!("{correct_x}/{count}"),
            ms(lf.percentile(0.5)),
            ms(lf.percentile(0.99)),
            format!("{correct_f}/{count}")
        );
        all_x.samples.extend(lx.samples);
        all_f.samples.extend(lf.samples);
    }
    outln!(
        "{:<13} {:>7} | {:>8.2}ms {:>7.2}ms {:>8} | {:>8.2}ms {:>7.2}ms {:>8}",
        "all",
        queries.len(),
        ms(all_x.percentile(0.5)),
        ms(all_x.percentile(0.99)),
        format!("{total_x}/{}", queries.len()),
        ms(all_f.percentile(0.5)),
        ms(all_f.percentile(0.99)),
        format!("{total_f}/{}", queries.len())
    );
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    let tail: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|(took, query, total, exact)| {
            let about = if *exact { "" } else { "about " };
            format!("{query} {:.1}ms/{about}{total} hits", ms(*took))
        })
        .collect();
    outln!("slowest xinwen queries: {}", tail.join(", "));
    let (both_x, both_f) = answered_by_both;
    if !both_x.samples.is_empty() {
        let mean = |l: &Latency| {
            l.samples.iter().map(|d| d.as_secs_f64()).sum::<f64>() / l.samples.len() as f64
        };
        outln!(
            "on the {} queries FTS5 answers: xinwen mean {:.2} ms, FTS5 mean {:.2} ms: xinwen {:.1}x faster (p50 {:.1}x)",
            both_x.samples.len(),
            mean(&both_x) * 1000.0,
            mean(&both_f) * 1000.0,
            mean(&both_f) / mean(&both_x).max(1e-9),
            ms(both_f.percentile(0.5)) / ms(both_x.percentile(0.5)).max(1e-6)
        );
    }
    if let Some(peak) = peak_rss_mib() {
        outln!("peak memory (whole process, corpus included): {peak:.0} MiB");
    }
    outln!(
        "docs={docs} p99_ms={:.2} two_char_answered={two_char_x}/{two_char_count}",
        ms(all_x.percentile(0.99))
    );
    fts.close().await;
    drop(index);
    temp.close()
        .context("cannot remove the benchmark's files")?;
    Ok(())
}

/// The same query for FTS5: a phrase stays a phrase, a word is quoted so that FTS5 reads it as
/// text rather than syntax.
fn fts_query(query: &str) -> String {
    format!("\"{}\"", query.trim_matches('"').replace('"', ""))
}

fn directory_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}
