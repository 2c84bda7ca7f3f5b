//! The validator's fast path (valid entries and addenda 05 checked eight bytes at a time) must give
//! exactly the report of the field-by-field slow path on every input: same counts, totals, errors,
//! warnings. `validate_bytes` uses the fast path; `Reader` + `Validator::record` never does.
use nacha::generate::{GenSpec, generate};
use nacha::{ReadOptions, Reader, Report, SecCode, Validator, validate_bytes, validate_reader};

fn slow(d: &[u8], o: &ReadOptions) -> Report {
    let mut r = Reader::from_bytes(d, o);
    let mut v = Validator::new(o.clone());
    while let Some(item) = r.next_record() {
        match item {
            Ok(l) => v.record(&l),
            Err(e) => v.frame_error(&e),
        }
    }
    v.finish()
}

fn all_opts() -> [ReadOptions; 4] {
    let cd = ReadOptions { allow_invalid_check_digit: true, ..ReadOptions::default() };
    [ReadOptions::default(), ReadOptions::strict(), ReadOptions::lenient(), cd]
}

fn same(d: &[u8], what: &str) {
    check(d, what, true);
}

fn check(d: &[u8], what: &str, streaming: bool) {
    for o in all_opts() {
        let fast = validate_bytes(d, &o);
        let want = slow(d, &o);
        assert_eq!(fast, want, "{what}: fast and slow paths differ");
        if streaming {
            // The streaming reader (own buffer, small reads) too.
            let streamed = validate_reader(Chunked(d, 0), &o).expect("read");
            assert_eq!(streamed, want, "{what}: streaming differs");
        }
    }
}

/// A `Read` that returns at most 1,000 bytes per call, to cross buffer refills mid-record.
struct Chunked<'a>(&'a [u8], usize);
impl std::io::Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(1000).min(self.0.len() - self.1);
        buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
        self.1 += n;
        Ok(n)
    }
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for (name, spec) in [
        ("ccd+", GenSpec { batch_size: 4, ..GenSpec::new(9) }),
        ("ppd", GenSpec { sec: SecCode::PPD, addenda: false, batch_size: 5, ..GenSpec::new(9) }),
        ("prenote", GenSpec { sec: SecCode::PPD, addenda: false, prenote: true, ..GenSpec::new(6) }),
        ("seeded", GenSpec { seed: 7, ..GenSpec::new(5) }),
    ] {
        v.push((name.to_string(), generate(Vec::new(), &spec).expect("generate")));
    }
    v
}

const BYTES: &[u8] = b"0159 A/:\x7f\x00\x1f\xc2\xa6\xff\n\r6758";

#[test]
fn every_single_byte_change_in_entries_and_addenda() {
    for (name, d) in seeds() {
        same(&d, &name);
        let lines = d.len() / 95;
        for l in 0..lines.min(9) {
            let t = d[l * 95];
            if t != b'6' && t != b'7' && t != b'5' && t != b'8' {
                continue;
            }
            for col in 0..95 {
                for &b in BYTES {
                    let mut m = d.clone();
                    m[l * 95 + col] = b;
                    check(&m, &format!("{name} line {} col {} byte {b:#x}", l + 1, col + 1), false);
                }
            }
        }
    }
}

#[test]
fn structural_changes() {
    for (name, d) in seeds() {
        let lines: Vec<&[u8]> = d.chunks(95).collect();
        let n = lines.len();
        for i in 0..n {
            // Delete line i.
            let m: Vec<u8> = lines.iter().enumerate().filter(|(k, _)| *k != i).flat_map(|(_, l)| l.to_vec()).collect();
            same(&m, &format!("{name} without line {}", i + 1));
            // Duplicate line i.
            let mut m = Vec::new();
            for (k, l) in lines.iter().enumerate() {
                m.extend_from_slice(l);
                if k == i {
                    m.extend_from_slice(l);
                }
            }
            same(&m, &format!("{name} line {} twice", i + 1));
            // Swap lines i and i+1.
            if i + 1 < n {
                let mut v = lines.clone();
                v.swap(i, i + 1);
                same(&v.concat(), &format!("{name} lines {} and {} swapped", i + 1, i + 2));
            }
        }
        // CRLF, blank lines, one-line file, records after the file control.
        let crlf: Vec<u8> = lines.iter().flat_map(|l| [&l[..94], b"\r\n"].concat()).collect();
        same(&crlf, &format!("{name} crlf"));
        let blank: Vec<u8> = lines.iter().flat_map(|l| [*l, b"\n"].concat()).collect();
        same(&blank, &format!("{name} blank lines"));
        let one: Vec<u8> = lines.iter().flat_map(|l| l[..94].to_vec()).collect();
        same(&one, &format!("{name} one line"));
        let twice = [d.as_slice(), d.as_slice()].concat();
        same(&twice, &format!("{name} twice"));
    }
}

#[test]
fn corpus_files() {
    let Some(dir) = std::env::var_os("ACE_NACHA_CORPUS") else { return };
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        let d = if p.extension().is_some_and(|x| x == "gz") {
            let out = std::process::Command::new("gzip").arg("-dc").arg(&p).output().expect("gzip");
            out.stdout
        } else if p.extension().is_some_and(|x| x == "ach" || x == "txt") {
            std::fs::read(&p).expect("read")
        } else {
            continue;
        };
        same(&d, &p.display().to_string());
    }
}
