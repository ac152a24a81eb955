//! WARC archives: the HTML pages recorded in `.warc` and `.warc.gz` files, read as a stream.
//!
//! A record is a version line (`WARC/1.0`, `WARC/1.1`), header lines, a blank line, then
//! `Content-Length` bytes of block and two CRLFs. Only `response` records are opened, and of
//! those only pages answered 200 with an HTML type are kept; every other block is skipped
//! without being held in memory, as is a response larger than `fetch.max_bytes`. A `.warc.gz`
//! is one gzip member per record or the whole file in one; its members are read one at a
//! time, so a record that has a member of its own (or a record of a plain `.warc`) comes with
//! the file offset it can be read again from, as a CDX index would keep it.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use flate2::read::{DeflateDecoder, GzDecoder};

use super::DiscoverError;

/// The longest header line read (a WARC or an HTTP header); longer means a damaged file.
const MAX_LINE: u64 = 64 * 1024;
/// The most header lines one record (or its HTTP block) may have.
const MAX_HEADERS: usize = 512;

#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    #[error("cannot read {path}: {source}")]
    Open { path: String, source: io::Error },
    #[error("read failed at byte {offset}: {source}")]
    Io { offset: u64, source: io::Error },
    #[error("malformed record at byte {offset}: {message}")]
    Malformed { offset: u64, message: String },
    #[error("file ends inside a record at byte {offset}")]
    Truncated { offset: u64 },
}

/// An HTML page a response record holds.
#[derive(Debug, Clone, PartialEq)]
pub struct WarcPage {
    /// `WARC-Target-URI`: the page's address.
    pub uri: String,
    /// `WARC-Date`: when the page was fetched.
    pub date: Option<DateTime<Utc>>,
    /// `WARC-Record-ID`: tells a record already read from a new capture of the same URL.
    pub record_id: Option<String>,
    /// The HTTP `Content-Type` header, charset included.
    pub content_type: Option<String>,
    /// The HTTP body, de-chunked and decompressed.
    pub body: Vec<u8>,
    /// Where the record starts in its file, for [`read_at`]: the offset of its gzip member,
    /// or of the record in a plain file. None when the record shares its member with others
    /// (a whole file compressed at once), so it cannot be read on its own.
    pub offset: Option<u64>,
}

/// Why a response record gave no page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The recorded answer was not 200.
    Status(u16),
    /// Not an HTML page.
    NotHtml,
    /// Larger than `fetch.max_bytes`.
    TooLarge,
    /// A target URI that is no http(s) URL, or an HTTP block that cannot be read.
    Unreadable,
}

/// What one response record gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Page(WarcPage),
    Skipped { uri: String, why: Skip },
}

/// The WARC files `spec` names, sorted: a folder's own `.warc` and `.warc.gz` files, or the
/// files a glob matches.
pub fn list_warc_files(spec: &str) -> Result<Vec<PathBuf>, DiscoverError> {
    let spec_path = Path::new(spec);
    let mut found = Vec::new();
    if spec_path.is_dir() {
        let cannot = |e: io::Error| DiscoverError::Files(format!("cannot read folder {spec}: {e}"));
        for item in std::fs::read_dir(spec_path).map_err(cannot)? {
            let path = item.map_err(cannot)?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            if (name.ends_with(".warc") || name.ends_with(".warc.gz")) && path.is_file() {
                found.push(path);
            }
        }
    } else {
        let matches = glob::glob(spec).map_err(|e| DiscoverError::Files(format!("{spec} is not a valid glob: {e}")))?;
        for entry in matches {
            match entry {
                Ok(path) if path.is_file() => found.push(path),
                Ok(_) => {}
                Err(e) => tracing::warn!(pattern = spec, error = %e, "Skipping an unreadable path."),
            }
        }
    }
    // Canonical paths give each archive one `file://` URL however the source names it.
    let mut found: Vec<PathBuf> = found.into_iter().map(|p| std::fs::canonicalize(&p).unwrap_or(p)).collect();
    found.sort();
    found.dedup();
    if found.is_empty() {
        let what = if spec_path.is_dir() {
            "holds no .warc or .warc.gz files"
        } else {
            "matches no files"
        };
        return Err(DiscoverError::Files(format!("{spec} {what}")));
    }
    Ok(found)
}

