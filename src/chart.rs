//! Charts of a trend for reports: a line of the figures' median (or bars of a count) per period,
//! one coloured line per series when a trend is split, with title, labelled axes, a legend, the
//! number behind each point and a source note, as SVG or PNG.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use crate::trend::{Point, Series};

/// The file format of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    Svg,
    Png,
}

/// What each point of the chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// The median of the figures in the period, as a line: a series of statistics (the
    /// median, since one outsized figure would pull a mean far off).
    Median,
    /// How many there are: bars for one series (entity mentions), lines for several.
    Count,
}

/// A chart to draw: its series and its words.
#[derive(Debug, Clone)]
pub struct Chart<'a> {
    pub title: String,
    /// The vertical axis: the unit of the figures, or what is counted.
    pub y_label: String,
    pub x_label: String,
    /// Under the plot: where the figures come from and how they were counted (one line per
    /// line of text).
    pub note: String,
    pub measure: Measure,
    /// What the number behind a point counts (`claims`, `figures`, `mentions`), for the legend.
    pub counted: String,
    /// The series, drawn in this order (the first in the first colour).
    pub series: &'a [Series],
    /// Name each series in a legend beside the plot (a split trend, even with one series left).
    pub legend: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("nothing to draw: no period has a value")]
    Empty,
    #[error("cannot draw the chart to {path}: {message}")]
    Draw { path: String, message: String },
}

/// Size of a chart in pixels (PNG) or user units (SVG).
const WIDTH: u32 = 960;
const HEIGHT: u32 = 540;
/// The width of the legend beside the plot, when there is one.
const LEGEND_WIDTH: u32 = 190;
/// A legend name longer than this many characters is shortened with "…".
const LEGEND_NAME_CHARS: usize = 22;
/// The family every text of a chart is set in.
const FONT: &str = "sans-serif";
/// At most this many period labels under the axis; more would overlap.
const MAX_X_LABELS: usize = 16;
/// The colours of the series, in order: the Okabe–Ito palette without its yellow, which is
/// readable by colour-blind readers and, dark and light alternating, in grey print.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(0, 0, 0),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

/// The marker of each series' points, in order, so series differ in grey print too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
}

const MARKERS: [Marker; 5] = [Marker::Circle, Marker::Square, Marker::Triangle, Marker::Diamond, Marker::Cross];

/// The colour and marker of the `i`th series. Colours and markers repeat at different
/// lengths, so no two of the first 35 series look the same.
fn style_of(i: usize) -> (RGBColor, Marker) {
    (PALETTE[i % PALETTE.len()], MARKERS[i % MARKERS.len()])
}

/// Registers the embedded font once: a machine without fonts installed draws the same text.
fn font_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok())
}

/// Draws `chart` to `path` in `format`, replacing any file there.
pub fn write_chart(chart: &Chart<'_>, format: ChartFormat, path: &Path) -> Result<(), ChartError> {
    if chart
        .series
        .iter()
        .flat_map(|s| &s.points)
        .all(|p| value(chart.measure, p).is_none())
    {
        return Err(ChartError::Empty);
    }
    let failed = |message: String| ChartError::Draw {
        path: path.display().to_string(),
        message,
    };
    if !font_ready() {
        return Err(failed("the embedded font could not be read".into()));
    }
    match format {
        ChartFormat::Svg => draw(SVGBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area(), chart).map_err(failed),
        ChartFormat::Png => draw(BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area(), chart).map_err(failed),
    }
}

/// The value a point shows, if it has one.
fn value(measure: Measure, point: &Point) -> Option<f64> {
    match measure {
        Measure::Median => point.median,
        Measure::Count => Some(point.count as f64),
    }
}

/// "n=12" over a point: how many figures (or mentions) it stands for.
fn count_label(point: &Point) -> String {
    format!("n={}", point.count)
}

