//! Golden fixtures: pages we wrote to look like the pages xinwen meets (a WeChat article, a
//! portal page buried in clutter, a GBK page from a table layout, a list page, a page with a
//! byline and a 来源 line like the reference page), each with the article we expect from it.
//!
//! `tests/fixtures/NAME.html` is the page; `NAME.expected.json` the expected fields, written
//! by hand as a reader would want the article, not copied from what the extractor happens to
//! give: a failure prints what it gave, to compare field by field.

use serde_json::{Value, json};
use std::path::Path;

fn check(name: &str, page_url: &str) -> xinwen_extract::Article {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let bytes = std::fs::read(dir.join(format!("{name}.html"))).unwrap();
    let article = xinwen_extract::extract(&bytes, Some(page_url), None);
    let got = json!({
        "title": article.title,
        "authors": article.authors,
        "editors": article.editors,
        "source_name": article.source_name,
        "site_name": article.site_name,
        "published_at": article.published_at.map(|t| t.to_rfc3339()),
        "canonical_url": article.canonical_url,
        "is_article": article.is_article,
        "text": article.text.lines().collect::<Vec<_>>(),
        "images": article.images.iter().map(|i| json!([i.src, i.alt, i.caption])).collect::<Vec<_>>(),
        "wechat": article.wechat,
    });
    let expected_path = dir.join(format!("{name}.expected.json"));
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} is missing", expected_path.display())),
    )
    .unwrap();
    assert_eq!(
        got,
        expected,
        "{name}: got\n{}",
        serde_json::to_string_pretty(&got).unwrap()
    );
    article
}

fn assert_clean(article: &xinwen_extract::Article) {
    let title = article.title.as_deref().unwrap();
    assert!(
        !article.text.contains(title),
        "the title is repeated in the body"
    );
    for clutter in [
        "扫码关注",
        "长按识别二维码",
        "相关阅读",
        "阅读原文",
        "责任编辑",
        "版权所有",
        "网友评论",
        "分享",
        "首页",
    ] {
        assert!(
            !article.text.contains(clutter),
            "{clutter} survived:\n{}",
            article.text
        );
    }
    assert!(!article.html.contains("<script"));
}

#[test]
fn a_wechat_article() {
    let a = check("wechat", "https://mp.weixin.qq.com/s/abcdef");
    assert_clean(&a);
    let wechat = a.wechat.as_ref().unwrap();
    assert_eq!(wechat.account.as_deref(), Some("数码前沿"));
    assert!(wechat.original);
    assert_eq!(
        wechat.source_url.as_deref(),
        Some("https://xinghe-ribao.example/2026/11/10/chenxi-3-launch.html")
    );
    assert_eq!(
        a.images[0].src,
        "https://mmbiz.qpic.example/mmbiz_png/abc/640?wx_fmt=png"
    );
    assert!(
        a.html.contains("<h2>"),
        "the sub-heading is kept: {}",
        a.html
    );
}

#[test]
fn a_portal_page_with_heavy_clutter() {
    let a = check(
        "portal",
        "https://xinghe.example/2026/11/18/qinglan-bridge-opens.html?from=home",
    );
    assert_clean(&a);
    assert!(
        a.text.ends_with("下一步还将在桥下建设滨江步道。"),
        "{}",
        a.text
    );
    assert!(
        a.html
            .contains("<figcaption>青澜跨江大桥主桥跨度1180米，为双向八车道。</figcaption>")
    );
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("https://xinghe.example/2026/11/18/qinglan-bridge-opens.html")
    );
}

#[test]
fn a_gbk_page_in_a_table_layout() {
    let a = check("gbk", "http://donghai.example/kj/20261112/1.html");
    assert_clean(&a);
    assert!(
        a.warnings.iter().any(|w| w == "decoded from gb18030"),
        "{:?}",
        a.warnings
    );
    assert_eq!(a.text.lines().count(), 3);
}

#[test]
fn a_list_page_is_not_an_article() {
    let a = check("list", "https://xinghe.example/news/");
    assert!(!a.is_article);
}

#[test]
fn a_byline_and_source_line_like_the_reference_page() {
    let a = check("byline", "https://yuanwang.example/world/2026/11/21/accord");
    assert_clean(&a);
    assert_eq!(a.authors, ["孟佳"]);
    assert_eq!(a.source_name.as_deref(), Some("远望国际"));
    assert!(!a.text.contains("海鲜"), "related-reading filler survived");
    assert!(!a.text.contains("戳这里"));
}

#[test]
fn a_short_post_keeps_its_comments_out() {
    // A short post is what makes the extractor look again through class names; the
    // comments under it must stay out even then, whatever else their section is called.
    let comment = |n: usize| {
        format!(
            r#"<li class="comment depth-1" id="comment-{n}"><div class="comment-body"><p>第{n}位读者：我读完这篇文章以后想了很久，觉得渡轮停航的安排还可以更早通知大家，码头上的告示也应该写得更清楚一些，方便老人和第一次来岛上的游客。</p></div></li>"#
        )
    };
    let comments: String = (1..=12).map(comment).collect();
    let page = format!(
        r#"<html><head><title>南屿岛渡轮恢复通知 - 青澜小站</title></head><body>
<div id="content" class="site-content"><main id="main" class="site-main">
<article class="post"><h1>南屿岛渡轮恢复通知</h1>
<div class="entry-content"><p>台风过后，南屿岛客运渡轮今天上午恢复航行，首班船八点开出。码头工作人员提醒旅客提前半小时到达，凭身份证购票。</p></div></article>
<div id="comments" class="comments-area post-comments"><h3 class="comments-title">评论</h3>
<ul class="comment-list">{comments}</ul></div>
</main></div></body></html>"#
    );
    let a = xinwen_extract::extract(page.as_bytes(), Some("https://qinglan.example/p/1"), None);
    assert!(a.text.contains("首班船八点开出"), "{}", a.text);
    assert!(!a.text.contains("读者"), "comments survived: {}", a.text);
}
