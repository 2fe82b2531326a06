//! Charts for editors, drawn on the server as SVG: they need no script (the site sends none)
//! and scale to the width of a phone. Each chart carries its title and a summary in words for
//! screen readers, and each bar its value as a tooltip.

use std::fmt::Write as _;

/// One series of a chart: a name for the legend, a colour, a value per day.
pub struct Series {
    pub name: String,
    pub colour: &'static str,
    pub values: Vec<u64>,
}

/// Colours that stay apart for most colour-blind readers (Okabe and Ito's palette), then grey
/// for "the rest".
pub const PALETTE: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999",
];

// A small drawing, so that its text stays legible when a phone shrinks it to its width.
const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;
const FONT: &str = "13";
/// Lines across the chart above its base, each a round step apart.
const STEPS: u64 = 4;

/// Text for SVG, escaped: names come from publishers' feeds.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The top of the axis: [`STEPS`] times a round step (1, 2, 3 or 5 times a power of ten), at
/// or above `max`, so that every line across the chart has a whole number.
fn axis_top(max: u64) -> u64 {
    let mut power = 1;
    loop {
        for m in [1, 2, 3, 5] {
            if power * m * STEPS >= max.max(1) {
                return power * m * STEPS;
            }
        }
        power *= 10;
    }
}

/// The frame every chart shares: the `<svg>` with its title and summary, the horizontal axis
/// lines with their values, and a day label under every seventh day.
fn frame(out: &mut String, id: &str, title: &str, summary: &str, days: &[String], top: u64) {
    let _ = write!(
        out,
        r#"<svg class="chart" id="{id}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMidYMid meet"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(summary)
    );
    let plot_height = HEIGHT - TOP - BOTTOM;
    for i in 0..=STEPS {
        let value = top * i / STEPS;
        let y = TOP + plot_height - plot_height * i as f64 / STEPS as f64;
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#8884" stroke-width="1"/><text x="{}" y="{:.1}" font-size="{FONT}" text-anchor="end" fill="currentColor">{value}</text>"##,
            WIDTH - RIGHT,
            LEFT - 4.0,
            y + 4.0
        );
    }
    let slot = (WIDTH - LEFT - RIGHT) / days.len().max(1) as f64;
    for (i, day) in days.iter().enumerate() {
        // The last day always, and every seventh before it.
        if (days.len() - 1 - i).is_multiple_of(7) {
            let x = LEFT + slot * (i as f64 + 0.5);
            let _ = write!(
                out,
                r#"<text x="{x:.1}" y="{}" font-size="{FONT}" text-anchor="middle" fill="currentColor">{}</text>"#,
                HEIGHT - 8.0,
                escape(day)
            );
        }
    }
}

/// Bars per day, the series stacked.
pub fn stacked_bars(id: &str, title: &str, days: &[String], series: &[Series]) -> String {
    let totals: Vec<u64> = (0..days.len())
        .map(|d| {
            series
                .iter()
                .map(|s| s.values.get(d).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let top = axis_top(totals.iter().copied().max().unwrap_or(0));
    let summary = format!(
        "共 {} 天，合计 {}，单日最多 {}",
        days.len(),
        totals.iter().sum::<u64>(),
        totals.iter().max().copied().unwrap_or(0)
    );
    let mut out = String::new();
    frame(&mut out, id, title, &summary, days, top);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / days.len().max(1) as f64;
    for (d, day) in days.iter().enumerate() {
        let mut base = 0u64;
        for s in series {
            let value = s.values.get(d).copied().unwrap_or(0);
            if value == 0 {
                continue;
            }
            let y_low = TOP + plot_height * (1.0 - base as f64 / top as f64);
            let y_high = TOP + plot_height * (1.0 - (base + value) as f64 / top as f64);
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{y_high:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} {}：{value}</title></rect>"#,
                LEFT + slot * d as f64 + slot * 0.15,
                slot * 0.7,
                (y_low - y_high).max(0.5),
                s.colour,
                escape(day),
                escape(&s.name)
            );
            base += value;
        }
    }
    out.push_str("</svg>");
    out
}

/// A line per series.
pub fn lines(id: &str, title: &str, days: &[String], series: &[Series]) -> String {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0);
    let top = axis_top(max);
    let latest: Vec<String> = series
        .iter()
        .map(|s| format!("{} 现为 {}", s.name, s.values.last().copied().unwrap_or(0)))
        .collect();
    let summary = format!("共 {} 天；{}", days.len(), latest.join("，"));
    let mut out = String::new();
    frame(&mut out, id, title, &summary, days, top);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / days.len().max(1) as f64;
    for s in series {
        let points: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(d, v)| {
                format!(
                    "{:.1},{:.1}",
                    LEFT + slot * (d as f64 + 0.5),
                    TOP + plot_height * (1.0 - *v as f64 / top as f64)
                )
            })
            .collect();
        let _ = write!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"><title>{}</title></polyline>"#,
            points.join(" "),
            s.colour,
            escape(&s.name)
        );
    }
    out.push_str("</svg>");
    out
}

/// The legend under a chart: a swatch and a name per series, in HTML (the swatch is SVG: the
/// site's policy allows no inline styles).
pub fn legend(series: &[Series]) -> String {
    let mut out = String::from(r#"<ul class="legend">"#);
    for s in series {
        let _ = write!(
            out,
            r#"<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="{}"/></svg> {}</li>"#,
            s.colour,
            escape(&s.name)
        );
    }
    out.push_str("</ul>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(n: usize) -> Vec<String> {
        (1..=n).map(|d| format!("11/{d:02}")).collect()
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(axis_top(0), 4);
        assert_eq!(axis_top(7), 8);
        assert_eq!(axis_top(13), 20);
        assert_eq!(axis_top(85), 120);
        assert_eq!(axis_top(480), 800);
        assert_eq!(axis_top(1000), 1200);
    }

    #[test]
    fn stacked_bars_draw_each_non_zero_value_and_escape_names() {
        let series = [
            Series {
                name: "<script>alert(1)</script>".into(),
                colour: PALETTE[0],
                values: vec![3, 0, 5],
            },
            Series {
                name: "社会".into(),
                colour: PALETTE[1],
                values: vec![1, 2, 0],
            },
        ];
        let svg = stacked_bars("c", "每日文章", &days(3), &series);
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("合计 11，单日最多 5"), "{svg}");
        let legend = legend(&series);
        assert!(legend.contains("社会") && !legend.contains("<script>"));
    }

    #[test]
    fn lines_have_a_point_per_day() {
        let series = [Series {
            name: "读者投稿".into(),
            colour: PALETTE[2],
            values: vec![0, 4, 2, 1],
        }];
        let svg = lines("q", "待处理", &days(4), &series);
        let points = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(points.split(' ').count(), 4);
        assert!(svg.contains("读者投稿 现为 1"));
    }
}
