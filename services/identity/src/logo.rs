//! Organisation logos: accepted by content (PNG, JPEG or WebP magic bytes, never the name or a
//! declared type), at most 2 MB, decoded with bounded memory, shrunk to fit 256×256 and stored
//! as PNG, so that whatever was uploaded, what is served is a small image we encoded ourselves.

use std::io::Cursor;

use id77_kit::violations::FieldViolation;
use image::{ImageFormat, ImageReader, Limits, imageops::FilterType};

/// Largest upload accepted, in bytes.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;
/// The stored logo fits in a square of this side, in pixels.
pub const LOGO_SIDE: u32 = 256;
/// Media type of the stored logo.
pub const CONTENT_TYPE: &str = "image/png";
/// Field name of the logo in the profile form.
pub const FIELD: &str = "logo";

/// Largest image decoded, in pixels per side: a 2 MB file can claim enormous dimensions
/// (a "decompression bomb"); no logo needs more.
const MAX_DECODED_SIDE: u32 = 8192;
/// Most memory the decoder may allocate.
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;

/// Why an upload was refused, or that encoding failed (a server fault).
#[derive(Debug, thiserror::Error)]
pub enum LogoError {
    /// The upload is not an acceptable image.
    #[error("{}", .0.message)]
    Invalid(FieldViolation),
    /// Re-encoding our own decoded image failed.
    #[error("encoding the logo as PNG: {0}")]
    Encode(#[source] image::ImageError),
}

fn invalid(message: impl Into<String>) -> LogoError {
    LogoError::Invalid(FieldViolation::new(FIELD, message))
}

/// The logo to store, as PNG bytes, from an uploaded file. CPU-bound: call it from a blocking
/// task.
pub fn process(upload: &[u8]) -> Result<Vec<u8>, LogoError> {
    if upload.is_empty() {
        return Err(invalid(
            "Choisissez une image pour le logo (PNG, JPEG ou WebP).",
        ));
    }
    if upload.len() > MAX_LOGO_BYTES {
        return Err(invalid(
            "Le logo ne doit pas dépasser 2 Mo : réduisez l'image avant de l'envoyer.",
        ));
    }
    let format = match image::guess_format(upload) {
        Ok(format @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) => format,
        _ => {
            return Err(invalid("Le logo doit être une image PNG, JPEG ou WebP."));
        }
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODED_SIDE);
    limits.max_image_height = Some(MAX_DECODED_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(upload), format);
    reader.limits(limits);
    let image = reader.decode().map_err(|error| {
        tracing::debug!(%error, "logo refused: undecodable image");
        invalid("Cette image est illisible ou trop grande : enregistrez-la de nouveau en PNG, JPEG ou WebP.")
    })?;
    // Only shrink: a small logo stays as drawn rather than being blown up and blurred.
    let image = if image.width() > LOGO_SIDE || image.height() > LOGO_SIDE {
        image.resize(LOGO_SIDE, LOGO_SIDE, FilterType::Lanczos3)
    } else {
        image
    };
    let mut png = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(LogoError::Encode)?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use image::{DynamicImage, RgbaImage};

    use super::*;

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([(x % 256) as u8, (y % 256) as u8, 120, 255])
        }));
        let image = if format == ImageFormat::Jpeg {
            DynamicImage::ImageRgb8(image.to_rgb8())
        } else {
            image
        };
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), format)
            .unwrap();
        bytes
    }

    fn dimensions(png: &[u8]) -> (u32, u32) {
        let image = image::load_from_memory_with_format(png, ImageFormat::Png).unwrap();
        (image.width(), image.height())
    }

    #[test]
    fn large_images_are_shrunk_to_fit_keeping_their_shape() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
            let png = process(&encoded(600, 300, format)).unwrap();
            assert_eq!(image::guess_format(&png).unwrap(), ImageFormat::Png);
            assert_eq!(dimensions(&png), (256, 128), "{format:?}");
        }
    }

    #[test]
    fn small_images_keep_their_size() {
        let png = process(&encoded(40, 20, ImageFormat::Png)).unwrap();
        assert_eq!(dimensions(&png), (40, 20));
    }

    #[test]
    fn other_content_is_refused_whatever_it_claims() {
        for upload in [
            &b"just some text, not an image"[..],
            b"GIF89a\x01\x00\x01\x00",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            b"",
        ] {
            match process(upload) {
                Err(LogoError::Invalid(violation)) => assert_eq!(violation.field, "logo"),
                other => panic!("{upload:?}: {other:?}"),
            }
        }
        // PNG magic bytes followed by garbage: sniffed as PNG, refused when decoded.
        let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
        fake.extend_from_slice(&[0; 64]);
        assert!(matches!(process(&fake), Err(LogoError::Invalid(_))));
    }

    #[test]
    fn more_than_2_mb_is_refused_before_decoding() {
        let mut big = encoded(10, 10, ImageFormat::Png);
        big.resize(MAX_LOGO_BYTES + 1, 0);
        match process(&big) {
            Err(LogoError::Invalid(violation)) => assert!(violation.message.contains("2 Mo")),
            other => panic!("{other:?}"),
        }
    }
}
