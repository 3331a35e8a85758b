//! The library never names a command-line flag: every string literal of
//! `crates/backprop/src` outside comments and `#[cfg(test)]` items is read,
//! and one holding `--` before a lowercase letter (`--out`, `--l2`) fails the
//! test. A message names a setting by its mark ([`crate::Setting`]), which
//! each door writes in its own words.

use std::path::{Path, PathBuf};

/// A string literal of a source file: the line it starts on (from 1) and its text.
type Literal = (usize, String);

/// The string literals of `source` (plain, raw and byte strings), with
/// comments (doc comments too) skipped, and the text of the code with every
/// literal and comment blanked (lines kept), for finding `#[cfg(test)]` items.
fn lex(source: &str) -> (Vec<(usize, Literal)>, Vec<char>) {
    let s: Vec<char> = source.chars().collect();
    let mut code = s.clone();
    let mut literals = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let blank = |code: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut code[from..to] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    while i < s.len() {
        let start = i;
        let end = match s[i] {
            '/' if s.get(i + 1) == Some(&'/') => {
                (i..s.len()).find(|&j| s[j] == '\n').unwrap_or(s.len())
            }
            '/' if s.get(i + 1) == Some(&'*') => block_comment_end(&s, i),
            '"' => {
                let end = string_end(&s, i + 1);
                literals.push((start, (line, s[i + 1..end - 1].iter().collect())));
                end
            }
            'r' | 'b' if raw_string_at(&s, i).is_some() && !ident_before(&s, i) => {
                let (open, hashes) = raw_string_at(&s, i).unwrap_or((i, 0));
                let close: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let rest: String = s[open + 1..].iter().collect();
                let len = rest.find(&close).unwrap_or(rest.len());
                let text = rest[..len].to_string();
                let end = open + 1 + text.chars().count() + close.chars().count();
                literals.push((start, (line, text)));
                end.min(s.len())
            }
            '\'' => char_literal_end(&s, i).unwrap_or(i + 1),
            _ => i + 1,
        };
        if end > start + 1 || matches!(s[start], '"' | '\'') {
            blank(&mut code, start, end);
        }
        line += s[start..end].iter().filter(|&&c| c == '\n').count();
        i = end;
    }
    (literals, code)
}

/// Past the `*/` closing the block comment opened at `i` (nested ones too).
fn block_comment_end(s: &[char], i: usize) -> usize {
    let (mut depth, mut j) = (0usize, i);
    while j + 1 < s.len() {
        match (s[j], s[j + 1]) {
            ('/', '*') => {
                depth += 1;
                j += 2;
            }
            ('*', '/') => {
                depth -= 1;
                j += 2;
                if depth == 0 {
                    return j;
                }
            }
            _ => j += 1,
        }
    }
    s.len()
}

/// Past the `"` closing a string whose text starts at `j`.
fn string_end(s: &[char], mut j: usize) -> usize {
    while j < s.len() {
        match s[j] {
            '\\' => j += 2,
            '"' => return j + 1,
            _ => j += 1,
        }
    }
    s.len()
}

/// A raw string (`r"`, `r#"`, `br"`) starting at `i`: its opening quote and hashes.
fn raw_string_at(s: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if s[j] == 'b' {
        j += 1;
    }
    if s.get(j) != Some(&'r') {
        // b"…" is read as a plain string from its quote.
        return None;
    }
    j += 1;
    let hashes = s[j..].iter().take_while(|&&c| c == '#').count();
    (s.get(j + hashes) == Some(&'"')).then_some((j + hashes, hashes))
}

/// Whether the character before `i` continues an identifier (`for"` is no raw string).
fn ident_before(s: &[char], i: usize) -> bool {
    i > 0 && (s[i - 1].is_alphanumeric() || s[i - 1] == '_')
}

/// Past a character literal at `i`, or `None` for a lifetime (`'a`).
fn char_literal_end(s: &[char], i: usize) -> Option<usize> {
    if s.get(i + 1) == Some(&'\\') {
        return (i + 3..s.len().min(i + 12))
            .find(|&j| s[j] == '\'')
            .map(|j| j + 1);
    }
    (s.get(i + 2) == Some(&'\'')).then_some(i + 3)
}

