//! One large file parsed on every core, without ever holding all of its bytes.
//!
//! A saved list response is one big array (`{"data": [...]}`); a single-file export nests
//! several (`{"desk": {"tickets": {"data": [...]}}}`). A structural scan reads the file
//! block by block and cuts every array that is not inside another into its elements; the
//! elements are parsed in batches on the rayon pool, the next batch being read and cut
//! meanwhile. What is left (the objects around the arrays, with a placeholder string
//! where each array was) is the *skeleton*, parsed last, the placeholders replaced by
//! the arrays. Each element is parsed by the same code as a whole file, with the slot
//! its array's key gives it, so the document is the one the sequential parse builds.
//!
//! Anything unexpected (a syntax error, invalid UTF-8, a key with an escape above an
//! array, nesting near serde_json's limit, a read error) makes `read` give up with
//! `None`: the caller then parses the file the ordinary way, which reports the error at
//! its line and column exactly as before. So the split only ever has to be right about
//! valid files.

use super::parse_state::{KeyClass, ParseState, Placeholders, classify};
use super::seed::{Slot, ValueSeed};
use super::{STATE, UTF8_BOM};
use crate::doc::Value;
use rayon::prelude::*;
use serde::de::DeserializeSeed;
use std::io::Read;

/// Files smaller than this are parsed whole (a page of a paged list is far smaller).
pub(in crate::load) const MIN_BYTES: u64 = 8 << 20;

/// Nesting beyond this is left to the sequential parse (serde_json stops at 128).
const MAX_DEPTH: usize = 100;

/// How much is read, cut and parsed at a time.
///
/// What the split holds beyond the document is two batches (one being parsed, the next
/// being cut), each with room for a block more, and one block: 5.5 MB at the largest
/// sizes. Measured on the large export's `lists` form (a 500 MB `tickets.json`, 2 cores,
/// 6 runs interleaved): 512 KB blocks and 2 MB batches parse as fast as 4 MB and 8 MB
/// (median 2.78 s against 2.79 s), 256 KB and 1 MB take 0.25 s more. A smaller file is cut
/// into as many batches as a 64 MB one (`for_file`): on the typical export (a 21.5 MB
/// `tickets.json`, 27.6 MB on disk in all) 2 MB batches held 6 MB at the peak, 0.2x the
/// export, batches of a thirty-second of the file 2.5 MB (their speed on such a file was
/// not measured apart from the round's other changes).
#[derive(Clone, Copy, Debug)]
pub(in crate::load) struct Sizes {
    /// Bytes read from the file at a time.
    pub block: usize,
    /// Bytes of elements handed to the parsers at a time.
    pub batch: usize,
    /// Bytes of elements one parsing task takes.
    pub chunk: usize,
}

impl Sizes {
    /// The largest sizes: for files of 64 MB and more.
    const LARGEST: Sizes = Sizes::of_batch(2 << 20);

    /// A batch of `batch` bytes, a quarter of it read at a time, an eighth a task.
    const fn of_batch(batch: usize) -> Sizes {
        Sizes {
            block: batch / 4,
            batch,
            chunk: batch / 8,
        }
    }

    /// The sizes for a file of `len` bytes: a thirty-second of it a batch, between 256 KB
    /// and 2 MB (see `Sizes`).
    pub(in crate::load) fn for_file(len: u64) -> Sizes {
        let batch = usize::try_from(len / 32).unwrap_or(usize::MAX);
        Sizes::of_batch(batch.clamp(256 << 10, Sizes::LARGEST.batch))
    }
}

impl Default for Sizes {
    fn default() -> Sizes {
        Sizes::LARGEST
    }
}

#[derive(Clone, Copy, Debug)]
enum Frame {
    Object { expect_key: bool },
    Array,
}

/// Elements cut from the file, waiting to be parsed.
#[derive(Default)]
struct Batch {
    text: Vec<u8>,
    /// (array, slot of its elements, start, end in `text`) of each element.
    elements: Vec<(usize, Slot, usize, usize)>,
}

