//! Page layouts that once cost the extractor part or all of an article, each written here as
//! a small page (`tests/fixtures/layouts/`) holding only the trap. Each test names what must be
//! in the text and what must not.

use std::path::Path;

fn extract(name: &str) -> xinwen_extract::Article {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/layouts")
        .join(name);
    let bytes = std::fs::read(&path).unwrap();
    xinwen_extract::extract(&bytes, Some("https://news.example/story"), None)
}

fn assert_text(name: &str, present: &[&str], absent: &[&str]) {
    let article = extract(name);
    assert!(article.is_article, "{name} is not taken for an article");
    for phrase in present {
        assert!(
            article.text.contains(phrase),
            "{name}: {phrase:?} is missing from\n{}",
            article.text
        );
    }
    for phrase in absent {
        assert!(
            !article.text.contains(phrase),
            "{name}: {phrase:?} should not be in\n{}",
            article.text
        );
    }
}

#[test]
fn a_read_more_button_inside_the_body_does_not_end_the_article() {
    assert_text(
        "read-more-button.html",
        &["Until then, passengers", "last boat back to the island"],
        &["Read More", "Lighthouse open day"],
    );
}

#[test]
fn paragraphs_written_as_divs_between_photos_are_not_a_gallery() {
    assert_text(
        "div-paragraphs-with-photos.html",
        &[
            "first visitors were queueing",
            "bought prints of their own portraits",
        ],
        &[],
    );
}

#[test]
fn a_margin_utility_class_is_not_a_page_bottom() {
    assert_text(
        "margin-utility-classes.html",
        &["share ladders and crates"],
        &["Bridge repairs"],
    );
}

#[test]
fn an_article_cut_into_chunks_is_whole() {
    assert_text(
        "split-into-chunks.html",
        &["head librarian said", "learned the hard way"],
        &["Watch: the tool shelf", "Advertisement"],
    );
}

#[test]
fn a_list_of_names_broken_by_br_does_not_outweigh_the_prose() {
    assert_text(
        "br-list-beside-article.html",
        &["public meeting before any route is cut"],
        &["Ada Brooks"],
    );
}

#[test]
fn an_article_wrapped_in_an_aside_is_found() {
    assert_text(
        "article-in-aside.html",
        &["借期一周", "交换工具目录"],
        &["关于我们"],
    );
}

#[test]
fn captions_outside_figures_stay_out_of_the_text() {
    let article = extract("captions-outside-figures.html");
    assert_text(
        "captions-outside-figures.html",
        &["wood-fired oven", "entry is free"],
        &[
            "The mill wheel turned",
            "lights the oven at six",
            "Mill Society",
        ],
    );
    // The pictures themselves are kept, and their captions stay under them in the HTML.
    assert_eq!(article.images.len(), 2, "{:?}", article.images);
    assert!(
        article.html.contains("The mill wheel turned"),
        "{}",
        article.html
    );
}

#[test]
fn a_lead_under_the_headline_comes_before_the_body() {
    let article = extract("lead-under-headline.html");
    assert_text(
        "lead-under-headline.html",
        &["After eleven years without them", "Tickets go on sale"],
        &["Ruth Marlow"],
    );
    assert!(
        article.text.starts_with("After eleven years without them"),
        "{}",
        article.text
    );
}

#[test]
fn a_lead_in_a_page_header_named_as_furniture_is_kept() {
    let article = extract("lead-in-page-header.html");
    assert!(
        article.text.starts_with("废弃二十多年的青石镇老码头"),
        "{}",
        article.text
    );
    assert!(article.text.contains("旧木牌"), "{}", article.text);
    assert!(!article.text.contains("分享"), "{}", article.text);
}

#[test]
fn a_list_of_people_with_linked_names_is_part_of_the_story() {
    assert_text(
        "list-with-some-links.html",
        &[
            "shy reader asks",
            "knows every reader by name",
            "more volunteers",
        ],
        &[],
    );
}

#[test]
fn recipe_steps_each_with_a_photo_are_not_a_gallery() {
    assert_text(
        "steps-with-photos.html",
        &["Press the tofu", "return the tofu to the wok"],
        &[],
    );
}

