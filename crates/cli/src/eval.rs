//! `xinwen eval`: figures on public benchmarks, in their own metrics.

use crate::output::outln;
use anyhow::Context;
use std::path::Path;

pub fn links(dataset: &Path, show_errors: bool) -> anyhow::Result<()> {
    let report = xinwen_eval::links::evaluate(dataset)
        .with_context(|| format!("cannot read the list pages in {}", dataset.display()))?;
    outln!("dataset: {}", dataset.display());
    for page in &report.pages {
        outln!(
            "{}: labelled {} taken {} correct {}",
            page.page,
            page.labelled,
            page.taken,
            page.correct
        );
        if show_errors {
            for url in &page.wrong {
                outln!("  taken, not an article: {url}");
            }
            for url in &page.missed {
                outln!("  missed: {url}");
            }
        }
    }
    outln!(
        "pages={} labelled_links={} precision={:.3} recall={:.3}",
        report.pages.len(),
        report.labelled(),
        report.precision(),
        report.recall()
    );
    Ok(())
}

pub fn extract(
    dataset: &Path,
    show_worst: bool,
    show_pages: bool,
    show_misses: bool,
) -> anyhow::Result<()> {
    let cases = xinwen_eval::extraction::load(dataset)
        .with_context(|| format!("cannot read the dataset in {}", dataset.display()))?;
    let report = xinwen_eval::extraction::evaluate(&cases);
    outln!("dataset: {}", dataset.display());
    outln!("pages: {}", report.pages);
    if let Some(a) = report.author_accuracy {
        outln!("author accuracy: {a:.3}");
    }
    if let Some(a) = report.author_or_editor_accuracy {
        outln!(
            "author accuracy, the editor standing in where no writer is named (as the Chinese set labels authors): {a:.3}"
        );
    }
    if let Some(d) = report.date_accuracy {
        outln!("date accuracy: {d:.3}");
    }
    outln!(
        "time: {:.3} s a pass on one core ({:.1} ms per page; the median of {} passes); the \
         first pass took {:.3} s ({:.1} pages/s)",
        report.elapsed.as_secs_f64(),
        report.elapsed.as_secs_f64() * 1000.0 / report.pages.max(1) as f64,
        report.passes,
        report.first_pass.as_secs_f64(),
        report.first_pass_pages_per_second()
    );
    if show_worst {
        for (id, f1) in report.worst(10) {
            outln!("low: {f1:.3} {id}");
        }
    }
    if show_pages {
        for (id, f1) in &report.per_page {
            outln!("page: {f1:.3} {id}");
        }
    }
    if show_misses {
        for miss in &report.misses {
            outln!(
                "missed {}: {} expected {:?}, got {:?}",
                miss.field,
                miss.id,
                miss.expected,
                miss.got
            );
        }
    }
    outln!(
        "f1={:.3} precision={:.3} recall={:.3} pages_per_s={:.1}",
        report.f1,
        report.precision,
        report.recall,
        report.pages_per_second()
    );
    Ok(())
}

/// Related reading on a labelled corpus (THUCNews): for every article, its related articles
/// as ranked, and how many of the first 5 and 10 share its label.
pub fn related(dataset: &Path) -> anyhow::Result<()> {
    #[derive(serde::Deserialize)]
    struct Line {
        id: String,
        label: String,
        text: String,
    }
    let file = dataset.join("cnews.jsonl");
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let lines: Vec<Line> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, l)| {
            serde_json::from_str(l).with_context(|| format!("{}: line {}", file.display(), n + 1))
        })
        .collect::<anyhow::Result<_>>()?;
    let started = std::time::Instant::now();
    let index = xinwen_search::SearchIndex::in_memory(xinwen_text::Analyzer::new())?;
    // Labels stay out of the index: only the text is there to relate by.
    let when = chrono::Utc::now();
    let docs: Vec<xinwen_search::IndexDoc> = lines
        .iter()
        .enumerate()
        .map(|(n, line)| xinwen_search::IndexDoc {
            id: n as i64,
            title: String::new(),
            body: line.text.clone(),
            source: "dataset".into(),
            channel: "dataset".into(),
            published: when,
            story: None,
        })
        .collect();
    index.put(&docs)?;
    index.commit(None)?;
    let indexed = started.elapsed();
    let started = std::time::Instant::now();
    let (mut at5, mut at10, mut counted) = (0.0, 0.0, 0usize);
    let (mut shown_at5, mut shown, mut close, mut fewest) = (0.0, 0usize, 0usize, usize::MAX);
    for (n, line) in lines.iter().enumerate() {
        let same = |list: &[xinwen_search::Related], k: usize| {
            list.iter()
                .take(k)
                .filter(|r| lines[r.id as usize].label == line.label)
                .count() as f64
                / k as f64
        };
        let ranked = index.related_with(n as i64, 10, false)?;
        at5 += same(&ranked, 5);
        at10 += same(&ranked, 10);
        // What an article page shows: the close matches first, then what fills the list.
        let page = index.related(n as i64, 8)?;
        shown_at5 += same(&page, 5);
        shown += page.len();
        close += page.iter().filter(|r| r.close).count();
        fewest = fewest.min(page.len());
        counted += 1;
        let _ = &line.id;
    }
    let per_article = started.elapsed().as_secs_f64() * 1000.0 / counted.max(1) as f64;
    outln!("dataset: {} ({counted} articles)", dataset.display());
    outln!(
        "indexing: {:.2} s; related reading: {per_article:.2} ms per article",
        indexed.as_secs_f64()
    );
    let per_article = |n: usize| n as f64 / counted.max(1) as f64;
    outln!(
        "shown on article pages: {:.1} per article on average ({:.1} close matches, the rest \
         suggestions), {} at fewest; p_at_5 of the list shown: {:.3}",
        per_article(shown),
        per_article(close),
        if counted == 0 { 0 } else { fewest },
        shown_at5 / counted.max(1) as f64
    );
    outln!(
        "p_at_5={:.3} p_at_10={:.3}",
        at5 / counted.max(1) as f64,
        at10 / counted.max(1) as f64
    );
    Ok(())
}

