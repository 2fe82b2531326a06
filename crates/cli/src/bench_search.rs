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
use anyhow::Context;
use std::time::{Duration, Instant};
use xinwen_search::{IndexDoc, SearchIndex};
use xinwen_store::fts5::Fts5Baseline;

/// Common words, most frequent first by rough news usage.
const COMMON: &[&str] = &[
    "我们",
    "发展",
    "经济",
    "中国",
    "工作",
    "问题",
    "企业",
    "市场",
    "政府",
    "建设",
    "北京",
    "国家",
    "城市",
    "记者",
    "今天",
    "表示",
    "市民",
    "项目",
    "部门",
    "情况",
    "服务",
    "交通",
    "计划",
    "公司",
    "投资",
    "学校",
    "学生",
    "医院",
    "居民",
    "社区",
    "文化",
    "科技",
    "创新",
    "环境",
    "保护",
    "气温",
    "台风",
    "地铁",
    "线路",
    "开通",
    "运营",
    "乘客",
    "车站",
    "大桥",
    "港口",
    "渡轮",
    "航班",
    "旅客",
    "比赛",
    "球队",
    "冠军",
    "教练",
    "球迷",
    "体育",
    "马拉松",
    "博物馆",
    "展览",
    "文物",
    "图书馆",
    "芯片",
    "产线",
    "晶圆",
    "卫星",
    "发射",
    "数据",
    "平台",
    "用户",
    "手机",
    "网络",
    "人工智能",
    "价格",
    "消费",
    "基金",
    "股票",
    "银行",
    "利率",
    "贷款",
    "房价",
    "租金",
    "就业",
    "工资",
    "补贴",
    "会议",
    "代表",
    "谈判",
    "协议",
    "签署",
    "合作",
    "国际",
    "外交",
    "渔业",
    "海域",
    "边境",
    "选举",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "天津",
    "重庆",
    "西安",
    "长江大桥",
    "新能源汽车",
    "气象台",
    "预警",
    "暴雨",
    "降温",
    "疫苗",
    "教育",
    "高考",
    "大学",
    "研究",
    "实验室",
    "改革",
    "政策",
    "法律",
    "法院",
    "警方",
    "调查",
    "事故",
    "安全",
    "消防",
    "救援",
    "志愿者",
    "捐款",
    "电影",
    "音乐",
    "演出",
    "票房",
    "导演",
    "演员",
    "小说",
    "作家",
    "书店",
    "读者",
    "节目",
    "直播",
    "农业",
    "粮食",
    "收成",
    "农民",
    "乡村",
    "旅游",
    "景区",
    "游客",
    "酒店",
    "餐厅",
    "美食",
    "特产",
    "预计",
    "明年",
    "上午",
    "下午",
    "目前",
    "同时",
    "此外",
    "但是",
    "因为",
    "所以",
    "如果",
    "已经",
    "一个",
    "一些",
    "他们",
    "这个",
    "可以",
    "需要",
    "应该",
    "通过",
    "对于",
    "关于",
    "进行",
    "相关",
];

/// Characters the made-up names are built from.
const NAME_CHARS: &str = "安柏辰丹德芳峰冠海翰浩宏华辉佳嘉杰锦俊凯岚磊林玲龙路曼铭楠宁鹏琪泉然瑞森善舒涛婷彤维文熙祥潇欣鑫轩雅扬怡逸瑛雨远云泽哲振志卓子澜屿湾港岭坪溪湖滩洲矶浦渚汀岗岙墩埠岑";

pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

pub(crate) struct Vocabulary {
    pub(crate) words: Vec<String>,
    /// Cumulative Zipf weights, for sampling by binary search.
    cumulative: Vec<f64>,
}

