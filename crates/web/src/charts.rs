//! Charts as SVG drawn on the server: inline in the page, no script, a few
//! kilobytes each. Every text is escaped here; a figure that stands for cases
//! carries its link when the reader may follow it.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use formats::province::Province;

/// Text safe in SVG content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
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

/// One bar, or one tile: a label, a count, where it leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub label: String,
    pub value: i64,
    pub href: Option<String>,
}

fn link_open(out: &mut String, href: &Option<String>) {
    if let Some(h) = href {
        let _ = write!(out, "<a href=\"{}\">", esc(h));
    }
}

fn link_close(out: &mut String, href: &Option<String>) {
    if href.is_some() {
        out.push_str("</a>");
    }
}

/// Horizontal bars, one per figure, the count at the end of each.
pub fn bars(title: &str, figures: &[Figure]) -> String {
    const W: i64 = 560;
    const LABEL: i64 = 170;
    const ROW: i64 = 24;
    let max = figures.iter().map(|f| f.value).max().unwrap_or(0).max(1);
    let h = ROW * figures.len() as i64 + 8;
    let mut out = format!(
        "<svg class=\"chart bars\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    for (i, f) in figures.iter().enumerate() {
        let y = i as i64 * ROW + 4;
        let len = (W - LABEL - 60) * f.value / max;
        link_open(&mut out, &f.href);
        let _ = write!(
            out,
            "<g class=\"bar\" data-value=\"{v}\"><text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{len}\" height=\"{bh}\"/>\
             <text class=\"value\" x=\"{vx}\" y=\"{ty}\">{v}</text></g>",
            v = f.value,
            lx = LABEL - 6,
            ty = y + 14,
            label = esc(&f.label),
            bh = ROW - 6,
            vx = LABEL + len + 6,
        );
        link_close(&mut out, &f.href);
    }
    out.push_str("</svg>");
    out
}

/// Where each province stands in the tile cartogram: (column, row), north up,
/// west left, one square each, roughly where the province lies. Drawn here
/// for Muster, not taken from any map.
pub const CARTOGRAM: [(Province, u8, u8); 34] = {
    use Province::*;
    [
        (Jowzjan, 3, 0),
        (Balkh, 4, 0),
        (Kunduz, 5, 0),
        (Takhar, 6, 0),
        (Badakhshan, 7, 0),
        (Faryab, 2, 1),
        (SarEPol, 3, 1),
        (Samangan, 4, 1),
        (Baghlan, 5, 1),
        (Panjshir, 6, 1),
        (Nuristan, 7, 1),
        (Badghis, 1, 2),
        (Ghor, 2, 2),
        (Bamyan, 3, 2),
        (Parwan, 4, 2),
        (Kapisa, 5, 2),
        (Laghman, 6, 2),
        (Kunar, 7, 2),
        (Herat, 0, 3),
        (Daykundi, 2, 3),
        (Wardak, 3, 3),
        (Kabul, 4, 3),
        (Logar, 5, 3),
        (Nangarhar, 6, 3),
        (Farah, 0, 4),
        (Uruzgan, 2, 4),
        (Ghazni, 3, 4),
        (Paktia, 4, 4),
        (Khost, 5, 4),
        (Nimruz, 0, 5),
        (Helmand, 1, 5),
        (Kandahar, 2, 5),
        (Zabul, 3, 5),
        (Paktika, 4, 5),
    ]
};

/// Five shades, light to dark, for counts against the largest.
const SHADES: [&str; 5] = ["#eef3f8", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];

fn shade(value: i64, max: i64) -> usize {
    if value <= 0 || max <= 0 {
        0
    } else {
        (1 + (value * 4 - 1) / max).clamp(1, 4) as usize
    }
}