struct Scanner<R> {
    input: R,
    sizes: Sizes,
    block: Vec<u8>,
    pos: usize,
    len: usize,
    started: bool,
    eof: bool,
    in_string: bool,
    escaped: bool,
    stack: Vec<Frame>,
    /// The array being cut: its number, its elements' slot, and the depth of its frame.
    captured: Option<(usize, Slot, usize)>,
    arrays: usize,
    skeleton: Vec<u8>,
    key: Vec<u8>,
    in_key: bool,
    key_escaped: bool,
    batch: Batch,
    /// The buffers of the batch parsed last, cleared, for the next batch: two batches'
    /// buffers serve the whole file (one being cut, one being parsed), so the file's
    /// bytes never pass through fresh memory the allocator would keep after they are
    /// freed.
    spare: Batch,
    element_start: usize,
    /// A comma was met in the array being cut (so `[ ]` is empty but `[1,]` is not).
    comma_seen: bool,
    prefix: String,
}

/// Why the scan gave up (the sequential parse will say what is wrong, if anything).
struct GiveUp;

type Scan<T> = Result<T, GiveUp>;

impl<R: Read> Scanner<R> {
    fn new(input: R, sizes: Sizes, prefix: String) -> Scanner<R> {
        Scanner {
            input,
            sizes,
            block: vec![0; sizes.block.max(1)],
            pos: 0,
            len: 0,
            started: false,
            eof: false,
            in_string: false,
            escaped: false,
            stack: Vec::new(),
            captured: None,
            arrays: 0,
            skeleton: Vec::new(),
            key: Vec::new(),
            in_key: false,
            key_escaped: false,
            batch: Batch::default(),
            spare: Batch::default(),
            element_start: 0,
            comma_seen: false,
            prefix,
        }
    }

