//! Smaller copies of proxied images, for lists and phones: a real WeChat picture is hundreds of
//! kilobytes, and a thumbnail shows it at 100 pixels. Copies are made on the first request for
//! a width, as lossy WebP, and kept beside the original under its hash.

use image::{ImageReader, Limits};
use std::io::Cursor;

/// The widths a copy may have: few, so that the cache and the work stay bounded whatever
/// widths are asked for. Lists ask for the first two (1x and 2x screens), article bodies for
/// the last two.
pub const WIDTHS: [u32; 3] = [240, 480, 960];

/// WebP quality: photos at this setting look like their originals at a fraction of the size.
const QUALITY: f32 = 75.0;

/// Pictures larger than this (in pixels, or on a side) are not decoded: a small file can
/// claim to be an enormous picture and take the memory of the whole server.
const MAX_PIXELS: u64 = 40_000_000;
const MAX_SIDE: u32 = 16_384;

/// The size of a picture in pixels, read from its header (no decoding); `None` for SVG and
/// for what is no picture.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()
}

/// A copy of `original` `width` pixels wide as WebP, or `None` when there is nothing to gain:
/// a picture already that narrow (never enlarged), an SVG, or bytes that do not decode.
pub fn smaller_copy(original: &[u8], width: u32) -> Option<Vec<u8>> {
    let mut reader = ImageReader::new(Cursor::new(original))
        .with_guessed_format()
        .ok()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    let (w, h) = reader.into_dimensions().ok()?;
    if w <= width || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return None;
    }
    let mut reader = ImageReader::new(Cursor::new(original))
        .with_guessed_format()
        .ok()?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    let picture = reader.decode().ok()?;
    let height = (u64::from(h) * u64::from(width) / u64::from(w)).max(1) as u32;
    let resized = picture
        .resize_exact(width, height, image::imageops::FilterType::CatmullRom)
        .to_rgba8();
    let encoded = webp::Encoder::from_rgba(&resized, width, height).encode(QUALITY);
    Some(encoded.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        });
        let mut bytes = Vec::new();
        image::DynamicImage::ImageRgb8(picture)
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn a_wide_picture_gets_a_narrower_webp_copy_with_its_proportions() {
        let copy = smaller_copy(&png(1200, 800), 480).expect("a copy");
        assert!(copy.starts_with(b"RIFF") && &copy[8..12] == b"WEBP");
        let decoded = image::load_from_memory(&copy).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (480, 320));
    }

    #[test]
    fn a_pictures_size_is_read_from_its_header() {
        assert_eq!(dimensions(&png(300, 200)), Some((300, 200)));
        assert_eq!(
            dimensions(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            None
        );
    }

    #[test]
    fn narrow_pictures_svg_and_garbage_are_left_alone() {
        assert!(
            smaller_copy(&png(200, 100), 240).is_none(),
            "never enlarged"
        );
        assert!(smaller_copy(b"<svg xmlns='http://www.w3.org/2000/svg'/>", 240).is_none());
        assert!(smaller_copy(b"\x89PNG\r\n\x1a\nnot really", 240).is_none());
    }

    #[test]
    fn a_picture_that_claims_to_be_enormous_is_not_decoded() {
        // A PNG header that says 100,000 x 100,000 pixels, and nothing behind it.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(smaller_copy(&bomb, 480).is_none());
    }
}
