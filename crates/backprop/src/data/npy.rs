//! numpy's `.npy` format, read from any stream with its sizes checked first:
//! the header's shape against the bytes that follow and the memory budget
//! before anything is allocated, and float data for NaN/∞ (refused, naming the
//! first bad position).
//!
//! `.npy` is a magic string, a version, a Python dict literal
//! (`{'descr': '<f8', 'fortran_order': False, 'shape': (209, 64, 64, 3), }`)
//! and the raw values. Supported: bool, (u)int8–64 and float32/64, either byte order,
//! C or Fortran order.

use std::io::Read;

use super::budget;
use crate::error::Error;
use crate::stop;

/// An array read from `.npy`, its values converted to f64 in C (row-major) order.
#[derive(Debug)]
pub(crate) struct NpyArray {
    /// The shape.
    pub shape: Vec<usize>,
    /// The values, row-major.
    pub values: Vec<f64>,
    /// Whether the dtype was uint8 (pictures: scaled by 1/255).
    pub is_u8: bool,
}

/// The element types `.npy` files hold that backprop reads.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Bool,
    Int,
    Uint,
    Float,
}

/// Reads one `.npy` array from `r`. `what` names it in errors ("x.npz: array
/// 'x'"); `available` is how many bytes the stream holds, when known, so a
/// header promising more is refused before anything is allocated.
pub(crate) fn read(
    what: &str,
    mut r: impl Read,
    available: Option<u64>,
) -> Result<NpyArray, Error> {
    let bad = |m: String| Error::Config(format!("{what}: {m}"));
    let (header, prefix) = read_header(&mut r, &bad)?;
    let layout = Layout::of(&header, &bad)?;
    let dims: Vec<u64> = layout.shape.iter().map(|&d| d as u64).collect();
    check_sizes(
        &layout,
        &dims,
        available.map(|a| a.saturating_sub(prefix)),
        &bad,
    )?;
    let Layout {
        kind,
        size,
        big_endian,
        fortran,
        shape,
    } = layout;
    // The raw bytes and the f64 values live together for a moment.
    let count = budget::check_array(what, &dims, size as u64 + 8)?;
    let mut raw = vec![0u8; count * size];
    for chunk in raw.chunks_mut(1 << 24) {
        stop::check(&format!("reading {what}"))?;
        r.read_exact(chunk).map_err(|_| {
            bad(format!(
                "holds fewer values than its shape {shape:?} needs; the file is truncated"
            ))
        })?;
    }
    let mut values: Vec<f64> = raw
        .chunks_exact(size)
        .map(|b| convert(b, kind, big_endian))
        .collect();
    drop(raw);
    if fortran && shape.len() > 1 {
        values = to_c_order(&shape, &values);
    }
    if kind == Kind::Float {
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(bad(format!(
                "value at index {} is {}; backprop needs finite numbers: remove or impute it",
                position(&shape, i),
                values[i]
            )));
        }
    }
    Ok(NpyArray {
        shape,
        values,
        is_u8: kind == Kind::Uint && size == 1,
    })
}

/// The magic string, the version and the header's dict literal; returns the
/// header's text and how many bytes came before the values.
fn read_header(r: &mut impl Read, bad: &dyn Fn(String) -> Error) -> Result<(String, u64), Error> {
    let mut magic = [0u8; 8];
    r.read_exact(&mut magic)
        .map_err(|_| bad("is not a .npy array (too short)".into()))?;
    if &magic[..6] != b"\x93NUMPY" {
        return Err(bad("is not a .npy array (no \\x93NUMPY magic)".into()));
    }
    let header_len = match magic[6] {
        1 => {
            let mut b = [0u8; 2];
            r.read_exact(&mut b)
                .map_err(|_| bad("is truncated in its header".into()))?;
            u16::from_le_bytes(b) as usize
        }
        2 | 3 => {
            let mut b = [0u8; 4];
            r.read_exact(&mut b)
                .map_err(|_| bad("is truncated in its header".into()))?;
            u32::from_le_bytes(b) as usize
        }
        v => {
            return Err(bad(format!(
                ".npy version {v} is not one backprop reads (1, 2 or 3)"
            )))
        }
    };
    if header_len > 1 << 20 {
        return Err(bad(format!(
            "has a {header_len}-byte header; not a numpy array"
        )));
    }
    let mut header = vec![0u8; header_len];
    r.read_exact(&mut header)
        .map_err(|_| bad("is truncated in its header".into()))?;
    let prefix = 8 + if magic[6] == 1 { 2 } else { 4 } + header_len as u64;
    Ok((String::from_utf8_lossy(&header).into_owned(), prefix))
}

/// What the header says of the values that follow it.
struct Layout {
    kind: Kind,
    /// Bytes per value.
    size: usize,
    big_endian: bool,
    fortran: bool,
    shape: Vec<usize>,
}