    /// Fills the block; false at the end of the input.
    fn fill(&mut self) -> Scan<bool> {
        let mut n = 0;
        while n < self.block.len() {
            match self.input.read(&mut self.block[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err(GiveUp),
            }
        }
        self.pos = 0;
        self.len = n;
        if !self.started {
            self.started = true;
            // What `json::parse` does with the first bytes: a BOM is skipped, UTF-16 is
            // an error of its own.
            if self.block[..n].starts_with(UTF8_BOM) {
                self.pos = UTF8_BOM.len();
            }
            if super::looks_like_utf16(&self.block[self.pos..n]) {
                return Err(GiveUp);
            }
        }
        Ok(n > 0)
    }

    /// The next batch of elements; `None` once the input is done.
    fn next_batch(&mut self) -> Scan<Option<Batch>> {
        if self.eof {
            return Ok(None);
        }
        if self.batch.text.capacity() == 0 {
            self.batch = std::mem::take(&mut self.spare);
            // An element ends past `sizes.batch` by at most a block's worth, mostly.
            self.batch.text.reserve(self.sizes.batch + self.sizes.block);
        }
        loop {
            if self.pos == self.len && !self.fill()? {
                self.eof = true;
                if self.in_string || !self.stack.is_empty() {
                    return Err(GiveUp);
                }
                return Ok(Some(std::mem::take(&mut self.batch)));
            }
            if self.cut()? {
                self.element_start = 0;
                return Ok(Some(std::mem::take(&mut self.batch)));
            }
        }
    }

    /// Takes back a parsed batch's buffers for a later batch.
    fn recycle(&mut self, mut batch: Batch) {
        batch.text.clear();
        batch.elements.clear();
        self.spare = batch;
    }

    /// Scans the rest of the block; true when a batch is full (at an element boundary).
    fn cut(&mut self) -> Scan<bool> {
        let end = self.len;
        let mut i = self.pos;
        let mut run = i;
        while i < end {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                let j = i + find_quote_or_backslash(&self.block[i..end]);
                if self.in_key {
                    self.key.extend_from_slice(&self.block[i..j]);
                }
                i = j;
                if i == end {
                    break;
                }
                if self.block[i] == b'\\' {
                    self.escaped = true;
                    self.key_escaped |= self.in_key;
                } else {
                    self.in_string = false;
                    self.in_key = false;
                }
                i += 1;
                continue;
            }
            match self.block[i] {
                b'"' => {
                    self.in_string = true;
                    if self.captured.is_none()
                        && matches!(self.stack.last(), Some(Frame::Object { expect_key: true }))
                    {
                        self.in_key = true;
                        self.key.clear();
                        self.key_escaped = false;
                    }
                }
                b'{' => self.push(Frame::Object { expect_key: true })?,
                b'[' if self.captured.is_none() => {
                    let slot = self.slot_of_array()?;
                    self.skeleton.extend_from_slice(&self.block[run..i]);
                    let id = self.arrays;
                    self.arrays += 1;
                    // A JSON string the skeleton's parse turns back into the array.
                    self.skeleton.extend_from_slice(b"\"\\u0000");
                    self.skeleton
                        .extend_from_slice(&self.prefix.as_bytes()[1..]);
                    self.skeleton.extend_from_slice(id.to_string().as_bytes());
                    self.skeleton.push(b'"');
                    self.push(Frame::Array)?;
                    self.captured = Some((id, slot, self.stack.len()));
                    self.element_start = self.batch.text.len();
                    self.comma_seen = false;
                    run = i + 1;
                }
                b'[' => self.push(Frame::Array)?,
                b']' => {
                    if !matches!(self.stack.pop(), Some(Frame::Array)) {
                        return Err(GiveUp);
                    }
                    if let Some((id, slot, depth)) = self.captured
                        && self.stack.len() + 1 == depth
                    {
                        self.batch.text.extend_from_slice(&self.block[run..i]);
                        let text = &self.batch.text[self.element_start..];
                        if self.comma_seen || !text.iter().all(u8::is_ascii_whitespace) {
                            self.close_element(id, slot);
                        } else {
                            self.batch.text.truncate(self.element_start);
                        }
                        self.captured = None;
                        run = i + 1;
                    }
                }
                // The guard pops the frame; an object's `}` then ends up in `_`.
                b'}' if !matches!(self.stack.pop(), Some(Frame::Object { .. })) => {
                    return Err(GiveUp);
                }
                b',' => {
                    if let Some((id, slot, depth)) = self.captured
                        && self.stack.len() == depth
                    {
                        self.batch.text.extend_from_slice(&self.block[run..i]);
                        self.close_element(id, slot);
                        self.comma_seen = true;
                        i += 1;
                        run = i;
                        if self.batch.text.len() >= self.sizes.batch {
                            self.pos = i;
                            return Ok(true);
                        }
                        continue;
                    }
                    if let Some(Frame::Object { expect_key }) = self.stack.last_mut() {
                        *expect_key = true;
                    }
                }
                b':' => {
                    if let Some(Frame::Object { expect_key }) = self.stack.last_mut() {
                        *expect_key = false;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        let rest = &self.block[run..i];
        if self.captured.is_some() {
            self.batch.text.extend_from_slice(rest);
        } else {
            self.skeleton.extend_from_slice(rest);
        }
        self.pos = i;
        Ok(false)
    }

    fn push(&mut self, f: Frame) -> Scan<()> {
        self.stack.push(f);
        if self.stack.len() >= MAX_DEPTH {
            return Err(GiveUp);
        }
        Ok(())
    }

    fn close_element(&mut self, id: usize, slot: Slot) {
        let end = self.batch.text.len();
        self.batch
            .elements
            .push((id, slot, self.element_start, end));
        self.element_start = end;
    }

    /// The slot of the elements of an array that starts here, as `ValueSeed` would give
    /// them: `Id` under a key ending in `Ids`, else `Plain`.
    fn slot_of_array(&self) -> Scan<Slot> {
        match self.stack.last() {
            None => Ok(Slot::Plain),
            Some(Frame::Object { expect_key: false }) if !self.key_escaped => {
                let key = std::str::from_utf8(&self.key).map_err(|_| GiveUp)?;
                Ok(match classify(key) {
                    KeyClass::IdList => Slot::Id,
                    _ => Slot::Plain,
                })
            }
            _ => Err(GiveUp),
        }
    }
}

/// Where the first `"` or `\` is in `s` (`s.len()` when there is none), eight bytes a step.
fn find_quote_or_backslash(s: &[u8]) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let quote = LO * u64::from(b'"');
    let backslash = LO * u64::from(b'\\');
    let mut i = 0;
    while i + 8 <= s.len() {
        let w = u64::from_le_bytes([
            s[i],
            s[i + 1],
            s[i + 2],
            s[i + 3],
            s[i + 4],
            s[i + 5],
            s[i + 6],
            s[i + 7],
        ]);
        let (x, y) = (w ^ quote, w ^ backslash);
        let hit = (x.wrapping_sub(LO) & !x & HI) | (y.wrapping_sub(LO) & !y & HI);
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < s.len() && s[i] != b'"' && s[i] != b'\\' {
        i += 1;
    }
    i
}

/// Parses a batch's elements on the rayon pool, in order; `None` if one fails.
fn parse_batch(batch: &Batch, chunk: usize) -> Option<Vec<(usize, Value)>> {
    let mut groups: Vec<&[(usize, Slot, usize, usize)]> = Vec::new();
    let mut from = 0;
    let mut bytes = 0;
    for (k, e) in batch.elements.iter().enumerate() {
        bytes += e.3 - e.2;
        if bytes >= chunk {
            groups.push(&batch.elements[from..=k]);
            from = k + 1;
            bytes = 0;
        }
    }
    if from < batch.elements.len() {
        groups.push(&batch.elements[from..]);
    }
    let parsed: Vec<Option<Vec<(usize, Value)>>> = groups
        .par_iter()
        .map(|group| {
            STATE.with_borrow_mut(|state| {
                state.begin_file();
                group
                    .iter()
                    .map(|&(id, slot, s, e)| {
                        let text = std::str::from_utf8(&batch.text[s..e]).ok()?;
                        parse_value(state, text, slot).ok().map(|v| (id, v))
                    })
                    .collect()
            })
        })
        .collect();
    let mut out = Vec::with_capacity(batch.elements.len());
    for p in parsed {
        out.extend(p?);
    }
    Some(out)
}

/// One complete JSON text, as `json::parse` reads a file's.
fn parse_value(state: &mut ParseState, text: &str, slot: Slot) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = ValueSeed { state, slot }.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Parses everything `input` holds, splitting its arrays; `None`: parse it the ordinary
/// way instead (it is not valid JSON, or not worth the trouble).
pub(in crate::load) fn read(input: impl Read + Send, sizes: Sizes) -> Option<Value> {
    use std::hash::{BuildHasher, Hasher};
    // A string no file will hold by accident: a NUL, then a per-run random number.
    let nonce = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let prefix = format!("\u{0}split{nonce:016x}:");
    let mut scanner = Scanner::new(input, sizes, prefix.clone());
    let mut arrays: Vec<Vec<Value>> = Vec::new();
    let mut current = scanner.next_batch().ok()?;
    while let Some(batch) = current {
        let (parsed, next) =
            rayon::join(|| parse_batch(&batch, sizes.chunk), || scanner.next_batch());
        for (id, v) in parsed? {
            if arrays.len() <= id {
                arrays.resize_with(id + 1, Vec::new);
            }
            arrays[id].push(v);
        }
        scanner.recycle(batch);
        current = next.ok()?;
    }
    arrays.resize_with(scanner.arrays, Vec::new);
    let skeleton = std::str::from_utf8(&scanner.skeleton).ok()?;
    if skeleton.trim_ascii().is_empty() {
        return None;
    }
    let arrays = arrays
        .into_iter()
        .map(|mut a| {
            a.shrink_to_fit();
            Some(a)
        })
        .collect();
    STATE.with_borrow_mut(|state| {
        state.begin_file();
        state.placeholders = Some(Placeholders { prefix, arrays });
        let value = parse_value(state, skeleton, Slot::Plain);
        state.placeholders = None;
        value.ok()
    })
}
