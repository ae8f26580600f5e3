"""Encoding detection and streaming decode: bytes in, lines of text out, never the whole file."""

from __future__ import annotations

import codecs
import functools
import io
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO, NamedTuple

from charset_normalizer import from_bytes

from screening.identification.importers.base import ImportFormatError
from screening.identification.importers.text import _

HEAD_SIZE = 64 * 1024

# charset-normalizer tells Western single-byte code pages apart poorly on short samples
# (Windows-1252 'Müller, José' comes back as cp1250); exports from Western Windows tools are
# cp1252, so it wins whenever the bytes are valid cp1252. The price: a Central European cp1250
# file is read with a few wrong letters (ą as ¹) -- rare for database exports, which are UTF-8.
_WESTERN = {
    "cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_9", "iso8859_15",
    "cp775", "mac_latin2", "mac_roman", "cp850", "cp437", "iso8859_3", "iso8859_4", "iso8859_10",
    "iso8859_13", "iso8859_14", "iso8859_16", "mac_iceland", "mac_turkish", "cp858",
}  # fmt: skip

_fallback = threading.local()


def _fallback_decode(exc: UnicodeError) -> tuple[str, int]:
    """Bytes the detected encoding cannot read are taken as Windows-1252 (Latin-1 where 1252 has
    a hole) rather than dropped or replaced: a stray accented byte in an otherwise UTF-8 file
    keeps its letter, and nothing about the bytes can make decoding raise."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    fallback_counter()[0] += 1
    return "".join(_byte_as_text(b) for b in bad), exc.end


def _byte_as_text(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


codecs.register_error("screening-importers-fallback", _fallback_decode)


def fallback_counter() -> list[int]:
    """This thread's count of bytes read as Windows-1252, as a one-item list that a parser may
    keep and compare once per record (cheaper than calling fallback_count each time)."""
    counter = getattr(_fallback, "counter", None)
    if counter is None:
        counter = _fallback.counter = [0]
    return counter


def fallback_count() -> int:
    return fallback_counter()[0]


# Encodings a person may choose instead of detection: code -> what it is for. Other codec names
# Python knows are accepted too (`codec_name`).
ENCODINGS: dict[str, str] = {
    "utf-8": "UTF-8 (Unicode)",
    "gb18030": "GB18030 / GBK (Simplified Chinese)",
    "big5": "Big5 (Traditional Chinese)",
    "cp1252": "Windows-1252 (Western European)",
    "utf-16": "UTF-16 (Unicode)",
    "shift_jis": "Shift JIS (Japanese)",
    "cp949": "CP949 / EUC-KR (Korean)",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
}
# GB18030 reads every GBK and GB 2312 file byte for byte, and more.
_SUPERSEDED = {"gbk": "gb18030", "gb2312": "gb18030", "euc_kr": "cp949", "ascii": "utf-8"}


def codec_name(name: str) -> str:
    """The codec for an encoding a person named ('GBK', 'utf8', 'Big5'), or ImportFormatError."""
    try:
        info = codecs.lookup(name.strip())
    except (LookupError, AttributeError):
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise ImportFormatError(
            _("%(name)s is not a text encoding we know; choose one of: %(encodings)s")
            % {"name": repr(name), "encodings": ", ".join(ENCODINGS)}
        )
    canonical = info.name.replace("-", "_")
    return _SUPERSEDED.get(canonical, info.name)


def detect_encoding(head: bytes) -> str:
    """A Python codec name for the file whose first bytes are `head`.

    Order: byte-order mark, then UTF-16 without BOM (NUL pattern), then strict UTF-8 (most
    exports), then the Chinese and Korean encodings of the databases our users search, chosen
    by what the text becomes (`_cjk_encoding`), then charset-normalizer for other code pages
    (Windows-1252 among the Western ones).
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    sample = head[:HEAD_SIZE]
    # Before UTF-8: ASCII text in UTF-16 is also valid UTF-8 (NUL is a character there), but
    # no text export has NULs at every other byte and almost none between them.
    utf16 = _utf16_by_nuls(sample)
    if utf16:
        return utf16
    try:
        # final=False: the sample may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    cjk = _cjk_encoding(sample)
    if cjk:
        return cjk
    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        return "cp1252"
    encoding = codecs.lookup(best.encoding).name.replace("-", "_")
    if encoding in _WESTERN:
        try:
            sample.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return codecs.lookup(best.encoding).name


def _utf16_by_nuls(sample: bytes) -> str:
    """UTF-16 without BOM, told by its NULs: the high byte of every ASCII character (tags,
    spaces, digits, Latin letters: a third of the text at least, even in Chinese records) is
    NUL, on the odd bytes in little-endian, the even ones in big-endian; the other bytes are
    letters, almost never NUL. '' when the pattern is not that clear."""
    if len(sample) < 4:
        return ""
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > half * 0.3 and even_nuls < half * 0.05:
        return "utf-16-le"
    if even_nuls > half * 0.3 and odd_nuls < half * 0.05:
        return "utf-16-be"
    return ""