/// Opens a WARC file for reading, gzip-compressed or not (told by its first bytes, not its name).
pub fn open(path: &Path, max_bytes: u64) -> Result<WarcReader<Box<dyn WarcInput + Send>>, WarcError> {
    let file = File::open(path).map_err(|source| cannot_open(path, source))?;
    Ok(WarcReader::new(input(path, file, 0, true)?, max_bytes))
}

/// The record that starts at `offset` of the file at `path` (an offset [`WarcPage::offset`]
/// gave), read with the same caps as the whole file: its item, or None when no response record
/// starts there.
pub fn read_at(path: &Path, offset: u64, max_bytes: u64) -> Result<Option<Item>, WarcError> {
    let mut file = File::open(path).map_err(|source| cannot_open(path, source))?;
    file.seek(SeekFrom::Start(offset)).map_err(|source| cannot_open(path, source))?;
    // A record with an offset has its gzip member to itself: the next one is not read.
    let mut reader = WarcReader::new(input(path, file, offset, false)?, max_bytes);
    match reader.record()? {
        Next::Item(item) => Ok(Some(item)),
        Next::Other | Next::End => Ok(None),
    }
}

fn cannot_open(path: &Path, source: io::Error) -> WarcError {
    WarcError::Open {
        path: path.display().to_string(),
        source,
    }
}

/// Bytes asked of the file at once.
const FILE_BUFFER: usize = 64 * 1024;

/// `file`, read from byte `at` on, as WARC text: through its gzip members when it starts
/// with one (all of them, or with `more` false only that one).
fn input(path: &Path, file: File, at: u64, more: bool) -> Result<Box<dyn WarcInput + Send>, WarcError> {
    let mut file = BufReader::with_capacity(FILE_BUFFER, Counted { file, start: at, read: at });
    let gzipped = file
        .fill_buf()
        .map_err(|source| cannot_open(path, source))?
        .starts_with(&[0x1f, 0x8b]);
    Ok(if gzipped {
        Box::new(Members::new(file, more))
    } else {
        Box::new(file)
    })
}

/// What a [`WarcReader`] reads: WARC text, which also tells where in the file a record that
/// starts at a given position of that text can be read again from.
pub trait WarcInput: BufRead {
    /// The file offset to read a record from that starts at `at` (bytes of WARC text read so
    /// far), when one can start there; asked once the input has been filled at `at`.
    fn file_offset(&self, at: u64) -> Option<u64>;
}

/// Uncompressed WARC text is the file itself (or a test's bytes).
impl WarcInput for &[u8] {
    fn file_offset(&self, at: u64) -> Option<u64> {
        Some(at)
    }
}

impl WarcInput for BufReader<Counted> {
    fn file_offset(&self, at: u64) -> Option<u64> {
        Some(self.get_ref().start + at)
    }
}

impl<T: WarcInput + ?Sized> WarcInput for Box<T> {
    fn file_offset(&self, at: u64) -> Option<u64> {
        (**self).file_offset(at)
    }
}

