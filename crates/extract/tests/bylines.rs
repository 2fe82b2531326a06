//! Where Chinese pages name who wrote and who edited, one small page each under
//! `tests/fixtures/bylines/` (written for these tests; people and places are invented).

use std::path::Path;

fn extract(name: &str) -> xinwen_extract::Article {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bylines")
        .join(name);
    let bytes = std::fs::read(&path).unwrap();
    xinwen_extract::extract(&bytes, Some("https://news.example/a/1.html"), None)
}

#[test]
fn a_portal_names_its_editor_not_an_author_and_its_own_name_is_no_byline() {
    // The meta author is the portal itself (as 163.com's 网易): no person, so no byline.
    let article = extract("portal-editor-only.html");
    assert!(article.authors.is_empty(), "{:?}", article.authors);
    assert_eq!(
        article.editors,
        ["吴海涛"],
        "the staff code after _ is left out"
    );
    assert_eq!(article.source_name.as_deref(), Some("东海晚报"));
    assert_eq!(
        article.title.as_deref(),
        Some("青澜港新航线下月开通 每周三班直达南屿岛")
    );
}

#[test]
fn a_date_and_source_beside_the_headline_in_a_header_block_are_read() {
    // The headline, its time and 来源 sit in a block the page calls its header, which is
    // furniture everywhere else; a ticker repeats the headline first.
    let article = extract("header-block-dateline.html");
    assert_eq!(
        article.title.as_deref(),
        Some("北山国举行议会选举 投票率创新高"),
        "the site's name after a bare hyphen is cut"
    );
    assert_eq!(
        article.published_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-22T07:57:40+08:00")
    );
    assert_eq!(article.source_name.as_deref(), Some("远望网"));
    assert_eq!(article.authors, ["林晓舟"], "from the dateline's brackets");
}

#[test]
fn a_credit_in_brackets_at_the_end_names_reporters_not_the_newspaper_in_the_text() {
    // 「告诉本报记者」 in the text is no byline; the brackets that end the article are.
    let article = extract("credits-at-the-end.html");
    assert_eq!(article.authors, ["许明哲", "龚雨桐"]);
}

#[test]
fn a_reporter_line_under_the_body_gives_the_name_not_the_place() {
    let article = extract("reporter-line-below.html");
    assert_eq!(
        article.authors,
        ["郑可欣"],
        "云溪 is where the story was filed from"
    );
}

#[test]
fn a_byline_with_a_line_for_each_role_names_everyone_and_the_day_gets_its_shown_time() {
    // Interns on one line, the reporter on the next; the head gives the day alone and the
    // line under the headline the time.
    let article = extract("byline-per-role.html");
    assert_eq!(article.authors, ["钱雨彤", "孟一凡", "宋立言"]);
    assert_eq!(
        article.published_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-10-08T09:25:00+08:00")
    );
}

#[test]
fn a_label_after_the_name_is_not_a_name_and_unknown_is_nobody() {
    // 「作者：青石小径 时间：…」 on a forum post; the footer's 「作者：未知」 names nobody.
    let article = extract("labelled-fields.html");
    assert_eq!(article.authors, ["青石小径"]);
    assert_eq!(article.editors, ["吕清和"]);
    assert_eq!(
        article.published_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-04-02T21:16:40+08:00")
    );
}

#[test]
fn an_essay_under_an_unmatched_title_names_its_author_and_its_periodical_gives_the_month() {
    // The page's <title> says nothing; a heading, the author's name, a subtitle with a dash,
    // and at the end the issue of the magazine the essay is reprinted from.
    let article = extract("essay-reprint.html");
    assert_eq!(article.authors, ["柯望舒"]);
    assert_eq!(
        article.published_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2003-04-01T00:00:00+08:00")
    );
}

#[test]
fn a_post_dated_in_its_closing_line_is_dated_there() {
    let article = extract("blog-post-footer.html");
    assert_eq!(
        article.published_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-04-18T15:40:00+08:00")
    );
}

