package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/hypercare/hypercare"
)

// This file turns what came back from the server, when it is not the
// answer asked for, into errors a responder can act on: the CLI prints
// them as they are, so "EOF", a JSON decoder's complaint about '<' or a
// page of raw HTML would reach the person at the terminal.

// notAPIHint ends the error for an answer that did not come from
// Hypercare's API at all: most often the URL points at another web server
// or at a proxy's login page.
const notAPIHint = "not a Hypercare API answer: is the server URL right?"

// answerError is an error whose text says in words what its cause (kept
// for errors.Is and errors.As) says in Go's.
type answerError struct {
	msg string
	err error
}

func (e *answerError) Error() string { return e.msg }
func (e *answerError) Unwrap() error { return e.err }

// transportError describes a request that got no HTTP answer. A refused
// connection or an unknown host keep the dial error's own words, which
// name the host; a dropped connection and a timeout, whose own words are
// "EOF" and "context deadline exceeded (Client.Timeout exceeded…)", are
// said plainly.
func transportError(op string, err error, timeout time.Duration) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL; the dial error names the host
	}
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return &answerError{op + ": the server closed the connection without answering", err}
	case ue != nil && ue.Timeout() && timeout > 0:
		return &answerError{fmt.Sprintf("%s: no answer within %s", op, timeout), err}
	case ue != nil && ue.Timeout():
		return &answerError{op + ": no answer in time", err}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// decodeAnswer decodes a 2xx response's JSON body into out, or says what
// came instead.
func decodeAnswer(op string, resp *http.Response, body io.Reader, out any) error {
	raw, err := io.ReadAll(body)
	if err != nil {
		return transportError(op+": reading the answer", err, 0)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		status := fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case len(strings.TrimSpace(string(raw))) == 0:
			return &answerError{fmt.Sprintf("%s: %s with an empty body, %s", op, status, notAPIHint), err}
		case looksHTML(resp.Header.Get("Content-Type"), raw):
			return &answerError{fmt.Sprintf("%s: %s with %s, %s", op, status, htmlPage(raw), notAPIHint), err}
		case errors.As(err, &te):
			return &answerError{fmt.Sprintf("%s: the answer's field %s is a %s, not what this client expects: "+
				"are the client and server versions compatible?", op, te.Field, te.Value), err}
		case errors.As(err, &se) && se.Offset >= int64(len(raw)):
			return &answerError{fmt.Sprintf("%s: the answer was cut off after %d bytes; try again", op, len(raw)), err}
		case strings.ContainsAny(strings.TrimSpace(string(raw))[:1], "{["):
			return &answerError{fmt.Sprintf("%s: the answer is not valid JSON; try again", op), err}
		}
		return &answerError{fmt.Sprintf("%s: %s with text %q, %s", op, status, truncate(oneLine(string(raw)), 80), notAPIHint), err}
	}
	return nil
}

// decodeError rebuilds the server's *hypercare.Error from an error
// response. A body that is not the API's envelope (a proxy's error page,
// another web server's 404) still yields an *hypercare.Error, coded by the
// HTTP status, quoting the body as one line of text (an HTML page by its
// title) and, unless a gateway says the server behind it is down, saying
// the answer was not Hypercare's.
func decodeError(op string, resp *http.Response, body io.Reader) error {
	status := resp.StatusCode
	raw, _ := io.ReadAll(io.LimitReader(body, 64<<10))
	var env hypercare.ErrorBody
	if json.Unmarshal(raw, &env) == nil && env.Error.Code != "" {
		msg := env.Error.Message
		if msg == "" {
			msg = http.StatusText(status)
		}
		return &hypercare.Error{Code: env.Error.Code, Message: msg, Details: env.Error.Details}
	}
	code := codeForStatus(status)
	msg := fmt.Sprintf("%s: HTTP %d %s", op, status, http.StatusText(status))
	gateway := code == hypercare.CodeUnavailable
	switch snippet := oneLine(string(raw)); {
	case looksHTML(resp.Header.Get("Content-Type"), raw):
		msg += " with " + htmlPage(raw)
	case snippet != "":
		msg += ": " + truncate(snippet, 200)
	}
	if !gateway {
		msg += ", " + notAPIHint
	}
	return &hypercare.Error{Code: code, Message: msg}
}

// looksHTML reports whether a body is a web page.
func looksHTML(contentType string, raw []byte) bool {
	return strings.HasPrefix(contentType, "text/html") || strings.HasPrefix(strings.TrimSpace(string(raw)), "<")
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// htmlPage names a web page by its title or, without one, by the start of
// its text: `an HTML page ("502 Bad Gateway")`.
func htmlPage(raw []byte) string {
	text := ""
	if m := htmlTitle.FindSubmatch(raw); m != nil {
		text = string(m[1])
	}
	if strings.TrimSpace(htmlTag.ReplaceAllString(text, "")) == "" {
		text = string(raw)
	}
	text = truncate(oneLine(html.UnescapeString(htmlTag.ReplaceAllString(text, " "))), 80)
	if text == "" {
		return "an HTML page"
	}
	return fmt.Sprintf("an HTML page (%q)", text)
}

// oneLine makes a body quoted in an error one line of plain text: runs of
// whitespace and control characters (newlines, terminal escapes) become
// one space.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
