//! PP-OCR's detection. Takes a grey page (or a small copy, for triage);
//! hands on one rotated rectangle per text line ([`Quad`]): DB detection's
//! probability map, in bands on tall pages and in blocks of ink on sparse
//! ones, turned into rectangles.

use super::*;

/// Longest sides of the page triage's own detector works on: 640 px first
/// (a title at 18 pt on A4 is 13 px high), 800 px when the page's large print
/// at 640 gave no verdict (read poorly, no title, no hint): a page whose only
/// large print is a standard or a name reads at 640 as noise.
pub const TRIAGE_SIDES: [u32; 2] = [640, 800];

/// Longest side of the page triage detects on with the reading's detector.
pub const TRIAGE_FALLBACK_SIDE: u32 = 640;

/// Longest side of the image given to detection. rapidocr uses 2000; on A4
/// pages 1280 finds the same lines (10-point text is still ~15 px high) in
/// 40 % of the time (`certscan pages --engine paddle --debug`:
/// 3.0 s at 2000, 1.3 s at 1280 on a 2593×3508 scan).
pub const DET_MAX_SIDE: u32 = 1280;

/// Detection size for the red-print mask (seal rings, red notices: large print).
pub const RED_DET_MAX_SIDE: u32 = 960;

/// Shortest side detection works at (rapidocr's `limit_side_len`, type min).
pub(super) const DET_MIN_SIDE: u32 = 736;

/// A detected region whose second moments along its two axes differ by less
/// than this factor (sides within about 1.5 : 1) is taken as level.
pub(super) const SQUARE_MOMENTS: f32 = 2.25;

/// Pixel threshold of the probability map.
pub(super) const DET_THRESH: f32 = 0.3;

/// Mean probability a box needs to be kept.
pub(super) const BOX_THRESH: f32 = 0.5;

/// How far the shrunk text kernel is grown back (DB's unclip ratio).
pub(super) const UNCLIP_RATIO: f32 = 1.6;

/// A text line found by detection: a rectangle, possibly slightly turned, in
/// the pixels of the image given to [`Paddle::detect`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quad {
    /// Corner at the start of the line's top edge.
    pub origin: (f32, f32),
    /// Unit vector along the line.
    pub along: (f32, f32),
    /// Length along the line and height across it.
    pub len: f32,
    pub height: f32,
    /// Mean detection probability inside the line.
    pub score: f32,
}

impl Quad {
    /// The box in an image scaled by `k`.
    pub fn scaled(&self, k: f32) -> Quad {
        Quad {
            origin: (self.origin.0 * k, self.origin.1 * k),
            len: self.len * k,
            height: self.height * k,
            ..*self
        }
    }

    /// Whether the box is a text line rather than a character or a speck.
    pub fn is_line(&self) -> bool {
        self.len.max(self.height) >= 3.0 * self.len.min(self.height)
    }

    /// Whether the box's long side runs down the page rather than across it.
    pub fn runs_down(&self) -> bool {
        let along_is_vertical = self.along.1.abs() > self.along.0.abs();
        along_is_vertical == (self.len >= self.height)
    }

    /// The rectangle lengthened by `m` at both ends of the line.
    pub fn lengthened(&self, m: f32) -> Quad {
        Quad {
            origin: (
                self.origin.0 - self.along.0 * m,
                self.origin.1 - self.along.1 * m,
            ),
            len: self.len + 2.0 * m,
            ..*self
        }
    }

    /// The same rectangle in the frame of the image turned by 180° (`w`×`h`).
    pub fn turned_180(&self, w: f32, h: f32) -> Quad {
        let (ux, uy) = self.along;
        let (vx, vy) = (-uy, ux);
        let far = (
            self.origin.0 + ux * self.len + vx * self.height,
            self.origin.1 + uy * self.len + vy * self.height,
        );
        Quad {
            origin: (w - far.0, h - far.1),
            ..*self
        }
    }