/// Same-story decisions on a labelled corpus of reposts (dedup-synthetic): pairwise
/// precision, recall and F1, and how often each kind of repost joins its original.
pub fn dedup(dataset: &Path) -> anyhow::Result<()> {
    #[derive(serde::Deserialize)]
    struct Line {
        title: String,
        text: String,
        published_at: chrono::DateTime<chrono::FixedOffset>,
        story: String,
        variant: String,
    }
    let file = dataset.join("stories.jsonl");
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let mut lines: Vec<Line> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, l)| {
            serde_json::from_str(l).with_context(|| format!("{}: line {}", file.display(), n + 1))
        })
        .collect::<anyhow::Result<_>>()?;
    // As they would arrive: in order of publication.
    lines.sort_by_key(|l| l.published_at);
    let started = std::time::Instant::now();
    let mut deduper = xinwen_dedup::Deduper::new();
    let mut prints = Vec::with_capacity(lines.len());
    for (n, line) in lines.iter().enumerate() {
        let fingerprint = xinwen_dedup::fingerprint(&line.title, &line.text);
        prints.push(fingerprint.clone());
        deduper.add(n as i64, line.published_at.to_utc(), fingerprint);
    }
    let elapsed = started.elapsed();
    let predicted: Vec<i64> = (0..lines.len())
        .map(|n| deduper.story_of(n as i64).unwrap_or(n as i64))
        .collect();
    let (mut both, mut predicted_pairs, mut true_pairs) = (0u64, 0u64, 0u64);
    for i in 0..lines.len() {
        for j in i + 1..lines.len() {
            let same_true = lines[i].story == lines[j].story;
            let same_predicted = predicted[i] == predicted[j];
            true_pairs += u64::from(same_true);
            predicted_pairs += u64::from(same_predicted);
            both += u64::from(same_true && same_predicted);
        }
    }
    let precision = both as f64 / predicted_pairs.max(1) as f64;
    let recall = both as f64 / true_pairs.max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::EPSILON);
    outln!("dataset: {} ({} articles)", dataset.display(), lines.len());
    outln!(
        "time: {:.3} s ({:.0} articles per second, fingerprint and assignment, one core)",
        elapsed.as_secs_f64(),
        lines.len() as f64 / elapsed.as_secs_f64()
    );
    outln!("pairs: {true_pairs} true, {predicted_pairs} predicted, {both} both");
    let mut kinds: Vec<&str> = lines
        .iter()
        .map(|l| l.variant.as_str())
        .filter(|v| *v != "original")
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        let (mut joined, mut count) = (0, 0);
        for (n, line) in lines.iter().enumerate().filter(|(_, l)| l.variant == kind) {
            let Some(original) = lines
                .iter()
                .position(|l| l.story == line.story && l.variant == "original")
            else {
                continue;
            };
            count += 1;
            joined += usize::from(predicted[original] == predicted[n]);
        }
        let similarity: Vec<(f64, f64)> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.variant == kind)
            .filter_map(|(n, l)| {
                let original = lines
                    .iter()
                    .position(|o| o.story == l.story && o.variant == "original")?;
                Some((
                    prints[n].jaccard(&prints[original]),
                    prints[n].containment(&prints[original]),
                ))
            })
            .collect();
        let lowest_jaccard = similarity.iter().map(|s| s.0).fold(1.0, f64::min);
        let lowest_containment = similarity.iter().map(|s| s.1).fold(1.0, f64::min);
        outln!(
            "recall {kind}: {:.3} ({joined}/{count} joined their original; to it: Jaccard >= {lowest_jaccard:.2}, containment >= {lowest_containment:.2})",
            joined as f64 / count.max(1) as f64
        );
    }
    // The hard negatives: different stories on one topic. How close do they come?
    let originals: Vec<usize> = (0..lines.len())
        .filter(|n| lines[*n].variant == "original")
        .collect();
    let mut closest = Vec::new();
    let mut contained = Vec::new();
    for (i, a) in originals.iter().enumerate() {
        for b in &originals[i + 1..] {
            let jaccard = prints[*a].jaccard(&prints[*b]);
            closest.push(jaccard);
            if jaccard < xinwen_dedup::SAME_JACCARD {
                contained.push(prints[*a].containment(&prints[*b]));
            }
        }
    }
    contained.sort_by(|a, b| b.total_cmp(a));
    closest.sort_by(|a, b| b.total_cmp(a));
    let above = closest
        .iter()
        .filter(|j| **j >= xinwen_dedup::SAME_JACCARD)
        .count();
    outln!(
        "different stories: {} pairs of originals; {above} at Jaccard >= {} (near-copies of one template); the next closest {:.2}, the highest containment below that {:.2}",
        closest.len(),
        xinwen_dedup::SAME_JACCARD,
        closest.get(above).copied().unwrap_or(0.0),
        contained.first().copied().unwrap_or(0.0)
    );
    outln!("precision={precision:.4} recall={recall:.4} f1={f1:.4}");
    Ok(())
}
