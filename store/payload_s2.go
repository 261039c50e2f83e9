package store

import (
	"fmt"

	"github.com/klauspost/compress/s2"
)

// The event log's payloads compressed on SQLite (migration 0047). A new
// alert's event carries about 1 KB of JSON, and SQLite's one writer
// fsyncs every byte of a commit: batches of new alerts wrote about 6.6 KB
// per alert to disk, and the event's payload was the largest single
// part. S2 (klauspost/compress) makes an Alertmanager alert's payload
// about 58 % of its size for about a microsecond of the writer's time,
// and reads back as fast. PostgreSQL keeps payloads as text: TOAST
// compresses long values itself, and its writers share no single WAL.
//
// A payload is stored in one of two columns, and the column's type says
// which: JSON text in payload (short or incompressible payloads, and every
// row written before the migration), or S2's block format in payload_s2
// (a BLOB), payload then NULL. Reads take whichever is set (the dialect's
// eventReadCols), and storedPayload decodes by the type it is handed.

// minCompressedPayload is the shortest payload worth compressing: below
// it S2 saves a few bytes at most, of a row that shares its page anyway.
const minCompressedPayload = 256

// storedPayloadArgs returns the values of the payload and payload_s2
// columns for payload p (nil for NULL): p compressed when that saves at
// least an eighth of it, else p as text.
func storedPayloadArgs(p []byte) (text, compressed any) {
	if len(p) == 0 {
		return nil, nil
	}
	if len(p) >= minCompressedPayload {
		if z := s2.Encode(nil, p); len(z) <= len(p)-len(p)/8 {
			return nil, z
		}
	}
	return string(p), nil
}

// storedPayload scans the payload a read returns: text as it is, a BLOB
// (payload_s2) decompressed, NULL as none.
type storedPayload []byte

// Scan implements sql.Scanner.
func (p *storedPayload) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*p = nil
	case string:
		*p = []byte(v)
	case []byte:
		b, err := s2.Decode(nil, v)
		if err != nil {
			return fmt.Errorf("decompress stored payload of %d bytes: %w", len(v), err)
		}
		*p = b
	default:
		return fmt.Errorf("stored payload: unexpected %T", v)
	}
	return nil
}