impl Layout {
    fn of(header: &str, bad: &dyn Fn(String) -> Error) -> Result<Self, Error> {
        let (kind, size, big_endian) = descr(
            &dict_value(header, "descr")
                .ok_or_else(|| bad("has no 'descr' in its header".into()))?,
        )
        .map_err(bad)?;
        let fortran = match dict_value(header, "fortran_order").as_deref() {
            Some("True") => true,
            Some("False") | None => false,
            Some(v) => return Err(bad(format!("has fortran_order {v}"))),
        };
        let shape =
            shape(&dict_value(header, "shape").ok_or_else(|| bad("has no 'shape'".into()))?)
                .map_err(bad)?;
        Ok(Layout {
            kind,
            size,
            big_endian,
            fortran,
            shape,
        })
    }
}

/// Refuses a shape numpy could not have written, and one promising more
/// bytes than the `left` the stream holds after the header, when known.
fn check_sizes(
    layout: &Layout,
    dims: &[u64],
    left: Option<u64>,
    bad: &dyn Fn(String) -> Error,
) -> Result<(), Error> {
    let shape = &layout.shape;
    // numpy (and ndarray) need the product of the non-zero sides to fit in an
    // isize even when a zero side leaves the array empty: (0, 2^32, 2^32)
    // holds nothing but cannot be shaped.
    let sides: Vec<u64> = dims.iter().copied().filter(|&d| d != 0).collect();
    if budget::checked_product(&sides).is_none_or(|p| p > isize::MAX as u128) {
        return Err(bad(format!(
            "has shape {shape:?}, whose sides multiply past 2^63: not an array numpy can write; the file is damaged"
        )));
    }
    let data_bytes = budget::checked_product(dims).and_then(|c| c.checked_mul(layout.size as u128));
    if let (Some(left), Some(need)) = (left, data_bytes) {
        if need > u128::from(left) {
            return Err(bad(format!(
                "its header promises {} values of shape {shape:?} ({need} bytes) but only {left} bytes follow; the file is truncated or damaged",
                budget::checked_product(dims).unwrap_or(0)
            )));
        }
    }
    Ok(())
}

/// The text of `key`'s value in the header's dict literal, unquoted.
fn dict_value(header: &str, key: &str) -> Option<String> {
    let start = header
        .find(&format!("'{key}'"))
        .or_else(|| header.find(&format!("\"{key}\"")))?
        + key.len()
        + 2;
    let rest = header[start..].trim_start().strip_prefix(':')?.trim_start();
    let value = if let Some(tuple) = rest.strip_prefix('(') {
        format!("({}", &tuple[..=tuple.find(')')?])
    } else if let Some(q) = rest.strip_prefix(['\'', '"']) {
        q[..q.find(['\'', '"'])?].to_string()
    } else {
        rest[..rest.find([',', '}']).unwrap_or(rest.len())]
            .trim()
            .to_string()
    };
    Some(value)
}

/// (kind, bytes per element, big-endian) of a dtype string like `<f8` or `|u1`.
fn descr(d: &str) -> Result<(Kind, usize, bool), String> {
    let unsupported =
        || format!("holds dtype '{d}'; backprop reads bool, integers and float32/float64 arrays");
    let mut chars = d.chars();
    let (order, rest) = match chars.next() {
        Some(c @ ('<' | '>' | '|' | '=')) => (c, chars.as_str()),
        _ => ('=', d),
    };
    let kind = match rest.chars().next() {
        Some('b') => Kind::Bool,
        Some('i') => Kind::Int,
        Some('u') => Kind::Uint,
        Some('f') => Kind::Float,
        _ => return Err(unsupported()),
    };
    let size: usize = rest[1..].parse().map_err(|_| unsupported())?;
    let ok = match kind {
        Kind::Bool => size == 1,
        Kind::Int | Kind::Uint => matches!(size, 1 | 2 | 4 | 8),
        Kind::Float => matches!(size, 4 | 8),
    };
    if !ok {
        return Err(unsupported());
    }
    Ok((kind, size, order == '>'))
}

/// The shape tuple: `()`, `(5,)`, `(3, 4)` (Python 2's `3L` accepted).
fn shape(t: &str) -> Result<Vec<usize>, String> {
    let inner = t
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| format!("has shape '{t}', not a tuple"))?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.trim_end_matches('L')
                .parse::<usize>()
                .map_err(|_| format!("has shape '{t}', not a tuple of sizes"))
        })
        .collect()
}

/// One element's bytes as f64.
fn convert(b: &[u8], kind: Kind, big_endian: bool) -> f64 {
    let mut a = [0u8; 8];
    let n = b.len();
    if big_endian {
        for (i, v) in b.iter().rev().enumerate() {
            a[i] = *v;
        }
    } else {
        a[..n].copy_from_slice(b);
    }
    let bits = u64::from_le_bytes(a);
    match (kind, n) {
        (Kind::Bool, _) => f64::from(u8::from(bits != 0)),
        (Kind::Uint, _) => bits as f64,
        (Kind::Int, 8) => bits as i64 as f64,
        (Kind::Int, _) => {
            // Sign-extend an n-byte integer.
            let shift = 64 - 8 * n as u32;
            ((bits << shift) as i64 >> shift) as f64
        }
        (Kind::Float, 4) => f64::from(f32::from_bits(bits as u32)),
        (Kind::Float, _) => f64::from_bits(bits),
    }
}