# Candidates for bytes that may be Chinese, in the order preferred when they score alike.
CJK_CANDIDATES = ("gb18030", "big5", "cp950")
# The best candidate must turn at least this share of its non-ASCII characters into characters
# its own standard counts as common (see `_common`), errors and misfits counted against it.
CJK_MIN_SCORE = 0.5
_MIN_HANGUL_SHARE = 0.9
# Korean is written in words with spaces between them, a few syllables each (2-4 in running
# text); Chinese has no spaces, so its bytes read as Korean make runs as long as its phrases.
_MAX_MEAN_KOREAN_WORD = 6
_WORD = re.compile("[^\x00-\x7f]+")
# A language field naming Chinese (RIS 'LA  - Chinese', BibTeX 'language = {chinese}', a CSV
# column 'Language' then 'Chinese'...): the file's text is then never read as Korean.
_CHINESE_FIELD = re.compile(
    rb"(?i)(?:\bLA\s{1,2}-|lang\w*\s*[=:,;\t]|language)[\s{\"']*(?:chinese|chi|zho|zh)\b"
)


@functools.cache
def _common(encoding: str) -> frozenset[str]:
    """The characters an encoding's standard lists as in everyday use: GB 2312 level 1 (lead
    bytes B0-D7: 3,755 hanzi by frequency) for GB18030, Big5's frequently used characters
    (A440-C67E: 5,401) for Big5 and CP950. Text in the wrong encoding turns into rare
    characters, kana, box-drawing signs and errors instead."""
    if encoding == "gb18030":
        codes = [bytes([lead, trail]) for lead in range(0xB0, 0xD8) for trail in range(0xA1, 0xFF)]
        decoder = "gb2312"
    else:
        trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
        codes = [bytes([lead, trail]) for lead in range(0xA4, 0xC7) for trail in trails]
        codes = [c for c in codes if c <= b"\xc6\x7e"]
        decoder = "big5"
    chars = set()
    for code in codes:
        try:
            chars.add(code.decode(decoder))
        except UnicodeDecodeError:
            continue
    return frozenset(chars)


def _neutral(char: str) -> bool:
    """Characters that say nothing either way: Latin letters with accents, general punctuation,
    CJK punctuation and full-width forms, ideographs outside the common set."""
    o = ord(char)
    return (
        0x00C0 <= o <= 0x024F
        or 0x2000 <= o <= 0x206F
        or 0x3000 <= o <= 0x303F
        or 0xFF01 <= o <= 0xFF5E
        or 0x4E00 <= o <= 0x9FFF
        or char in "·×÷°±§"
    )


def cjk_score(text: str, encoding: str) -> float:
    """How Chinese `text` (decoded as `encoding`) reads: the share of its non-ASCII characters
    that are common in that encoding's standard, less twice the share of characters no Chinese
    text holds (kana, Hangul, box drawing, private use, errors). 1.0 is clean Chinese."""
    common = _common(encoding)
    good = bad = total = 0
    for char in text:
        if char < "\x80":
            continue
        total += 1
        if char in common:
            good += 1
        elif not _neutral(char):
            bad += 1
    return (good - 2 * bad) / total if total else 0.0


def _as_text(sample: bytes, encoding: str) -> str:
    # final=False: the sample may end inside a multi-byte character.
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)


def _cjk_encoding(sample: bytes) -> str:
    """GB18030, Big5 (or CP950) or CP949 for bytes in one of them; '' when none reads well."""
    if sum(1 for b in sample[:4096] if b >= 0x80) < 2:
        return ""
    # Read as EUC-KR (KS X 1001, the part of CP949 holding the 2,350 syllables in everyday
    # use): CP949's other syllables take the trail bytes 41-A0 that Big5 gives most common
    # hanzi (丁, 七, 上, 下 are A4 40-A4 A3), so Big5 text read as CP949 can be all Hangul.
    korean = "" if _CHINESE_FIELD.search(sample) else _as_text(sample, "euc_kr")
    wide = [c for c in korean if c >= "\x80"]
    if len(wide) >= 20:
        # Korean text is nearly all Hangul; Chinese bytes read as Korean turn up hanja (lead
        # bytes CA-FD), which Korean databases rarely write, and errors. GB 2312's rows B0-C8
        # are Hangul in KS X 1001, though: Chinese text made only of their characters reads
        # as Hangul throughout, but in runs as long as its phrases, not in words.
        hangul = sum(1 for c in wide if "\uac00" <= c <= "\ud7a3")
        words = len(_WORD.findall(korean))
        if hangul >= _MIN_HANGUL_SHARE * len(wide) and len(wide) <= _MAX_MEAN_KOREAN_WORD * words:
            return "cp949"
    best, best_score = "", CJK_MIN_SCORE
    for encoding in CJK_CANDIDATES:
        score = cjk_score(_as_text(sample, encoding), encoding)
        if score > best_score:
            best, best_score = encoding, score
    return best


