//! `xinwen bench dedup --docs N`: story assignment throughput on one core and the memory it
//! keeps, on a synthetic stream of articles of which a fifth are reposts (with a 来源 line and
//! sign-off, a sentence cut, or the end dropped), arriving in time order.

use crate::bench::peak_rss_mib;
use crate::output::outln;
use crate::synthetic::{Rng, Vocabulary};
use std::time::Instant;
use xinwen_dedup::{Deduper, fingerprint};

pub fn run(docs: usize) -> anyhow::Result<()> {
    let mut rng = Rng(0x51a7_e5ee_d00d_f00d);
    let vocabulary = Vocabulary::new(&mut rng, 30_000);
    // Recent originals a repost may copy, as (id, title, text).
    let mut recent: std::collections::VecDeque<(i64, String, String)> =
        std::collections::VecDeque::new();
    let mut deduper = Deduper::new();
    let before = peak_rss_mib();
    let start = chrono::Utc::now();
    let (mut reposts, mut joined, mut spent) = (0usize, 0usize, std::time::Duration::ZERO);
    for n in 0..docs {
        let published = start + chrono::Duration::seconds(n as i64 * 3);
        let (title, body, copies) = if n > 10 && rng.below(5) == 0 {
            let (original, title, body) = recent[rng.below(recent.len())].clone();
            let body = match rng.below(3) {
                0 => format!("来源：合成来源\n{body}\n—— END ——\n长按识别二维码关注"),
                1 => {
                    // One clause of the middle left out.
                    let clauses: Vec<&str> =
                        body.split_inclusive(['，', '。', '、', '；']).collect();
                    let drop = clauses.len() / 2;
                    clauses
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != drop || clauses.len() < 3)
                        .map(|(_, c)| *c)
                        .collect::<String>()
                }
                _ => {
                    body.chars()
                        .take(body.chars().count() * 7 / 10)
                        .collect::<String>()
                        + "\n阅读原文"
                }
            };
            (format!("重磅！{title}"), body, Some(original))
        } else {
            let words = 60 + rng.below(90);
            (
                vocabulary.text(&mut rng, 10, |_| {}),
                vocabulary.text(&mut rng, words, |_| {}),
                None,
            )
        };
        let clock = Instant::now();
        let print = fingerprint(&title, &body);
        let assignment = deduper.add(n as i64, published, print);
        spent += clock.elapsed();
        if let Some(original) = copies {
            reposts += 1;
            joined += usize::from(deduper.story_of(original) == Some(assignment.story));
        } else {
            recent.push_back((n as i64, title, body));
            if recent.len() > 2_000 {
                recent.pop_front();
            }
        }
    }
    let rate = docs as f64 / spent.as_secs_f64();
    outln!(
        "dedup: {docs} articles ({reposts} reposts) fingerprinted and placed in {:.1} s on one core = {rate:.0} articles/s",
        spent.as_secs_f64()
    );
    outln!("reposts joined their original: {joined}/{reposts}");
    if let (Some(before), Some(after)) = (before, peak_rss_mib()) {
        outln!(
            "memory: peak {after:.0} MiB for the process, {:.0} MiB over the start ({:.0} bytes per article kept)",
            after - before,
            (after - before) * 1_048_576.0 / docs.max(1) as f64
        );
    }
    outln!("articles_per_second={rate:.0}");
    Ok(())
}
