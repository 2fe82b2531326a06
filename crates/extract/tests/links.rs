//! Article links on list pages the team wrote in several portal layouts (a section page with
//! a ul list, ads, a ranking and a footer; cards with thumbnails and a sidebar; a government
//! site's table with pagination; a page with no list at all), and the editor's narrowing
//! rules. Each fixture's `.expected` file names the page's URL, its next page and its links.

use url::Url;
use xinwen_extract::links::{LinkRules, article_links};

fn fixture(name: &str) -> (String, Url, Option<String>, Vec<String>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/list-pages/");
    let html = std::fs::read_to_string(format!("{dir}{name}.html")).expect("fixture");
    let expected = std::fs::read_to_string(format!("{dir}{name}.expected")).expect("expected");
    let mut page_url = None;
    let mut next = None;
    let mut links = Vec::new();
    for line in expected.lines() {
        if let Some(url) = line.strip_prefix("# page-url:") {
            page_url = Some(Url::parse(url.trim()).expect("a URL"));
        } else if let Some(url) = line.strip_prefix("# next:") {
            next = Some(url.trim().to_owned()).filter(|u| !u.is_empty());
        } else if !line.trim().is_empty() {
            links.push(line.trim().to_owned());
        }
    }
    (html, page_url.expect("page-url"), next, links)
}

fn check(name: &str) {
    let (html, page_url, next, expected) = fixture(name);
    let rules = LinkRules::default().compile().unwrap();
    let page = article_links(&html, &page_url, &rules);
    let found: Vec<&str> = page.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(found, expected, "{name}");
    assert_eq!(page.next_page, next, "{name}: next page");
    for link in &page.links {
        assert!(
            link.text.chars().count() >= 6,
            "{name}: {link:?} has its title"
        );
    }
}

#[test]
fn a_section_page_gives_its_list_and_not_the_ads_ranking_or_footer() {
    check("portal-ul");
}

#[test]
fn cards_give_each_article_once_with_its_title() {
    check("cards");
    let (html, page_url, _, _) = fixture("cards");
    let page = article_links(&html, &page_url, &LinkRules::default().compile().unwrap());
    assert_eq!(page.links[0].text, "国产低空无人机配送试点扩大到十个城市");
}

#[test]
fn a_government_table_with_relative_links_and_pagination() {
    check("gov-table");
}

#[test]
fn a_page_without_a_list_gives_no_links() {
    check("no-articles");
}

#[test]
fn an_editor_narrows_by_selector_and_pattern() {
    let (html, page_url, _, _) = fixture("portal-ul");
    // The side ranking, chosen on purpose: the selector is trusted over the heuristics.
    let rules = LinkRules {
        selector: Some(".side-col ol".into()),
        url_pattern: None,
    };
    let page = article_links(&html, &page_url, &rules.compile().unwrap());
    assert_eq!(page.links.len(), 3);
    let rules = LinkRules {
        selector: None,
        url_pattern: Some(r"/2026/11/29/".into()),
    };
    let page = article_links(&html, &page_url, &rules.compile().unwrap());
    let found: Vec<&str> = page.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        found,
        [
            "https://www.qinglan-online.example/local/2026/11/29/heating.html",
            "https://www.qinglan-online.example/local/2026/11/29/library.html"
        ]
    );
}

#[test]
fn links_to_other_sites_and_scripts_are_never_taken() {
    let html = r#"<ul>
        <li><a href="https://other.example/2026/11/01/a.html">别家网站的一篇长长的新闻标题在这里</a></li>
        <li><a href="javascript:alert(1)">脚本链接伪装成新闻标题的样子</a></li>
        <li><a href="data:text/html,x">数据链接伪装成新闻标题的样子</a></li>
        <li><a href="/2026/11/02/b.html">本站的一篇新闻标题足够长了</a></li>
        <li><a href="/2026/11/03/c.html">本站的另一篇新闻标题也足够长</a></li>
    </ul>"#;
    let page_url = Url::parse("https://news.example/list/").unwrap();
    let page = article_links(html, &page_url, &LinkRules::default().compile().unwrap());
    let found: Vec<&str> = page.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        found,
        [
            "https://news.example/2026/11/02/b.html",
            "https://news.example/2026/11/03/c.html"
        ]
    );
}