/// A file that counts the bytes read from it, so the offset of what a buffer over it holds is
/// known.
struct Counted {
    file: File,
    /// The file offset reading began at.
    start: u64,
    /// The file offset of the next byte read.
    read: u64,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Bytes of WARC text decompressed at once.
const TEXT_BUFFER: usize = 64 * 1024;

/// A gzip file read one member after another, each member's start noted: where it starts in
/// the file, and where its text starts in the WARC text. The text never runs from one member
/// into the next in one buffer, so a record that begins a member is seen to.
struct Members {
    /// The member being read; None once the file has ended.
    member: Option<flate2::bufread::GzDecoder<BufReader<Counted>>>,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    /// The position in the WARC text of `buf[0]`.
    text_at: u64,
    /// Where the current member starts: (position in the WARC text, file offset). After the
    /// last member, the end of both.
    start: (u64, u64),
    /// Whether members after the first are read.
    more: bool,
}

impl Members {
    fn new(file: BufReader<Counted>, more: bool) -> Members {
        let at = file.get_ref().read - file.buffer().len() as u64;
        Members {
            member: Some(flate2::bufread::GzDecoder::new(file)),
            buf: vec![0; TEXT_BUFFER].into_boxed_slice(),
            pos: 0,
            filled: 0,
            text_at: 0,
            start: (0, at),
            more,
        }
    }
}

impl Read for Members {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Members {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.filled {
            let Some(member) = self.member.as_mut() else { break };
            self.text_at += self.filled as u64;
            (self.pos, self.filled) = (0, 0);
            let n = member.read(&mut self.buf)?;
            if n > 0 {
                self.filled = n;
                break;
            }
            // The member has ended; the gzip reader took only its bytes, so what the file's
            // buffer holds begins the next one.
            let Some(ended) = self.member.take() else { break };
            let mut file = ended.into_inner();
            let next = file.get_ref().read - file.buffer().len() as u64;
            self.start = (self.text_at, next);
            if self.more && !file.fill_buf()?.is_empty() {
                self.member = Some(flate2::bufread::GzDecoder::new(file));
            }
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.filled);
    }
}

impl WarcInput for Members {
    fn file_offset(&self, at: u64) -> Option<u64> {
        (self.start.0 == at).then_some(self.start.1)
    }
}

/// Reads records one after another; yields each response record's page or why it gave none.
/// After the first error it yields nothing more: the rest of a damaged file cannot be trusted
/// to start on a record.
pub struct WarcReader<R> {
    input: R,
    max_bytes: u64,
    /// Bytes of (decompressed) WARC consumed, for error messages.
    offset: u64,
    /// An error met after a page was read whole, given after that page.
    pending: Option<WarcError>,
    done: bool,
}

/// A record's header lines: (name, value).
type Headers = Vec<(String, String)>;

/// What one record gave.
enum Next {
    /// A response record's page, or why it gave none.
    Item(Item),
    /// A record of another type.
    Other,
    /// The clean end of the input.
    End,
}

impl<R: WarcInput> WarcReader<R> {
    pub fn new(input: R, max_bytes: u64) -> Self {
        WarcReader {
            input,
            max_bytes,
            offset: 0,
            pending: None,
            done: false,
        }
    }

    fn io(&self, source: io::Error) -> WarcError {
        if source.kind() == io::ErrorKind::UnexpectedEof {
            WarcError::Truncated { offset: self.offset }
        } else {
            WarcError::Io {
                offset: self.offset,
                source,
            }
        }
    }

    fn malformed(&self, message: impl Into<String>) -> WarcError {
        WarcError::Malformed {
            offset: self.offset,
            message: message.into(),
        }
    }

    /// One line without its line end, or None at the end of the input.
    fn line(&mut self) -> Result<Option<Vec<u8>>, WarcError> {
        let mut line = Vec::new();
        let read = (&mut self.input)
            .take(MAX_LINE)
            .read_until(b'\n', &mut line)
            .map_err(|e| self.io(e))?;
        self.offset += read as u64;
        if read == 0 {
            return Ok(None);
        }
        if line.last() != Some(&b'\n') {
            return Err(if (read as u64) < MAX_LINE {
                WarcError::Truncated { offset: self.offset }
            } else {
                self.malformed("header line too long")
            });
        }
        trim_line_end(&mut line);
        Ok(Some(line))
    }

    /// Passes over whole line ends (the two CRLFs that close a record), leaving the input
    /// filled at what follows them.
    fn skip_line_ends(&mut self) -> io::Result<()> {
        loop {
            let buf = self.input.fill_buf()?;
            let n = if buf.starts_with(b"\r\n") {
                2
            } else if buf.starts_with(b"\n") {
                1
            } else {
                return Ok(());
            };
            self.input.consume(n);
            self.offset += n as u64;
        }
    }