    /// Axis-aligned box around the rectangle, clamped to `w`×`h`.
    pub fn bbox(&self, w: u32, h: u32) -> BBox {
        let (ux, uy) = self.along;
        let (vx, vy) = (-uy, ux);
        let pts = [
            self.origin,
            (self.origin.0 + ux * self.len, self.origin.1 + uy * self.len),
            (
                self.origin.0 + vx * self.height,
                self.origin.1 + vy * self.height,
            ),
            (
                self.origin.0 + ux * self.len + vx * self.height,
                self.origin.1 + uy * self.len + vy * self.height,
            ),
        ];
        let x0 = pts.iter().map(|p| p.0).fold(f32::MAX, f32::min).max(0.0);
        let y0 = pts.iter().map(|p| p.1).fold(f32::MAX, f32::min).max(0.0);
        let x1 = pts
            .iter()
            .map(|p| p.0)
            .fold(f32::MIN, f32::max)
            .min(w as f32);
        let y1 = pts
            .iter()
            .map(|p| p.1)
            .fold(f32::MIN, f32::max)
            .min(h as f32);
        BBox::new(
            x0 as u32,
            y0 as u32,
            (x1 - x0).max(1.0) as u32,
            (y1 - y0).max(1.0) as u32,
        )
    }
}

/// The boxes that are text lines, not single characters or specks (a box's
/// long side may run along or across its `along` vector).
pub fn text_lines(quads: Vec<Quad>) -> Vec<Quad> {
    quads.into_iter().filter(Quad::is_line).collect()
}

/// Inputs taller than this many rows are detected in bands.
pub(super) const DET_BAND_ABOVE: usize = 448;

/// Rows of context a band reads beyond its own rows, on each inner side
/// (a multiple of 32, as the network's input must be).
pub(super) const DET_BAND_CONTEXT: usize = 64;

/// A rectangle of a resized page detection runs on (`ctx`: columns and
/// rows, multiples of 32) and the part of it whose probabilities are kept
/// (`own`, inside `ctx`).
pub(super) struct Block {
    pub(super) own: (std::ops::Range<usize>, std::ops::Range<usize>),
    pub(super) ctx: (std::ops::Range<usize>, std::ops::Range<usize>),
}

/// Side of the cells [`ink_regions`] looks for ink in (pixels).
pub(super) const INK_CELL: u32 = 16;

/// A cell holds ink when a pixel is darker than this.
pub(super) const INK_DARK: u8 = 230;

/// Margin around a region of ink (pixels): the detector sees a line's
/// surroundings as it would on the whole image.
pub(super) const INK_MARGIN: u32 = 48;

/// The places of `gray` (dark ink on white) that hold ink: cells of
/// [`INK_CELL`] pixels with a dark pixel, grouped where they touch, each
/// group's bounding box widened by [`INK_MARGIN`], boxes that overlap merged;
/// (x, y, width, height), top to bottom.
pub fn ink_regions(gray: &GrayImage) -> Vec<(u32, u32, u32, u32)> {
    let (w, h) = gray.dimensions();
    let (cw, ch) = (w.div_ceil(INK_CELL) as usize, h.div_ceil(INK_CELL) as usize);
    let mut ink = vec![false; cw * ch];
    for (x, y, p) in gray.enumerate_pixels() {
        if p[0] < INK_DARK {
            ink[(y / INK_CELL) as usize * cw + (x / INK_CELL) as usize] = true;
        }
    }
    // Groups of touching cells (8-neighbours), by a flood fill.
    let mut seen = vec![false; cw * ch];
    let mut boxes: Vec<[u32; 4]> = Vec::new();
    for start in 0..ink.len() {
        if !ink[start] || seen[start] {
            continue;
        }
        let mut stack = vec![start];
        seen[start] = true;
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        while let Some(i) = stack.pop() {
            let (cx, cy) = (i % cw, i / cw);
            (x0, y0, x1, y1) = (x0.min(cx), y0.min(cy), x1.max(cx), y1.max(cy));
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (cx as i64 + dx, cy as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= cw as i64 || ny >= ch as i64 {
                        continue;
                    }
                    let j = ny as usize * cw + nx as usize;
                    if ink[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        let px = |c: usize| c as u32 * INK_CELL;
        boxes.push([
            px(x0).saturating_sub(INK_MARGIN),
            px(y0).saturating_sub(INK_MARGIN),
            (px(x1 + 1) + INK_MARGIN).min(w),
            (px(y1 + 1) + INK_MARGIN).min(h),
        ]);
    }
    // Widened boxes that overlap are one region (a seal's ring and its star).
    let mut merged = true;
    while merged {
        merged = false;
        'outer: for i in 0..boxes.len() {
            for j in i + 1..boxes.len() {
                let (a, b) = (boxes[i], boxes[j]);
                if a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3] {
                    boxes[i] = [
                        a[0].min(b[0]),
                        a[1].min(b[1]),
                        a[2].max(b[2]),
                        a[3].max(b[3]),
                    ];
                    boxes.swap_remove(j);
                    merged = true;
                    break 'outer;
                }
            }
        }
    }
    boxes.sort_by_key(|b| (b[1], b[0]));
    boxes
        .into_iter()
        .map(|b| (b[0], b[1], b[2] - b[0], b[3] - b[1]))
        .collect()
}

/// Splits `rows` (a multiple of 32) into bands: each band's own rows (which
/// tile 0..rows) and the rows it is run on (its own plus context).
pub fn det_bands(rows: usize) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    if rows <= DET_BAND_ABOVE {
        return vec![(0..rows, 0..rows)];
    }
    let n = rows.div_ceil(DET_BAND_ABOVE - 2 * DET_BAND_CONTEXT).max(2);
    let step = (rows / n).div_ceil(32) * 32;
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    while start < rows {
        let end = (start + step).min(rows);
        let ctx_start = start.saturating_sub(DET_BAND_CONTEXT);
        let ctx_end = (end + DET_BAND_CONTEXT).min(rows);
        out.push((start..end, ctx_start..ctx_end));
        start = end;
    }
    out
}