/// The corners of a marker, in pixels around its point: every kind is a filled polygon, so one
/// element type draws them all.
fn outline(kind: Marker) -> Vec<(i32, i32)> {
    match kind {
        // Sixteen corners are round enough at this size.
        Marker::Circle => (0..16)
            .map(|i| {
                let angle = f64::from(i) * std::f64::consts::TAU / 16.0;
                ((4.5 * angle.cos()).round() as i32, (4.5 * angle.sin()).round() as i32)
            })
            .collect(),
        Marker::Square => vec![(-4, -4), (4, -4), (4, 4), (-4, 4)],
        Marker::Triangle => vec![(0, -6), (5, 4), (-5, 4)],
        Marker::Diamond => vec![(0, -6), (6, 0), (0, 6), (-6, 0)],
        Marker::Cross => vec![
            (-1, -6),
            (1, -6),
            (1, -1),
            (6, -1),
            (6, 1),
            (1, 1),
            (1, 6),
            (-1, 6),
            (-1, 1),
            (-6, 1),
            (-6, -1),
            (-1, -1),
        ],
    }
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, chart: &Chart<'_>) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let note: Vec<&str> = chart.note.lines().collect();
    let footer_height = 12 + 16 * note.len() as u32;
    let (body, footer) = root.split_vertically(HEIGHT - footer_height);
    let (plot, legend) = if chart.legend {
        let (plot, legend) = body.split_horizontally(WIDTH - LEGEND_WIDTH);
        (plot, Some(legend))
    } else {
        (body, None)
    };
    // Every period any series has, in order (period names sort as they follow in time), and
    // each series' point in each of them.
    let periods: Vec<&str> = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.period.as_str()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let cells: Vec<Vec<Option<(&Point, f64)>>> = chart
        .series
        .iter()
        .map(|s| {
            let by_period: HashMap<&str, &Point> = s.points.iter().map(|p| (p.period.as_str(), p)).collect();
            periods
                .iter()
                .map(|period| by_period.get(period).and_then(|p| value(chart.measure, p).map(|v| (*p, v))))
                .collect()
        })
        .collect();
    let values = || cells.iter().flatten().flatten().map(|(_, v)| *v);
    let top = values().fold(f64::MIN, f64::max);
    let bottom = values().fold(f64::MAX, f64::min).min(0.0);
    // Room above the highest point for its label.
    let top = if top > bottom { top + (top - bottom) * 0.12 } else { bottom + 1.0 };
    let n = periods.len();
    let mut cartesian = ChartBuilder::on(&plot)
        .caption(&chart.title, (FONT, 22))
        .margin(18)
        .x_label_area_size(44)
        .y_label_area_size(78)
        // A segmented range of 0..k holds k + 1 segments: one per period.
        .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), bottom..top)
        .map_err(err)?;
    let label_every = n.div_ceil(MAX_X_LABELS).max(1);
    cartesian
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(n)
        .x_label_formatter(&|x| match x {
            SegmentValue::CenterOf(i) if i % label_every == 0 => periods.get(*i).map_or(String::new(), |p| p.to_string()),
            _ => String::new(),
        })
        .y_label_formatter(&|y| short_number(*y))
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 15))
        .draw()
        .map_err(err)?;
    let at = |i: usize, v: f64| (SegmentValue::CenterOf(i), v);
    let lift = (top - bottom) * 0.03;
    // Each period's labels, placed so that none covers another or a marker: a label is about
    // 14 pixels high, a marker 12.
    let per_pixel = (top - bottom) / f64::from(cartesian.plotting_area().dim_in_pixel().1.max(1));
    let mut places: Vec<Vec<Label>> = vec![Vec::with_capacity(n); cells.len()];
    for i in 0..n {
        let values: Vec<Option<f64>> = cells.iter().map(|row| row[i].map(|(_, v)| v)).collect();
        for (s, place) in place_labels(&values, 14.0 * per_pixel, lift, 6.0 * per_pixel)
            .into_iter()
            .enumerate()
        {
            places[s].push(place);
        }
    }
    for (s, row) in cells.iter().enumerate() {
        let (colour, kind) = style_of(s);
        if chart.measure == Measure::Count && cells.len() == 1 {
            cartesian
                .draw_series(row.iter().enumerate().filter_map(|(i, cell)| {
                    cell.map(|(_, v)| {
                        Rectangle::new(
                            [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), v)],
                            colour.mix(0.75).filled(),
                        )
                    })
                }))
                .map_err(err)?;
        } else {
            // A gap in the series (a period without figures) breaks the line.
            for run in row.iter().enumerate().collect::<Vec<_>>().split(|(_, cell)| cell.is_none()) {
                let line: Vec<_> = run.iter().filter_map(|(i, cell)| cell.map(|(_, v)| at(*i, v))).collect();
                cartesian.draw_series(LineSeries::new(line, colour.stroke_width(2))).map_err(err)?;
            }
            cartesian
                .draw_series(
                    row.iter().enumerate().filter_map(|(i, cell)| {
                        cell.map(|(_, v)| EmptyElement::at(at(i, v)) + Polygon::new(outline(kind), colour.filled()))
                    }),
                )
                .map_err(err)?;
        }
        // The number behind each point, above it (below when another label is there), in
        // its series' colour.
        let style = |v: VPos| {
            TextStyle::from((FONT, 12).into_font())
                .pos(Pos::new(HPos::Center, v))
                .color(&colour)
        };
        let (above, below) = (style(VPos::Bottom), style(VPos::Top));
        cartesian
            .draw_series(row.iter().zip(&places[s]).enumerate().filter_map(|(i, (cell, place))| {
                let (p, v) = (*cell)?;
                match place {
                    Label::Above => Some(Text::new(count_label(p), at(i, v + lift), above.clone())),
                    Label::Below => Some(Text::new(count_label(p), at(i, v - lift), below.clone())),
                    Label::None => None,
                }
            }))
            .map_err(err)?;
    }
    if let Some(legend) = legend {
        draw_legend(&legend, chart).map_err(err)?;
    }
    let note_style = TextStyle::from((FONT, 12).into_font()).color(&RGBColor(90, 90, 90));
    for (i, line) in note.iter().enumerate() {
        footer.draw_text(line, &note_style, (18, 4 + 16 * i as i32)).map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

/// Where the number behind a point is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Above,
    Below,
    /// Nowhere: both places are taken (the legend still gives the series' total).
    None,
}

