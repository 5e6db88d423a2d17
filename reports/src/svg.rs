//! Inline SVG charts drawn from the findings' chart data: bar, line (a
//! series named like a target is drawn as a dashed target line, or as
//! target ticks on bars) and heatmap (colour scale with labels), and the
//! section score chart with each section's minimum marked. Every text is
//! XML-escaped; no script, no external reference.

use std::fmt::Write as _;

use cxaudit_model::evaluation::{Chart, ChartKind, Series};

use super::text::{num, pct, xml};

const WIDTH: f64 = 900.0;
const FONT: &str = "font-family=\"Helvetica Neue, Helvetica, Arial, sans-serif\"";
const INK: &str = "#1d2939";
const MUTED: &str = "#667085";
const GRID: &str = "#e4e7ec";
const TARGET: &str = "#c0392b";
const PASS: &str = "#2e7d5b";
const FAIL: &str = "#c2410c";
const PALETTE: [&str; 6] = [
    "#1f4e79", "#e0a526", "#3a9a8a", "#7b5ea7", "#c2410c", "#5b8bc9",
];

/// Whether a series is a target (drawn as a reference, not as data).
pub fn is_target(series: &Series) -> bool {
    let n = series.name.to_ascii_lowercase();
    n.contains("target") || n.contains("threshold") || n.contains("minimum") || n == "goal"
}

/// A section's bar in the section chart.
pub struct SectionBar {
    /// Label (id and title).
    pub label: String,
    /// Score in [0, 1]; `None` when nothing was available.
    pub score: Option<f64>,
    /// Minimum to pass.
    pub minimum: f64,
    /// Whether it passed.
    pub passed: bool,
}

fn open_svg(out: &mut String, width: f64, height: f64, title: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\" {FONT} font-size=\"11\"><title>{t}</title>",
        w = width,
        h = height,
        t = xml(title),
    );
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, fill: &str, extra: &str, s: &str) {
    let _ = write!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" fill=\"{fill}\"{extra}>{}</text>",
        xml(s)
    );
}

/// A label in the legend row at the top of a chart.
fn legend_label(out: &mut String, x: f64, s: &str) {
    text(out, x, 16.0, "start", MUTED, "", s);
}

/// The legend's "no data" swatch and label at `x`.
fn no_data_key(out: &mut String, x: f64) {
    let _ = write!(
        out,
        "<rect x=\"{x:.1}\" y=\"6\" width=\"12\" height=\"12\" fill=\"#fafafa\" stroke=\"{GRID}\"/>"
    );
    legend_label(out, x + 16.0, "no data");
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn is_share(unit: &str) -> bool {
    matches!(unit, "ratio" | "share" | "proportion")
}

/// A tick label for a value of the chart's unit.
fn tick_label(v: f64, unit: &str, step: f64) -> String {
    if is_share(unit) {
        let p = step * 100.0;
        let decimals = if (p - p.round()).abs() < 1e-9 {
            0
        } else if (p * 10.0 - (p * 10.0).round()).abs() < 1e-9 {
            1
        } else {
            2
        };
        format!("{:.*}%", decimals, v * 100.0)
    } else if v.abs() >= 10_000.0 {
        format!("{}k", num(v / 1000.0, 1))
    } else {
        num(v, if step >= 1.0 { 0 } else { 3 })
    }
}

/// A short value label (cells, bar ends).
fn value_label(v: f64, unit: &str) -> String {
    if is_share(unit) {
        format!(
            "{}%",
            num(v * 100.0, if (v * 100.0).abs() >= 10.0 { 0 } else { 1 })
        )
    } else if v.abs() >= 10_000.0 {
        format!("{}k", num(v / 1000.0, 1))
    } else if v.abs() >= 100.0 {
        num(v, 0)
    } else {
        num(v, 2)
    }
}

/// A "nice" axis from `lo` to `hi` with about five ticks.
fn nice_axis(lo: f64, hi: f64) -> (f64, f64, f64) {
    let (lo, hi) = if (hi - lo).abs() < 1e-12 {
        if hi == 0.0 {
            (0.0, 1.0)
        } else {
            (lo.min(0.0), hi.max(0.0) + hi.abs() * 0.1)
        }
    } else {
        (lo, hi)
    };
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let end = (hi / step).ceil() * step;
    (start, end, step)
}

fn domain(chart: &Chart) -> (f64, f64) {
    let values = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied());
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let lo = lo.min(0.0);
    if is_share(&chart.unit) && hi <= 1.0 && hi > 0.5 {
        return (lo, 1.0);
    }
    (lo, hi)
}