/// The provinces as tiles coloured by count, the count in each tile.
/// `figure` gives a province's count and link.
pub fn cartogram(title: &str, figure: impl Fn(Province) -> (i64, Option<String>)) -> String {
    const TILE: i64 = 62;
    const GAP: i64 = 4;
    let cells: Vec<_> = CARTOGRAM
        .iter()
        .map(|(p, c, r)| (*p, *c, *r, figure(*p)))
        .collect();
    let max = cells.iter().map(|c| c.3.0).max().unwrap_or(0);
    let w = 8 * (TILE + GAP);
    let h = 6 * (TILE + GAP);
    let mut out = format!(
        "<svg class=\"chart cartogram\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    for (p, c, r, (value, href)) in &cells {
        let x = i64::from(*c) * (TILE + GAP);
        let y = i64::from(*r) * (TILE + GAP);
        let s = shade(*value, max);
        let ink = if s >= 3 { "#fff" } else { "#111" };
        link_open(&mut out, href);
        let _ = write!(
            out,
            "<g class=\"tile\" data-province=\"{code}\" data-value=\"{value}\"><title>{name}: {value}</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{TILE}\" height=\"{TILE}\" rx=\"4\" fill=\"{fill}\"/>\
             <text x=\"{cx}\" y=\"{ny}\" text-anchor=\"middle\" fill=\"{ink}\" font-size=\"11\">{short}</text>\
             <text x=\"{cx}\" y=\"{vy}\" text-anchor=\"middle\" fill=\"{ink}\" font-size=\"16\" font-weight=\"bold\">{value}</text></g>",
            code = p.code(),
            name = esc(p.name()),
            fill = SHADES[s],
            cx = x + TILE / 2,
            ny = y + 20,
            vy = y + 44,
            short = esc(&p.name().chars().take(8).collect::<String>()),
        );
        link_close(&mut out, href);
    }
    out.push_str("</svg>");
    out
}

/// Colours of the series of a line chart, in order.
pub const SERIES: [&str; 7] = [
    "#555555", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#d95f02", "#e6ab02",
];

/// Lines over days: `series` names each line, `days` holds each day's values
/// in the same order.
pub fn lines(title: &str, series: &[&str], days: &[(NaiveDate, Vec<i64>)]) -> String {
    const W: i64 = 640;
    const H: i64 = 240;
    const L: i64 = 50;
    const B: i64 = 30;
    let legend_h = 20 * series.len().div_ceil(4) as i64;
    let total_h = H + legend_h;
    let mut out = format!(
        "<svg class=\"chart lines\" viewBox=\"0 0 {W} {total_h}\" width=\"{W}\" height=\"{total_h}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    let max = days
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        out.push_str("<text x=\"10\" y=\"20\">No changes yet.</text></svg>");
        return out;
    };
    let span = (last.0 - first.0).num_days().max(1);
    let x = |d: NaiveDate| L + (W - L - 20) * (d - first.0).num_days() / span;
    let y = |v: i64| H - B - (H - B - 10) * v / max;
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{L}\" y1=\"{yb}\" x2=\"{xr}\" y2=\"{yb}\" stroke=\"#999\"/>\
         <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"11\">{max}</text>\
         <text x=\"{lx}\" y=\"{yb}\" text-anchor=\"end\" font-size=\"11\">0</text>\
         <text x=\"{L}\" y=\"{dy}\" font-size=\"11\">{d0}</text>\
         <text x=\"{xr}\" y=\"{dy}\" text-anchor=\"end\" font-size=\"11\">{d1}</text>",
        yb = H - B,
        xr = W - 20,
        lx = L - 4,
        ty = y(max) + 4,
        dy = H - B + 16,
        d0 = first.0,
        d1 = last.0,
    );
    for (i, name) in series.iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        let points: Vec<String> = days
            .iter()
            .map(|(d, v)| format!("{},{}", x(*d), y(v.get(i).copied().unwrap_or(0))))
            .collect();
        if points.len() == 1 {
            let _ = write!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{colour}\"/>",
                x(first.0),
                y(first.1.get(i).copied().unwrap_or(0))
            );
        } else {
            let _ = write!(
                out,
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
                points.join(" ")
            );
        }
        let lx = 10 + (i as i64 % 4) * 155;
        let ly = H + 14 + (i as i64 / 4) * 20;
        let _ = write!(
            out,
            "<rect x=\"{lx}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"{ly}\" font-size=\"12\">{}</text>",
            ly - 10,
            lx + 16,
            esc(name)
        );
    }
    out.push_str("</svg>");
    out
}