def read_head(stream: BinaryIO) -> tuple[bytes, BinaryIO]:
    """The first bytes of `stream`, and a stream that still yields the whole file."""
    if stream.seekable():
        start = stream.tell()
        head = stream.read(HEAD_SIZE)
        stream.seek(start)
        return head, stream
    head = stream.read(HEAD_SIZE)
    return head, _Prefixed(head, stream)


class _Prefixed(io.RawIOBase):
    """Replays already-read bytes before the rest of a non-seekable stream."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def text_stream(stream: BinaryIO, encoding: str, newline: str | None = None) -> io.TextIOWrapper:
    """Incrementally decoded text over `stream` (TextIOWrapper runs the codec's incremental
    decoder in C, chunk by chunk); \\r, \\n and \\r\\n all end a line."""
    # Our own raw layer in between, so closing the wrapper never closes the caller's file.
    raw = stream if isinstance(stream, _Prefixed) else _Raw(stream)
    binary = io.BufferedReader(raw, buffer_size=256 * 1024)
    text = io.TextIOWrapper(
        binary, encoding=encoding, errors="screening-importers-fallback", newline=newline
    )
    # Remembered so `text_chunks` may decode the bytes itself (see there).
    text._screening_universal = newline is None  # type: ignore[attr-defined]
    return text


class _Raw(io.RawIOBase):
    """Adapts any object with read() (Django's UploadedFile, a socket file...) for BufferedReader."""

    def __init__(self, stream) -> None:
        self._stream = stream
        # A stream that reads into a buffer itself (a file, Django's File, BytesIO) is asked
        # to: read() makes a new bytes object of every block, then copied (5 % of an import).
        self._into = getattr(stream, "readinto", None)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._into is not None:
            try:
                return self._into(buffer) or 0
            except io.UnsupportedOperation:
                self._into = None
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


BLOCK_CHARS = 1024 * 1024
BLOCK_BYTES = 2 * 1024 * 1024
MAX_LINE_CHARS = 64 * 1024 * 1024


def text_chunks(text: io.TextIOBase) -> Iterator[str]:
    """The file's text in pieces of about a megabyte, each ending at a line end ("\\n") except
    possibly the last; line ends are already "\\n" whatever the file used.

    The tagged parsers scan these with str.find and regular expressions, a whole record at a
    time. For a stream from `text_stream` the bytes are decoded here with the codec's incremental
    decoder on 2 MB reads: the same decoding and newline translation as TextIOWrapper.read, at
    about three times its speed (TextIOWrapper decodes and translates in small steps).
    """
    buffer = getattr(text, "buffer", None)
    if getattr(text, "_screening_universal", False) and buffer is not None:
        pieces = _decoded(buffer, text.encoding, text.errors)
    else:
        pieces = iter(lambda: text.read(BLOCK_CHARS), "")
    rest = ""
    for piece in pieces:
        chunk = rest + piece if rest else piece
        cut = chunk.rfind("\n") + 1
        if not cut:
            _no_line_end_yet(len(chunk))
            rest = chunk
            continue
        rest = chunk[cut:]
        yield chunk[:cut] if rest else chunk
    if rest:
        yield rest


def _no_line_end_yet(size: int) -> None:
    """`size` characters (or bytes) read with no line end in them: past MAX_LINE_CHARS the file
    is refused, since no text export has such a line (and holding it would not stay flat)."""
    if size > MAX_LINE_CHARS:
        raise ImportFormatError(_("a line is longer than 64 MB; this is not a text export"))


def _decoded(buffer: BinaryIO, encoding: str, errors: str) -> Iterator[str]:
    """Decoded text of `buffer` with universal newlines, in pieces of any length."""
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    held = ""  # a trailing "\\r" waits for the next piece: it may be half of "\\r\\n"
    while True:
        data = buffer.read(BLOCK_BYTES)
        piece = decoder.decode(data, final=not data)
        if held:
            piece = held + piece
            held = ""
        if "\r" in piece:
            if data and piece[-1] == "\r":
                piece, held = piece[:-1], "\r"
            piece = piece.replace("\r\n", "\n").replace("\r", "\n")
        if piece:
            yield piece
        if not data:
            return


def decode_utf8(data: bytes) -> str:
    """Text of bytes from `LineBlocks.utf8_chunks`, decoded as the text stream decodes them."""
    return data.decode("utf-8", "screening-importers-fallback")


class Held(NamedTuple):
    """How a parser that cuts records out of its buffer holds the file: as text, or as a UTF-8
    file's bytes (`LineBlocks.utf8_chunks`), each record decoded once and its bytes kept."""

    utf8: bool
    nl: str | bytes
    text: Callable[[Any], str]  # the text of a stretch of the buffer

    def marker(self, text: str) -> str | bytes:
        """`text` (ASCII) as the buffer holds it, to find it there."""
        return text.encode() if self.utf8 else text

    def record(self, stretch: Any, fallbacks: list[int]) -> tuple[str, bytes | None]:
        """(text, bytes) of a record's stretch of the buffer: its bytes only when they are
        exactly its text's UTF-8 (none read as Windows-1252; `fallbacks`: fallback_counter)."""
        if not self.utf8:
            return stretch, None
        seen = fallbacks[0]
        text = decode_utf8(stretch)
        return text, stretch if fallbacks[0] == seen else None


AS_TEXT = Held(False, "\n", str)
AS_UTF8 = Held(True, b"\n", decode_utf8)


def held_chunks(blocks: Iterable[list[str]]) -> tuple[Iterator[Any], Held]:
    """The chunks a record-cutting parser reads (`Held` says which kind): a UTF-8 file's bytes
    when `blocks` can give them, else its text (`chunks_of`)."""
    utf8 = blocks.utf8_chunks() if isinstance(blocks, LineBlocks) else None
    if utf8 is not None:
        return utf8, AS_UTF8
    return chunks_of(blocks), AS_TEXT


def _utf8_chunks(text: io.TextIOWrapper, skip_bom: bool) -> Iterator[bytes]:
    """UTF-8 bytes under `text` in pieces of about BLOCK_BYTES, each ending at a line end except
    possibly the last, with "\r\n" and "\r" made "\n" (as `_decoded` does with the text).

    A UTF-8 line end is one byte that no other character contains, so the bytes can be cut and
    translated before decoding: a parser then finds its records in the bytes, decodes each once,
    and may store a record's bytes as they are (no encoding back for COPY). The text stream is
    held here: once collected, it would close the bytes under it.
    """
    buffer = text.buffer
    rest = b""
    if skip_bom:  # a buffered read gives all the bytes asked for, short only at the end
        start = buffer.read(len(codecs.BOM_UTF8))
        rest = b"" if start == codecs.BOM_UTF8 else start
    while data := buffer.read(BLOCK_BYTES):
        block = rest + data if rest else data
        # The last line end, but not a final "\r", which may be half of a "\r\n".
        cut = max(block.rfind(b"\n"), block.rfind(b"\r", 0, len(block) - 1)) + 1
        if not cut:
            _no_line_end_yet(len(block))
            rest = block
            continue
        rest = block[cut:]
        piece = block[:cut] if rest else block
        if b"\r" in piece:
            piece = piece.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        yield piece
    if rest:
        yield rest.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in rest else rest


class LineBlocks:
    """The file's lines (without line endings) in lists of about a megabyte, when iterated.

    Parsers loop over these lists rather than pulling one line at a time through generators:
    str.split does the line splitting in C. The tagged parsers (RIS, MEDLINE, WoS) go one step
    further and take the text itself, record by record, from `chunks()`.
    """

    def __init__(self, text: io.TextIOBase) -> None:
        self._text = text

    def chunks(self) -> Iterator[str]:
        return text_chunks(self._text)

    def utf8_chunks(self) -> Iterator[bytes] | None:
        """The file's bytes in pieces ending at a line end, for a UTF-8 file (else None): what
        `chunks` gives, not yet decoded. Decode them with `decode_utf8`."""
        text = self._text
        buffer = getattr(text, "buffer", None)
        if not getattr(text, "_screening_universal", False) or buffer is None:
            return None
        encoding = codecs.lookup(text.encoding).name
        if encoding not in ("utf-8", "utf-8-sig"):
            return None
        return _utf8_chunks(text, skip_bom=encoding == "utf-8-sig")

    def __iter__(self) -> Iterator[list[str]]:
        for chunk in text_chunks(self._text):
            yield chunk[:-1].split("\n") if chunk[-1] == "\n" else chunk.split("\n")


def line_blocks(text: io.TextIOBase) -> LineBlocks:
    """The file's lines in lists of about a megabyte (see LineBlocks)."""
    return LineBlocks(text)


def chunks_of(blocks: Iterable[list[str]]) -> Iterator[str]:
    """Text chunks (as `text_chunks` gives) of `blocks`: its own when it is a LineBlocks, else
    made from the lists of lines (a caller that split the lines itself)."""
    if isinstance(blocks, LineBlocks):
        return blocks.chunks()
    return ("\n".join(block) + "\n" for block in blocks if block)