struct Frame {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    lo: f64,
    hi: f64,
}

impl Frame {
    fn y(&self, v: f64) -> f64 {
        self.top + self.height - (v - self.lo) / (self.hi - self.lo) * self.height
    }
}

fn y_axis(out: &mut String, f: &Frame, step: f64, unit: &str) {
    let mut v = f.lo;
    let mut guard = 0;
    while v <= f.hi + step * 1e-6 && guard < 50 {
        let y = f.y(v);
        let _ = write!(
            out,
            "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{GRID}\" stroke-width=\"1\"/>",
            f.left,
            f.left + f.width
        );
        text(
            out,
            f.left - 6.0,
            y + 3.5,
            "end",
            MUTED,
            "",
            &tick_label(v, unit, step),
        );
        v += step;
        guard += 1;
    }
    let _ = write!(
        out,
        "<line x1=\"{l:.1}\" x2=\"{r:.1}\" y1=\"{b:.1}\" y2=\"{b:.1}\" stroke=\"{MUTED}\" stroke-width=\"1\"/>",
        l = f.left,
        r = f.left + f.width,
        b = f.y(f.lo.max(0.0).min(f.hi))
    );
}

/// Labels along the x axis, thinned and rotated when there are many.
fn x_labels(out: &mut String, labels: &[String], xs: &[f64], base: f64, slot: f64) -> f64 {
    let n = labels.len();
    let rotate = slot < 46.0;
    let every = if rotate {
        ((14.0 / slot).ceil() as usize).max(1)
    } else {
        1
    };
    for (i, (label, x)) in labels.iter().zip(xs).enumerate() {
        if i % every != 0 && i + 1 != n {
            continue;
        }
        if rotate {
            let _ = write!(
                out,
                "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"end\" fill=\"{MUTED}\" transform=\"rotate(-45 {x:.1} {y:.1})\">{}</text>",
                xml(&truncate(label, 16)),
                y = base + 14.0
            );
        } else {
            let max = ((slot / 6.2) as usize).max(3);
            text(
                out,
                *x,
                base + 16.0,
                "middle",
                MUTED,
                "",
                &truncate(label, max),
            );
        }
    }
    if rotate { 84.0 } else { 28.0 }
}

fn legend(out: &mut String, series: &[(&Series, usize)], x0: f64, y: f64) {
    let mut x = x0;
    for (s, i) in series {
        let label = truncate(&s.name, 36);
        if is_target(s) {
            let _ = write!(
                out,
                "<line x1=\"{x:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{TARGET}\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>",
                x + 16.0,
                y - 4.0,
                y - 4.0
            );
        } else {
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"10\" rx=\"2\" fill=\"{}\"/>",
                y - 9.0,
                PALETTE[i % PALETTE.len()]
            );
        }
        text(out, x + 20.0, y, "start", INK, "", &label);
        x += 32.0 + label.chars().count() as f64 * 6.0;
    }
}

fn indexed(chart: &Chart) -> Vec<(&Series, usize)> {
    let mut data_index = 0;
    chart
        .series
        .iter()
        .map(|s| {
            let i = data_index;
            if !is_target(s) {
                data_index += 1;
            }
            (s, i)
        })
        .collect()
}

/// Draws a chart as SVG.
pub fn chart(chart: &Chart) -> String {
    match chart.kind {
        ChartKind::Bar => bar(chart),
        ChartKind::Line => line(chart),
        ChartKind::Heatmap => heatmap(chart),
    }
}