    /// The next record's headers and the file offset it can be read again from, or None at a
    /// clean end of the input. Blank lines between records (the two CRLFs that close one, or
    /// more) are passed over.
    fn headers(&mut self) -> Result<Option<(Option<u64>, Headers)>, WarcError> {
        let (start, version) = loop {
            self.skip_line_ends().map_err(|e| self.io(e))?;
            let start = self.input.file_offset(self.offset);
            match self.line()? {
                None => return Ok(None),
                Some(line) if line.is_empty() => continue,
                Some(line) => break (start, line),
            }
        };
        if !version.starts_with(b"WARC/1.") {
            return Err(self.malformed("no WARC/1.x version line"));
        }
        let mut headers = Vec::new();
        loop {
            let Some(line) = self.line()? else {
                return Err(WarcError::Truncated { offset: self.offset });
            };
            if line.is_empty() {
                return Ok(Some((start, headers)));
            }
            if headers.len() >= MAX_HEADERS {
                return Err(self.malformed("too many header lines"));
            }
            match split_header(&line) {
                Some(header) => headers.push(header),
                None => return Err(self.malformed("a header line without a colon")),
            }
        }
    }

    /// Passes over `len` bytes of block without keeping them.
    fn skip(&mut self, len: u64) -> Result<(), WarcError> {
        let skipped = io::copy(&mut (&mut self.input).take(len), &mut io::sink()).map_err(|e| self.io(e))?;
        self.offset += skipped;
        if skipped < len {
            return Err(WarcError::Truncated { offset: self.offset });
        }
        Ok(())
    }

    fn read_block(&mut self, len: u64) -> Result<Vec<u8>, WarcError> {
        let mut block = Vec::with_capacity(usize::try_from(len.min(1 << 20)).unwrap_or(0));
        let read = (&mut self.input).take(len).read_to_end(&mut block).map_err(|e| self.io(e))?;
        self.offset += read as u64;
        if (read as u64) < len {
            return Err(WarcError::Truncated { offset: self.offset });
        }
        Ok(block)
    }

    /// The next response record's item, or None when the input ends cleanly.
    fn next_item(&mut self) -> Result<Option<Item>, WarcError> {
        loop {
            match self.record()? {
                Next::Item(item) => return Ok(Some(item)),
                Next::Other => continue,
                Next::End => return Ok(None),
            }
        }
    }

    /// The next record, whatever its type.
    fn record(&mut self) -> Result<Next, WarcError> {
        let Some((start, headers)) = self.headers()? else {
            return Ok(Next::End);
        };
        let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        let len: u64 = match header("Content-Length").map(|v| v.trim().parse()) {
            Some(Ok(len)) => len,
            _ => return Err(self.malformed("no valid Content-Length")),
        };
        if !header("WARC-Type").is_some_and(|t| t.trim().eq_ignore_ascii_case("response")) {
            self.skip(len)?;
            return Ok(Next::Other);
        }
        let uri = header("WARC-Target-URI").unwrap_or("").trim();
        let uri = uri.strip_prefix('<').and_then(|u| u.strip_suffix('>')).unwrap_or(uri).to_string();
        let skipped = |why| Ok(Next::Item(Item::Skipped { uri: uri.clone(), why }));
        let web = url::Url::parse(&uri).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        let identified = header("WARC-Identified-Payload-Type");
        let why = if !web {
            Some(Skip::Unreadable)
        } else if identified.is_some_and(|t| !is_html(t)) {
            Some(Skip::NotHtml)
        } else if len > self.max_bytes {
            Some(Skip::TooLarge)
        } else {
            None
        };
        if let Some(why) = why {
            self.skip(len)?;
            return skipped(why);
        }
        let date = header("WARC-Date")
            .and_then(|d| DateTime::parse_from_rfc3339(d.trim()).ok())
            .map(|d| d.with_timezone(&Utc));
        let record_id = header("WARC-Record-ID").map(|id| id.trim().to_string());
        let block = self.read_block(len)?;
        // The record can be read on its own only when its member (if any) holds it alone:
        // then what follows it starts a member too, or ends the file.
        let alone = match self.skip_line_ends() {
            Ok(()) => self.input.file_offset(self.offset).is_some(),
            Err(e) => {
                self.pending = Some(self.io(e));
                false
            }
        };
        match http_page(&block, identified.is_some(), self.max_bytes) {
            Ok((content_type, body)) => Ok(Next::Item(Item::Page(WarcPage {
                uri,
                date,
                record_id,
                content_type,
                body,
                offset: start.filter(|_| alone),
            }))),
            Err(why) => skipped(why),
        }
    }
}

impl<R: WarcInput> Iterator for WarcReader<R> {
    type Item = Result<Item, WarcError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if let Some(e) = self.pending.take() {
            self.done = true;
            return Some(Err(e));
        }
        let next = self.next_item();
        self.done = !matches!(next, Ok(Some(_)));
        next.transpose()
    }
}