/// Connected regions of the thresholded map, each turned into a rectangle
/// along its main axis and grown by the unclip distance.
pub fn quads_from_map(prob: &[f32], w: usize, h: usize) -> Vec<Quad> {
    let mut label = vec![0u32; w * h];
    let mut quads = Vec::new();
    let mut stack = Vec::new();
    let mut next = 0u32;
    for start in 0..w * h {
        if prob[start] <= DET_THRESH || label[start] != 0 {
            continue;
        }
        next += 1;
        label[start] = next;
        stack.push(start);
        let mut pix: Vec<(f32, f32)> = Vec::new();
        let mut score = 0f32;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            pix.push((x as f32 + 0.5, y as f32 + 0.5));
            score += prob[i];
            let mut visit = |j: usize| {
                if prob[j] > DET_THRESH && label[j] == 0 {
                    label[j] = next;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        if pix.len() < 6 {
            continue;
        }
        let score = score / pix.len() as f32;
        if score < BOX_THRESH {
            continue;
        }
        if let Some(q) = rect_of(&pix, score) {
            quads.push(q);
        }
    }
    quads
}

/// The rectangle along a region's main axis (from its second moments), grown
/// by DB's unclip distance (area × ratio / perimeter).
pub(super) fn rect_of(pix: &[(f32, f32)], score: f32) -> Option<Quad> {
    let n = pix.len() as f32;
    let (mx, my) = pix
        .iter()
        .fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
    let (mut sxx, mut syy, mut sxy) = (0f32, 0f32, 0f32);
    for &(x, y) in pix {
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
        sxy += (x - mx) * (y - my);
    }
    let mut theta = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    // Text lines run left to right; a region taller than wide (one CJK
    // character, a vertical stroke) keeps the horizontal axis unless clearly
    // turned. A region about as wide as high (one character, 理) has no axis
    // of its own: its moments give any angle, up to 45 degrees, and a crop
    // turned that far reads as nothing.
    let half = (sxx + syy) / 2.0;
    let spread = (((sxx - syy) / 2.0).powi(2) + sxy * sxy).sqrt();
    let (major, minor) = (half + spread, (half - spread).max(f32::EPSILON));
    if theta.abs() > std::f32::consts::FRAC_PI_4 || major < SQUARE_MOMENTS * minor {
        theta = 0.0;
    }
    let (ux, uy) = (theta.cos(), theta.sin());
    let (vx, vy) = (-uy, ux);
    let (mut a0, mut a1, mut b0, mut b1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for &(x, y) in pix {
        let a = (x - mx) * ux + (y - my) * uy;
        let b = (x - mx) * vx + (y - my) * vy;
        a0 = a0.min(a - 0.5);
        a1 = a1.max(a + 0.5);
        b0 = b0.min(b - 0.5);
        b1 = b1.max(b + 0.5);
    }
    let (len, hgt) = (a1 - a0, b1 - b0);
    if len < 2.0 || hgt < 2.0 {
        return None;
    }
    let d = len * hgt * UNCLIP_RATIO / (2.0 * (len + hgt));
    let (a0, b0) = (a0 - d, b0 - d);
    Some(Quad {
        origin: (mx + ux * a0 + vx * b0, my + uy * a0 + vy * b0),
        along: (ux, uy),
        len: len + 2.0 * d,
        height: hgt + 2.0 * d,
        score,
    })
}

impl Paddle {
    /// DB detection: text-line rectangles in `gray`'s pixels.
    pub fn detect(&self, gray: &GrayImage) -> Result<Vec<Quad>, DocError> {
        self.detect_at(gray, self.det_max_side)
    }

    pub(super) fn detect_at(
        &self,
        gray: &GrayImage,
        det_max_side: u32,
    ) -> Result<Vec<Quad>, DocError> {
        let (w, h) = gray.dimensions();
        if w < 8 || h < 8 {
            return Ok(Vec::new());
        }
        // Scale as rapidocr does: longest side at most DET_MAX_SIDE, shortest
        // at least DET_MIN_SIDE, both multiples of 32.
        let f = self.det_scale(w, h, det_max_side);
        let rw = (((w as f32 * f) / 32.0).round() as u32).max(1) * 32;
        let rh = (((h as f32 * f) / 32.0).round() as u32).max(1) * 32;
        self.detect_resized(gray, rw, rh)
    }

    /// The factor [`Paddle::detect_at`] scales a `w`×`h` image by.
    pub(super) fn det_scale(&self, w: u32, h: u32, det_max_side: u32) -> f32 {
        let mut f = (det_max_side as f32 / w.max(h) as f32).min(1.0);
        if (w.min(h) as f32 * f) < DET_MIN_SIDE as f32 {
            f = DET_MIN_SIDE as f32 / w.min(h) as f32;
        }
        f
    }

    /// The sides triage detects a page at, coarse first: with triage's own
    /// detector [`TRIAGE_SIDES`], else the reading's at
    /// [`TRIAGE_FALLBACK_SIDE`].
    pub fn triage_sides(&self) -> &'static [u32] {
        match self.triage_det {
            Some(_) => &TRIAGE_SIDES,
            None => &[TRIAGE_FALLBACK_SIDE],
        }
    }

    /// Detection for triage at `side` (one of [`Paddle::triage_sides`]),
    /// with triage's own detector when it is loaded; the detector's name is
    /// for the debug log.
    pub fn detect_triage(
        &self,
        gray: &GrayImage,
        side: u32,
    ) -> Result<(Vec<Quad>, &'static str), DocError> {
        match &self.triage_det {
            Some(m) => Ok((self.detect_small(m, gray, side)?, TRIAGE_MODEL_FILE.0)),
            None => Ok((self.detect_small(&self.det, gray, side)?, MODEL_FILES[0].0)),
        }
    }

    /// Detection by `model` on `gray` scaled so that its longest side is
    /// `long_side` (no shortest-side floor: a page's large print, its title,
    /// is what triage looks for), in one band; boxes in `gray`'s pixels.
    pub(super) fn detect_small(
        &self,
        model: &Model,
        gray: &GrayImage,
        long_side: u32,
    ) -> Result<Vec<Quad>, DocError> {
        let (w, h) = gray.dimensions();
        if w < 8 || h < 8 {
            return Ok(Vec::new());
        }
        let f = (long_side as f32 / w.max(h) as f32).min(1.0);
        let rw = (((w as f32 * f) / 32.0).round() as u32).max(1) * 32;
        let rh = (((h as f32 * f) / 32.0).round() as u32).max(1) * 32;
        self.detect_banded(model, gray, rw, rh, rh as usize)
    }

    /// Detection on `gray` resized to `rw`×`rh` (multiples of 32); boxes in
    /// `gray`'s pixels.
    pub(super) fn detect_resized(
        &self,
        gray: &GrayImage,
        rw: u32,
        rh: u32,
    ) -> Result<Vec<Quad>, DocError> {
        self.detect_banded(&self.det, gray, rw, rh, DET_BAND_ABOVE)
    }

    /// [`Paddle::detect_resized`], inputs taller than `band_above` rows run
    /// in bands.
    pub(super) fn detect_banded(
        &self,
        model: &Model,
        gray: &GrayImage,
        rw: u32,
        rh: u32,
        band_above: usize,
    ) -> Result<Vec<Quad>, DocError> {
        let (pw, ph) = (rw as usize, rh as usize);
        let blocks: Vec<Block> = if ph <= band_above {
            vec![(0..ph, 0..ph)]
        } else {
            det_bands(ph)
        }
        .into_iter()
        .map(|(own, ctx)| Block {
            own: (0..pw, own),
            ctx: (0..pw, ctx),
        })
        .collect();
        self.detect_blocks(model, gray, rw, rh, &blocks)
    }

    /// Detection on `gray` resized to `rw`×`rh` (multiples of 32), the
    /// network run on each block's rectangle with its context and its own
    /// part of the probability map kept (the rest of the map is empty: no
    /// lines); boxes in `gray`'s pixels.
    pub(super) fn detect_blocks(
        &self,
        model: &Model,
        gray: &GrayImage,
        rw: u32,
        rh: u32,
        blocks: &[Block],
    ) -> Result<Vec<Quad>, DocError> {
        let (w, h) = gray.dimensions();
        if w < 8 || h < 8 {
            return Ok(Vec::new());
        }
        let small = crate::pixels::resize_gray(gray, rw, rh);
        let plane: Vec<f32> = small
            .as_raw()
            .iter()
            .map(|&p| p as f32 / 127.5 - 1.0)
            .collect();
        drop(small);
        let (pw, ph) = (rw as usize, rh as usize);
        // The network's activations grow with the input's area (about 160 MB
        // for a whole page at 1280 px, 60 MB for a band of 448 rows): a tall
        // page is run in horizontal bands that overlap by DET_BAND_CONTEXT
        // rows, each band giving the probability map of its own rows, so that
        // the peak is a band's and the stitched map the page's.
        let mut prob = vec![0f32; pw * ph];
        for Block { own, ctx } in blocks {
            let (cols, rows) = (ctx.0.len(), ctx.1.len());
            let mut data = Vec::with_capacity(cols * rows * 3);
            for _ in 0..3 {
                for y in ctx.1.clone() {
                    data.extend_from_slice(&plane[y * pw + ctx.0.start..y * pw + ctx.0.end]);
                }
            }
            let input = NdTensor::from_data([1, 3, rows, cols], data);
            let out: NdTensor<f32, 4> = run(model, input, "detection")?;
            if out.shape()[2] != rows || out.shape()[3] != cols {
                return Err(ocr_err("PP-OCR detection gave a map of another size"));
            }
            let out = out.into_data();
            for y in own.1.clone() {
                let from = (y - ctx.1.start) * cols + (own.0.start - ctx.0.start);
                prob[y * pw + own.0.start..y * pw + own.0.end]
                    .copy_from_slice(&out[from..from + own.0.len()]);
            }
        }
        let quads = quads_from_map(&prob, pw, ph);
        let (sx, sy) = (w as f32 / pw as f32, h as f32 / ph as f32);
        Ok(quads
            .into_iter()
            .map(|q| {
                // Near-uniform scale (multiples of 32 move the aspect slightly).
                Quad {
                    origin: (q.origin.0 * sx, q.origin.1 * sy),
                    len: q.len * (q.along.0.abs() * sx + q.along.1.abs() * sy),
                    height: q.height * (q.along.1.abs() * sx + q.along.0.abs() * sy),
                    ..q
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ink_regions_cover_the_ink_alone() {
        // A white page with a seal (a 100 px ring) and a title line far
        // from it: two regions, each around its own ink, with the margin.
        let mut g = GrayImage::from_pixel(1000, 1400, Luma([255]));
        for y in 100..200 {
            for x in 600..700 {
                let (dx, dy) = (x as f32 - 650.0, y as f32 - 150.0);
                let r = (dx * dx + dy * dy).sqrt();
                if (40.0..50.0).contains(&r) {
                    g.put_pixel(x, y, Luma([30]));
                }
            }
        }
        for y in 900..930 {
            for x in 200..800 {
                g.put_pixel(x, y, Luma([90]));
            }
        }
        // Faint paper tint is no ink.
        g.put_pixel(10, 10, Luma([245]));
        let r = ink_regions(&g);
        assert_eq!(r.len(), 2, "{r:?}");
        let (x, y, w, h) = r[0];
        assert!(
            x <= 600 && y <= 100 && x + w >= 700 && y + h >= 200,
            "{r:?}"
        );
        assert!(w < 250 && h < 250, "the seal's region is small: {r:?}");
        let (x, y, w, h) = r[1];
        assert!(
            x <= 200 && y <= 900 && x + w >= 800 && y + h >= 930,
            "{r:?}"
        );
        assert!(y > 300, "{r:?}");
        // Nothing inked: no region; touching ink: one.
        assert!(ink_regions(&GrayImage::from_pixel(64, 64, Luma([255]))).is_empty());
    }

    #[test]
    fn detection_bands_tile_the_rows_with_context() {
        for rows in [32, 736, 768, 800, 1280, 1920, 4000] {
            let bands = det_bands(rows);
            let mut next = 0;
            for (own, ctx) in &bands {
                assert_eq!(own.start, next, "{rows}: bands tile the rows");
                next = own.end;
                assert!(ctx.start <= own.start && ctx.end >= own.end);
                assert_eq!(ctx.len() % 32, 0, "{rows}: {ctx:?} is a multiple of 32");
                if ctx.start > 0 {
                    assert_eq!(own.start - ctx.start, DET_BAND_CONTEXT);
                }
                if ctx.end < rows {
                    assert_eq!(ctx.end - own.end, DET_BAND_CONTEXT);
                }
                assert!(
                    bands.len() == 1 || ctx.len() <= DET_BAND_ABOVE,
                    "{rows}: {ctx:?}"
                );
            }
            assert_eq!(next, rows);
            assert_eq!(bands.len() == 1, rows <= DET_BAND_ABOVE);
        }
    }

    #[test]
    fn a_square_region_is_taken_level() {
        // One character's blob, a little wider than high, two opposite
        // corners missing: its moments point 40-odd degrees off level.
        let mut pix = Vec::new();
        for y in 0..40i32 {
            for x in 0..42i32 {
                if x + (39 - y) >= 12 && (41 - x) + y >= 12 {
                    pix.push((x as f32 + 100.0, y as f32 + 50.0));
                }
            }
        }
        let q = rect_of(&pix, 0.9).unwrap();
        assert_eq!(q.along, (1.0, 0.0), "{q:?}");
        // A line keeps its slant.
        let line: Vec<(f32, f32)> = (0..400)
            .flat_map(|x| (0..12).map(move |y| (x as f32, y as f32 + x as f32 * 0.05)))
            .collect();
        let q = rect_of(&line, 0.9).unwrap();
        assert!((q.along.1 / q.along.0 - 0.05).abs() < 0.01, "{q:?}");
    }

    #[test]
    fn a_turned_bar_becomes_a_turned_rectangle() {
        // A 200×12 bar turned by 3°, drawn into a probability map.
        let (w, h) = (300usize, 100usize);
        let mut prob = vec![0f32; w * h];
        let t = 3f32.to_radians();
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = (x as f32 - 150.0, y as f32 - 50.0);
                let a = dx * t.cos() + dy * t.sin();
                let b = -dx * t.sin() + dy * t.cos();
                if a.abs() < 100.0 && b.abs() < 6.0 {
                    prob[y * w + x] = 0.9;
                }
            }
        }
        let q = quads_from_map(&prob, w, h);
        assert_eq!(q.len(), 1);
        let angle = q[0].along.1.atan2(q[0].along.0).to_degrees();
        assert!((angle - 3.0).abs() < 0.5, "angle {angle}");
        // Grown by the unclip distance on each side: 12×200 → about 12 + 2·9.
        assert!(q[0].len > 210.0 && q[0].len < 230.0, "{:?}", q[0]);
        assert!(q[0].height > 25.0 && q[0].height < 35.0, "{:?}", q[0]);
    }

    #[test]
    fn a_quad_turned_twice_is_itself_and_once_is_mirrored() {
        let q = Quad {
            origin: (10.0, 20.0),
            along: (1.0, 0.0),
            len: 100.0,
            height: 30.0,
            score: 0.9,
        };
        let t = q.turned_180(500.0, 400.0);
        assert_eq!(t.origin, (390.0, 350.0));
        assert_eq!(t.bbox(500, 400), BBox::new(390, 350, 100, 30));
        assert_eq!(t.turned_180(500.0, 400.0), q);
    }
}
