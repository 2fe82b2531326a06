//! Search and related reading on a small corpus written for these tests, through a real
//! SQLite store and a tantivy index on disk.

use chrono::{TimeZone, Utc};
use xinwen_model::{ArticleStatus, NewArticle, NewChannel, NewSource, Script, SourceKind};
use xinwen_search::{SearchIndex, parse};
use xinwen_store::Store;
use xinwen_text::Analyzer;

/// (source, channel, day of November, title, body)
const CORPUS: &[(&str, &str, u32, &str, &str)] = &[
    (
        "xinghe",
        "shehui",
        7,
        "台风白鹭逼近南屿岛 渡轮全线停航",
        "今年第21号台风白鹭正向南屿岛方向移动。市气象台发布台风橙色预警，往返南屿岛的客运渡轮全线停航，沿海渔船回港避风，南屿岛中小学停课。",
    ),
    (
        "taihai",
        "shehui",
        8,
        "颱風白鷺登陸 港區貨櫃碼頭暫停作業",
        "颱風白鷺今晨登陸南嶼島南部沿海，港區貨櫃碼頭全面暫停作業，渡輪停航持續，氣象台表示颱風將逐漸減弱，沿海居民注意防範強降雨。",
    ),
    (
        "xinghe",
        "shehui",
        9,
        "台风过后南屿岛渡轮恢复 游客陆续返岛",
        "台风白鹭减弱后，南屿岛客运渡轮今天恢复航行。码头工作人员说，首班渡轮坐满了返岛的居民和游客，岛上景区明天重新开放。",
    ),
    (
        "xinghe",
        "shehui",
        10,
        "地铁五号线开通 青澜市民通勤时间缩短",
        "青澜地铁五号线今天开通运营，全线设站十八座。交通部门表示，五号线开通后沿线居民通勤时间将缩短二十分钟，早晚高峰发车间隔四分钟。",
    ),
    (
        "xinghe",
        "shehui",
        11,
        "五号线开通首日客流超过二十万人次",
        "地铁五号线开通首日客流超过二十万人次，交通部门在换乘站增派工作人员引导乘客。部分市民反映早高峰换乘通道拥挤。",
    ),
    (
        "lvyin",
        "tiyu",
        16,
        "海鸥队补时绝杀夺得云溪杯冠军",
        "云溪杯决赛，海鸥队在补时阶段由19岁前锋邱天打进制胜球，一比零击败石岭矿工队，时隔十二年再次夺冠。球迷在体育中心外庆祝到深夜。",
    ),
    (
        "lvyin",
        "tiyu",
        17,
        "邱天：我只是把握住了机会",
        "打进云溪杯决赛制胜球的海鸥队前锋邱天接受采访时说，进球前他已经跑了一百多分钟，只是把握住了机会。主教练称赞他是球队的未来。",
    ),
    (
        "shuma",
        "keji",
        6,
        "云溪第一条12英寸晶圆产线投产",
        "云溪高新区一家芯片企业宣布，12英寸晶圆产线正式投产，主要生产汽车电子和电源管理芯片，满产后每月可生产三万片晶圆。",
    ),
    (
        "shuma",
        "keji",
        12,
        "芯片企业扩产 汽车电子芯片供应有望缓解",
        "多家芯片企业宣布扩产计划，分析人士认为，随着新产线投产，汽车电子芯片供应紧张的局面有望缓解，但高端芯片仍依赖进口。",
    ),
    (
        "chengshi",
        "shenghuo",
        13,
        "老城区海鲜馆推出秋季新菜",
        "位于老城区的一家海鲜馆推出秋季新菜，招牌是清蒸石斑鱼和蒜蓉扇贝。老板说，海鲜每天清晨从码头直接运来，周末需要提前订位。",
    ),
    (
        "yuanwang",
        "guoji",
        14,
        "俄乌双方举行新一轮军控谈判",
        "俄乌双方代表在日内瓦举行新一轮军控谈判，议题包括常规武器削减和边境地区军事演习的通报机制。双方同意下月继续会谈。",
    ),
    (
        "yuanwang",
        "guoji",
        15,
        "军控谈判取得进展 双方同意建立演习通报机制",
        "经过三天的军控谈判，俄乌双方同意建立边境军事演习相互通报机制，并就常规武器削减的核查方式交换了意见。",
    ),
];