/// The size of a chart: its width and the height of its plot area.
#[derive(Debug, Clone, Copy)]
struct Size {
    width: f64,
    plot_height: f64,
}

/// The charts of a report: the page's width.
const FULL: Size = Size {
    width: WIDTH,
    plot_height: 220.0,
};

/// A small multiple: three to a row of the page.
const SMALL: Size = Size {
    width: 300.0,
    plot_height: 120.0,
};

fn plot_frame(chart: &Chart, rotate_guess: bool, size: Size) -> (Frame, f64, f64) {
    let (lo, hi) = domain(chart);
    let (lo, hi, step) = nice_axis(lo, hi);
    let bottom = if rotate_guess { 84.0 } else { 28.0 };
    let height = size.plot_height;
    let top = 34.0;
    let frame = Frame {
        left: 58.0,
        top,
        width: size.width - 58.0 - 16.0,
        height,
        lo,
        hi,
    };
    let total = top + height + bottom + 4.0;
    (frame, step, total)
}

fn bar(chart: &Chart) -> String {
    let n = chart.x.len().max(1);
    let series = indexed(chart);
    let data: Vec<&(&Series, usize)> = series.iter().filter(|(s, _)| !is_target(s)).collect();
    let targets: Vec<&(&Series, usize)> = series.iter().filter(|(s, _)| is_target(s)).collect();
    let slot_guess = (WIDTH - 74.0) / n as f64;
    let (f, step, total) = plot_frame(chart, slot_guess < 46.0, FULL);
    let mut out = String::new();
    open_svg(&mut out, WIDTH, total, &chart.title);
    legend(&mut out, &series, f.left, 16.0);
    y_axis(&mut out, &f, step, &chart.unit);
    let slot = f.width / n as f64;
    let group = slot * 0.78;
    let m = data.len().max(1) as f64;
    let bw = (group / m).max(1.0);
    let zero = f.y(0f64.max(f.lo).min(f.hi));
    let label_bars = n as f64 * m <= 24.0;
    // Value labels go last, with a white halo, so target marks never hide them.
    let mut labels = String::new();
    for (si, (s, ci)) in data.iter().enumerate() {
        for (i, v) in s.values.iter().enumerate().take(n) {
            let x = f.left + slot * i as f64 + (slot - group) / 2.0 + bw * si as f64;
            let Some(v) = v.filter(|v| v.is_finite()) else {
                if label_bars {
                    text(
                        &mut out,
                        x + bw / 2.0,
                        zero - 4.0,
                        "middle",
                        MUTED,
                        " font-style=\"italic\"",
                        "no data",
                    );
                }
                continue;
            };
            let y = f.y(v);
            let (y0, h) = if y < zero {
                (y, zero - y)
            } else {
                (zero, y - zero)
            };
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}</title></rect>",
                (bw - 1.0).max(0.8),
                h.max(0.5),
                PALETTE[ci % PALETTE.len()],
                xml(&format!(
                    "{}: {} {}",
                    s.name,
                    chart.x.get(i).map_or("", |x| x.as_str()),
                    value_label(v, &chart.unit)
                ))
            );
            if label_bars {
                text(
                    &mut labels,
                    x + bw / 2.0,
                    y0 - 4.0,
                    "middle",
                    INK,
                    " stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"",
                    &value_label(v, &chart.unit),
                );
            }
        }
    }
    for (s, _) in targets {
        for (i, v) in s.values.iter().enumerate().take(n) {
            let Some(v) = v.filter(|v| v.is_finite()) else {
                continue;
            };
            let x = f.left + slot * i as f64 + (slot - group) / 2.0 - 3.0;
            let y = f.y(v);
            let _ = write!(
                out,
                "<line x1=\"{x:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{TARGET}\" stroke-width=\"2.5\" stroke-dasharray=\"5 3\"/>",
                x + group + 6.0
            );
        }
    }
    out.push_str(&labels);
    let xs: Vec<f64> = (0..chart.x.len())
        .map(|i| f.left + slot * (i as f64 + 0.5))
        .collect();
    x_labels(&mut out, &chart.x, &xs, f.top + f.height, slot);
    out.push_str("</svg>");
    out
}

