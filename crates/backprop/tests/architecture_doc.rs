//! `docs/ARCHITECTURE.md` stays true to the code: every source file it names
//! exists, and every function, type or method it names as code is defined in
//! the file the doc puts it in.
//!
//! How the doc is read:
//! - a backticked span ending in `.rs` (or `.py`) is a file, relative to the
//!   repository, to `crates/`, to `crates/NAME/`, or to `crates/NAME/src/`
//!   (tried in that order, the library first); `step/{gram,fused}.rs` names two;
//! - a backticked `name`, `Type`, `Type::name` or `module::name` (a trailing
//!   `(…)` or `<…>` dropped) is code. After a file in the same paragraph,
//!   list item or table cell, it must be defined in that file (`fn name`;
//!   `struct`/`enum`/`trait`/`type Type`; `fn name` inside an `impl … Type`;
//!   a variant or `const` of `Type`; `def`/`class` in Python). Before any
//!   file, a `Type` or `Type::name` must be defined somewhere in
//!   `crates/*/src`; a bare lowercase `name` there is prose, not checked. A `module::name` is looked
//!   up in that module's file (or folder) from a crate's `src/`, else in the
//!   one file of that name (`general::update`: `engine/step/general.rs`);
//! - in a fenced block each line is its own context, and the words ending in
//!   `.rs` and the `a::b` paths are read as if backticked.
//!
//! When this test fails, the doc names something the code no longer has:
//! change the doc to the code's name and place.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The repository root: two levels above this crate (the crate's folder is
/// taken at run time when cargo gives it, so a built test binary can check a
/// copy of the repository).
fn repo_root() -> PathBuf {
    let manifest = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string());
    Path::new(&manifest).join("../..")
}

/// The source tree the doc is checked against.
struct Tree {
    root: PathBuf,
    /// `crates/NAME` folders, the library first.
    crates: Vec<PathBuf>,
    /// Every `.rs` file under `crates/*/src`.
    sources: Vec<PathBuf>,
}

