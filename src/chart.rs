//! Charts of a trend for reports: a line of the figures' median (or bars of a count) per period,
//! with title, labelled axes, the number behind each point and a source note, as SVG or PNG.

use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::trend::Point;

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
    /// How many there are, as bars: entity mentions.
    Count,
}

/// A chart to draw: its series and its words.
#[derive(Debug, Clone)]
pub struct Chart<'a> {
    pub title: String,
    /// The vertical axis: the unit of the figures, or what is counted.
    pub y_label: String,
    pub x_label: String,
    /// Under the plot: where the figures come from and how they were counted.
    pub note: String,
    pub measure: Measure,
    pub points: &'a [Point],
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
/// The family every text of a chart is set in.
const FONT: &str = "sans-serif";
/// At most this many period labels under the axis; more would overlap.
const MAX_X_LABELS: usize = 16;

/// Registers the embedded font once: a machine without fonts installed draws the same text.
fn font_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok())
}

/// Draws `chart` to `path` in `format`, replacing any file there.
pub fn write_chart(chart: &Chart<'_>, format: ChartFormat, path: &Path) -> Result<(), ChartError> {
    if chart.points.iter().all(|p| value(chart.measure, p).is_none()) {
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

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, chart: &Chart<'_>) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let (plot, footer) = root.split_vertically(HEIGHT - 28);
    let values: Vec<Option<f64>> = chart.points.iter().map(|p| value(chart.measure, p)).collect();
    let top = values.iter().flatten().copied().fold(f64::MIN, f64::max);
    let bottom = values.iter().flatten().copied().fold(f64::MAX, f64::min).min(0.0);
    // Room above the highest point for its label.
    let top = if top > bottom { top + (top - bottom) * 0.12 } else { bottom + 1.0 };
    let n = chart.points.len();
    let mut cartesian = ChartBuilder::on(&plot)
        .caption(&chart.title, (FONT, 22))
        .margin(18)
        .x_label_area_size(44)
        .y_label_area_size(78)
        // A segmented range of 0..k holds k + 1 segments: one per period.
        .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), bottom..top)
        .map_err(err)?;
    let periods: Vec<&str> = chart.points.iter().map(|p| p.period.as_str()).collect();
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
    let colour = RGBColor(31, 95, 153);
    let at = |i: usize, v: f64| (SegmentValue::CenterOf(i), v);
    match chart.measure {
        Measure::Count => {
            cartesian
                .draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                    v.map(|v| {
                        Rectangle::new(
                            [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), v)],
                            colour.mix(0.75).filled(),
                        )
                    })
                }))
                .map_err(err)?;
        }
        Measure::Median => {
            // A gap in the series (a period without figures) breaks the line.
            for run in values.iter().enumerate().collect::<Vec<_>>().split(|(_, v)| v.is_none()) {
                let line: Vec<_> = run.iter().filter_map(|(i, v)| v.map(|v| at(*i, v))).collect();
                cartesian.draw_series(LineSeries::new(line, colour.stroke_width(2))).map_err(err)?;
            }
            cartesian
                .draw_series(
                    values
                        .iter()
                        .enumerate()
                        .filter_map(|(i, v)| v.map(|v| Circle::new(at(i, v), 4, colour.filled()))),
                )
                .map_err(err)?;
        }
    }
    // The number behind each point, just above it.
    let label_style = TextStyle::from((FONT, 12).into_font()).pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Bottom,
    ));
    let lift = (top - bottom) * 0.03;
    cartesian
        .draw_series(
            chart
                .points
                .iter()
                .zip(&values)
                .enumerate()
                .filter_map(|(i, (p, v))| v.map(|v| Text::new(count_label(p), at(i, v + lift), label_style.clone()))),
        )
        .map_err(err)?;
    footer
        .draw_text(
            &chart.note,
            &TextStyle::from((FONT, 12).into_font()).color(&RGBColor(90, 90, 90)),
            (18, 4),
        )
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
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

    fn chart(points: &[Point]) -> Chart<'_> {
        Chart {
            title: "Homicide rate, Peru".into(),
            y_label: "per 100,000".into(),
            x_label: "reference year".into(),
            note: "vigia: 3 figures from 2 articles; levels only".into(),
            measure: Measure::Median,
            points,
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
        let points = [point("2014", 2, Some(7.2)), point("2015", 0, None), point("2016", 1, Some(7.7))];
        write_chart(&chart(&points), ChartFormat::Svg, &path).unwrap();
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
        let points = [point("2024-Q1", 4, None), point("2024-Q2", 6, None)];
        let counts = Chart {
            measure: Measure::Count,
            ..chart(&points)
        };
        write_chart(&counts, ChartFormat::Png, &path).unwrap();
        assert_eq!(&std::fs::read(&path).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
        // No medians at all: nothing to draw, and nothing written.
        let empty = dir.path().join("empty.svg");
        assert!(matches!(
            write_chart(&chart(&points), ChartFormat::Svg, &empty),
            Err(ChartError::Empty)
        ));
        assert!(!empty.exists());
    }
}