/// Places the labels of one period's points (`values`, one per series) so that none covers
/// another label or a marker: the highest point first, each label above its point if free, else
/// below it, else nowhere. `height` is a label's height, `lift` its gap from the point and
/// `marker` half a marker's height, in the axis' units.
fn place_labels(values: &[Option<f64>], height: f64, lift: f64, marker: f64) -> Vec<Label> {
    let mut taken: Vec<(f64, f64)> = values.iter().flatten().map(|v| (v - marker, v + marker)).collect();
    let mut places = vec![Label::None; values.len()];
    let mut order: Vec<(usize, f64)> = values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (i, v) in order {
        let free = |(low, high): (f64, f64)| taken.iter().all(|&(l, h)| high <= l || low >= h);
        let (above, below) = ((v + lift, v + lift + height), (v - lift - height, v - lift));
        let (place, span) = if free(above) {
            (Label::Above, above)
        } else if free(below) {
            (Label::Below, below)
        } else {
            continue;
        };
        taken.push(span);
        places[i] = place;
    }
    places
}

/// One entry per series beside the plot: its line and marker, its name, and what it counts.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, chart: &Chart<'_>) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (_, height) = area.dim_in_pixel();
    let count = chart.series.len().max(1) as i32;
    // Two lines an entry while they fit, else one line (the total then goes unsaid).
    let step = ((height as i32 - 70) / count).clamp(14, 40);
    let name_style = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let total_style = TextStyle::from((FONT, 11).into_font())
        .pos(Pos::new(HPos::Left, VPos::Center))
        .color(&RGBColor(90, 90, 90));
    for (i, series) in chart.series.iter().enumerate() {
        let (colour, kind) = style_of(i);
        let y = 60 + step * i as i32;
        area.draw(&PathElement::new(vec![(4, y), (30, y)], colour.stroke_width(2)))?;
        area.draw(&(EmptyElement::at((17, y)) + Polygon::new(outline(kind), colour.filled())))?;
        area.draw_text(&short_name(&series.name), &name_style, (38, y))?;
        if step >= 32 {
            area.draw_text(&format!("{}: {}", chart.counted, series.total()), &total_style, (38, y + 15))?;
        }
    }
    Ok(())
}

/// A series name cut to [`LEGEND_NAME_CHARS`] characters.
fn short_name(name: &str) -> String {
    match name.char_indices().nth(LEGEND_NAME_CHARS) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    }
}

