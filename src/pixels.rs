//! Pixels: a shared leaf (it imports no stage). Takes grey or colour page
//! images; hands on images resized, turned or reduced to a channel.

use image::{imageops, GrayImage};

/// Resizes a grey image with a triangle (bilinear) filter. `fast_image_resize`
/// works in the image's own 8-bit pixels: `image`'s resize keeps an RGBA f32
/// copy of the source's height (80 MB for an A4 page at 300 dpi), which was a
/// worker's peak memory.
pub fn resize_gray(img: &GrayImage, w: u32, h: u32) -> GrayImage {
    use fast_image_resize as fr;
    let (w, h) = (w.max(1), h.max(1));
    if img.dimensions() == (w, h) {
        return img.clone();
    }
    let src = fr::images::ImageRef::new(img.width(), img.height(), img.as_raw(), fr::PixelType::U8)
        .expect("a GrayImage's buffer fits its size");
    let mut dst = fr::images::Image::new(w, h, fr::PixelType::U8);
    let opts =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Bilinear));
    fr::Resizer::new()
        .resize(&src, &mut dst, &opts)
        .expect("U8 to U8 resize is supported");
    GrayImage::from_raw(w, h, dst.into_vec()).expect("buffer of w×h bytes")
}

/// The red channel of a colour image as a grey image.
pub fn red_channel(rgb: &image::RgbImage) -> GrayImage {
    GrayImage::from_fn(rgb.width(), rgb.height(), |x, y| {
        image::Luma([rgb.get_pixel(x, y)[0]])
    })
}

/// Turns an image clockwise by `deg` (0, 90, 180, 270).
pub fn rotate_cw(img: &GrayImage, deg: u32) -> GrayImage {
    match deg {
        90 => imageops::rotate90(img),
        180 => imageops::rotate180(img),
        270 => imageops::rotate270(img),
        _ => img.clone(),
    }
}
