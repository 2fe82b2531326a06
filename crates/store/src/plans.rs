//! What SQLite plans to do for the queries behind every public page: none may read a whole
//! table of articles, stories or sources, or sort everything it matched, because such a
//! query's cost grows with the corpus (a year of news is a million articles).
//!
//! Checked with `EXPLAIN QUERY PLAN` on a store that has rows and statistics, so that the
//! planner decides as it would on a real site.

use crate::Store;
use crate::articles::{ArticleFilter, ArticleQuery, article_sql, list_conditions, list_sql};
use crate::stories::{HOT_SQL, STORY_ARTICLES_SQL};

/// Tables whose size grows with the corpus.
const LARGE: &[&str] = &["articles", "stories", "sources", "article_images"];

/// The plan's lines, and what in them reads a large table whole or sorts all it found.
async fn problems(store: &Store, sql: &str, params: usize) -> (Vec<String>, Vec<String>) {
    let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(crate::articles::assert_sql_safe(
        format!("EXPLAIN QUERY PLAN {sql}"),
    ));
    for _ in 0..params {
        query = query.bind(1_i64);
    }
    let plan: Vec<String> = query
        .fetch_all(&store.pool)
        .await
        .unwrap_or_else(|e| panic!("cannot plan {sql}: {e}"))
        .into_iter()
        .map(|(_, _, _, detail)| detail)
        .collect();
    let aliases: Vec<String> = LARGE
        .iter()
        .flat_map(|t| [t.to_string(), format!("{t} AS")])
        .collect();
    let bad = plan
        .iter()
        .filter(|line| {
            // "SCAN t" is a whole table; "SCAN t USING [COVERING] INDEX" is a whole index.
            let scans_large = line.strip_prefix("SCAN ").is_some_and(|rest| {
                let table = rest.split_whitespace().next().unwrap_or_default();
                LARGE.contains(&table)
                    || ["a", "b", "s", "st", "i", "f"].contains(&table)
                    || aliases.iter().any(|a| rest.starts_with(a.as_str()))
            });
            scans_large || line.contains("TEMP B-TREE FOR ORDER BY")
        })
        .cloned()
        .collect();
    (plan, bad)
}