/// One post's posture over time: (when each posture began, its label, its class).
pub struct Track {
    pub label: String,
    pub spans: Vec<(DateTime<Utc>, &'static str, &'static str)>,
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// Colours of the posture classes of the board.
fn posture_fill(class: &str) -> &'static str {
    match class {
        "staffed" => "#2e8540",
        "reduced" => "#e6a700",
        "closed" => "#b31b1b",
        _ => "#999999",
    }
}

/// Every post as a row of coloured spans, from its first recorded posture to
/// `end`.
pub fn timeline(title: &str, tracks: &[Track], end: DateTime<Utc>) -> String {
    const W: i64 = 760;
    const LABEL: i64 = 290;
    const ROW: i64 = 26;
    let start = tracks
        .iter()
        .filter_map(|t| t.spans.first().map(|s| s.0))
        .min()
        .unwrap_or(end);
    let span = (end - start).num_minutes().max(1);
    let x = |t: DateTime<Utc>| {
        LABEL + (W - LABEL - 10) * (t - start).num_minutes().clamp(0, span) / span
    };
    let h = ROW * tracks.len() as i64 + 30;
    let mut out = format!(
        "<svg class=\"chart timeline\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    for (i, t) in tracks.iter().enumerate() {
        let y = i as i64 * ROW + 4;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>",
            LABEL - 6,
            y + 15,
            // Long names would run off the left edge.
            esc(&short(&t.label, 44))
        );
        for (j, (from, label, class)) in t.spans.iter().enumerate() {
            let to = t.spans.get(j + 1).map_or(end, |n| n.0);
            let x0 = x(*from);
            let w = (x(to) - x0).max(1);
            let _ = write!(
                out,
                "<rect class=\"span {class}\" x=\"{x0}\" y=\"{y}\" width=\"{w}\" height=\"{}\" fill=\"{}\"><title>{}: {} from {}</title></rect>",
                ROW - 8,
                posture_fill(class),
                esc(&t.label),
                esc(label),
                from.format("%Y-%m-%d %H:%M")
            );
        }
    }
    let yb = tracks.len() as i64 * ROW + 20;
    let _ = write!(
        out,
        "<text x=\"{LABEL}\" y=\"{yb}\" font-size=\"11\">{}</text><text x=\"{}\" y=\"{yb}\" text-anchor=\"end\" font-size=\"11\">{}</text>",
        start.format("%Y-%m-%d"),
        W - 10,
        end.format("%Y-%m-%d")
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cartogram_has_each_province_once_on_its_own_square() {
        let mut provinces: Vec<_> = CARTOGRAM.iter().map(|c| c.0).collect();
        provinces.sort();
        provinces.dedup();
        assert_eq!(provinces.len(), 34);
        let mut squares: Vec<_> = CARTOGRAM.iter().map(|c| (c.1, c.2)).collect();
        squares.sort();
        squares.dedup();
        assert_eq!(squares.len(), 34);
        assert!(CARTOGRAM.iter().all(|c| c.1 < 8 && c.2 < 6));
    }

    #[test]
    fn texts_are_escaped_and_links_kept() {
        let svg = bars(
            "t",
            &[Figure {
                label: "<script>".into(),
                value: 3,
                href: Some("/cases?a=1&b=2".into()),
            }],
        );
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
        assert!(svg.contains("href=\"/cases?a=1&amp;b=2\""));
        let map = cartogram("m", |p| (if p == Province::Kabul { 9 } else { 0 }, None));
        assert!(map.contains("data-province=\"AF-KAB\" data-value=\"9\""));
        assert!(!map.contains("<a "), "no link without one");
    }

    #[test]
    fn shades_rise_with_the_count() {
        assert_eq!(shade(0, 10), 0);
        assert_eq!(shade(1, 10), 1);
        assert_eq!(shade(10, 10), 4);
        assert!(shade(5, 10) <= shade(6, 10));
    }
}
