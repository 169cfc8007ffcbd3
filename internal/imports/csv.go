package imports

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/relasi/relasi/internal/errs"
)

// Encoding is how a CSV file's bytes turned out to be written.
type Encoding string

const (
	UTF8        Encoding = "utf-8"
	UTF8BOM     Encoding = "utf-8-bom"
	UTF16       Encoding = "utf-16"
	Windows1252 Encoding = "windows-1252"
)

// sniffBytes is how much of a file is looked at to tell its encoding and
// delimiter.
const sniffBytes = 64 << 10

// CSVReader reads a delimited text file: UTF-8 with or without a byte
// order mark, UTF-16 with one (Excel's "Unicode text"), or Windows-1252
// when the bytes are not UTF-8 (older Excel "CSV" on Windows); the
// delimiter — comma, semicolon or tab — is taken from the header line, or
// from Excel's "sep=;" hint line.
type CSVReader struct {
	Encoding  Encoding
	Delimiter rune
	header    []string
	csv       *csv.Reader
	rows      recordRows
}

// NewCSVReader starts reading r; it reads the header line at once.
func NewCSVReader(r io.Reader) (*CSVReader, error) {
	br := bufio.NewReaderSize(r, sniffBytes)
	head, _ := br.Peek(sniffBytes)
	c := &CSVReader{}
	var text io.Reader
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		c.Encoding, text = UTF8BOM, transform.NewReader(br, lenientUTF8{})
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		c.Encoding, text = UTF16, transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	case validUTF8Prefix(head):
		c.Encoding, text = UTF8, transform.NewReader(br, lenientUTF8{})
	default:
		c.Encoding, text = Windows1252, transform.NewReader(br, charmap.Windows1252.NewDecoder())
	}

	tr := bufio.NewReaderSize(text, sniffBytes)
	first, _ := tr.Peek(sniffBytes)
	c.Delimiter = ','
	if sep, n, ok := sepHint(first); ok {
		tr.Discard(n)
		c.Delimiter = sep
	} else {
		c.Delimiter = sniffDelimiter(first)
	}
	c.csv = csv.NewReader(tr)
	c.csv.Comma = c.Delimiter
	c.csv.LazyQuotes = true
	c.csv.FieldsPerRecord = -1
	c.csv.ReuseRecord = true

	header, err := c.csv.Read()
	if errors.Is(err, io.EOF) {
		return nil, errNoHeader
	}
	if err != nil {
		return nil, errs.E(errs.Invalid, "The first row of the file cannot be read: %s.", err).WithKey("imports.error_unreadable")
	}
	if len(header) > maxColumns {
		return nil, errs.E(errs.Invalid, "The file has %d columns; at most %d can be imported.", len(header), maxColumns).WithKey("imports.error_too_wide", maxColumns)
	}
	if isBlank(header) {
		return nil, errNoHeader
	}
	c.rows.next(c.csv, header)
	c.header = cleanHeader(header)
	return c, nil
}

// Header returns the column names.
func (c *CSVReader) Header() []string { return c.header }

// Next returns the next record.
func (c *CSVReader) Next() (int, []string, error) {
	rec, err := c.csv.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return 0, nil, errs.E(errs.Invalid, "Line %d of the file cannot be read: %s.", pe.StartLine, pe.Err).WithKey("imports.error_bad_line", pe.StartLine)
		}
		return 0, nil, fmt.Errorf("read CSV: %w", err)
	}
	return c.rows.next(c.csv, rec), rec, nil
}

// Close does nothing: the caller owns the underlying reader.
func (c *CSVReader) Close() error { return nil }

// validUTF8Prefix reports whether head is UTF-8, allowing a rune cut off at
// the end of the sniffed bytes.
func validUTF8Prefix(head []byte) bool {
	for i := 0; i < 3 && len(head) > 0 && !utf8.Valid(head); i++ {
		head = head[:len(head)-1]
	}
	return utf8.Valid(head)
}

// sepHint recognises Excel's "sep=;" first line.
func sepHint(b []byte) (rune, int, bool) {
	if len(b) < 5 || !bytes.EqualFold(b[:4], []byte("sep=")) {
		return 0, 0, false
	}
	sep, size := utf8.DecodeRune(b[4:])
	n := 4 + size
	if sep == '\r' || sep == '\n' || sep == utf8.RuneError || sep == '"' {
		return 0, 0, false
	}
	rest := b[n:]
	switch {
	case bytes.HasPrefix(rest, []byte("\r\n")):
		n += 2
	case bytes.HasPrefix(rest, []byte("\n")):
		n++
	case len(rest) == 0:
	default:
		return 0, 0, false
	}
	return sep, n, true
}

// sniffDelimiter counts the candidate delimiters outside quotes on the
// first line; the most frequent wins, a comma when none appears.
func sniffDelimiter(b []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, ch := range b {
		if ch == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if ch == '\n' || ch == '\r' {
			break
		}
		if ch == ',' || ch == ';' || ch == '\t' {
			counts[ch]++
		}
	}
	best, n := byte(','), 0
	for _, ch := range []byte{',', ';', '\t'} {
		if counts[ch] > n {
			best, n = ch, counts[ch]
		}
	}
	return rune(best)
}

// lenientUTF8 passes UTF-8 through and reads any byte that is not part of
// a valid UTF-8 sequence as Windows-1252, so a file that is mostly UTF-8
// with a few bytes from an older export keeps its "é" instead of "\ufffd".
type lenientUTF8 struct{ transform.NopResetter }

func (lenientUTF8) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		b := src[nSrc]
		if b < utf8.RuneSelf {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = b
			nDst++
			nSrc++
			continue
		}
		r, size := utf8.DecodeRune(src[nSrc:])
		if r == utf8.RuneError && size == 1 {
			if !atEOF && !utf8.FullRune(src[nSrc:]) {
				return nDst, nSrc, transform.ErrShortSrc
			}
			r = charmap.Windows1252.DecodeByte(b)
			if nDst+utf8.RuneLen(r) > len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			nDst += utf8.EncodeRune(dst[nDst:], r)
			nSrc++
			continue
		}
		if nDst+size > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		copy(dst[nDst:], src[nSrc:nSrc+size])
		nDst += size
		nSrc += size
	}
	return nDst, nSrc, nil
}
