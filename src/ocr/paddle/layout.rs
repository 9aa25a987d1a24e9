//! The layout of a PP-OCR reading. Takes the recognised line rectangles;
//! hands on [`Line`]s of [`Word`]s in reading order, the structure
//! Tesseract's reading and a text layer give.

use super::*;

/// The recognised boxes kept as words (text not empty, confidence at least
/// TEXT_SCORE), with their rectangles; boxes in an image of size `dims`.
/// A value is as doubtful as its most doubtful character (one uncertain
/// digit of a certificate number matters): a word's confidence is its lowest
/// character probability.
pub(super) fn words_of(
    quads: &[Quad],
    texts: Vec<Recognized>,
    dims: (u32, u32),
) -> Vec<(Word, Quad)> {
    quads
        .iter()
        .zip(texts)
        .filter(|(_, r)| !r.text.trim().is_empty() && r.mean >= TEXT_SCORE)
        .map(|(q, r)| {
            let word = Word {
                text: r.text.trim().to_string(),
                bbox: q.bbox(dims.0, dims.1),
                conf: r.min * 100.0,
                traditional: r.traditional.map(|t| t.trim().to_string()),
            };
            (word, *q)
        })
        .collect()
}

/// Steepest slant (tangent) a row of text is followed along: about 6
/// degrees, above the 4 degrees of skew a scan is expected to carry.
pub(super) const MAX_ROW_SLOPE: f32 = 0.1;

/// A word with its rectangle and the centre of that rectangle.
pub(super) type Placed = (Word, Quad, (f32, f32));

/// Words (one per detected box) joined into lines. Two boxes share a row
/// when the midline of one, followed along its slant, passes through the
/// other within half the smaller line height (skewed scans keep their rows
/// apart). Rows read left to right, top to bottom.
pub fn rows_of(words: Vec<(Word, Quad)>) -> Vec<Line> {
    let mid = |q: &Quad| {
        let (ux, uy) = q.along;
        (
            q.origin.0 + ux * q.len / 2.0 - uy * q.height / 2.0,
            q.origin.1 + uy * q.len / 2.0 + ux * q.height / 2.0,
        )
    };
    let mut items: Vec<Placed> = words
        .into_iter()
        .map(|(w, q)| {
            let m = mid(&q);
            (w, q, m)
        })
        .collect();
    items.sort_by(|a, b| a.2 .1.total_cmp(&b.2 .1).then(a.2 .0.total_cmp(&b.2 .0)));
    let same_row = |a: &Placed, b: &Placed| {
        // A box about as high as long (one character) has no direction to
        // follow; a longer one is followed along its slant, but no further
        // than a scan's skew (MAX_ROW_SLOPE).
        let slope = if a.1.len < 2.0 * a.1.height {
            0.0
        } else {
            (a.1.along.1 / a.1.along.0.max(0.1)).clamp(-MAX_ROW_SLOPE, MAX_ROW_SLOPE)
        };
        let y_at = a.2 .1 + (b.2 .0 - a.2 .0) * slope;
        (y_at - b.2 .1).abs() < 0.5 * a.1.height.min(b.1.height)
    };
    let mut rows: Vec<Vec<Placed>> = Vec::new();
    for it in items {
        match rows
            .iter_mut()
            .rev()
            .take(4)
            .find(|r| r.iter().any(|o| same_row(o, &it)))
        {
            Some(r) => r.push(it),
            None => rows.push(vec![it]),
        }
    }
    let mut lines: Vec<(f32, Line)> = rows
        .into_iter()
        .map(|mut r| {
            r.sort_by(|a, b| a.2 .0.total_cmp(&b.2 .0));
            let y = r.iter().map(|i| i.2 .1).fold(f32::MAX, f32::min);
            (y, Line::from_words(r.into_iter().map(|i| i.0).collect()))
        })
        .collect();
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    lines.into_iter().map(|(_, l)| l).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_on_one_row_make_one_line() {
        let w = |t: &str, x: u32, y: u32| {
            let word = Word {
                text: t.into(),
                bbox: BBox::new(x, y, 100, 30),
                conf: 90.0,
                ..Word::default()
            };
            let quad = Quad {
                origin: (x as f32, y as f32),
                along: (1.0, 0.0),
                len: 100.0,
                height: 30.0,
                score: 0.9,
            };
            (word, quad)
        };
        let lines = rows_of(vec![
            w("ABC-123", 400, 102),
            w("证书编号：", 100, 100),
            w("有效期", 100, 200),
        ]);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "证书编号：ABC-123");
        assert_eq!(lines[1].text, "有效期");
        // A one-character box has no direction to follow: a slant of 5.5
        // degrees (a real reading of a square 理) does not pull the next
        // line into its row.
        let (one, mut q) = w("理", 959, 1276);
        q.along = (0.9954, 0.0958);
        q.len = 78.4;
        q.height = 75.3;
        let (next, mut nq) = w("Cloud service management", 964, 1355);
        nq.len = 1176.0;
        nq.height = 49.0;
        let lines = rows_of(vec![(one, q), (next, nq)]);
        assert_eq!(lines.len(), 2, "{lines:?}");
    }
}