/// An axis number kept short: 1200000 → "1.2M", 12500 → "12.5k", 0.25 → "0.25".
fn short_number(v: f64) -> String {
    let a = v.abs();
    let (scaled, suffix) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let text = format!("{scaled:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(period: &str, count: u64, mean: Option<f64>) -> Point {
        Point {
            period: period.into(),
            count,
            articles: count,
            mean,
            median: mean,
            min: mean,
            max: mean,
            claims: Vec::new(),
        }
    }

    fn one(points: &[Point]) -> Vec<Series> {
        vec![Series {
            name: String::new(),
            points: points.to_vec(),
        }]
    }

    fn chart(series: &[Series]) -> Chart<'_> {
        Chart {
            title: "Homicide rate, Peru".into(),
            y_label: "per 100,000".into(),
            x_label: "reference year".into(),
            note: "vigia: 3 figures from 2 articles; levels only".into(),
            measure: Measure::Median,
            counted: "claims".into(),
            series,
            legend: false,
        }
    }

    #[test]
    fn axis_numbers_stay_short() {
        assert_eq!(short_number(1_200_000.0), "1.2M");
        assert_eq!(short_number(12_500.0), "12.5k");
        assert_eq!(short_number(0.25), "0.25");
        assert_eq!(short_number(7.0), "7");
        assert_eq!(short_number(-3_000_000_000.0), "-3G");
    }

    #[test]
    fn an_svg_has_the_title_the_axes_the_labels_and_the_note() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trend.svg");
        let series = one(&[point("2014", 2, Some(7.2)), point("2015", 0, None), point("2016", 1, Some(7.7))]);
        write_chart(&chart(&series), ChartFormat::Svg, &path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        for text in [
            "Homicide rate, Peru",
            "per 100,000",
            "reference year",
            "2014",
            "2016",
            "n=2",
            "n=1",
            "levels only",
        ] {
            assert!(svg.contains(text), "{text} missing");
        }
    }

    #[test]
    fn a_png_is_a_png_and_an_empty_series_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trend.png");
        let series = one(&[point("2024-Q1", 4, None), point("2024-Q2", 6, None)]);
        let counts = Chart {
            measure: Measure::Count,
            ..chart(&series)
        };
        write_chart(&counts, ChartFormat::Png, &path).unwrap();
        assert_eq!(&std::fs::read(&path).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
        // No medians at all: nothing to draw, and nothing written.
        let empty = dir.path().join("empty.svg");
        assert!(matches!(
            write_chart(&chart(&series), ChartFormat::Svg, &empty),
            Err(ChartError::Empty)
        ));
        assert!(!empty.exists());
    }

    #[test]
    fn several_series_have_a_legend_entry_each_and_their_own_colours() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("split.svg");
        let named = |name: &str, points: Vec<Point>| Series { name: name.into(), points };
        let series = [
            named("HN", vec![point("2022", 3, Some(35.8)), point("2023", 2, Some(31.1))]),
            named("EC", vec![point("2023", 1, Some(46.5))]),
            named("(no country)", vec![point("2021", 1, Some(5.8))]),
        ];
        let split = Chart {
            legend: true,
            note: "first line of the note\nsecond line of the note".into(),
            ..chart(&series)
        };
        write_chart(&split, ChartFormat::Svg, &path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        for text in [
            "HN",
            "EC",
            "(no country)",
            "claims: 5",
            "claims: 1",
            "2021",
            "second line of the note",
        ] {
            assert!(svg.contains(text), "{text} missing");
        }
        // Each series is drawn in its own colour (the labels of its points take it too).
        for (colour, _) in (0..series.len()).map(style_of) {
            let hex = format!("#{:02X}{:02X}{:02X}", colour.0, colour.1, colour.2);
            assert!(svg.to_uppercase().contains(&hex), "{hex} missing");
        }
    }

    #[test]
    fn labels_of_close_points_do_not_overlap() {
        use Label::{Above, Below, None};
        // Far apart: all above. Close: the highest above, the next below, a third nowhere.
        assert_eq!(place_labels(&[Some(10.0), Some(30.0)], 2.0, 0.5, 0.2), [Above, Above]);
        assert_eq!(
            place_labels(&[Some(6.3), Some(7.8), Option::None], 2.0, 0.5, 0.2),
            [Below, Above, None]
        );
        assert_eq!(
            place_labels(&[Some(7.0), Some(7.5), Some(7.2)], 2.0, 0.5, 0.2),
            [None, Above, Below]
        );
        // A label never covers another series' marker: 8.5 sits where 7.8's label would go.
        assert_eq!(place_labels(&[Some(7.8), Some(8.5)], 0.5, 0.3, 0.1), [Below, Above]);
    }

    #[test]
    fn styles_differ_and_long_names_are_shortened() {
        let styles: Vec<_> = (0..PALETTE.len() * MARKERS.len()).map(style_of).collect();
        for (i, a) in styles.iter().enumerate() {
            assert!(styles[i + 1..].iter().all(|b| b != a), "style {i} repeats");
        }
        assert_eq!(short_name("PE"), "PE");
        let long = "Diario de la Seguridad Ciudadana";
        assert_eq!(short_name(long).chars().count(), LEGEND_NAME_CHARS + 1);
        assert!(short_name("ñandú-ñandú-ñandú-ñandú-ñandú").ends_with('…'));
    }
}