/// Fortran-order values (first index fastest) in C order (last index fastest).
fn to_c_order(shape: &[usize], values: &[f64]) -> Vec<f64> {
    let reversed: Vec<usize> = shape.iter().rev().copied().collect();
    let a = ndarray::ArrayView::from_shape(ndarray::IxDyn(&reversed), values)
        .expect("length checked against the shape");
    // The Fortran array read as C order of the reversed shape is the transpose.
    a.reversed_axes().iter().copied().collect()
}

/// The multi-index of the `i`-th element in C order, as "(12, 3)".
pub(crate) fn position(shape: &[usize], mut i: usize) -> String {
    let mut idx = vec![0; shape.len()];
    for (k, &d) in shape.iter().enumerate().rev() {
        if d > 0 {
            idx[k] = i % d;
            i /= d;
        }
    }
    let parts: Vec<String> = idx.iter().map(usize::to_string).collect();
    format!("({})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(descr: &str, shape: &str, fortran: bool, data: &[u8]) -> Vec<u8> {
        let mut h = format!(
            "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
            if fortran { "True" } else { "False" }
        );
        while (10 + h.len() + 1) % 64 != 0 {
            h.push(' ');
        }
        h.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((h.len() as u16).to_le_bytes());
        out.extend(h.as_bytes());
        out.extend(data);
        out
    }

    fn f64s(v: &[f64]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn reads_c_and_fortran_order_alike() {
        let c = npy("<f8", "(2, 3)", false, &f64s(&[1., 2., 3., 4., 5., 6.]));
        let f = npy("<f8", "(2, 3)", true, &f64s(&[1., 4., 2., 5., 3., 6.]));
        let a = read("c", &c[..], Some(c.len() as u64)).unwrap();
        let b = read("f", &f[..], Some(f.len() as u64)).unwrap();
        assert_eq!(a.shape, [2, 3]);
        assert_eq!(a.values, [1., 2., 3., 4., 5., 6.]);
        assert_eq!(b.values, a.values);
    }

    #[test]
    fn reads_integers_of_both_byte_orders() {
        let le = npy("<i2", "(2,)", false, &[0xff, 0xff, 0x02, 0x00]);
        let be = npy(">i2", "(2,)", false, &[0xff, 0xff, 0x00, 0x02]);
        assert_eq!(read("le", &le[..], None).unwrap().values, [-1., 2.]);
        assert_eq!(read("be", &be[..], None).unwrap().values, [-1., 2.]);
        let u8s = npy("|u1", "(3,)", false, &[0, 128, 255]);
        let a = read("u8", &u8s[..], None).unwrap();
        assert!(a.is_u8);
        assert_eq!(a.values, [0., 128., 255.]);
    }

    #[test]
    fn a_header_claiming_more_than_the_file_is_refused_before_allocating() {
        let b = npy("<f8", "(1000000, 1000000)", false, &[0; 16]);
        let e = read("x.npy", &b[..], Some(b.len() as u64)).unwrap_err();
        assert!(e.to_string().contains("only 16 bytes follow"), "{e}");
        // Without a known length, the budget refuses it.
        let e = read("x.npy", &b[..], None).unwrap_err();
        assert!(e.to_string().contains("x.npy would take"), "{e}");
    }

    #[test]
    fn nan_and_infinity_are_refused_at_their_position() {
        let b = npy(
            "<f4",
            "(2, 2)",
            false,
            &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x7f],
        );
        let e = read("x.npy", &b[..], None).unwrap_err();
        assert!(
            e.to_string().contains("value at index (1, 1) is inf"),
            "{e}"
        );
    }

    #[test]
    fn an_empty_array_of_unshapeable_sides_is_refused_not_a_panic() {
        let b = npy("<f8", "(0, 4294967296, 4294967296)", false, &[]);
        let e = read("x.npy", &b[..], None).unwrap_err();
        assert!(e.to_string().contains("multiply past 2^63"), "{e}");
        // An empty array of ordinary sides is read (and refused later, as data).
        let b = npy("<f8", "(0, 3)", false, &[]);
        assert_eq!(read("x.npy", &b[..], None).unwrap().shape, [0, 3]);
    }

    #[test]
    fn damaged_headers_are_errors_not_panics() {
        for bytes in [
            &b""[..],
            b"\x93NUMPY",
            b"\x93NUMPY\x01\x00\xff\xff{",
            b"\x93NUMPY\x09\x00",
            b"\x93NUMPY\x01\x00\x10\x00{'descr': '<c16'}",
        ] {
            assert!(read("x", bytes, None).is_err());
        }
        let b = npy("<f8", "(3,", false, &[]);
        assert!(read("x", &b[..], None).is_err());
    }
}