/// A line chart as a small multiple (300 px wide, three to a row), with the
/// axis rules of the report's charts (zero included, shares up to 100% when
/// above 50%, "nice" ticks): the trend's one chart per KPI.
pub fn small_line(chart: &Chart) -> String {
    line_sized(chart, SMALL)
}

fn line(chart: &Chart) -> String {
    line_sized(chart, FULL)
}

fn line_sized(chart: &Chart, size: Size) -> String {
    let n = chart.x.len().max(1);
    let series = indexed(chart);
    let slot = (size.width - 74.0) / n as f64;
    let (f, step, total) = plot_frame(chart, slot < 46.0, size);
    let mut out = String::new();
    open_svg(&mut out, size.width, total, &chart.title);
    legend(&mut out, &series, f.left, 16.0);
    y_axis(&mut out, &f, step, &chart.unit);
    let x_of = |i: usize| {
        if n == 1 {
            f.left + f.width / 2.0
        } else {
            f.left + 10.0 + (f.width - 20.0) * i as f64 / (n - 1) as f64
        }
    };
    // Targets first, so the data is drawn over them.
    let mut ordered: Vec<&(&Series, usize)> = series.iter().filter(|(s, _)| is_target(s)).collect();
    ordered.extend(series.iter().filter(|(s, _)| !is_target(s)));
    for (s, ci) in ordered {
        let target = is_target(s);
        let colour = if target {
            TARGET
        } else {
            PALETTE[ci % PALETTE.len()]
        };
        let dash = if target {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        let mut segment: Vec<(f64, f64)> = Vec::new();
        let mut segments = Vec::new();
        for (i, v) in s.values.iter().enumerate().take(n) {
            match v.filter(|v| v.is_finite()) {
                Some(v) => segment.push((x_of(i), f.y(v))),
                None if !segment.is_empty() => segments.push(std::mem::take(&mut segment)),
                None => {}
            }
        }
        if !segment.is_empty() {
            segments.push(segment);
        }
        for seg in &segments {
            let points: Vec<String> = seg.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = write!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{}\" stroke-linejoin=\"round\"{dash}/>",
                points.join(" "),
                if target { 2.0 } else { 2.5 }
            );
            if !target && n <= 40 {
                for (x, y) in seg {
                    let _ = write!(
                        out,
                        "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.2\" fill=\"#fff\" stroke=\"{colour}\" stroke-width=\"2\"/>"
                    );
                }
            }
        }
    }
    let xs: Vec<f64> = (0..chart.x.len()).map(x_of).collect();
    x_labels(&mut out, &chart.x, &xs, f.top + f.height, slot);
    out.push_str("</svg>");
    out
}

/// Colour of a heatmap cell: from pale to deep blue.
fn ramp(t: f64) -> String {
    blend((0xee, 0xf3, 0xf9), (0x17, 0x3f, 0x6b), t)
}

/// Colour of a negative heatmap cell: from pale to deep orange.
fn ramp_warm(t: f64) -> String {
    blend((0xfb, 0xf1, 0xec), (0xa6, 0x3a, 0x0c), t)
}