#[test]
fn dates_that_follow_each_of_a_run_of_links_are_theirs_not_the_page_s() {
    let article = extract("dated-links-only.html");
    assert!(article.is_article, "{:?}", article.warnings);
    assert_eq!(article.published_at, None);
}

#[test]
fn a_forum_post_names_who_posted_it_in_its_closing_line() {
    let article = extract("forum-poster-line.html");
    assert_eq!(article.authors, ["青石板"]);
}

#[test]
fn a_blog_is_credited_to_the_author_it_links_most_not_a_commenter() {
    let article = extract("blog-owner-links.html");
    assert_eq!(article.authors, ["陶然居士"]);
}

#[test]
fn a_name_in_brackets_in_the_dateline_is_the_writer_and_the_source_is_not() {
    let article = extract("portal-dateline-brackets.html");
    assert_eq!(article.authors, ["郑晓舟"]);
}

#[test]
fn a_paper_credits_its_citation_authors_not_its_publisher_and_padded_names_close_up() {
    let article = extract("scholarly-citation.html");
    assert_eq!(article.authors, ["宁远", "白雪松"]);
}

#[test]
fn a_screen_name_after_the_author_label_is_kept_whole() {
    let article = extract("forum-screen-name.html");
    assert_eq!(article.authors, ["木匠&阿南"]);
}

#[test]
fn a_time_stored_in_utc_is_given_in_the_offset_the_page_shows() {
    let article = extract("shown-offset.html");
    assert_eq!(
        article.published_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-02-06T13:48:06+01:00")
    );
}

#[test]
fn a_forum_archive_post_names_its_writers_under_its_headline_and_dates_them_above_it() {
    // The thread's breadcrumb and its headline, twice, open the body; the <title> ends with
    // the software's English tagline, which has more letters than the headline has characters.
    let article = extract("forum-archive-coauthors.html");
    assert_eq!(
        article.title.as_deref(),
        Some("城郊菜市场的变迁与社区生活(页 1)")
    );
    // 风 is too rare a family name for the list of common ones; listed with 、 beside a
    // common one, it is read as a name.
    assert_eq!(article.authors, ["赵明远", "风晓川"]);
    assert_eq!(
        article.published_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-05-29T09:07:00+08:00"),
        "the post's time over its headline, not a date further down"
    );
}

#[test]
fn a_blog_post_is_dated_by_the_line_over_its_headline_not_the_banner_or_the_comments() {
    let article = extract("blog-date-over-headline.html");
    assert_eq!(article.title.as_deref(), Some("渡口边的早点摊"));
    assert_eq!(
        article.published_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-09-12T10:56:00+08:00")
    );
}

#[test]
fn an_english_byline_that_runs_into_its_date_gives_the_names_and_the_date() {
    let article = extract("english-byline-runs-into-date.html");
    assert_eq!(article.authors, ["Mara Quinlan", "Tomas Eberle"]);
    assert_eq!(
        article.published_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-16T00:00:00+08:00")
    );
}

#[test]
fn a_columnists_byline_names_the_writer_after_the_outlet_and_role() {
    // 【文/远望网专栏作者 林晓舟】: the outlet and the role come before the name. The page
    // shows no time; Baidu's description of it gives one. The editor's name is on the line
    // after its label.
    let article = extract("column-byline-baidu-date.html");
    assert_eq!(article.authors, ["林晓舟"]);
    assert_eq!(
        article.published_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-11-07T09:27:48+08:00")
    );
    assert_eq!(article.editors, ["吴海涛"]);
}

#[test]
fn an_old_page_whose_title_is_not_its_headline_is_titled_by_what_it_sets_apart_over_the_body() {
    // 「显示」 is the forum software's <title> for every post; the headline is the bold line
    // over the body, and the breadcrumb over it is not.
    let article = extract("portal-title-is-not-the-headline.html");
    assert_eq!(article.title.as_deref(), Some("渡口的早晨(上)"));
    assert_eq!(article.authors, ["林晓舟"]);
}