async fn corpus_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = xinwen_test_support::site_database().await;
    let store = Store::connect(&dir.path().join("data"), database_url.as_deref())
        .await
        .unwrap();
    for slug in ["shehui", "tiyu", "keji", "shenghuo", "guoji"] {
        store
            .upsert_channel(&NewChannel {
                slug: slug.into(),
                name: slug.into(),
                description: String::new(),
                position: 0,
            })
            .await
            .unwrap();
    }
    for slug in ["xinghe", "taihai", "lvyin", "shuma", "chengshi", "yuanwang"] {
        store
            .upsert_source(&NewSource {
                slug: slug.into(),
                name: slug.into(),
                kind: SourceKind::Feed,
                homepage: None,
                feed_url: None,
                follow_url: None,
                qr_image: None,
                channel_slug: Some("shehui".into()),
                description: String::new(),
                ..NewSource::default()
            })
            .await
            .unwrap();
    }
    let articles: Vec<NewArticle> = CORPUS
        .iter()
        .enumerate()
        .map(|(n, (source, channel, day, title, body))| {
            let published = Utc.with_ymd_and_hms(2026, 11, *day, 2, 0, 0).unwrap();
            NewArticle {
                source_slug: (*source).into(),
                channel_slug: Some((*channel).into()),
                title: (*title).into(),
                author: None,
                original_url: format!("https://{source}.example/{n}"),
                canonical_url: format!("https://{source}.example/{n}"),
                published_at: published,
                fetched_at: published,
                body_html: format!("<p>{body}</p>"),
                body_text: (*body).into(),
                summary: (*body).into(),
                images: vec![],
                script: if *source == "taihai" {
                    Script::Traditional
                } else {
                    Script::Simplified
                },
                credited_source: None,
            }
        })
        .collect();
    store.upsert_articles(&articles).await.unwrap();
    (dir, store)
}

async fn indexed() -> (tempfile::TempDir, Store, SearchIndex) {
    let (dir, store) = corpus_store().await;
    let index = SearchIndex::open(&dir.path().join("index"), Analyzer::new()).unwrap();
    let done = index.catch_up(&store, |_| {}).await.unwrap();
    assert_eq!(done, CORPUS.len() as u64);
    (dir, store, index)
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap()
}

/// Titles of the hits, best first.
async fn titles(store: &Store, index: &SearchIndex, query: &str) -> Vec<String> {
    let parsed = parse(query, index.analyzer());
    let hits = index.search(&parsed, 0, 20, now()).unwrap();
    let ids: Vec<i64> = hits.items.iter().map(|h| h.id).collect();
    store
        .summaries_by_ids(&ids)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.title)
        .collect()
}

#[tokio::test]
async fn two_character_words_in_either_script_find_both_scripts() {
    let (_dir, store, index) = indexed().await;
    let simplified = titles(&store, &index, "台风").await;
    assert_eq!(simplified.len(), 3, "{simplified:?}");
    assert!(
        simplified.iter().any(|t| t.contains("颱風")),
        "the traditional article is found: {simplified:?}"
    );
    let traditional = titles(&store, &index, "颱風").await;
    assert_eq!(traditional.len(), 3, "{traditional:?}");
    assert_eq!(
        titles(&store, &index, "俄烏").await.len(),
        2,
        "俄烏 finds 俄乌"
    );
    assert_eq!(titles(&store, &index, "渡轮").await.len(), 3);
    assert_eq!(titles(&store, &index, "ＧＥＮＥＶＡ").await.len(), 0);
}

#[tokio::test]
async fn names_outside_the_dictionary_are_found() {
    let (_dir, store, index) = indexed().await;
    let hits = titles(&store, &index, "邱天").await;
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert_eq!(titles(&store, &index, "石岭矿工").await.len(), 1);
    assert_eq!(
        titles(&store, &index, "南屿岛").await.len(),
        3,
        "南嶼島 is folded too"
    );
}

#[tokio::test]
async fn phrases_exclusions_filters_and_dates() {
    let (_dir, store, index) = indexed().await;
    assert_eq!(
        titles(&store, &index, "\"开通首日\"").await,
        ["五号线开通首日客流超过二十万人次"]
    );
    assert_eq!(
        titles(&store, &index, "\"首日开通\"").await.len(),
        0,
        "a phrase is in order"
    );
    let hits = titles(&store, &index, "五号线 -客流").await;
    assert_eq!(hits, ["地铁五号线开通 青澜市民通勤时间缩短"]);
    assert_eq!(titles(&store, &index, "台风 source:taihai").await.len(), 1);
    assert_eq!(titles(&store, &index, "芯片 channel:keji").await.len(), 2);
    assert_eq!(titles(&store, &index, "芯片 channel:tiyu").await.len(), 0);
    assert_eq!(
        titles(&store, &index, "台风 after:2026-11-08 before:2026-11-08")
            .await
            .len(),
        1
    );
    assert_eq!(
        titles(&store, &index, "channel:guoji").await.len(),
        2,
        "a filter alone lists"
    );
}

