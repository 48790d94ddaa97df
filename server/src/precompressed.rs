//! Responses compressed once, ahead of time, and sent in the encoding the client prefers:
//! for bodies many clients fetch and few change (the current policy, `/consent.js`). Brotli at
//! its best quality takes milliseconds per body, far too slow per request, and once it is
//! worth it.
use std::io::Write;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

/// Marks a response whose body is already compressed (or deliberately not), so the
/// `CompressionLayer` leaves it alone.
#[derive(Clone, Copy, Debug)]
pub struct Precompressed;

/// One body in each encoding we send.
pub struct Bodies {
    identity: Bytes,
    br: Bytes,
    gzip: Bytes,
}

impl Bodies {
    pub fn compress(raw: Vec<u8>) -> Bodies {
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut &raw[..], &mut br, &params)
            .expect("compressing in memory cannot fail");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw)
            .expect("compressing in memory cannot fail");
        let gzip = gz.finish().expect("compressing in memory cannot fail");
        Bodies {
            identity: raw.into(),
            br: br.into(),
            gzip: gzip.into(),
        }
    }

    /// 304 when the client has `etag`, else the body in the encoding it prefers.
    pub fn respond(
        &self,
        request: &HeaderMap,
        content_type: &'static str,
        etag: &HeaderValue,
        cache: &'static str,
    ) -> Response {
        let unchanged = not_modified(request, etag.to_str().unwrap_or_default());
        let mut response = if unchanged {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            r
        } else {
            let (body, encoding) = match negotiate(request) {
                Encoding::Br => (&self.br, Some("br")),
                Encoding::Gzip => (&self.gzip, Some("gzip")),
                Encoding::Identity => (&self.identity, None),
            };
            let mut r = Response::new(Body::from(body.clone()));
            let h = r.headers_mut();
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            if let Some(e) = encoding {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
            }
            r
        };
        response.extensions_mut().insert(Precompressed);
        let h = response.headers_mut();
        // On a 304 too: the browser keeps the headers of a 304 with its cached copy, and a
        // page's security headers (its CSP) are chosen by its type.
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        h.insert(header::ETAG, etag.clone());
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    }

    /// The body as it was given.
    pub fn identity(&self) -> &Bytes {
        &self.identity
    }
}

/// `If-None-Match` lists (or `*`) matching `etag`, weak or strong.
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || t == etag)
        })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Br,
    Gzip,
    Identity,
}

/// The encoding `Accept-Encoding` prefers among ours: the highest q-value above zero, brotli on
/// a tie (smaller), `*` standing for any not named.
fn negotiate(headers: &HeaderMap) -> Encoding {
    let (mut br, mut gzip, mut star) = (None, None, None);
    for value in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let q = parts
                .filter_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .or_else(|| p.trim().strip_prefix("Q="))
                })
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match name.to_ascii_lowercase().as_str() {
                "br" => br = Some(q),
                "gzip" | "x-gzip" => gzip = Some(q),
                "*" => star = Some(q),
                _ => {}
            }
        }
    }
    let (br, gzip) = (br.or(star).unwrap_or(0.0), gzip.or(star).unwrap_or(0.0));
    if br > 0.0 && br >= gzip {
        Encoding::Br
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", W/\"b\""),
        );
        assert!(not_modified(&h, "\"b\""));
        assert!(!not_modified(&h, "\"c\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(not_modified(&h, "\"c\""));
        assert!(!not_modified(&HeaderMap::new(), "\"c\""));
    }

    #[test]
    fn negotiates_by_q_value() {
        assert_eq!(negotiate(&HeaderMap::new()), Encoding::Identity);
        assert_eq!(negotiate(&accept("gzip, deflate, br")), Encoding::Br);
        assert_eq!(negotiate(&accept("gzip")), Encoding::Gzip);
        assert_eq!(negotiate(&accept("br;q=0.5, gzip")), Encoding::Gzip);
        assert_eq!(negotiate(&accept("br;q=0, gzip;q=0")), Encoding::Identity);
        assert_eq!(negotiate(&accept("*")), Encoding::Br);
        assert_eq!(negotiate(&accept("*;q=0.1, br;q=0")), Encoding::Gzip);
        assert_eq!(negotiate(&accept("deflate, identity")), Encoding::Identity);
    }

    #[test]
    fn the_compressed_bodies_decompress_to_the_json() {
        use std::io::Read;
        let json =
            serde_json::to_vec(&serde_json::json!({ "text": "политика ".repeat(500) })).unwrap();
        let bodies = Bodies::compress(json.clone());
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &bodies.br[..], &mut back).unwrap();
        assert_eq!(back, json);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&bodies.gzip[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, json);
        assert!(bodies.br.len() < json.len() / 4);
    }
}