#[test]
fn teasers_for_other_stories_are_not_a_lead() {
    let teaser = |n: usize| {
        format!(
            r#"<div class="teaser"><div class="teaser-text">Story {n} of the week: the council has decided to repaint the old bandstand in the park before the summer concerts begin.</div></div>"#
        )
    };
    let teasers: String = (1..=3).map(teaser).collect();
    let page = format!(
        r#"<html><head><title>Ferry timetable changes from Monday</title></head><body>
<h1>Ferry timetable changes from Monday</h1>
<div class="rail">{teasers}</div>
<div class="story"><div class="story-body">
<p>The island ferry will leave twenty minutes earlier on weekday mornings from Monday, so that commuters can reach the first train on the mainland, the ferry company said.</p>
<p>Evening sailings do not change. The company said it would look at the weekend timetable again in the spring, after asking passengers what they need.</p>
<p>Season tickets bought before Monday remain valid, and refunds are available at the harbour office for anyone the new times do not suit.</p>
</div><div class="tools"><a href="/print">Print</a></div></div>
</body></html>"#
    );
    let article = xinwen_extract::extract(page.as_bytes(), Some("https://news.example/f"), None);
    assert!(
        article.text.starts_with("The island ferry"),
        "{}",
        article.text
    );
    assert!(!article.text.contains("bandstand"), "{}", article.text);
}

#[test]
fn german_credits_share_prompts_and_reading_lists_are_furniture() {
    assert_text(
        "german-furniture.html",
        &[
            "neues Wartehaus",
            "Zur Person",
            "Kosten teilen sich Gemeinde und Land",
        ],
        &[
            "Foto: Gemeinde Lindau",
            "Diesen Artikel teilen",
            "Zum Weiterlesen",
            "Winterdienst am Anleger",
        ],
    );
}

#[test]
fn a_subscription_prompt_a_bare_date_and_a_posted_in_line_close_no_article() {
    assert_text(
        "closing-furniture.html",
        &["second slipway", "annual regatta"],
        &[
            "subscribe to The Harbour Weekly",
            "03.04.2025",
            "This entry was posted",
        ],
    );
}

#[test]
fn a_table_with_icons_in_its_cells_is_not_a_gallery() {
    let article = extract("table-with-icons.html");
    assert_text(
        "table-with-icons.html",
        &[
            "普通月票每月八十元",
            "学生月票每月四十元",
            "长者月票限六十五岁",
        ],
        &[],
    );
    assert!(article.html.contains("<table>"), "{}", article.html);
}

#[test]
fn prompts_toggles_and_labels_between_paragraphs_are_furniture() {
    assert_text(
        "prompts-and-labels.html",
        &[
            "bis zwanzig Uhr geöffnet",
            "keine Zeit für einen Besuch",
            "rund um die Uhr möglich",
        ],
        &[
            "Kategorie:",
            "Artikel teilen",
            "enjoyed reading",
            "Quellen ausblenden",
            "ohne Gewähr",
            "nützlich",
            "einloggen",
            "Zurück zur Übersicht",
            "Inhaltsverzeichnis",
            "Kontakt",
            "auch interessieren",
            "Mehr Themen",
        ],
    );
}

#[test]
fn a_post_made_of_linked_titles_is_read_from_its_paragraphs() {
    let article = extract("link-roll-post.html");
    for phrase in [
        "alle Busse elektrisch fahren",
        "ihre Öffnungszeiten verlängert",
        "Was sich in der Altstadt verändert hat",
    ] {
        assert!(
            article.text.contains(phrase),
            "{phrase:?} is missing from\n{}",
            article.text
        );
    }
    assert!(
        !article.text.contains("Zum Inhalt springen"),
        "{}",
        article.text
    );
    // Link titles alone are not an article's prose.
    assert!(!article.is_article);
}

#[test]
fn ruby_readings_are_not_part_of_the_text() {
    assert_text(
        "ruby-readings.html",
        &[
            "来月から、町の図書館は月曜日から金曜日まで",
            "仕事のあとに本を借りたい",
        ],
        &["としょかん", "らいげつ", "(しごと)"],
    );
}

#[test]
fn a_cookie_consent_layer_is_furniture_however_long() {
    let article = extract("cookie-dialog.html");
    assert!(
        article.text.contains("Äpfel in Spalten darauflegen"),
        "{}",
        article.text
    );
    assert!(!article.text.contains("Cookies"), "{}", article.text);
}