fn trim_line_end(line: &mut Vec<u8>) {
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
}

/// `Name: value`, both trimmed; header text that is not UTF-8 is read lossily.
fn split_header(line: &[u8]) -> Option<(String, String)> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = String::from_utf8_lossy(&line[..colon]).trim().to_string();
    let value = String::from_utf8_lossy(&line[colon + 1..]).trim().to_string();
    Some((name, value))
}

/// An HTML media type (parameters such as charset allowed).
fn is_html(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("text/html") || essence.eq_ignore_ascii_case("application/xhtml+xml")
}

/// The `Content-Type` and body of a recorded HTTP answer when it is a 200 HTML page.
/// `type_known` says the record's `WARC-Identified-Payload-Type` already found it HTML, which
/// then stands over the HTTP header (servers often mislabel pages).
fn http_page(block: &[u8], type_known: bool, max_bytes: u64) -> Result<(Option<String>, Vec<u8>), Skip> {
    let mut rest = block;
    let status_line = next_line(&mut rest).ok_or(Skip::Unreadable)?;
    let status_line = std::str::from_utf8(status_line).map_err(|_| Skip::Unreadable)?;
    let mut parts = status_line.split_ascii_whitespace();
    if !parts.next().is_some_and(|v| v.starts_with("HTTP/")) {
        return Err(Skip::Unreadable);
    }
    let status: u16 = parts.next().and_then(|s| s.parse().ok()).ok_or(Skip::Unreadable)?;
    if status != 200 {
        return Err(Skip::Status(status));
    }
    let (mut content_type, mut chunked, mut encoding) = (None, false, None);
    let mut count = 0;
    loop {
        let line = next_line(&mut rest).ok_or(Skip::Unreadable)?;
        if line.is_empty() {
            break;
        }
        count += 1;
        if count > MAX_HEADERS {
            return Err(Skip::Unreadable);
        }
        let Some((name, value)) = split_header(line) else { continue };
        if name.eq_ignore_ascii_case("Content-Type") {
            content_type = Some(value);
        } else if name.eq_ignore_ascii_case("Transfer-Encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("Content-Encoding") {
            encoding = Some(value.to_ascii_lowercase());
        }
    }
    if !type_known && !content_type.as_deref().is_some_and(is_html) {
        return Err(Skip::NotHtml);
    }
    let body = if chunked {
        dechunk(rest).ok_or(Skip::Unreadable)?
    } else {
        rest.to_vec()
    };
    let body = match encoding.as_deref().map(str::trim) {
        None | Some("" | "identity") => body,
        Some("gzip" | "x-gzip") => inflate(GzDecoder::new(body.as_slice()), max_bytes)?,
        Some("deflate") => inflate(DeflateDecoder::new(body.as_slice()), max_bytes)?,
        Some(_) => return Err(Skip::Unreadable),
    };
    Ok((content_type, body))
}

/// The next line of `rest` without its line end, moving `rest` past it; None when no line end
/// is left.
fn next_line<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let end = rest.iter().position(|&b| b == b'\n')?;
    let line = &rest[..end];
    *rest = &rest[end + 1..];
    Some(line.strip_suffix(b"\r").unwrap_or(line))
}

/// A chunked body put back together; None when the chunk sizes do not fit the bytes.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::with_capacity(rest.len());
    loop {
        let line = next_line(&mut rest)?;
        let size = std::str::from_utf8(line).ok()?.split(';').next()?.trim();
        let size = usize::from_str_radix(size, 16).ok()?;
        if size == 0 {
            // Trailers, if any, carry nothing a page needs.
            return Some(body);
        }
        body.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size..)?;
        // The CRLF after the chunk's data.
        next_line(&mut rest)?;
    }
}

