package domain

import (
	"fmt"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
)

// protoReader walks the fields of one Protocol Buffers message. The first
// error stops the walk and stays in err; values read after it are zero.
// Tags, varints and lengths of one byte (every tag of our messages, most
// values) are read inline; the rest goes through protowire.
type protoReader struct {
	b   []byte
	num protowire.Number
	typ protowire.Type
	err error
	// text holds the whole input (a copy, or the input itself when the
	// caller handed it over), whose slices all end at its end (their
	// capacity tells where they start): str returns parts of it, so that
	// the strings of one event share one allocation.
	text string
}

// newProtoReader returns a reader of the message in b. Unless owned is
// set, it copies b once for the strings it returns; with owned, the
// strings are parts of b, which must not change afterwards.
func newProtoReader(b []byte, owned bool) protoReader {
	r := protoReader{b: b[:len(b):len(b)]}
	if owned {
		r.text = unsafe.String(unsafe.SliceData(b), len(b))
	} else {
		r.text = string(b)
	}
	return r
}

// reader returns a reader of the message in b, a part of r's input.
func (r *protoReader) reader(b []byte) protoReader {
	return protoReader{b: b, text: r.text}
}

// next moves to the next field, false at the end or after an error.
func (r *protoReader) next() bool {
	if b := r.b; len(b) > 0 && b[0] < 0x80 && r.err == nil {
		c := b[0]
		r.num, r.typ, r.b = protowire.Number(c>>3), protowire.Type(c&7), b[1:]
		return true
	}
	return r.nextLong()
}

// nextLong is next for a tag of more than one byte, the end or an error.
func (r *protoReader) nextLong() bool {
	if r.err != nil || len(r.b) == 0 {
		return false
	}
	num, typ, n := protowire.ConsumeTag(r.b)
	if n < 0 {
		r.fail("field tag", protowire.ParseError(n))
		return false
	}
	r.num, r.typ, r.b = num, typ, r.b[n:]
	return true
}

// fail records the first error.
func (r *protoReader) fail(what string, err error) {
	if r.err == nil {
		r.err = fmt.Errorf("%s: %w", what, err)
	}
}

func (r *protoReader) failField(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("field %d: "+format, append([]any{r.num}, args...)...)
	}
}

// want checks the current field's wire type.
func (r *protoReader) want(t protowire.Type) bool {
	if r.typ != t {
		r.failField("wire type %d, want %d", r.typ, t)
	}
	return r.err == nil
}

func (r *protoReader) unknown() { r.failField("unknown field") }

// uvarint consumes a varint of the current field's value.
func (r *protoReader) uvarint() uint64 {
	if b := r.b; len(b) > 0 && b[0] < 0x80 {
		r.b = b[1:]
		return uint64(b[0])
	}
	return r.uvarintLong()
}

func (r *protoReader) uvarintLong() uint64 {
	return r.consumed(protowire.ConsumeVarint(r.b))
}

// consumed moves past the n bytes a protowire Consume function read v
// from, and returns v; a negative n is its error, and gives 0.
func (r *protoReader) consumed(v uint64, n int) uint64 {
	if n < 0 {
		r.failField("%w", protowire.ParseError(n))
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *protoReader) varint() uint64 {
	if !r.want(protowire.VarintType) {
		return 0
	}
	return r.uvarint()
}

func (r *protoReader) int64() int64 { return int64(r.varint()) }

func (r *protoReader) bool() bool {
	v := r.varint()
	if v > 1 {
		r.failField("bool is %d", v)
	}
	return v == 1
}

func (r *protoReader) fixed64() uint64 {
	if !r.want(protowire.Fixed64Type) {
		return 0
	}
	return r.consumed(protowire.ConsumeFixed64(r.b))
}

// bytes returns the field's value, pointing into the input.
func (r *protoReader) bytes() []byte {
	if !r.want(protowire.BytesType) {
		return nil
	}
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.failField("%d bytes, %d left", n, len(r.b))
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// str returns the field's value as a string, a part of r.text.
func (r *protoReader) str() string {
	v := r.bytes()
	if r.err != nil {
		return ""
	}
	at := len(r.text) - cap(v)
	return r.text[at : at+len(v)]
}

// message returns a reader of the field's value as a message; hand it
// to done after reading it.
func (r *protoReader) message() protoReader {
	return r.reader(r.bytes())
}

// done takes over the error of m, a reader from message.
func (r *protoReader) done(m *protoReader) {
	if m.err != nil {
		r.fail(fmt.Sprintf("field %d", r.num), m.err)
	}
}