#[tokio::test]
async fn no_page_query_reads_a_whole_table_or_sorts_all_it_matched() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    seed(&store).await;

    let mut queries: Vec<(String, String, usize)> = Vec::new();
    let filters = [
        ("home", ArticleFilter::default(), 0),
        (
            "channel",
            ArticleFilter {
                channel_id: Some(1),
                source_id: None,
            },
            1,
        ),
        (
            "source",
            ArticleFilter {
                channel_id: None,
                source_id: Some(1),
            },
            1,
        ),
    ];
    for (name, filter, bound) in filters {
        for after in [false, true] {
            for body in [false, true] {
                let params = bound + if after { 2 } else { 0 } + 2;
                queries.push((
                    format!("{name} list (after: {after}, body: {body})"),
                    list_sql(filter, after, body),
                    params,
                ));
            }
        }
        queries.push((
            format!("{name} list count"),
            format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM articles a WHERE {}
                 ORDER BY a.published_at DESC, a.id DESC LIMIT ?) AS listed",
                list_conditions(filter)
            ),
            bound + 1,
        ));
    }
    queries.push(("article".into(), article_sql(), 1));
    queries.push(("hot".into(), HOT_SQL.into(), 3));
    queries.push(("story timeline".into(), STORY_ARTICLES_SQL.into(), 1));
    // The API's lists: each filter alone, with a window and a cursor.
    for (name, query) in [
        ("everything", ArticleQuery::default()),
        (
            "channel",
            ArticleQuery {
                channel_id: Some(1),
                ..Default::default()
            },
        ),
        (
            "source",
            ArticleQuery {
                source_id: Some(1),
                ..Default::default()
            },
        ),
        (
            "story",
            ArticleQuery {
                story_id: Some(1),
                ..Default::default()
            },
        ),
        (
            "window",
            ArticleQuery {
                since: Some(0),
                until: Some(1),
                ..Default::default()
            },
        ),
        (
            "channel after a cursor",
            ArticleQuery {
                channel_id: Some(1),
                after: Some(crate::Cursor {
                    published_at: 1,
                    id: 1,
                }),
                ..Default::default()
            },
        ),
    ] {
        let params = [
            query.channel_id,
            query.source_id,
            query.story_id,
            query.since,
            query.until,
        ]
        .iter()
        .flatten()
        .count()
            + if query.after.is_some() { 2 } else { 0 }
            + 1;
        queries.push((
            format!("API articles ({name})"),
            crate::articles::query_sql(&query, true),
            params,
        ));
    }
    queries.push((
        "news sitemap".into(),
        crate::articles::NEWS_SITEMAP_SQL.into(),
        2,
    ));

    // Planned as a store is opened (statistics as `PRAGMA optimize` leaves them), and with
    // full statistics.
    let mut failures = Vec::new();
    for statistics in ["at open", "after ANALYZE"] {
        if statistics == "after ANALYZE" {
            sqlx::query("ANALYZE").execute(&store.pool).await.unwrap();
        }
        for (name, sql, params) in &queries {
            let (plan, bad) = problems(&store, sql, *params).await;
            if !bad.is_empty() {
                failures.push(format!(
                    "{name} ({statistics}): {bad:?}\n  whole plan: {plan:?}"
                ));
            }
        }
        // Articles by id are looked up by id, not found among all live ones.
        let by_ids = crate::articles::summaries_by_ids_sql(30);
        let (plan, _) = problems(&store, &by_ids, 30).await;
        if !plan
            .iter()
            .any(|line| line.starts_with("SEARCH a USING INTEGER PRIMARY KEY"))
        {
            failures.push(format!("articles by id ({statistics}): {plan:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "queries whose cost grows with the corpus:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_checker_sees_a_whole_table_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    seed(&store).await;
    // A filter on a column no index starts with, sorted by another: both faults at once.
    let (_, bad) = problems(
        &store,
        "SELECT id FROM articles WHERE instr(title, ?) > 0 ORDER BY title LIMIT 10",
        1,
    )
    .await;
    assert_eq!(bad.len(), 2, "{bad:?}");
}

/// Rows enough for `ANALYZE` to give the planner real statistics: many articles over few
/// channels and sources, most without a story, a few stories.
async fn seed(store: &Store) {
    let mut tx = store.pool.begin().await.unwrap();
    for c in 1..=8 {
        sqlx::query("INSERT INTO channels (id, slug, name) VALUES ($1, $2, $3)")
            .bind(c)
            .bind(format!("c{c}"))
            .bind(format!("频道{c}"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    for s in 1..=200 {
        sqlx::query(
            "INSERT INTO sources (id, slug, name, kind, channel_id, created_at)
             VALUES ($1, $2, $3, 'feed', $4, 0)",
        )
        .bind(s)
        .bind(format!("s{s}"))
        .bind(format!("来源{s}"))
        .bind(s % 8 + 1)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    for a in 1..=4_000_i64 {
        let story = (a % 5 == 0).then_some(a - a % 10);
        sqlx::query(
            "INSERT INTO articles (id, source_id, channel_id, title, original_url, canonical_url,
                published_at, fetched_at, body_html, body_text, summary, script, updated_at,
                change_seq, story_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', '', '', 'zh-Hans', 0, $9, $10)",
        )
        .bind(a)
        .bind(a % 200 + 1)
        .bind(a % 8 + 1)
        .bind(format!("标题{a}"))
        .bind(format!("https://example.com/{a}"))
        .bind(format!("https://example.com/{a}"))
        .bind(1_700_000_000 + a * 60)
        .bind(1_700_000_000 + a * 60)
        .bind(a)
        .bind(story)
        .execute(&mut *tx)
        .await
        .unwrap();
        if a % 3 == 0 {
            sqlx::query(
                "INSERT INTO article_images (article_id, position, src) VALUES ($1, 0, 'x')",
            )
            .bind(a)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    for st in (0..=4_000_i64).step_by(10).filter(|s| *s > 0) {
        sqlx::query(
            "INSERT INTO stories (id, original_article_id, lead_article_id, first_published_at,
                last_published_at, article_count, source_count, updated_at, heat)
             VALUES ($1, $2, $3, 0, $4, 2, 2, 0, $5)",
        )
        .bind(st)
        .bind(st)
        .bind(st)
        .bind(1_700_000_000 + st * 60)
        .bind(st as f64)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}