/// A compressed body inflated, up to `max_bytes`.
fn inflate(decoder: impl Read, max_bytes: u64) -> Result<Vec<u8>, Skip> {
    let mut body = Vec::new();
    decoder
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|_| Skip::Unreadable)?;
    if body.len() as u64 > max_bytes {
        return Err(Skip::TooLarge);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn record(kind: &str, uri: &str, extra: &str, block: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2025-04-02T08:15:00Z\r\n\
             WARC-Record-ID: <urn:uuid:{uri}>\r\n{extra}Content-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn http(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {status}\r\n{headers}\r\n").into_bytes();
        out.extend_from_slice(body);
        out
    }

    fn read_all(bytes: &[u8], max_bytes: u64) -> Vec<Result<Item, WarcError>> {
        WarcReader::new(bytes, max_bytes).collect()
    }

    fn page(item: &Result<Item, WarcError>) -> &WarcPage {
        match item {
            Ok(Item::Page(page)) => page,
            other => panic!("not a page: {other:?}"),
        }
    }

    #[test]
    fn keeps_html_200_responses_and_says_why_others_are_left() {
        let html = b"<html><body><p>Nota</p></body></html>";
        let mut warc = record("warcinfo", "", "", b"software: test\r\n");
        warc.extend(record("request", "https://e.org/a", "", b"GET /a HTTP/1.1\r\n\r\n"));
        warc.extend(record(
            "response",
            "https://e.org/a",
            "",
            &http("200 OK", "Content-Type: text/html; charset=utf-8\r\n", html),
        ));
        warc.extend(record(
            "response",
            "https://e.org/b",
            "",
            &http("404 Not Found", "Content-Type: text/html\r\n", html),
        ));
        warc.extend(record(
            "response",
            "https://e.org/c.pdf",
            "",
            &http("200 OK", "Content-Type: application/pdf\r\n", b"%PDF"),
        ));
        warc.extend(record("response", "dns:e.org", "", b"e.org. 300 IN A 10.0.0.1"));
        let items = read_all(&warc, 1 << 20);
        assert_eq!(items.len(), 4, "{items:?}");
        let first = page(&items[0]);
        assert_eq!(first.uri, "https://e.org/a");
        assert_eq!(first.body, html);
        assert_eq!(first.content_type.as_deref(), Some("text/html; charset=utf-8"));
        assert_eq!(first.record_id.as_deref(), Some("<urn:uuid:https://e.org/a>"));
        assert_eq!(first.date.map(|d| d.to_rfc3339()).as_deref(), Some("2025-04-02T08:15:00+00:00"));
        let whys: Vec<Skip> = items[1..]
            .iter()
            .map(|i| match i {
                Ok(Item::Skipped { why, .. }) => *why,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(whys, [Skip::Status(404), Skip::NotHtml, Skip::Unreadable]);
    }

    #[test]
    fn identified_payload_type_stands_over_the_http_header() {
        let html = b"<p>x</p>";
        let mislabelled = http("200 OK", "Content-Type: text/plain\r\n", html);
        let warc = record(
            "response",
            "https://e.org/a",
            "WARC-Identified-Payload-Type: text/html\r\n",
            &mislabelled,
        );
        assert_eq!(page(&read_all(&warc, 1 << 20)[0]).body, html);
        let labelled = http("200 OK", "Content-Type: text/html\r\n", html);
        let warc = record(
            "response",
            "https://e.org/a",
            "WARC-Identified-Payload-Type: image/png\r\n",
            &labelled,
        );
        assert!(matches!(read_all(&warc, 1 << 20)[0], Ok(Item::Skipped { why: Skip::NotHtml, .. })));
    }

    #[test]
    fn chunked_and_compressed_bodies_are_undone() {
        let chunked = http(
            "200 OK",
            "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\n",
            b"6\r\n<p>uno\r\nA;ext=1\r\n y dos</p>\r\n0\r\nX-Trailer: 1\r\n\r\n",
        );
        let warc = record("response", "https://e.org/a", "", &chunked);
        assert_eq!(page(&read_all(&warc, 1 << 20)[0]).body, b"<p>uno y dos</p>");

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"<p>comprimido</p>").unwrap();
        let gzipped = http(
            "200 OK",
            "Content-Type: text/html\r\nContent-Encoding: gzip\r\n",
            &gz.finish().unwrap(),
        );
        let warc = record("response", "https://e.org/b", "", &gzipped);
        assert_eq!(page(&read_all(&warc, 1 << 20)[0]).body, b"<p>comprimido</p>");
    }

    #[test]
    fn a_record_over_the_cap_is_skipped_and_reading_goes_on() {
        let big = http("200 OK", "Content-Type: text/html\r\n", &[b'a'; 5000]);
        let mut warc = record("response", "https://e.org/big", "", &big);
        warc.extend(record(
            "response",
            "https://e.org/small",
            "",
            &http("200 OK", "Content-Type: text/html\r\n", b"<p>x</p>"),
        ));
        let items = read_all(&warc, 1024);
        assert!(matches!(&items[0], Ok(Item::Skipped { why: Skip::TooLarge, uri }) if uri == "https://e.org/big"));
        assert_eq!(page(&items[1]).uri, "https://e.org/small");
    }

    #[test]
    fn a_truncated_or_damaged_file_ends_with_one_error() {
        let ok = record(
            "response",
            "https://e.org/a",
            "",
            &http("200 OK", "Content-Type: text/html\r\n", b"<p>x</p>"),
        );
        let second = record(
            "response",
            "https://e.org/b",
            "",
            &http("200 OK", "Content-Type: text/html\r\n", b"<p>y</p>"),
        );
        let mut cut = ok.clone();
        cut.extend_from_slice(&second[..second.len() - 20]);
        let items = read_all(&cut, 1 << 20);
        assert_eq!(items.len(), 2);
        assert!(matches!(items[1], Err(WarcError::Truncated { .. })), "{items:?}");

        let mut junk = ok.clone();
        junk.extend_from_slice(b"<html>not a record</html>\r\n");
        junk.extend_from_slice(&second);
        let items = read_all(&junk, 1 << 20);
        assert_eq!(items.len(), 2);
        assert!(matches!(items[1], Err(WarcError::Malformed { .. })), "{items:?}");

        let no_length = b"WARC/1.0\r\nWARC-Type: response\r\n\r\n";
        assert!(matches!(read_all(no_length, 1 << 20)[..], [Err(WarcError::Malformed { .. })]));
    }

    #[test]
    fn whole_file_and_per_record_gzip_both_read() {
        let a = record(
            "response",
            "<https://e.org/a>",
            "",
            &http("200 OK", "Content-Type: text/html\r\n", b"<p>a</p>"),
        );
        let b = record(
            "response",
            "https://e.org/b",
            "",
            &http("200 OK", "Content-Type: text/html\r\n", b"<p>b</p>"),
        );
        let gzip = |bytes: &[u8]| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(bytes).unwrap();
            gz.finish().unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let per_record = root.join("per-record.warc.gz");
        std::fs::write(&per_record, [gzip(&a), gzip(&b)].concat()).unwrap();
        let whole = root.join("whole.warc.gz");
        std::fs::write(&whole, gzip(&[a.clone(), b.clone()].concat())).unwrap();
        let plain = root.join("plain.warc");
        std::fs::write(&plain, [a, b].concat()).unwrap();
        for path in [&per_record, &whole, &plain] {
            let uris: Vec<String> = open(path, 1 << 20).unwrap().map(|i| page(&i).uri.clone()).collect();
            assert_eq!(uris, ["https://e.org/a", "https://e.org/b"], "{}", path.display());
        }
        assert_eq!(list_warc_files(dir.path().to_str().unwrap()).unwrap(), [per_record, plain, whole]);
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    /// Three pages, with a request record before the second, as separate records.
    fn three_records() -> Vec<Vec<u8>> {
        let page = |uri: &str, text: &str| {
            record(
                "response",
                uri,
                "",
                &http("200 OK", "Content-Type: text/html\r\n", format!("<p>{text}</p>").as_bytes()),
            )
        };
        vec![
            page("https://e.org/uno", "primera nota"),
            record("request", "https://e.org/dos", "", b"GET /dos HTTP/1.1\r\n\r\n"),
            page("https://e.org/dos", "segunda nota"),
            page("https://e.org/tres", "tercera nota"),
        ]
    }

    /// The pages of a file with their offsets.
    fn pages_of(path: &Path) -> Vec<WarcPage> {
        open(path, 1 << 20).unwrap().map(|i| page(&i).clone()).collect()
    }

    #[test]
    fn each_record_with_a_member_or_file_of_its_own_is_read_again_from_its_offset() {
        let records = three_records();
        let dir = tempfile::tempdir().unwrap();
        let per_record = dir.path().join("per-record.warc.gz");
        std::fs::write(&per_record, records.iter().map(|r| gzip(r)).collect::<Vec<_>>().concat()).unwrap();
        let plain = dir.path().join("plain.warc");
        std::fs::write(&plain, records.concat()).unwrap();
        for path in [&per_record, &plain] {
            let pages = pages_of(path);
            assert_eq!(pages.len(), 3, "{}", path.display());
            let mut offsets = Vec::new();
            for found in &pages {
                let offset = found
                    .offset
                    .unwrap_or_else(|| panic!("{} in {}: no offset", found.uri, path.display()));
                let again = read_at(path, offset, 1 << 20).unwrap();
                assert_eq!(again.as_ref().map(|i| page(&Ok(i.clone())).clone()), Some(found.clone()));
                offsets.push(offset);
            }
            assert_eq!(offsets[0], 0);
            assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
        }
        // In a plain file the offset is the record's own: the third page follows the others.
        let plain_offsets: Vec<u64> = pages_of(&plain).iter().filter_map(|p| p.offset).collect();
        let before_third: usize = records[..3].iter().map(Vec::len).sum();
        assert_eq!(plain_offsets[2], before_third as u64);
        // The request record's offset holds no page.
        let request_at = records[0].len() as u64;
        assert_eq!(read_at(&plain, request_at, 1 << 20).unwrap(), None);
    }

    #[test]
    fn records_that_share_a_member_have_no_offset() {
        let records = three_records();
        let dir = tempfile::tempdir().unwrap();
        let whole = dir.path().join("whole.warc.gz");
        std::fs::write(&whole, gzip(&records.concat())).unwrap();
        assert!(pages_of(&whole).iter().all(|p| p.offset.is_none()));

        // The first two pages share a member, the last has its own.
        let mixed = dir.path().join("mixed.warc.gz");
        std::fs::write(&mixed, [gzip(&records[..3].concat()), gzip(&records[3])].concat()).unwrap();
        let pages = pages_of(&mixed);
        let offsets: Vec<Option<u64>> = pages.iter().map(|p| p.offset).collect();
        assert_eq!(offsets[..2], [None, None]);
        let last = offsets[2].expect("a member of its own");
        assert_eq!(
            read_at(&mixed, last, 1 << 20).unwrap().map(|i| page(&Ok(i)).uri.clone()).as_deref(),
            Some("https://e.org/tres")
        );
    }

    #[test]
    fn reading_at_an_offset_keeps_the_caps_and_reports_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.warc");
        std::fs::write(&plain, three_records().concat()).unwrap();
        assert!(matches!(
            read_at(&plain, 0, 8).unwrap(),
            Some(Item::Skipped { why: Skip::TooLarge, .. })
        ));
        assert!(matches!(read_at(&plain, 5, 1 << 20), Err(WarcError::Malformed { .. })));
        assert!(matches!(
            read_at(&dir.path().join("gone.warc"), 0, 1 << 20),
            Err(WarcError::Open { .. })
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            for max in [16, 1 << 20] {
                for item in WarcReader::new(bytes.as_slice(), max) {
                    let _ = item;
                }
            }
        }

        #[test]
        fn damaged_records_never_panic(
            cut in 0usize..600,
            at in 0usize..600,
            junk in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..24),
        ) {
            let mut bytes = record(
                "response",
                "https://e.org/a",
                "",
                &http("200 OK", "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\n", b"4\r\n<p>x\r\n0\r\n\r\n"),
            );
            bytes.extend(record("response", "https://e.org/b", "", &http("200 OK", "Content-Type: text/html\r\n", b"<p>y</p>")));
            let at = at.min(bytes.len());
            bytes.splice(at..at, junk);
            bytes.truncate(cut.min(bytes.len()));
            let items: Vec<_> = WarcReader::new(bytes.as_slice(), 1 << 20).collect();
            // At most one error, and only last.
            let errors = items.iter().filter(|i| i.is_err()).count();
            proptest::prop_assert!(errors <= 1);
            proptest::prop_assert!(errors == 0 || items.last().is_some_and(|i| i.is_err()));
        }
    }
}
