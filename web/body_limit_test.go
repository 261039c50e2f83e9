package web_test

import (
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hypercare/hypercare/storetest"
)

// countingReader yields n bytes of 'a' and counts how many were read.
type countingReader struct {
	left int64
	read atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), c.left)
	for i := range p[:n] {
		p[i] = 'a'
	}
	c.left -= n
	c.read.Add(n)
	return int(n), nil
}

// TestHugeFormsAreRefused: a form body far larger than any page's form
// (a sign-in, a 10,000-character note) is refused with 413 without being
// read whole, also before sign-in. The UI read whatever came: a
// multipart upload of any size to /login, which needs no session, was
// spooled to temporary files and an urlencoded one was held in memory up
// to 10 MB per request, so anyone who could reach the sign-in page could
// fill the server's disk or memory.
func TestHugeFormsAreRefused(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, e storetest.Engine) {
		h := startHarness(t, e.Open(t))
		const size = 64 << 20
		for _, kind := range []string{"multipart", "urlencoded"} {
			b := h.browser()
			_, page := b.get("/login")
			token := csrf(t, page)
			body := &countingReader{left: size}
			var rd io.Reader
			ctype := "application/x-www-form-urlencoded"
			if kind == "multipart" {
				pr, pw := io.Pipe()
				mw := multipart.NewWriter(pw)
				ctype = mw.FormDataContentType()
				go func() {
					_ = mw.WriteField("csrf", token)
					_ = mw.WriteField("username", "rita")
					_ = mw.WriteField("password", password)
					f, _ := mw.CreateFormFile("upload", "big.bin")
					_, err := io.Copy(f, body)
					if err == nil {
						err = mw.Close()
					}
					pw.CloseWithError(err)
				}()
				rd = pr
			} else {
				rd = io.MultiReader(strings.NewReader("csrf="+url.QueryEscape(token)+"&username=rita&password="+url.QueryEscape(password)+"&pad="), body)
			}
			req, err := http.NewRequest("POST", h.URL+"/login", rd)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", ctype)
			resp, err := b.c.Do(req)
			if err == nil {
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusRequestEntityTooLarge {
					t.Errorf("%s form of %d MB: %d, want 413\n%.300s", kind, size>>20, resp.StatusCode, raw)
				}
			}
			if n := body.read.Load(); n >= size/2 {
				t.Errorf("%s form: the server read %d MB of it", kind, n>>20)
			}
		}
		// A long note still goes through: 10,000 characters of 4-byte
		// UTF-8 with CRLF line breaks is well inside the limit.
		b := h.browser()
		b.mustLogin("rita")
		h.trigger("big-form", "Checkout down", "")
		_, page := b.get("/incidents/1")
		note := strings.Repeat("😀😀😀😀\r\n", 1666)
		code, out := b.post("/incidents/1/notes", url.Values{"csrf": {csrf(t, page)}, "message": {note}})
		if code != http.StatusSeeOther {
			t.Fatalf("a 10,000-character note: %d\n%.300s", code, out)
		}
	})
}