/// The colour a share `t` (clamped to [0, 1]) of the way from `a` to `b`.
fn blend(a: (i32, i32, i32), b: (i32, i32, i32), t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let mix = |x: i32, y: i32| (x as f64 + (y - x) as f64 * t).round() as i32;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

fn heatmap(chart: &Chart) -> String {
    let rows: Vec<(&str, &Series)> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (chart.y.get(i).map_or(s.name.as_str(), |y| y.as_str()), s))
        .collect();
    let cols = chart.x.len().max(1);
    let label_w = rows
        .iter()
        .map(|(l, _)| l.chars().count().min(22) as f64 * 6.4)
        .fold(40.0, f64::max)
        + 12.0;
    let left = label_w;
    let plot_w = WIDTH - left - 12.0;
    let cw = plot_w / cols as f64;
    let ch = 22.0;
    let top = 36.0;
    let rotate = cw < 46.0;
    let bottom = if rotate { 70.0 } else { 26.0 };
    let total = top + ch * rows.len() as f64 + bottom + 8.0;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in chart.series.iter().flat_map(|s| s.values.iter().flatten()) {
        if v.is_finite() {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    let mut out = String::new();
    open_svg(&mut out, WIDTH, total, &chart.title);
    // Values of both signs get a diverging scale around zero.
    let diverging = lo.is_finite() && lo < 0.0 && hi > 0.0;
    let bound = lo.abs().max(hi.abs());
    let colour = |v: f64| -> (String, f64) {
        if diverging {
            let t = v / bound;
            if t < 0.0 {
                (ramp_warm(-t), -t)
            } else {
                (ramp(t), t)
            }
        } else {
            let span = if hi > lo { hi - lo } else { 1.0 };
            let t = (v - lo) / span;
            (ramp(t), t)
        }
    };
    if diverging {
        legend_label(&mut out, left, &value_label(-bound, &chart.unit));
        let sx = left + 44.0;
        for k in 0..7 {
            let t = (k as f64 - 3.0) / 3.0;
            let fill = if t < 0.0 { ramp_warm(-t) } else { ramp(t) };
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"6\" width=\"20\" height=\"12\" fill=\"{fill}\"/>",
                sx + 20.0 * k as f64
            );
        }
        legend_label(
            &mut out,
            sx + 146.0,
            &format!("+{}", value_label(bound, &chart.unit)),
        );
        no_data_key(&mut out, sx + 200.0);
    } else if lo.is_finite() {
        legend_label(
            &mut out,
            left,
            &format!("low {}", value_label(lo, &chart.unit)),
        );
        let x0 = left + 78.0;
        for k in 0..5 {
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"6\" width=\"22\" height=\"12\" fill=\"{}\"/>",
                x0 + 22.0 * k as f64,
                ramp(k as f64 / 4.0)
            );
        }
        legend_label(
            &mut out,
            x0 + 116.0,
            &format!("high {}", value_label(hi, &chart.unit)),
        );
        no_data_key(&mut out, x0 + 200.0);
    }
    for (r, (label, s)) in rows.iter().enumerate() {
        let y = top + ch * r as f64;
        text(
            &mut out,
            left - 8.0,
            y + ch / 2.0 + 4.0,
            "end",
            INK,
            "",
            &truncate(label, 22),
        );
        for c in 0..cols {
            let x = left + cw * c as f64;
            let v = s.values.get(c).copied().flatten().filter(|v| v.is_finite());
            let (fill, t) = match v {
                Some(v) => colour(v),
                None => ("#fafafa".to_owned(), 0.0),
            };
            let tip = match v {
                Some(v) => format!(
                    "{} · {}: {}",
                    label,
                    chart.x.get(c).map_or("", |x| x.as_str()),
                    value_label(v, &chart.unit)
                ),
                None => format!(
                    "{} · {}: no data",
                    label,
                    chart.x.get(c).map_or("", |x| x.as_str())
                ),
            };
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" stroke=\"#fff\" stroke-width=\"1\"><title>{}</title></rect>",
                cw,
                ch,
                xml(&tip)
            );
            if let Some(v) = v {
                let label = value_label(v, &chart.unit);
                if cw >= label.len() as f64 * 6.0 + 4.0 {
                    let fg = if t > 0.55 { "#ffffff" } else { INK };
                    text(
                        &mut out,
                        x + cw / 2.0,
                        y + ch / 2.0 + 4.0,
                        "middle",
                        fg,
                        " font-size=\"10\"",
                        &label,
                    );
                }
            }
        }
    }
    let xs: Vec<f64> = (0..chart.x.len())
        .map(|c| left + cw * (c as f64 + 0.5))
        .collect();
    x_labels(
        &mut out,
        &chart.x,
        &xs,
        top + ch * rows.len() as f64 - 4.0,
        cw,
    );
    out.push_str("</svg>");
    out
}