impl Vocabulary {
    pub(crate) fn new(rng: &mut Rng, made_up: usize) -> Vocabulary {
        let chars: Vec<char> = NAME_CHARS.chars().collect();
        let mut words: Vec<String> = COMMON.iter().map(|w| (*w).to_owned()).collect();
        let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
        while words.len() < COMMON.len() + made_up {
            let length = 2 + rng.below(3);
            let word: String = (0..length).map(|_| chars[rng.below(chars.len())]).collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        // Interleave common and made-up words down the ranks, so that every part of the
        // frequency curve has both.
        let (common, names) = words.split_at(COMMON.len());
        let mut ranked = Vec::with_capacity(words.len());
        let mut names = names.iter();
        for word in common {
            ranked.push(word.clone());
            for name in names.by_ref().take(3) {
                ranked.push(name.clone());
            }
        }
        ranked.extend(names.cloned());
        let mut total = 0.0;
        let cumulative = (1..=ranked.len())
            .map(|rank| {
                total += 1.0 / (rank as f64).powf(1.07);
                total
            })
            .collect();
        Vocabulary {
            words: ranked,
            cumulative,
        }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let target = rng.unit() * self.cumulative.last().copied().unwrap_or(1.0);
        self.cumulative
            .partition_point(|c| *c < target)
            .min(self.words.len() - 1)
    }
}

const PUNCTUATION: [&str; 4] = ["，", "。", "、", "；"];

pub(crate) fn text(
    vocabulary: &Vocabulary,
    rng: &mut Rng,
    words: usize,
    uses: &mut [u32],
) -> String {
    let mut out = String::new();
    for n in 0..words {
        let index = vocabulary.sample(rng);
        uses[index] = uses[index].saturating_add(1);
        out.push_str(&vocabulary.words[index]);
        if n % 9 == 8 {
            out.push_str(PUNCTUATION[rng.below(PUNCTUATION.len())]);
        }
    }
    out.push('。');
    out
}

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
        let title = text(&vocabulary, &mut rng, title_words, &mut uses);
        let body = text(&vocabulary, &mut rng, body_words, &mut uses);
        corpus.push((title.trim_end_matches('。').to_owned(), body));
    }
    let chars: usize = corpus
        .iter()
        .map(|(t, b)| t.chars().count() + b.chars().count())
        .sum();
    println!(
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
    let fts_bytes = std::fs::metadata(temp.path().join("fts5.db")).map_or(0, |m| m.len())
        + std::fs::metadata(temp.path().join("fts5.db-wal")).map_or(0, |m| m.len());
    println!(
        "indexing: xinwen {:.1} s ({:.0} docs/s), index {:.1} MB; FTS5 trigram {:.1} s ({:.0} docs/s), {:.1} MB",
        xinwen_indexing.as_secs_f64(),
        docs as f64 / xinwen_indexing.as_secs_f64(),
        index_bytes as f64 / 1_048_576.0,
        fts_indexing.as_secs_f64(),
        docs as f64 / fts_indexing.as_secs_f64(),
        fts_bytes as f64 / 1_048_576.0
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
    println!(
        "{:<13} {:>7} | {:>9} {:>9} {:>8} | {:>9} {:>9} {:>8}",
        "queries", "count", "xinwen p50", "p99", "correct", "FTS5 p50", "p99", "correct"
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
        println!(
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
    println!(
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
    let (both_x, both_f) = answered_by_both;
    if !both_x.samples.is_empty() {
        let mean = |l: &Latency| {
            l.samples.iter().map(|d| d.as_secs_f64()).sum::<f64>() / l.samples.len() as f64
        };
        println!(
            "on the {} queries FTS5 answers: xinwen mean {:.2} ms, FTS5 mean {:.2} ms: xinwen {:.1}x faster (p50 {:.1}x)",
            both_x.samples.len(),
            mean(&both_x) * 1000.0,
            mean(&both_f) * 1000.0,
            mean(&both_f) / mean(&both_x).max(1e-9),
            ms(both_f.percentile(0.5)) / ms(both_x.percentile(0.5)).max(1e-6)
        );
    }
    if let Some(peak) = peak_rss_mib() {
        println!("peak memory (whole process, corpus included): {peak:.0} MiB");
    }
    println!(
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
