//! Stable-Rust fuzz driver (cargo-fuzz needs nightly): mutates corpus files and generated files
//! (byte flips, insertions, deletions, truncations, line swaps) and feeds them to the reader,
//! validator, whole-file reader and JSON form, failing on any panic.
//!   NACHA_FUZZ_ITERS=1000000 ACE_NACHA_CORPUS=... cargo test -p nacha --release --test fuzz_mutations
use nacha::json::JsonRecord;
use nacha::{ReadOptions, Reader, Validator, read_file, validate_bytes};

fn seeds() -> Vec<Vec<u8>> {
    let mut v = vec![nacha::generate::generate(Vec::new(), &nacha::generate::GenSpec::new(20)).expect("gen")];
    if let Some(dir) = std::env::var_os("ACE_NACHA_CORPUS") {
        for e in std::fs::read_dir(dir).expect("dir").flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "ach" || x == "txt") {
                v.push(std::fs::read(p).expect("read"));
            }
        }
    }
    v
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn mutate(rng: &mut Rng, mut d: Vec<u8>) -> Vec<u8> {
    const INTERESTING: &[u8] = b"0123456789 \n\r\x00\xff\xc2\xa6\x1a56789ABCZ";
    for _ in 0..1 + rng.below(8) {
        let len = d.len();
        match rng.below(6) {
            0 if len > 0 => {
                let i = rng.below(len);
                d[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            1 => {
                let i = rng.below(len + 1);
                d.insert(i, INTERESTING[rng.below(INTERESTING.len())]);
            }
            2 if len > 0 => {
                let i = rng.below(len);
                d.remove(i);
            }
            3 => d.truncate(rng.below(len + 1)),
            4 if len > 200 => {
                let a = rng.below(len - 95);
                let b = rng.below(len - 95);
                for k in 0..95 {
                    d.swap(a + k, b + k);
                }
            }
            _ if len > 0 => {
                let i = rng.below(len);
                d[i] = rng.next() as u8;
            }
            _ => {}
        }
    }
    d
}

fn exercise(d: &[u8]) {
    for opts in [ReadOptions::default(), ReadOptions::strict(), ReadOptions::lenient()] {
        let r = validate_bytes(d, &opts);
        assert!(r.valid == (r.error_count == 0));
        // The fast path of `validate_bytes` must agree with the record-by-record slow path.
        let mut rd = Reader::from_bytes(d, &opts);
        let mut v = Validator::new(opts.clone());
        while let Some(item) = rd.next_record() {
            match item {
                Ok(l) => v.record(&l),
                Err(e) => v.frame_error(&e),
            }
        }
        assert_eq!(r, v.finish(), "fast and slow validation differ");
    }
    let f = read_file(d, &ReadOptions::lenient());
    let idx = f.trace_index();
    for e in f.entries() {
        for (_, a) in &e.addenda {
            let _ = f.find_original(&idx, a);
            let _ = a.addenda().and_then(|x| x.correction());
        }
    }
    let mut r = Reader::from_bytes(d, &ReadOptions::default());
    while let Some(item) = r.next_record() {
        if let Ok(l) = item {
            let _ = serde_json::to_string(&JsonRecord(&l.record));
        }
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let iters: usize = std::env::var("NACHA_FUZZ_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let seeds = seeds();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..iters {
        let s = &seeds[i % seeds.len()];
        let d = mutate(&mut rng, s.clone());
        let res = std::panic::catch_unwind(|| exercise(&d));
        if res.is_err() {
            let path = std::env::temp_dir().join(format!("nacha-fuzz-crash-{i}.bin"));
            let _ = std::fs::write(&path, &d);
            panic!("panic on mutated input {i}, saved to {}", path.display());
        }
    }
    eprintln!("fuzz: {iters} mutated inputs from {} seeds, no panic", seeds.len());
}