#[tokio::test]
async fn a_removed_article_leaves_results_and_the_index_catches_up_after_a_crash() {
    let (dir, store, index) = indexed().await;
    let first = titles(&store, &index, "海鲜").await;
    assert_eq!(first.len(), 1);
    let parsed = parse("海鲜", index.analyzer());
    let id = index.search(&parsed, 0, 10, now()).unwrap().items[0].id;
    store
        .set_article_status(id, ArticleStatus::Removed)
        .await
        .unwrap();
    assert!(
        titles(&store, &index, "海鲜").await.is_empty(),
        "gone at once, before the index hears of it"
    );

    // A crash: the index is dropped without hearing of the removal; a new article arrives.
    drop(index);
    let article = store.article(1).await.unwrap().unwrap();
    let again = NewArticle {
        source_slug: article.source.slug.clone(),
        channel_slug: Some(article.channel.slug.clone()),
        title: "台风白鹭逼近南屿岛 渡轮全线停航（更新）".into(),
        author: None,
        original_url: article.original_url.clone(),
        canonical_url: article.canonical_url.clone(),
        published_at: article.published_at,
        fetched_at: article.fetched_at,
        body_html: article.body_html.clone(),
        body_text: format!("{}海事部门发布航行警告。", article.body_text),
        summary: article.summary.clone(),
        images: vec![],
        script: article.script,
        credited_source: None,
    };
    store.upsert_articles(&[again]).await.unwrap();
    let index = SearchIndex::open(&dir.path().join("index"), Analyzer::new()).unwrap();
    assert_eq!(
        index.document_count(),
        CORPUS.len() as u64,
        "the index survived"
    );
    let caught = index.catch_up(&store, |_| {}).await.unwrap();
    assert_eq!(
        caught, 2,
        "only what changed since the last commit: the removal and the update"
    );
    assert_eq!(index.document_count(), CORPUS.len() as u64 - 1);
    assert_eq!(titles(&store, &index, "航行警告").await.len(), 1);
}

#[tokio::test]
async fn related_reading_is_on_topic_never_the_article_itself_and_fills_up_marked_as_such() {
    let (_dir, store, index) = indexed().await;
    let id_of = |title: &'static str| {
        let store = store.clone();
        async move {
            let list = store
                .latest_articles(Default::default(), 1, 50, false)
                .await
                .unwrap();
            list.items
                .into_iter()
                .find(|a| a.title == title)
                .unwrap()
                .id
        }
    };
    let titles_of = |related: Vec<xinwen_search::Related>| {
        let store = store.clone();
        async move {
            let ids: Vec<i64> = related.iter().map(|r| r.id).collect();
            store
                .summaries_by_ids(&ids)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.title)
                .collect::<Vec<String>>()
        }
    };
    let everything_else = CORPUS.len() - 1;
    let typhoon = id_of("台风白鹭逼近南屿岛 渡轮全线停航").await;
    let related = index.related(typhoon, 8).unwrap();
    assert!(
        related.iter().all(|r| r.id != typhoon),
        "never the article itself"
    );
    assert!(related.len() >= xinwen_search::RELATED_AT_LEAST.min(everything_else));
    // The close matches come first, and all of them are about typhoons.
    let close: Vec<_> = related.iter().filter(|r| r.close).cloned().collect();
    assert!(
        related.iter().take(close.len()).all(|r| r.close),
        "{related:?}"
    );
    assert!(
        close[0]
            .shared
            .iter()
            .any(|k| k == "台风" || k == "渡轮" || k == "南屿岛"),
        "{:?}",
        close[0].shared
    );
    let close_titles = titles_of(close).await;
    assert!(close_titles.len() >= 2, "{close_titles:?}");
    for title in &close_titles {
        assert!(
            title.contains("台风") || title.contains("颱風") || title.contains("渡轮"),
            "off topic: {title}"
        );
    }

    // Nothing is close to the seafood restaurant: the list is suggestions only, said so.
    let seafood = id_of("老城区海鲜馆推出秋季新菜").await;
    let related = index.related(seafood, 8).unwrap();
    assert!(related.iter().all(|r| !r.close), "{related:?}");
    assert_eq!(
        related.len(),
        xinwen_search::RELATED_AT_LEAST.min(everything_else),
        "{related:?}"
    );

    let talks = id_of("俄乌双方举行新一轮军控谈判").await;
    let related = index.related(talks, 8).unwrap();
    let close = related.iter().filter(|r| r.close).cloned().collect();
    assert_eq!(
        titles_of(close).await,
        ["军控谈判取得进展 双方同意建立演习通报机制"],
        "not the seafood restaurant"
    );
    let suggested: Vec<_> = related.iter().skip(1).cloned().collect();
    assert!(
        suggested.iter().all(|r| !r.close && r.id != talks),
        "{suggested:?}"
    );
}

#[tokio::test]
async fn compacting_leaves_a_segment_per_core_and_the_same_answers() {
    let (dir, store) = corpus_store().await;
    let index = SearchIndex::open(&dir.path().join("index"), Analyzer::new()).unwrap();
    // One commit per article, as trickle updates make them: a segment each.
    let rows = store.articles_changed_since(i64::MIN, 100).await.unwrap();
    for row in rows {
        let seq = row.change_seq;
        index.put(&[row.into()]).unwrap();
        index.commit(Some(seq)).unwrap();
    }
    let before = titles(&store, &index, "台风").await;
    assert!(!before.is_empty());
    let watermark = index.watermark();
    let segments = index.compact().unwrap();
    assert!(segments > 1, "{segments}");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert!(
        index.segment_count() <= cores.max(1),
        "{}",
        index.segment_count()
    );
    assert_eq!(titles(&store, &index, "台风").await, before);
    assert_eq!(index.watermark(), watermark, "the catch-up mark survives");
    assert_eq!(
        index.compact().unwrap(),
        index.segment_count(),
        "nothing left to merge"
    );
}