#[test]
fn an_author_box_longer_than_the_story_is_not_the_story() {
    let article = extract("author-bio.html");
    assert!(
        article.text.contains("every ninety minutes"),
        "{}",
        article.text
    );
    assert!(!article.text.contains("deckhand"), "{}", article.text);
}

#[test]
fn newsletter_and_donation_boxes_inside_the_body_are_furniture() {
    assert_text(
        "appeal-boxes.html",
        &[
            "vier Kilometer neue Radwege",
            "Reihenfolge der Bauabschnitte",
        ],
        &["kostenlos anmelden", "mit einer Spende"],
    );
}

#[test]
fn a_short_h1_in_the_body_that_is_not_the_title_is_a_heading() {
    assert_text(
        "h1-section-heading.html",
        &["Unsere Geschichte", "auf Obstkisten saßen"],
        &[],
    );
}

#[test]
fn a_subheading_right_under_the_headline_is_its_deck() {
    let article = extract("deck-under-headline.html");
    let deck = article.text.find("sammeln Bewohner Unterschriften");
    let body = article.text.find("Mehr als dreihundert Haushalte");
    assert!(deck.is_some() && deck < body, "{}", article.text);
}

#[test]
fn a_paragraph_inside_a_bold_wrapper_is_written_not_taken_for_a_repeat() {
    assert_text(
        "paragraph-in-bold.html",
        &[
            "Holpert es bei Ihnen beim Aussitzen",
            "Die erste Übung beginnt am Boden",
        ],
        &[],
    );
}

#[test]
fn a_recipes_ingredients_in_a_box_beside_the_method_belong_to_it() {
    assert_text(
        "recipe-page.html",
        &["Magerquark", "säuerliche Äpfel", "goldbraun ist"],
        &[],
    );
}

#[test]
fn overlays_hidden_until_opened_are_not_the_article() {
    assert_text(
        "recipe-page.html",
        &["dachziegelartig"],
        &["Vielen Dank!", "bewerte das Bild"],
    );
}

#[test]
fn readers_ratings_are_furniture() {
    assert_text("recipe-page.html", &["Zitronensaft"], &["Stimmen"]);
}

#[test]
fn a_furniture_line_inside_a_longer_block_is_dropped_alone() {
    assert_text(
        "lines-of-furniture.html",
        &[
            "review the timetable in September",
            "Sign up for a harbour card",
            "可以分享到更多便利",
            "增加一条线路",
            "分享到了夜航的便利",
        ],
        &[
            "Source: Port Authority",
            "Category:",
            "Transport",
            "Subscribe now",
        ],
    );
}

#[test]
fn a_paragraph_wrapped_in_the_source_is_one_line_of_text() {
    let article = extract("wrapped-source.html");
    let lines: Vec<&str> = article.text.lines().collect();
    assert!(
        lines.contains(
            &"记者从古镇管理处获悉，横跨老河的三孔石桥经过半年修缮，已于本周完成验收，将在周六上午恢复通行。修缮期间，工匠们按照旧法重新砌筑了桥面，并更换了二十多块风化严重的石栏板。"
        ),
        "{}",
        article.text
    );
    assert!(
        lines.contains(
            &"The bridge will reopen on Saturday morning, the heritage office said, after six months of repairs to its deck and parapet."
        ),
        "{}",
        article.text
    );
    assert_eq!(lines.len(), 3, "{}", article.text);
}

#[test]
fn a_line_under_a_picture_that_says_it_is_a_caption_goes_with_the_picture() {
    let article = extract("caption-lines-under-pictures.html");
    // （资料图） and 摄 mark captions and credits; the line under the third picture is a
    // sentence of the story and stays.
    assert_text(
        "caption-lines-under-pictures.html",
        &[
            "首批靠泊的货轮来自南方各港口",
            "码头工人在控制室里监看作业画面",
        ],
        &["新码头的岸桥正在卸货", "记者 林晓 摄"],
    );
    let captions: Vec<&str> = article.images.iter().map(|i| i.caption.as_str()).collect();
    assert_eq!(
        captions,
        ["新码头的岸桥正在卸货（资料图）", "记者 林晓 摄", ""]
    );
    // Kept under its picture in the HTML, as a <figcaption> would be.
    assert!(
        article.html.contains("新码头的岸桥正在卸货（资料图）"),
        "{}",
        article.html
    );
}
