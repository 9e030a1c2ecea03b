// Writes compression vectors produced by the exact codec crates SlateDB 0.12.1..0.15 uses for block compression:
// snap 1.1.1 (raw), lz4_flex 0.11.6 (block, compress_prepend_size), miniz_oxide 0.8.9 (flate2's default backend,
// zlib wrapper, level 6 = flate2::Compression::default()).
use std::fmt::Write as _;

fn xorshift(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut s = seed;
    (0..len).map(|_| (xorshift(&mut s) >> 32) as u8).collect()
}

fn block_like(len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0u32;
    while out.len() < len {
        let key = format!("user:{:08}:profile", i * 7);
        out.extend_from_slice(&(0u16).to_be_bytes());
        out.extend_from_slice(&(key.len() as u16).to_be_bytes());
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(&(i as u64 + 1000).to_be_bytes());
        out.push(0x04);
        out.extend_from_slice(&(1_700_000_000_000i64 + i as i64).to_be_bytes());
        let value = format!("{{\"name\":\"user {}\",\"score\":{},\"tags\":[\"a\",\"b\"]}}", i, i * 31 % 1000);
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value.as_bytes());
        i += 1;
    }
    out.truncate(len);
    out
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        write!(s, "{:02x}", x).unwrap();
    }
    if s.is_empty() { "-".to_string() } else { s }
}

fn main() {
    let mut mixed = block_like(40_000);
    mixed.extend(random_bytes(20_000, 7));
    mixed.extend(vec![b'z'; 10_000]);
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("one_byte", b"a".to_vec()),
        ("hello", b"hello world, hello world, hello world!".to_vec()),
        ("abc_100", b"abc".iter().cycle().take(100).cloned().collect()),
        ("block_4k", block_like(4096)),
        ("random_4k", random_bytes(4096, 42)),
        ("zeros_10k", vec![0u8; 10_000]),
        ("mixed_70k", mixed),
    ];
    let mut out = String::new();
    for (name, data) in &inputs {
        writeln!(out, "input {} {}", name, hex(data)).unwrap();
        let snappy = snap::raw::Encoder::new().compress_vec(data).unwrap();
        assert_eq!(&snap::raw::Decoder::new().decompress_vec(&snappy).unwrap(), data);
        writeln!(out, "snappy {} {}", name, hex(&snappy)).unwrap();
        let lz4 = lz4_flex::block::compress_prepend_size(data);
        assert_eq!(&lz4_flex::block::decompress_size_prepended(&lz4).unwrap(), data);
        writeln!(out, "lz4 {} {}", name, hex(&lz4)).unwrap();
        let zlib = miniz_oxide::deflate::compress_to_vec_zlib(data, 6);
        assert_eq!(&miniz_oxide::inflate::decompress_to_vec_zlib(&zlib).unwrap(), data);
        writeln!(out, "zlib {} {}", name, hex(&zlib)).unwrap();
    }
    print!("{}", out);
}
