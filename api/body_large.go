package api

import (
	"io"
	"net/http"

	"github.com/hypercare/hypercare"
)

// largeBodyTurns is how many native webhook bodies larger than the
// single-event limit are read and processed at once. A large Alertmanager
// group is rare and the store writes one batch at a time anyway; the
// bound keeps memory to two bodies and their parses however many senders
// post large groups at once. Parsing allocates (garbage included) 9.5× a
// 5,000-alert kube-prometheus group of 4 MB and, at worst, 34× an 8 MB
// alert of 700,000 labels, which only a holder of the integration key
// can send.
const largeBodyTurns = 2

// largeBodies admits native webhook bodies above the single-event limit,
// up to limit, a few at a time (turns).
type largeBodies struct {
	limit int64
	turns chan struct{}
}

// readBatchBody reads a native webhook's body. Up to maxBody bytes it is
// read at once, as every other body; a larger one, up to the batch limit,
// waits for a turn before the rest is read and keeps it until release is
// called (at the end of the request). A sender that goes away while
// waiting is answered 503; one that sends slowly holds its turn at most
// the server's read timeout.
func (s *Server) readBatchBody(w http.ResponseWriter, r *http.Request) (body []byte, release func(), err error) {
	rd := http.MaxBytesReader(w, r.Body, s.largeBody.limit)
	body, err = readAllSized(io.LimitReader(rd, s.maxBody+1), r.ContentLength, s.maxBody) // the key is known: size it
	if err != nil {
		return nil, nil, bodyError(err, s.largeBody.limit)
	}
	if int64(len(body)) <= s.maxBody {
		return body, func() {}, nil
	}
	select {
	case s.largeBody.turns <- struct{}{}:
	case <-r.Context().Done():
		return nil, nil, &hypercare.Error{Code: hypercare.CodeUnavailable,
			Message: "request ended while waiting to read a large body", Err: r.Context().Err()}
	}
	release = func() { <-s.largeBody.turns }
	rest, err := io.ReadAll(rd)
	if err != nil {
		release()
		return nil, nil, bodyError(err, s.largeBody.limit)
	}
	return append(body, rest...), release, nil
}
