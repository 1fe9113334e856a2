//! A small byte-level JSON scanner for `locate`: it finds where a value sits (line and
//! column, in characters) without parsing the file. It skips what it does not need
//! without allocating, never recurses (deep nesting is only a counter), and on malformed
//! or truncated text stops at the deepest place it reached.

use crate::doc::pointer_index as index;

pub(super) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A position in one file's bytes, as the scanner marks it to come back to: the byte
/// offset, with the 1-based line and column (in characters) it falls on. It names no
/// file; what `Locator::locate` hands out is a `FileLocation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct BytePos {
    pub(super) off: usize,
    pub(super) line: usize,
    pub(super) col: usize,
}

impl BytePos {
    pub(super) const FILE_START: BytePos = BytePos {
        off: 0,
        line: 1,
        col: 1,
    };
}

/// A position in JSON text. Lines are counted as the scanner passes `\n`; the column is
/// computed only when asked (`mark`), by counting characters from an anchor whose column
/// is known (the last line start or the last mark), so marking places in increasing order
/// costs one pass even on a 100 MB single-line file.
#[derive(Clone, Copy)]
pub(super) struct Cursor<'a> {
    pub(super) b: &'a [u8],
    pub(super) i: usize,
    pub(super) line: usize,
    pub(super) anchor: usize,
    pub(super) anchor_col: usize,
}

impl<'a> Cursor<'a> {
    /// The start of a file, after a UTF-8 BOM.
    pub(super) fn start(b: &'a [u8]) -> Cursor<'a> {
        let i = if b.starts_with(UTF8_BOM) {
            UTF8_BOM.len()
        } else {
            0
        };
        Cursor {
            b,
            i,
            line: 1,
            anchor: i,
            anchor_col: 1,
        }
    }

    /// A place marked before in the same text.
    pub(super) fn at(b: &'a [u8], m: BytePos) -> Cursor<'a> {
        let i = m.off.min(b.len());
        Cursor {
            b,
            i,
            line: m.line,
            anchor: i,
            anchor_col: m.col,
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Line and column of the current byte (and it becomes the anchor).
    pub(super) fn mark(&mut self) -> BytePos {
        let passed = self.b.get(self.anchor..self.i).map_or(0, count_chars);
        self.anchor_col += passed;
        self.anchor = self.i;
        BytePos {
            off: self.i,
            line: self.line,
            col: self.anchor_col,
        }
    }

    /// Takes over `earlier`'s anchor when it is the later one (a mark made on the way
    /// here), so columns are not counted again from further back.
    pub(super) fn catch_up(&mut self, earlier: &Cursor<'a>) {
        if earlier.anchor > self.anchor && earlier.anchor <= self.i {
            self.anchor = earlier.anchor;
            self.anchor_col = earlier.anchor_col;
        }
    }

    /// Notes the `\n` at byte `at`.
    pub(super) fn newline(&mut self, at: usize) {
        self.line += 1;
        self.anchor = at + 1;
        self.anchor_col = 1;
    }

    pub(super) fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' => {
                    self.newline(self.i);
                    self.i += 1;
                }
                _ => break,
            }
        }
    }

