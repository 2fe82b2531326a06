//! Stories on the running demo site: a repost is shown once, credits its original, and the
//! 热点 list, its feed and the story timeline say who covered what.

mod common;

use common::{Server, article_url, get};

#[test]
fn a_story_is_shown_once_credited_and_its_coverage_listed() {
    let server = Server::demo();
    // The repost (热播快讯) copies 东海晚报's typhoon report word for word.
    let repost = article_url(&server, "rebo-kuaixun", "紧急扩散！台风“白鹭”逼近南屿岛");
    let (_, page) = get(&repost);
    let also = &page[page.find("also-reported").expect("the also-reported block")..];
    assert!(
        also.contains("首发：") && also.contains("东海晚报"),
        "{also}"
    );
    assert!(also.contains("共有 2 家来源报道了这条新闻"), "{also}");
    let story_at = also.find("href=\"/story/").unwrap() + "href=\"".len();
    let story_path = &also[story_at..story_at + also[story_at..].find('"').unwrap()];

    let (status, timeline) = get(&format!("{}{story_path}", server.url));
    assert_eq!(status, 200);
    let first = timeline.find("东海晚报").unwrap();
    let second = timeline.find("热播快讯").unwrap();
    assert!(first < second, "the timeline runs oldest first");
    assert!(
        timeline[..second].contains("首发"),
        "the original is marked"
    );
    // Each source says what kind of publisher it is: an official evening paper, a self-media
    // WeChat account.
    assert!(
        timeline[first..second]
            .contains("<span class=\"source-type\" title=\"来源类型\">官方媒体</span>"),
        "{timeline}"
    );
    assert!(
        timeline[second..].contains("<span class=\"source-type\" title=\"来源类型\">自媒体</span>"),
        "{timeline}"
    );

    // Lists and search show the story once: by the original.
    let (_, home) = get(&format!("{}/", server.url));
    let mut all = String::new();
    for n in 1..=10 {
        let (status, list) = get(&format!("{}/?page={n}", server.url));
        if status != 200 {
            break;
        }
        all.push_str(&list);
    }
    assert!(all.contains("台风“白鹭”逼近南屿岛 渡轮今起全线停航"));
    assert!(
        !all.contains("紧急扩散！台风"),
        "the repost is not listed beside its original"
    );
    let (_, results) = get(&format!(
        "{}/search?q=%E6%B8%A1%E8%BD%AE%E4%BB%8A%E8%B5%B7%E5%85%A8%E7%BA%BF%E5%81%9C%E8%88%AA",
        server.url
    ));
    assert_eq!(
        results.matches("<li class=\"item\">").count(),
        1,
        "one story, one result: {results}"
    );
    // The result is the original, however the repost ranks, and the count is what is listed.
    assert!(
        results.contains("台风“<mark>白鹭</mark>”逼近南屿岛")
            || results.contains("逼近南屿岛 <mark>渡轮"),
        "{results}"
    );
    assert!(!results.contains("紧急扩散"), "{results}");
    assert!(results.contains("共找到 1 篇文章"), "{results}");

    // Feeds carry the credit the article page gives: the publication, the carrier, the link.
    let (_, feed) = get(&format!("{}/source/rebo-kuaixun/feed.xml", server.url));
    assert!(
        feed.contains("来源：东海晚报（<a href=\"")
            && feed.contains("wx.example/s/rebo-typhoon-ferries\">阅读原文"),
        "{feed}"
    );

    // 热点: the stories several sources tell, on the home page, their page and their feed.
    assert!(
        home.contains("class=\"hot\"") && home.contains("家来源报道"),
        "{home}"
    );
    let (status, hot) = get(&format!("{}/hot", server.url));
    assert_eq!(status, 200);
    assert!(hot.contains("居民用水价格听证会举行"), "{hot}");
    let (status, feed) = get(&format!("{}/hot/feed.xml", server.url));
    assert_eq!(status, 200);
    assert!(feed.contains("<item>") && feed.contains("居民用水价格听证会举行"));
    let (status, _) = get(&format!("{}/story/999999", server.url));
    assert_eq!(status, 404);
}
