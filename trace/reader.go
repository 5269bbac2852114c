package trace

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxLineSize is the longest line a Reader accepts, in bytes (1 MiB). It
// bounds the Reader's memory whatever the input; AppendJSON lines are a few
// hundred bytes unless a log message is huge.
const MaxLineSize = 1 << 20

// Errors a Reader returns, wrapped in a *LineError that says where, so that
// tools can tell a damaged trace from something that is not a trace at all.
// Test for them with errors.Is.
var (
	// ErrEmpty means the input holds no record at all (no bytes, or only
	// blank lines): the run wrote nothing, or the wrong file was given.
	ErrEmpty = errors.New("empty trace: no records")
	// ErrNotTrace means the first line is not a trace record: it is not a
	// JSON object, or lacks the fields t, seq and kind.
	ErrNotTrace = errors.New("not a trace")
	// ErrMalformed means a line after the first is not a trace record.
	ErrMalformed = errors.New("malformed record")
	// ErrTruncated means the last line stops in the middle of a record,
	// with no newline: the writer was killed or the file cut short.
	ErrTruncated = errors.New("truncated record")
	// ErrLineTooLong means a line is longer than MaxLineSize.
	ErrLineTooLong = errors.New("line too long")
)

// LineError is a bad line of a trace: its number, counting from 1, and what
// is wrong with it. Err wraps one of ErrNotTrace, ErrMalformed, ErrTruncated,
// ErrLineTooLong, or the error of the underlying io.Reader.
type LineError struct {
	Line int
	Err  error
}

// Error reads "trace line 12: malformed record: byte 40: want ',' or '}', found 'x'".
func (e *LineError) Error() string {
	return "trace line " + strconv.Itoa(e.Line) + ": " + e.Err.Error()
}

// Unwrap returns Err, for errors.Is and errors.As.
func (e *LineError) Unwrap() error { return e.Err }

// Reader decodes a trace in the JSON Lines form that AppendJSON writes, one
// record at a time. Its memory does not grow with the trace: it holds one
// line (at most MaxLineSize bytes) and a bounded set of shared strings.
//
// Reader also accepts what other tools make of a trace: fields in any order,
// unknown fields (skipped), blank lines (skipped), CRLF line ends.
type Reader struct {
	sc      *bufio.Scanner
	dec     decoder
	line    int   // lines read so far
	records int   // records returned so far
	newline bool  // the last line read ended with '\n'
	err     error // sticky: once set, every Next returns it
}

// NewReader returns a Reader that reads r. It buffers: it may read past the
// last record it returns.
func NewReader(r io.Reader) *Reader {
	rd := &Reader{sc: bufio.NewScanner(r)}
	rd.sc.Buffer(make([]byte, 0, 64<<10), MaxLineSize+1) // +1: the newline
	rd.sc.Split(rd.split)
	return rd
}

// split is bufio.ScanLines that remembers whether the line had a newline.
func (rd *Reader) split(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		rd.newline = true
		return i + 1, bytes.TrimSuffix(data[:i], []byte{'\r'}), nil
	}
	if atEOF && len(data) > 0 {
		rd.newline = false
		return len(data), data, nil
	}
	return 0, nil, nil
}

// Next returns the next record. At the end of a trace it returns io.EOF; for
// an input with no record at all, ErrEmpty. Any other error is a *LineError
// (see ErrMalformed and the others), and every later call returns it again.
func (rd *Reader) Next() (Record, error) {
	var r Record
	if rd.err == nil {
		rd.err = rd.read(&r)
	}
	if rd.err != nil {
		return Record{}, rd.err
	}
	return r, nil
}

// Line returns the number of the line that held the last record Next
// returned, counting from 1, for messages that point into the file.
func (rd *Reader) Line() int { return rd.line }

func (rd *Reader) read(r *Record) error {
	for rd.sc.Scan() {
		rd.line++
		line := rd.sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := rd.dec.decode(line, r); err != nil {
			return &LineError{Line: rd.line, Err: rd.classify(err)}
		}
		rd.records++
		return nil
	}
	return rd.end()
}

// classify wraps a decoding error in the sentinel that says what it means
// for the trace as a whole.
func (rd *Reader) classify(err error) error {
	switch {
	case errors.Is(err, errEOL) && !rd.newline:
		return fmt.Errorf("%w: the file ends inside it", ErrTruncated)
	case rd.records == 0:
		return fmt.Errorf("%w: %w", ErrNotTrace, err)
	}
	return fmt.Errorf("%w: %w", ErrMalformed, err)
}

// end gives the error that ends the trace.
func (rd *Reader) end() error {
	err := rd.sc.Err()
	switch {
	case errors.Is(err, bufio.ErrTooLong):
		return &LineError{Line: rd.line + 1, Err: fmt.Errorf("%w: over %d bytes", ErrLineTooLong, MaxLineSize)}
	case err != nil:
		return &LineError{Line: rd.line + 1, Err: fmt.Errorf("read: %w", err)}
	case rd.records == 0:
		return ErrEmpty
	}
	return io.EOF
}