    /// At `"`: moves past the closing quote and returns the range of the raw content;
    /// `None` when the text ends first (the cursor is then at the end).
    pub(super) fn string(&mut self) -> Option<(usize, usize)> {
        let start = self.i + 1;
        let mut i = start;
        loop {
            let rest = self.b.get(i..).unwrap_or_default();
            let Some(k) = rest
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c == b'\n')
            else {
                self.i = self.b.len();
                return None;
            };
            i += k;
            match self.b[i] {
                b'"' => {
                    self.i = i + 1;
                    return Some((start, i));
                }
                b'\\' => {
                    // Skip the escaped byte, unless it is a line break (so lines stay right).
                    i += 1;
                    if self.b.get(i).is_some_and(|&c| c != b'\n') {
                        i += 1;
                    }
                }
                _ => {
                    self.newline(i);
                    i += 1;
                }
            }
        }
    }

    /// Moves past a number or literal (or any run of stray bytes); false if none.
    pub(super) fn skip_scalar(&mut self) -> bool {
        let start = self.i;
        while let Some(c) = self.peek() {
            if matches!(
                c,
                b' ' | b'\t' | b'\r' | b'\n' | b',' | b':' | b'"' | b'[' | b']' | b'{' | b'}'
            ) {
                break;
            }
            self.i += 1;
        }
        self.i > start
    }

    /// Moves past the value at the cursor (white space already skipped); false when the
    /// text is malformed there or ends first. Containers are skipped by counting
    /// brackets, so nesting depth costs nothing.
    pub(super) fn skip_value(&mut self) -> bool {
        match self.peek() {
            None | Some(b'}' | b']' | b',' | b':') => false,
            Some(b'"') => self.string().is_some(),
            Some(b'{' | b'[') => self.skip_container(),
            Some(_) => self.skip_scalar(),
        }
    }

    pub(super) fn skip_container(&mut self) -> bool {
        let mut depth = 0usize;
        loop {
            let rest = self.b.get(self.i..).unwrap_or_default();
            let Some(k) = rest
                .iter()
                .position(|&c| matches!(c, b'"' | b'{' | b'[' | b'}' | b']' | b'\n'))
            else {
                self.i = self.b.len();
                return false;
            };
            self.i += k;
            match self.b[self.i] {
                b'"' => {
                    if self.string().is_none() {
                        return false;
                    }
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.i += 1;
                }
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    self.i += 1;
                    if depth == 0 {
                        return true;
                    }
                }
                _ => {
                    self.newline(self.i);
                    self.i += 1;
                }
            }
        }
    }

    /// At `{`: calls `f(key cursor, raw key, value cursor)` for each member, in order,
    /// until `f` returns false or the object ends; false when it is malformed or cut short.
    pub(super) fn members(
        &mut self,
        mut f: impl FnMut(&Cursor<'a>, &'a [u8], &Cursor<'a>) -> bool,
    ) -> bool {
        self.i += 1;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.i += 1;
                    return true;
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                Some(b'"') => {}
                _ => return false,
            }
            let key_at = *self;
            let Some((s, e)) = self.string() else {
                return false;
            };
            self.skip_ws();
            if self.peek() != Some(b':') {
                return false;
            }
            self.i += 1;
            self.skip_ws();
            let key = self.b.get(s..e).unwrap_or_default();
            if !f(&key_at, key, self) {
                return true;
            }
            if !self.skip_value() {
                return false;
            }
        }
    }

    /// At `[`: calls `f(index, cursor at the element)` for each element until `f` returns
    /// false or the array ends; false when it is malformed or cut short. `f` may `mark`
    /// the cursor (which keeps later marks cheap) but must not move it.
    pub(super) fn elements(&mut self, mut f: impl FnMut(usize, &mut Cursor<'a>) -> bool) -> bool {
        self.i += 1;
        let mut n = 0;
        loop {
            self.skip_ws();
            if self.peek() == Some(b']') {
                self.i += 1;
                return true;
            }
            if !f(n, self) {
                return true;
            }
            if !self.skip_value() {
                return false;
            }
            n += 1;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return true;
                }
                _ => return false,
            }
        }
    }
}

/// Characters in UTF-8 bytes: every byte that is not a continuation byte.
pub(super) fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&c| (c & 0xC0) != 0x80).count()
}

/// Follows `path` from the value at `start` (white space skipped). Returns the mark of
/// the deepest place reached (an object member's key, an array element's start, else
/// `start`), the cursor at the value reached and how many tokens matched. Of duplicate
/// keys the last one counts, as in the loader.
pub(super) fn follow<'a>(start: Cursor<'a>, path: &[String]) -> (BytePos, Cursor<'a>, usize) {
    let mut cur = start;
    let mut best = cur.mark();
    for (depth, token) in path.iter().enumerate() {
        let mut probe = cur;
        let mut hit: Option<(Cursor<'a>, Cursor<'a>)> = None;
        match cur.peek() {
            Some(b'{') => {
                probe.members(|key_at, key, value| {
                    if key_eq(key, token) {
                        hit = Some((*key_at, *value));
                    }
                    true
                });
            }
            Some(b'[') => {
                if let Some(n) = index(token) {
                    probe.elements(|i, e| {
                        if i == n {
                            hit = Some((*e, *e));
                        }
                        i < n
                    });
                }
            }
            _ => {}
        }
        let Some((mut at, mut value)) = hit else {
            return (best, cur, depth);
        };
        best = at.mark();
        value.catch_up(&at);
        cur = value;
    }
    (best, cur, path.len())
}

/// Whether the raw (still escaped) key equals `name`.
pub(super) fn key_eq(raw: &[u8], name: &str) -> bool {
    if raw.contains(&b'\\') {
        unescape(raw) == name
    } else {
        raw == name.as_bytes()
    }
}

/// The text of a JSON string's raw content; bad escapes become U+FFFD.
pub(super) fn unescape(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = raw.get(i) else { break };
        i += 1;
        let ch = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = hex4(raw, i);
                if unit.is_some() {
                    i += 4;
                }
                match unit {
                    Some(hi @ 0xD800..=0xDBFF) => {
                        let lo = (raw.get(i..i + 2) == Some(b"\\u"))
                            .then(|| hex4(raw, i + 2))
                            .flatten()
                            .filter(|lo| (0xDC00..=0xDFFF).contains(lo));
                        match lo {
                            Some(lo) => {
                                i += 6;
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                    .unwrap_or('\u{FFFD}')
                            }
                            None => '\u{FFFD}',
                        }
                    }
                    Some(u) => char::from_u32(u).unwrap_or('\u{FFFD}'),
                    None => '\u{FFFD}',
                }
            }
            _ => '\u{FFFD}',
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn hex4(raw: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(raw.get(at..at + 4)?).ok()?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}