/// The section score chart: one horizontal bar per section with its
/// minimum marked, and the overall score with the certification threshold.
pub fn sections(bars: &[SectionBar], overall: &SectionBar, title: &str) -> String {
    let longest = bars
        .iter()
        .chain(std::iter::once(overall))
        .map(|b| b.label.chars().count().min(44))
        .max()
        .unwrap_or(10);
    let label_w = (longest as f64 * 6.6 + 20.0).clamp(140.0, 320.0);
    let row = 30.0;
    let top = 30.0;
    let plot_w = WIDTH - label_w - 70.0;
    let all: Vec<&SectionBar> = bars.iter().chain(std::iter::once(overall)).collect();
    let total = top + row * all.len() as f64 + 36.0;
    let mut out = String::new();
    open_svg(&mut out, WIDTH, total, title);
    // Legend.
    let _ = write!(
        out,
        "<rect x=\"{label_w:.1}\" y=\"8\" width=\"12\" height=\"10\" rx=\"2\" fill=\"{PASS}\"/>"
    );
    text(
        &mut out,
        label_w + 18.0,
        17.0,
        "start",
        INK,
        "",
        "passes its minimum",
    );
    let _ = write!(
        out,
        "<rect x=\"{:.1}\" y=\"8\" width=\"12\" height=\"10\" rx=\"2\" fill=\"{FAIL}\"/>",
        label_w + 140.0
    );
    text(
        &mut out,
        label_w + 158.0,
        17.0,
        "start",
        INK,
        "",
        "below its minimum",
    );
    let _ = write!(
        out,
        "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"6\" y2=\"20\" stroke=\"{INK}\" stroke-width=\"2.5\"/>",
        x = label_w + 285.0
    );
    text(
        &mut out,
        label_w + 292.0,
        17.0,
        "start",
        INK,
        "",
        "minimum required",
    );
    let x_of = |v: f64| label_w + plot_w * v.clamp(0.0, 1.0);
    for k in 0..=4 {
        let v = k as f64 / 4.0;
        let x = x_of(v);
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top}\" y2=\"{:.1}\" stroke=\"{GRID}\"/>",
            top + row * all.len() as f64
        );
        text(
            &mut out,
            x,
            top + row * all.len() as f64 + 14.0,
            "middle",
            MUTED,
            "",
            &format!("{}%", k * 25),
        );
    }
    for (i, b) in all.iter().enumerate() {
        let y = top + row * i as f64;
        let is_overall = i + 1 == all.len();
        if is_overall {
            let _ = write!(
                out,
                "<line x1=\"8\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{MUTED}\" stroke-width=\"0.8\"/>",
                WIDTH - 8.0
            );
        }
        let weight = if is_overall {
            " font-weight=\"700\""
        } else {
            ""
        };
        text(
            &mut out,
            label_w - 10.0,
            y + row / 2.0 + 4.0,
            "end",
            INK,
            weight,
            &truncate(&b.label, 32),
        );
        let _ = write!(
            out,
            "<rect x=\"{label_w:.1}\" y=\"{:.1}\" width=\"{plot_w:.1}\" height=\"14\" rx=\"2\" fill=\"#f2f4f7\"/>",
            y + 8.0
        );
        let colour = if b.passed { PASS } else { FAIL };
        if let Some(s) = b.score {
            let _ = write!(
                out,
                "<rect x=\"{label_w:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" rx=\"2\" fill=\"{colour}\"/>",
                y + 8.0,
                (x_of(s) - label_w).max(1.0)
            );
        }
        let mx = x_of(b.minimum);
        let _ = write!(
            out,
            "<line x1=\"{mx:.1}\" x2=\"{mx:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{INK}\" stroke-width=\"2.5\"><title>{}</title></line>",
            y + 4.0,
            y + 26.0,
            xml(&format!("minimum {}", pct(b.minimum)))
        );
        text(
            &mut out,
            label_w + plot_w + 8.0,
            y + row / 2.0 + 4.0,
            "start",
            colour,
            " font-weight=\"700\"",
            &b.score.map_or_else(|| "n/a".to_owned(), pct),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(kind: ChartKind) -> Chart {
        Chart {
            id: "c".into(),
            title: "T <script>alert(1)</script>".into(),
            kind,
            x: vec!["a".into(), "<b>".into(), "c".into()],
            y: vec!["r1".into(), "r2".into()],
            unit: "ratio".into(),
            series: vec![
                Series {
                    name: "Actual".into(),
                    values: vec![Some(0.8), None, Some(0.9)],
                },
                Series {
                    name: "Target".into(),
                    values: vec![Some(0.85); 3],
                },
            ],
        }
    }

    #[test]
    fn every_kind_escapes_text_and_draws() {
        for kind in [ChartKind::Bar, ChartKind::Line, ChartKind::Heatmap] {
            let s = super::chart(&chart(kind));
            assert!(s.starts_with("<svg"), "{s}");
            assert!(!s.contains("<script>"), "{s}");
            assert!(!s.contains("<b>"), "{s}");
            assert!(s.contains("&lt;script&gt;"), "{s}");
        }
        assert!(super::chart(&chart(ChartKind::Line)).contains("stroke-dasharray"));
    }

    /// Text that breaks out of an attribute or a text node if not escaped.
    const HOSTILE: &str = "\" onload=\"alert(1)\" x='<img src=x onerror=alert(1)>&amp;";

    /// The elements of an SVG with their attribute names; panics on an
    /// unquoted attribute value.
    fn elements(svg: &str) -> Vec<(String, Vec<String>)> {
        let mut found = Vec::new();
        for (i, _) in svg.match_indices('<') {
            let tag = &svg[i + 1..];
            if tag.starts_with('/') {
                continue;
            }
            let end = tag.find('>').expect("a closed tag");
            let body = tag[..end].trim_end_matches('/');
            let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
            let mut attrs = Vec::new();
            let mut rest = &body[name_end..];
            while let Some(eq) = rest.find('=') {
                attrs.push(rest[..eq].trim().to_owned());
                let value = rest[eq + 1..].strip_prefix('"').expect("a quoted value");
                rest = &value[value.find('"').expect("a closing quote") + 1..];
            }
            found.push((body[..name_end].to_owned(), attrs));
        }
        found
    }

    #[test]
    fn hostile_labels_stay_text_in_every_chart() {
        let mut c = chart(ChartKind::Bar);
        c.title = HOSTILE.into();
        c.x = vec![HOSTILE.into(); 3];
        c.y = vec![HOSTILE.into(); 2];
        c.unit = HOSTILE.into();
        c.series[0].name = HOSTILE.into();
        let bar = SectionBar {
            label: HOSTILE.into(),
            score: Some(0.5),
            minimum: 0.6,
            passed: false,
        };
        let mut svgs = vec![sections(std::slice::from_ref(&bar), &bar, HOSTILE)];
        for kind in [ChartKind::Bar, ChartKind::Line, ChartKind::Heatmap] {
            c.kind = kind;
            svgs.push(super::chart(&c));
        }
        let drawn = ["svg", "title", "text", "rect", "line", "polyline", "circle"];
        for svg in svgs {
            for (name, attrs) in elements(&svg) {
                assert!(drawn.contains(&name.as_str()), "<{name}> in {svg}");
                assert!(
                    attrs.iter().all(|a| !a.starts_with("on") && a != "x'"),
                    "<{name} {attrs:?}> in {svg}"
                );
            }
            assert!(
                svg.contains("&lt;img src=x onerror=alert(1)&gt;&amp;amp;"),
                "{svg}"
            );
        }
    }

    #[test]
    fn nice_axes() {
        assert_eq!(nice_axis(0.0, 1.0), (0.0, 1.0, 0.2));
        let (lo, hi, step) = nice_axis(0.0, 37.0);
        assert_eq!((lo, hi, step), (0.0, 40.0, 10.0));
    }
}
