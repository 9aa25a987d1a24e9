//! PP-OCR's recognition. Takes line crops (cut from the page and turned
//! level by [`crop_line`]); hands on their text and confidences
//! ([`Recognized`]), with the traditional rival of a simplified character.

use super::*;

/// Margin added at both ends of a line before it is cut out, in line
/// heights: DB's boxes clip small marks at a line's end (a final 、 or ：).
pub const END_PAD: f32 = 0.2;

/// Height of the recognition input.
pub(super) const REC_HEIGHT: u32 = 48;

/// Crops per recognition batch. Batches are padded to their widest crop and
/// rten's cost follows the padded width: one crop at a time was measured
/// fastest (1.2 s against 2.2 s for batches of 8 on a 24-line page).
pub(super) const REC_BATCH: usize = 1;

/// Lines whose recognised confidence (0-1) is below this are dropped.
pub(super) const TEXT_SCORE: f32 = 0.5;

/// A simplified-only character's traditional form is kept as the reading for
/// a traditional page when the recogniser gave it at least this share of the
/// chosen character's probability (a prior of 200 to one for the page's own
/// script). Measured on the 168 traditional certificates of seeds 41, 43 and
/// 47: 0.1 left 维/统/级 read for 維/統/級 in two scopes (the recogniser gave
/// the traditional form 0.5-10 %), 0.005 reads every one right and changes
/// nothing else.
pub(super) const TRADITIONAL_ODDS: f32 = 0.005;

/// For each class of `chars`, the class of its traditional form when it is a
/// simplified-only character (OpenCC s2t changes it, t2s brings it back) and
/// the dictionary holds that form; 0 otherwise.
pub(super) fn traditional_classes(chars: &[String]) -> Vec<u32> {
    let index: std::collections::HashMap<&str, u32> = chars
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, c)| (c.as_str(), i as u32))
        .collect();
    chars
        .iter()
        .map(|c| {
            let mut it = c.chars();
            let (Some(ch), None) = (it.next(), it.next()) else {
                return 0;
            };
            if !crate::page::is_cjk(ch) {
                return 0;
            }
            let t = crate::text::to_traditional(c);
            if t == *c || crate::text::to_simplified(&t) != *c {
                return 0;
            }
            index.get(t.as_str()).copied().unwrap_or(0)
        })
        .collect()
}

/// Crops normalised to `height`, padded (with 0 after normalisation) to the
/// widest one or to `fixed_width`, as one NCHW tensor with the grey value in
/// all three channels.
pub(super) fn batch_tensor(
    crops: &[GrayImage],
    height: u32,
    fixed_width: Option<u32>,
) -> NdTensor<f32, 4> {
    let widths: Vec<u32> = crops
        .iter()
        .map(|c| {
            let w = (height as f32 * c.width() as f32 / c.height().max(1) as f32).ceil() as u32;
            w.clamp(8, fixed_width.unwrap_or(height * 60))
        })
        .collect();
    let bw =
        fixed_width.unwrap_or_else(|| widths.iter().copied().max().unwrap_or(8).max(8)) as usize;
    let hh = height as usize;
    let mut data = vec![0f32; crops.len() * 3 * hh * bw];
    for (i, (c, &w)) in crops.iter().zip(&widths).enumerate() {
        let r = crate::pixels::resize_gray(c, w, height);
        for y in 0..hh {
            for x in 0..w as usize {
                let v = r.get_pixel(x as u32, y as u32)[0] as f32 / 127.5 - 1.0;
                for ch in 0..3 {
                    data[((i * 3 + ch) * hh + y) * bw + x] = v;
                }
            }
        }
    }
    NdTensor::from_data([crops.len(), 3, hh, bw], data)
}