impl Tree {
    fn open(root: &Path) -> Tree {
        let mut crates: Vec<PathBuf> = fs::read_dir(root.join("crates"))
            .expect("crates/ is readable")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("src").is_dir())
            .collect();
        crates.sort_by_key(|p| (p.file_name() != Some("backprop".as_ref()), p.clone()));
        let mut sources = Vec::new();
        for c in &crates {
            walk(&c.join("src"), &mut sources);
        }
        Tree {
            root: root.to_path_buf(),
            crates,
            sources,
        }
    }

    /// The file a doc path names, if it exists.
    fn file(&self, name: &str) -> Option<PathBuf> {
        let mut bases = vec![self.root.clone(), self.root.join("crates")];
        bases.extend(self.crates.iter().cloned());
        bases.extend(self.crates.iter().map(|c| c.join("src")));
        bases
            .into_iter()
            .map(|b| b.join(name))
            .find(|p| p.is_file())
    }

    /// The files of module `a::b`: `a/b.rs`, or `a/b/mod.rs` and every file
    /// under `a/b/`, in a crate's `src/`; else the one file anywhere under a
    /// `src/` whose path ends so (`general::update` is `engine/step/general.rs`).
    fn module(&self, path: &[&str]) -> Vec<PathBuf> {
        let rel = path.join("/");
        for c in &self.crates {
            let src = c.join("src");
            if src.join(format!("{rel}.rs")).is_file() {
                return vec![src.join(format!("{rel}.rs"))];
            }
            if src.join(&rel).join("mod.rs").is_file() {
                let mut files = Vec::new();
                walk(&src.join(&rel), &mut files);
                return files;
            }
        }
        let ends = [format!("/{rel}.rs"), format!("/{rel}/mod.rs")];
        let found: Vec<PathBuf> = self
            .sources
            .iter()
            .filter(|p| {
                ends.iter()
                    .any(|e| p.to_string_lossy().ends_with(e.as_str()))
            })
            .cloned()
            .collect();
        if found.len() == 1 {
            found
        } else {
            Vec::new()
        }
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// A piece of the doc that names code.
#[derive(Debug, PartialEq)]
enum Named {
    /// Source files (more than one for `{a,b}`).
    Files(Vec<String>),
    /// A code path, split at `::`.
    Code(Vec<String>),
}

/// What a span names, if anything: files, code, or neither (prose, flags, math).
fn classify(span: &str) -> Option<Named> {
    let span = span.trim();
    if (span.ends_with(".rs") || span.ends_with(".py"))
        && span
            .chars()
            .all(|c| c.is_alphanumeric() || "_/{},.-".contains(c))
    {
        return Some(Named::Files(expand(span)));
    }
    let code = span.split(['(', '<']).next().unwrap_or("");
    let rest = &span[code.len()..];
    if !(rest.is_empty() || rest.ends_with(')') || rest.ends_with('>')) {
        return None;
    }
    let segments: Vec<String> = code.split("::").map(str::to_string).collect();
    let ident = |s: &String| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    if !segments.iter().all(ident) {
        return None;
    }
    let skip = segments
        .iter()
        .take_while(|s| ["crate", "backprop", "self"].contains(&s.as_str()))
        .count();
    let segments = segments[skip..].to_vec();
    (!segments.is_empty()).then_some(Named::Code(segments))
}

/// `step/{gram,fused}.rs` → `step/gram.rs`, `step/fused.rs`.
fn expand(path: &str) -> Vec<String> {
    match (path.find('{'), path.find('}')) {
        (Some(open), Some(close)) if open < close => path[open + 1..close]
            .split(',')
            .flat_map(|part| expand(&format!("{}{}{}", &path[..open], part, &path[close + 1..])))
            .collect(),
        _ => vec![path.to_string()],
    }
}

/// The doc split into contexts (paragraphs, list items, table cells, fenced
/// lines), each the spans it names in order.
fn contexts(doc: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut paragraph = String::new();
    let mut fenced = false;
    for line in doc.lines() {
        let t = line.trim_start();
        let new_context = t.is_empty()
            || t.starts_with("```")
            || t.starts_with('#')
            || t.starts_with('|')
            || t.starts_with("- ")
            || t.starts_with("* ")
            || fenced;
        if new_context && !paragraph.is_empty() {
            out.push(backticked(&paragraph));
            paragraph.clear();
        }
        if t.starts_with("```") {
            fenced = !fenced;
        } else if fenced {
            out.push(fenced_words(line));
        } else if t.starts_with('|') {
            out.extend(t.split('|').map(backticked));
        } else {
            paragraph.push_str(line);
            paragraph.push('\n');
        }
    }
    out.push(backticked(&paragraph));
    out
}

fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// In a fenced line: the words ending in `.rs` (`data/{csv,npz}.rs` is one
/// word) and the `a::b` paths.
fn fenced_words(line: &str) -> Vec<String> {
    let mut words = vec![String::new()];
    let mut depth = 0;
    for c in line.chars() {
        depth += match c {
            '{' => 1,
            '}' => -1,
            _ => 0,
        };
        let last = words.last_mut().expect("one word at least");
        if c.is_alphanumeric() || "_/.:{}-".contains(c) || (c == ',' && depth > 0) {
            last.push(c);
        } else if !last.is_empty() {
            words.push(String::new());
        }
    }
    words
        .into_iter()
        .map(|w| w.trim_matches(|c: char| ".:,-".contains(c)).to_string())
        .filter(|w| (w.ends_with(".rs") || w.ends_with(".py")) != w.contains("::"))
        .collect()
}

/// Rust source with comments, strings and char literals blanked out, so
/// braces and names are only the code's.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let end = skip_literal(b, i).min(b.len());
        if end > i {
            out.extend(
                b[i..end]
                    .iter()
                    .map(|&c| if c == b'\n' { b'\n' } else { b' ' }),
            );
            i = end;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The end of a comment, string or char literal starting at `i`, or `i`.
fn skip_literal(b: &[u8], i: usize) -> usize {
    let at = |k: usize| b.get(k).copied().unwrap_or(0);
    match (at(i), at(i + 1)) {
        (b'/', b'/') => (i..b.len()).find(|&k| b[k] == b'\n').unwrap_or(b.len()),
        (b'/', b'*') => (i + 2..b.len())
            .find(|&k| b[k - 1] == b'*' && b[k] == b'/')
            .map_or(b.len(), |k| k + 1),
        (b'r', b'"') | (b'r', b'#') if i == 0 || !is_ident(at(i - 1)) => {
            let hashes = (i + 1..b.len()).take_while(|&k| b[k] == b'#').count();
            if at(i + 1 + hashes) != b'"' {
                return i; // a raw identifier, r#type
            }
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let body = i + 2 + hashes;
            (body..b.len())
                .find(|&k| b[k..].starts_with(&close))
                .map_or(b.len(), |k| k + close.len())
        }
        (b'"', _) => {
            let mut k = i + 1;
            while k < b.len() && b[k] != b'"' {
                k += if b[k] == b'\\' { 2 } else { 1 };
            }
            k + 1
        }
        (b'\'', b'\\') if at(i + 2) == b'u' => (i..b.len())
            .find(|&k| b[k] == b'}')
            .map_or(b.len(), |k| k + 2),
        (b'\'', b'\\') => i + 4,
        (b'\'', _) if at(i + 2) == b'\'' => i + 3,
        _ => i,
    }
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The positions where the word `word` starts (not inside a longer identifier).
fn word_at(code: &str, word: &str) -> Vec<usize> {
    let b = code.as_bytes();
    code.match_indices(word)
        .map(|(i, _)| i)
        .filter(|&i| {
            (i == 0 || !is_ident(b[i - 1])) && !b.get(i + word.len()).copied().is_some_and(is_ident)
        })
        .collect()
}

/// The text between the `{` at or after `from` and its matching `}`.
fn block(code: &str, from: usize) -> Option<&str> {
    let open = from + code[from..].find('{')?;
    let mut depth = 0;
    for (k, c) in code[open..].char_indices() {
        depth += match c {
            '{' => 1,
            '}' => -1,
            _ => 0,
        };
        if depth == 0 {
            return Some(&code[open + 1..open + k]);
        }
    }
    None
}

/// Does `code` define an item `keyword name` (`fn gemm`, `struct Dense`)?
fn defines(code: &str, keyword: &str, name: &str) -> bool {
    word_at(code, name).into_iter().any(|i| {
        let before = code[..i].trim_end();
        before.ends_with(keyword)
            && !before[..before.len() - keyword.len()]
                .ends_with(|c: char| c.is_alphanumeric() || c == '_')
    })
}

/// The bodies of the `impl` blocks whose self type is `ty`, and of `enum ty`.
fn bodies_of<'a>(code: &'a str, ty: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for i in word_at(code, "impl") {
        let Some(brace) = code[i..].find('{') else {
            continue;
        };
        let header = &code[i + 4..i + brace];
        let header = header.split(" where").next().unwrap_or(header);
        let self_ty = header.rsplit(" for ").next().unwrap_or(header);
        let self_ty = if header.contains(" for ") {
            self_ty
        } else {
            strip_generics(self_ty)
        };
        let name = self_ty.trim().split(['<', ' ']).next().unwrap_or("");
        if name.rsplit("::").next() == Some(ty) {
            out.extend(block(code, i));
        }
    }
    for i in word_at(code, ty) {
        if defines(&code[..i + ty.len()], "enum", ty) {
            out.extend(block(code, i));
        }
    }
    out
}

/// `<T: Float> Network<T>` → ` Network<T>`: the impl's own generics dropped.
fn strip_generics(header: &str) -> &str {
    let h = header.trim_start();
    if !h.starts_with('<') {
        return h;
    }
    let mut depth = 0;
    for (k, c) in h.char_indices() {
        depth += match c {
            '<' => 1,
            '>' => -1,
            _ => 0,
        };
        if depth == 0 {
            return &h[k + 1..];
        }
    }
    h
}

fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().any(|c| c.is_ascii_lowercase())
}

/// Is `item` (`name`, `Class`, `Class::method`) defined in the Python `code`?
fn defined_in_python(code: &str, item: &[String]) -> bool {
    match item {
        [name] => defines(code, "def", name) || defines(code, "class", name),
        [class, member] => defines(code, "class", class) && defines(code, "def", member),
        _ => false,
    }
}

/// Is `item` (`name`, `Type`, `Type::member`) defined in `code`?
fn defined_in(code: &str, item: &[String]) -> bool {
    match item {
        [name] if is_type_name(name) => ["struct", "enum", "trait", "type", "union"]
            .iter()
            .any(|k| defines(code, k, name)),
        [name] => ["fn", "const", "static", "mod"]
            .iter()
            .any(|k| defines(code, k, name)),
        [ty, member] => bodies_of(code, ty).into_iter().any(|body| {
            defines(body, "fn", member)
                || defines(body, "const", member)
                || (is_type_name(member) && !word_at(body, member).is_empty())
        }),
        _ => false,
    }
}

/// Where the doc's `code` must be found: the module it names, else the
/// context's file, else (for a `Type::name`) anywhere. `None`: not checked.
fn scope(tree: &Tree, code: &[String], file: Option<&PathBuf>) -> Option<(Vec<PathBuf>, usize)> {
    let module = code
        .iter()
        .take_while(|s| !is_type_name(s) && s.chars().any(|c| c.is_ascii_lowercase()))
        .count();
    let module = module.min(code.len() - 1);
    if module > 0 {
        let path: Vec<&str> = code[..module].iter().map(String::as_str).collect();
        return Some((tree.module(&path), module));
    }
    match file {
        Some(f) => Some((vec![f.clone()], 0)),
        None if code.len() > 1 || is_type_name(&code[0]) => Some((tree.sources.clone(), 0)),
        None => None,
    }
}

/// Is `item` defined in one of `files`?
fn found_in(files: &[PathBuf], item: &[String]) -> bool {
    files.iter().any(|f| {
        let Ok(text) = fs::read_to_string(f) else {
            return false;
        };
        match f.extension().is_some_and(|e| e == "py") {
            true => defined_in_python(&text, item),
            false => defined_in(&code_only(&text), item),
        }
    })
}

/// The problem with the doc's `code` in the context of file `current`, if any.
fn check_code(tree: &Tree, code: &[String], current: Option<&PathBuf>) -> Option<String> {
    let (scope, module) = scope(tree, code, current)?;
    if found_in(&scope, &code[module..]) {
        return None;
    }
    Some(match (module, current) {
        (0, Some(f)) => f
            .strip_prefix(&tree.root)
            .unwrap_or(f)
            .display()
            .to_string(),
        (0, None) => "crates/*/src".to_string(),
        _ => format!("module {}", code[..module].join("::")),
    })
}

/// Checks a doc against a tree: the problems found, and how many files and
/// names were checked.
fn check(doc: &str, tree: &Tree) -> (Vec<String>, usize, usize) {
    let (mut problems, mut files, mut names) = (Vec::new(), 0, 0);
    for context in contexts(doc) {
        let mut current: Option<PathBuf> = None;
        for span in context {
            match classify(&span) {
                Some(Named::Files(paths)) => {
                    for p in paths {
                        files += 1;
                        current = tree.file(&p);
                        if current.is_none() {
                            problems.push(format!("`{span}`: no file {p}"));
                        }
                    }
                }
                Some(Named::Code(code)) => {
                    if scope(tree, &code, current.as_ref()).is_some() {
                        names += 1;
                    }
                    if let Some(place) = check_code(tree, &code, current.as_ref()) {
                        problems.push(format!("`{span}`: not defined in {place}"));
                    }
                }
                None => {}
            }
        }
    }
    (problems, files, names)
}

fn architecture_doc() -> String {
    fs::read_to_string(repo_root().join("docs/ARCHITECTURE.md"))
        .expect("docs/ARCHITECTURE.md is readable")
}

#[test]
fn every_file_and_function_architecture_md_names_exists_where_it_says() {
    let tree = Tree::open(&repo_root());
    let (problems, files, names) = check(&architecture_doc(), &tree);
    let problems: BTreeSet<String> = problems.into_iter().collect();
    assert!(
        problems.is_empty(),
        "docs/ARCHITECTURE.md names what the code does not have ({} problems):\n  {}",
        problems.len(),
        problems.into_iter().collect::<Vec<_>>().join("\n  ")
    );
    // The doc is read at all: it names dozens of files and functions.
    assert!(
        files >= 40 && names >= 40,
        "only {files} files and {names} names read from the doc"
    );
}

/// The checker's oracle: names that are true pass, and each way a name goes
/// stale (a renamed function, a function put in the wrong file, a missing
/// file, a module without the function, a method on the wrong type) fails.
#[test]
fn the_checker_fails_on_each_kind_of_stale_name() {
    let tree = Tree::open(&repo_root());
    let true_doc = "| `layer.rs` `Dense::forward`, `Dense` | `output.rs` `output_dz` | `engine/step/{gram,fused}.rs` |\n\n\
                    The loop, `engine/session.rs` (`Session::advance(k, ..)`), and `config.rs` `GdConfig::batch_size_for`.\n\n\
                    ```\n data::load(path)   layer.rs\n```\n";
    let (problems, files, names) = check(true_doc, &tree);
    assert_eq!((problems.len(), files, names), (0, 7, 6), "{problems:?}");
    for stale in [
        "`layer.rs` `Dense::forwards`",
        "`layer.rs` `output_dz`",
        "`engine/sessions.rs`",
        "`data::load_everything`",
        "`Dense::advance`",
        "`engine/session.rs` `TrainConfigs`",
        "`engine/session.rs` `TrainConfig`",
        "`engine/session.rs` `TrainConfig::validate`",
        "```\n data::nothing_here(path)\n```",
        "```\n engine/step/{gram,no_such}.rs\n```",
    ] {
        let (problems, _, _) = check(stale, &tree);
        assert_eq!(problems.len(), 1, "{stale}: {problems:?}");
    }
}

#[test]
fn spans_are_read_as_files_code_or_prose() {
    let code = |s: &[&str]| Some(Named::Code(s.iter().map(|s| s.to_string()).collect()));
    assert_eq!(
        classify("engine/step/{a,b}.rs"),
        Some(Named::Files(vec![
            "engine/step/a.rs".into(),
            "engine/step/b.rs".into()
        ]))
    );
    assert_eq!(
        classify("Session::advance(k, &mut c)"),
        code(&["Session", "advance"])
    );
    assert_eq!(classify("backprop::Setting"), code(&["Setting"]));
    assert_eq!(classify("Network<T>"), code(&["Network"]));
    assert_eq!(classify("--batch-size"), None);
    assert_eq!(classify("W[l]"), None);
    assert_eq!(classify("model.json"), None);
    assert_eq!(
        code_only("let s = \"fn x {\"; // fn y {\nfn z() {}"),
        "let s =         ;          \nfn z() {}"
    );
}