/// The char ranges of `#[cfg(test)]` items in blanked `code`: from the
/// attribute to the item's closing brace (or semicolon).
fn test_items(code: &[char]) -> Vec<(usize, usize)> {
    let text: String = code.iter().collect();
    let attribute = "#[cfg(test)]";
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(attribute).map(|k| from + k) {
        let start = text[..at].chars().count();
        let after = start + attribute.chars().count();
        let mut end = code.len();
        let mut depth = 0usize;
        for (j, &c) in code.iter().enumerate().skip(after) {
            match c {
                ';' if depth == 0 => {
                    end = j + 1;
                    break;
                }
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        ranges.push((start, end));
        from = at + attribute.len();
    }
    ranges
}

/// The modules declared `#[cfg(test)] mod NAME;` in `source`: test code in files of their own.
fn test_module_files(file: &Path, source: &str) -> Vec<PathBuf> {
    let (_, code) = lex(source);
    let dir = match file.file_stem().and_then(|s| s.to_str()) {
        Some("lib" | "mod" | "main") | None => file.parent().map(Path::to_path_buf),
        Some(stem) => file.parent().map(|p| p.join(stem)),
    };
    let Some(dir) = dir else { return Vec::new() };
    test_items(&code)
        .into_iter()
        .filter_map(|(a, b)| {
            let item: String = code[a..b].iter().collect();
            let name = item.split("mod ").nth(1)?.trim().strip_suffix(';')?.trim();
            Some([
                dir.join(format!("{name}.rs")),
                dir.join(name).join("mod.rs"),
            ])
        })
        .flatten()
        .collect()
}

/// Whether `text` names a flag: `--` and a lowercase letter.
fn names_a_flag(text: &str) -> bool {
    text.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'-' && w[1] == b'-' && w[2].is_ascii_lowercase())
}

/// The literals of `source` outside test items that name a flag.
fn flag_literals(source: &str) -> Vec<Literal> {
    let (literals, code) = lex(source);
    let tests = test_items(&code);
    literals
        .into_iter()
        .filter(|(at, _)| !tests.iter().any(|(a, b)| (a..b).contains(&at)))
        .map(|(_, literal)| literal)
        .filter(|(_, text)| names_a_flag(text))
        .collect()
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("the library's sources can be listed") {
            let path = entry.expect("a source entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn no_library_string_names_a_cli_flag() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = sources(&src);
    assert!(
        files.len() > 50,
        "{} files under {}",
        files.len(),
        src.display()
    );
    let read = |f: &Path| std::fs::read_to_string(f).expect("a source file reads");
    let tests: Vec<PathBuf> = files
        .iter()
        .flat_map(|f| test_module_files(f, &read(f)))
        .collect();
    assert!(
        tests.iter().any(|t| t.ends_with("config/flag_scan.rs")),
        "{tests:?}"
    );
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !tests.contains(f)) {
        for (line, text) in flag_literals(&read(file)) {
            let name = file
                .strip_prefix(&src)
                .unwrap_or(file)
                .display()
                .to_string();
            found.push(format!("{name}:{line}: {text:?}"));
        }
    }
    assert!(
        found.is_empty(),
        "{} library strings name a command-line flag; name the setting by its mark \
         (`Setting::X` in the message) instead:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_flags_in_code_only() {
    let source = r##"
//! The CLI's `--out`; /* a "--block" comment */
/// Uses "--doc".
fn f<'a>(x: &'a str) -> String {
    let c = '"';
    let q = '\'';
    let _ = (c, q, x, b'-');
    format!("choose another --out {}", r#"raw --raw-flag"#)
}
const PLAIN: &str = "no flag - here -- or -1 --X";
#[cfg(test)]
mod tests {
    fn g() -> &'static str { "--in-a-test" }
}
const AFTER: &str = "line two
and --after";
"##;
    let found = flag_literals(source);
    let texts: Vec<&str> = found.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        texts,
        [
            "choose another --out {}",
            "raw --raw-flag",
            "line two\nand --after"
        ]
    );
    assert_eq!(found[0].0, 8, "the line of the first");
    assert_eq!(found[2].0, 15, "the line of the last");
}