/// Cuts a line's rectangle out of the page, turned level (bilinear sampling;
/// outside the page is white).
pub fn crop_line(gray: &GrayImage, q: &Quad) -> GrayImage {
    let w = q.len.round().max(1.0) as u32;
    let h = q.height.round().max(1.0) as u32;
    let (ux, uy) = q.along;
    let (vx, vy) = (-uy, ux);
    let (gw, gh) = (gray.width() as i64, gray.height() as i64);
    let px = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= gw || y >= gh {
            255.0
        } else {
            gray.get_pixel(x as u32, y as u32)[0] as f32
        }
    };
    GrayImage::from_fn(w, h, |i, j| {
        let (fi, fj) = (i as f32 + 0.5, j as f32 + 0.5);
        let sx = q.origin.0 + ux * fi + vx * fj - 0.5;
        let sy = q.origin.1 + uy * fi + vy * fj - 0.5;
        let (x0, y0) = (sx.floor(), sy.floor());
        let (dx, dy) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let v = px(x0, y0) * (1.0 - dx) * (1.0 - dy)
            + px(x0 + 1, y0) * dx * (1.0 - dy)
            + px(x0, y0 + 1) * (1.0 - dx) * dy
            + px(x0 + 1, y0 + 1) * dx * dy;
        Luma([v.round().clamp(0.0, 255.0) as u8])
    })
}

impl Paddle {
    /// CTC recognition of level line crops: text, mean and lowest character
    /// probability (0-1) each, and the text with traditional forms the
    /// recogniser also saw (see [`Recognized::traditional`]).
    pub fn recognize(&self, crops: &[GrayImage]) -> Result<Vec<Recognized>, DocError> {
        let mut order: Vec<usize> = (0..crops.len()).collect();
        let ratio = |c: &GrayImage| c.width() as f32 / c.height().max(1) as f32;
        order.sort_by(|&a, &b| ratio(&crops[a]).total_cmp(&ratio(&crops[b])));
        let mut out = vec![Recognized::default(); crops.len()];
        for idx in order.chunks(REC_BATCH) {
            let batch: Vec<GrayImage> = idx.iter().map(|&i| crops[i].clone()).collect();
            let input = batch_tensor(&batch, REC_HEIGHT, None);
            let t: NdTensor<f32, 3> = run(&self.rec, input, "recognition")?;
            let [_, steps, classes] = t.shape();
            for (bi, &i) in idx.iter().enumerate() {
                let mut text = String::new();
                let mut trad = String::new();
                let mut any_trad = false;
                let mut probs = Vec::new();
                let mut prev = 0usize;
                for s in 0..steps {
                    let mut best = (0usize, f32::MIN);
                    for c in 0..classes {
                        let p = t[[bi, s, c]];
                        if p > best.1 {
                            best = (c, p);
                        }
                    }
                    if best.0 != 0 && best.0 != prev {
                        if let Some(ch) = self.chars.get(best.0) {
                            text.push_str(ch);
                            probs.push(best.1);
                            let alt = self.traditional.get(best.0).copied().unwrap_or(0) as usize;
                            if alt != 0
                                && alt < classes
                                && t[[bi, s, alt]] >= best.1 * TRADITIONAL_ODDS
                            {
                                trad.push_str(&self.chars[alt]);
                                any_trad = true;
                            } else {
                                trad.push_str(ch);
                            }
                        }
                    }
                    prev = best.0;
                }
                let (mean, min) = if probs.is_empty() {
                    (0.0, 0.0)
                } else {
                    (
                        probs.iter().sum::<f32>() / probs.len() as f32,
                        probs.iter().copied().fold(1.0, f32::min),
                    )
                };
                out[i] = Recognized {
                    text,
                    mean,
                    min,
                    traditional: any_trad.then_some(trad),
                };
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplified_only_characters_know_their_traditional_class() {
        let chars: Vec<String> = ["", "厦", "廈", "证", "A", "中", "认"]
            .iter()
            .map(|c| c.to_string())
            .collect();
        let t = traditional_classes(&chars);
        // 厦 → 廈 (in the dictionary); 廈 is itself traditional; 证's form 證 is
        // not in this dictionary; A and 中 have no other form; the blank has none.
        assert_eq!(t, vec![0, 2, 0, 0, 0, 0, 0]);
    }
}
